package claims

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/replaylab/replay/replaylib/metrics"
)

// TestValuesCSVReadsBack: the committed quick run as values.csv has its columns on every row, one
// row per number of its bands, training values and checks, and reading a row back gives the same
// float64 as metrics.json holds, found by plain column values (no formatted keys).
func TestValuesCSVReadsBack(t *testing.T) {
	res := committedResult(t)
	raw, err := ValuesCSV(res)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(raw)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := rows[0]; len(got) != len(ValuesColumns) || got[0] != "task" || got[len(got)-1] != "value" {
		t.Fatalf("header %v", got)
	}
	col := map[string]int{}
	for i, c := range ValuesColumns {
		col[c] = i
	}
	want := 0
	for _, tr := range res.Tasks {
		for _, tn := range tr.Training {
			want += len(tn.Values)
		}
		for _, byVariant := range tr.Bands {
			for _, byMetric := range byVariant {
				for _, b := range byMetric {
					want += len(b.Values)
				}
			}
		}
	}
	for _, c := range res.Claims {
		for _, ch := range c.Checks {
			want += len(ch.ValuesA) + len(ch.ValuesB) + len(ch.Diffs)
		}
	}
	if len(rows)-1 != want {
		t.Errorf("%d rows, want one per number: %d", len(rows)-1, want)
	}
	// Look some up by their columns, as a pandas user would filter them.
	find := func(match map[string]string) []string {
		var out []string
		for _, r := range rows[1:] {
			ok := true
			for k, v := range match {
				ok = ok && r[col[k]] == v
			}
			if ok {
				out = append(out, r[col["value"]])
			}
		}
		return out
	}
	tr := res.Tasks[1]
	band := tr.Bands[CondLeak][VariantMomentum][metrics.KeyW1].Values
	got := find(map[string]string{"task": tr.Task, "kind": "replay", "condition": CondLeak, "variant": VariantMomentum, "metric": metrics.KeyW1})
	if len(got) != len(band) {
		t.Fatalf("%d momentum W1 rows on %s, want %d", len(got), tr.Task, len(band))
	}
	for i, s := range got {
		if x, err := strconv.ParseFloat(s, 64); err != nil || x != band[i] {
			t.Errorf("network %d: %q reads as %g (%v), metrics.json has %g", i+1, s, x, err, band[i])
		}
	}
	tn := tr.Training[0]
	c := tn.Unit.Condition
	got = find(map[string]string{"task": tr.Task, "kind": "training", "alpha": strconv.FormatFloat(c.Alpha, 'g', -1, 64),
		"mask_k": "inf", "learning_rate": strconv.FormatFloat(c.LR, 'g', -1, 64), "network": strconv.Itoa(tn.Unit.Index), "metric": metrics.KeyFinalError})
	if len(got) != 1 || got[0] != strconv.FormatFloat(tn.Values[metrics.KeyFinalError], 'g', -1, 64) {
		t.Errorf("final error of %s network %d: %v, metrics.json %g", tr.Task, tn.Unit.Index, got, tn.Values[metrics.KeyFinalError])
	}
	ch := res.Claims[0].Checks[0]
	got = find(map[string]string{"task": res.Claims[0].Task, "kind": "check", "claim": "1", "check": ch.Statement, "side": "difference"})
	if len(got) != len(ch.Diffs) {
		t.Errorf("check %q: %d differences, want %d", ch.Statement, len(got), len(ch.Diffs))
	}
}

// TestCommittedValuesAreTheSample: docs/report-sample/values.csv is the committed run's metrics.json
// as ValuesCSV writes it (a value the run could not compute is empty there; metrics.json keeps it as
// null, which reads back as 0).
func TestCommittedValuesAreTheSample(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "docs", "report-sample", ValuesFile))
	if err != nil {
		t.Fatal(err)
	}
	committed, err := csv.NewReader(bytes.NewReader(raw)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	derived, err := ValuesCSV(committedResult(t))
	if err != nil {
		t.Fatal(err)
	}
	want, err := csv.NewReader(bytes.NewReader(derived)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(committed) != len(want) {
		t.Fatalf("docs/report-sample/values.csv has %d rows, metrics.json gives %d: regenerate it with replay report", len(committed), len(want))
	}
	last := len(ValuesColumns) - 1
	for i := range want {
		for j := range want[i] {
			if committed[i][j] != want[i][j] && !(j == last && committed[i][j] == "" && want[i][j] == "0") {
				t.Fatalf("docs/report-sample/values.csv row %d, %s: %q, metrics.json gives %q", i, ValuesColumns[j], committed[i][j], want[i][j])
			}
		}
	}
}
