package notebooks

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/replaylab/replay/replaylib/claims"
	"github.com/replaylab/replay/replaylib/nb"
)

// committedNotebook is a notebook file as committed: its cells' sources and outputs.
type committedNotebook struct {
	Cells []struct {
		CellType string `json:"cell_type"`
		Source   any    `json:"source"`
		Outputs  []struct {
			OutputType string         `json:"output_type"`
			Data       map[string]any `json:"data"`
			EName      string         `json:"ename"`
		} `json:"outputs"`
	} `json:"cells"`
}

// TestCommittedOutputsAreCurrent: every notebook is committed with its outputs (notebooks/render.sh):
// figures as PNG images that GitHub shows, no error, and every number a notebook quotes — the
// claim tables of this run and of the committed run, the verdict counts — equal to what
// docs/report-sample/metrics.json gives. A new sample run without rendered notebooks fails here.
func TestCommittedOutputsAreCurrent(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", nb.CommittedResultPath))
	if err != nil {
		t.Fatal(err)
	}
	var sample claims.Result
	if err := json.Unmarshal(raw, &sample); err != nil {
		t.Fatalf("%s: %v", nb.CommittedResultPath, err)
	}
	held, reversed, inconclusive := sample.Counts()
	counts := fmt.Sprintf("%d claims held, %d reversed, %d inconclusive", held, reversed, inconclusive)
	claimTable := regexp.MustCompile(`nb\.(?:ClaimTable\(res, |QuoteCommitted\()(\d)\)`)
	paths, _ := filepath.Glob("[0-9]*.ipynb")
	if len(paths) < 6 {
		t.Fatalf("found %d notebooks, want 6", len(paths))
	}
	for _, path := range paths {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var book committedNotebook
		if err := json.Unmarshal(raw, &book); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		images := 0
		for i, c := range book.Cells {
			if c.CellType != "code" {
				continue
			}
			source := textOf(c.Source)
			var shown strings.Builder
			for _, o := range c.Outputs {
				if o.OutputType == "error" {
					t.Errorf("%s cell %d: committed with an error (%s)", path, i, o.EName)
				}
				if _, ok := o.Data["image/png"]; ok {
					images++
				}
				shown.WriteString(textOf(o.Data["text/markdown"]))
			}
			if len(c.Outputs) == 0 && !strings.HasPrefix(strings.TrimSpace(source), "!") && strings.Contains(source, "%%") {
				t.Errorf("%s cell %d: committed without outputs: run bash notebooks/render.sh", path, i)
			}
			for _, m := range claimTable.FindAllStringSubmatch(source, -1) {
				id, _ := strconv.Atoi(m[1])
				if want := nb.ClaimTable(&sample, id); !strings.Contains(shown.String(), want) {
					t.Errorf("%s cell %d: its claim %d table is not the committed run's (%s): render the notebooks from that run (notebooks/render.sh)",
						path, i, id, nb.CommittedResultPath)
				}
			}
			if strings.Contains(source, "res.Counts()") && !strings.Contains(shown.String(), counts) {
				t.Errorf("%s cell %d: shows other verdict counts than the committed run's %q", path, i, counts)
			}
		}
		if images == 0 {
			t.Errorf("%s: no PNG figure in its committed outputs (GitHub shows none): run bash notebooks/render.sh", path)
		}
	}
}
