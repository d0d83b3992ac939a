package nb

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/replaylab/replay/internal/jsonsafe"
	"github.com/replaylab/replay/replaylib"
	"github.com/replaylab/replay/replaylib/claims"
)

// Reproduce runs (or reuses, from Dir) the reproduction at Size() with a progress line, and
// returns its result. Every notebook that calls it shares the same trained networks and units.
func Reproduce() (*claims.Result, error) {
	backend, err := replaylib.NewBackend()
	if err != nil {
		return nil, err
	}
	p := NewProgress("reproduction (" + Size().Name + " size)")
	res, err := claims.Run(context.Background(), claims.Options{Size: Size(), Dir: Dir(), Seed: 1, Backend: backend,
		Progress: func(done float64, left time.Duration) { p.Update(done, "training and replaying networks") }})
	if err != nil {
		return nil, err
	}
	p.Done("all units")
	return res, nil
}

// ClaimTable is a Markdown table of the verdicts and checks of the claims with the given ID.
func ClaimTable(res *claims.Result, id int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "| task | form | verdict | check | difference A − B [95 %% t] | verdict |\n|---|---|---|---|---|---|\n")
	for _, c := range res.Claims {
		if c.ID != id {
			continue
		}
		for i, ch := range c.Checks {
			task, form, verdict := "", "", ""
			if i == 0 {
				task, form, verdict = c.Task, c.Form, string(c.Verdict)
				if reason := c.Reason(); reason != "" {
					verdict += " (" + string(reason) + ")"
				}
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %.4g [%.4g, %.4g] | %s |\n", task, form, verdict, ch.Statement,
				ch.T.Estimate, ch.T.Lo, ch.T.Hi, ch.Decision.Verdict)
		}
	}
	return b.String()
}

// CommittedResultPath is the committed report of a quick run, in the repository.
const CommittedResultPath = "docs/report-sample/metrics.json"

// QuoteCommitted shows the verdicts of claim id in the committed quick run
// (docs/report-sample/metrics.json), so a notebook's closing cell quotes a real run rather than
// hand-typed numbers.
func QuoteCommitted(id int) {
	root := os.Getenv("GONB_DIR")
	if root == "" {
		root = "."
	}
	raw, err := os.ReadFile(filepath.Join(root, "..", CommittedResultPath))
	if err != nil {
		Error(fmt.Errorf("the committed run: %w", err))
		return
	}
	var res claims.Result
	if err := jsonsafe.Unmarshal(raw, &res); err != nil { // nulls (not measured) read as NaN
		Error(fmt.Errorf("%s: %w", CommittedResultPath, err))
		return
	}
	Markdown("In the committed `%s` run (%d networks per condition, seed %d; docs/report-sample/report.md):\n\n%s",
		res.Size.Name, res.Size.Networks, res.Seed, ClaimTable(&res, id))
}
