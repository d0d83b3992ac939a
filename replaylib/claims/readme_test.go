package claims

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The README's verdict table is generated from the committed sample run
// (docs/report-sample/metrics.json), never typed by hand. After committing a new sample run,
// REPLAY_UPDATE_README=1 go test ./replaylib/claims -run README rewrites it.
func TestREADMEVerdictsMatchCommittedRun(t *testing.T) {
	root := filepath.Join("..", "..")
	raw, err := os.ReadFile(filepath.Join(root, "docs", "report-sample", "metrics.json"))
	if err != nil {
		t.Fatal(err)
	}
	var res Result
	if err := json.Unmarshal(raw, &res); err != nil {
		t.Fatalf("docs/report-sample/metrics.json: %v", err)
	}
	if len(res.Claims) == 0 {
		t.Fatal("docs/report-sample/metrics.json has no claims")
	}
	want := VerdictTable(&res)

	report, err := os.ReadFile(filepath.Join(root, "docs", "report-sample", "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(report), want) {
		t.Errorf("docs/report-sample/report.md does not hold the verdict table of its metrics.json: commit the two files of one run together")
	}

	const begin, end = "<!-- verdicts:begin -->\n", "<!-- verdicts:end -->"
	readmePath := filepath.Join(root, "README.md")
	readme, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	text := string(readme)
	i, j := strings.Index(text, begin), strings.Index(text, end)
	if i < 0 || j < i {
		t.Fatalf("README.md: markers %q … %q not found", strings.TrimSpace(begin), end)
	}
	got := text[i+len(begin) : j]
	if got == want {
		return
	}
	if os.Getenv("REPLAY_UPDATE_README") == "1" {
		text = text[:i+len(begin)] + want + text[j:]
		if err := os.WriteFile(readmePath, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("README.md: verdict table rewritten from docs/report-sample/metrics.json")
		return
	}
	t.Errorf("README.md's verdict table differs from docs/report-sample/metrics.json; run REPLAY_UPDATE_README=1 go test ./replaylib/claims -run README\nREADME:\n%s\nmetrics.json:\n%s", got, want)
}
