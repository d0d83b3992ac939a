package claims

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"

	"gonum.org/v1/plot"

	"github.com/replaylab/replay/internal/atomicfile"
	"github.com/replaylab/replay/internal/jsonsafe"
	"github.com/replaylab/replay/replaylib/metrics"
	"github.com/replaylab/replay/replaylib/plots"
)

// Recipe is one candidate training recipe of the search: a name and the Size overrides (Set syntax)
// that make it from SearchBase.
type Recipe struct {
	Name string `json:"name"`
	Set  string `json:"set"` // "" is SearchBase itself
}

// The search's seeds: its candidates are trained at SearchSelectSeed, the selected recipe is
// confirmed on fresh networks at SearchConfirmSeed; neither is the seed of a reproduction (1 by
// default), so no network of the search judges a claim.
const (
	SearchSelectSeed  = 1001
	SearchConfirmSeed = 2002
)

// The search's budget (docs/claims.md, "The recipe search"): SearchNetworks networks per candidate
// on SearchTasks, ConfirmNetworks networks per task to confirm.
const (
	SearchNetworks  = 2
	ConfirmNetworks = 5
)

// SearchTasks are the tasks candidates are selected on; the confirmation adds the place-cell task.
var SearchTasks = []string{"triangle", "tmaze"}

// SearchBase is the size every candidate modifies: the quick size on SearchTasks with
// SearchNetworks networks, gate only.
func SearchBase() Size {
	s := Quick()
	s.Name, s.Tasks, s.Networks, s.GateOnly = "search", SearchTasks, SearchNetworks, true
	return s
}

// SearchGrid is the pre-registered grid of candidates (docs/claims.md): with full, the factorial
// grid; otherwise its quick subset (one factor at a time around the recipe the windows and stops
// were built for, and the two single changes).
func SearchGrid(full bool) []Recipe {
	const hold = "horizon=1000;stop_rate=0.02;stop_steps=30"
	quick := []Recipe{
		{"base", ""},
		{"horizon", "horizon=1000"},
		{"stops", "stop_rate=0.02;stop_steps=30"},
		{"hold", hold},
		{"hold-turns", hold + ";reversal_rate=0.01;end_dwell_steps=30"},
		{"hold-seq100", "seq_len=100;horizon=1000;stop_rate=0.02;stop_steps=30"},
		{"hold-n128", hold + ";hidden=128"},
		{"hold-steps4000", hold + ";train_steps=4000"},
		{"hold-noise0.05", hold + ";noise_sd=0.05"},
		{"hold-alpha0.5", hold + ";leak_alpha=0.5"},
		{"hold-lr1e-3", hold + ";learning_rates=0.001"},
	}
	if !full {
		return quick
	}
	var out []Recipe
	for _, horizon := range []int{0, 1000, 2000} {
		for _, stops := range []string{"", "stop_rate=0.02;stop_steps=30", "stop_rate=0.05;stop_steps=30"} {
			for _, n := range []int{64, 128, 256} {
				for _, sd := range []float64{0.03, 0.05} {
					for _, steps := range []int{2000, 4000} {
						for _, alpha := range []float64{0.2, 0.5} {
							set := []string{fmt.Sprintf("horizon=%d", horizon), fmt.Sprintf("hidden=%d", n), fmt.Sprintf("noise_sd=%g", sd),
								fmt.Sprintf("train_steps=%d", steps), fmt.Sprintf("leak_alpha=%g", alpha), "learning_rates=0.001,0.003"}
							name := fmt.Sprintf("h%d-n%d-sd%g-s%d-a%g", horizon, n, sd, steps, alpha)
							if stops != "" {
								set = append(set, stops)
								name += "-" + strings.ReplaceAll(strings.ReplaceAll(stops, "stop_rate=", "stop"), ";stop_steps=", "x")
							}
							out = append(out, Recipe{name, strings.Join(set, ";")})
						}
					}
				}
			}
		}
	}
	return out
}

// Size returns SearchBase with the recipe applied.
func (r Recipe) Size() (Size, error) { return r.sizeFrom(SearchBase()) }

// sizeFrom returns base with the recipe applied.
func (r Recipe) sizeFrom(base Size) (Size, error) {
	s := base
	if r.Set == "" {
		return s, nil
	}
	if err := s.Set(r.Set); err != nil {
		return Size{}, fmt.Errorf("recipe %s: %w", r.Name, err)
	}
	return s, nil
}

// Candidate is one recipe run: the gate and the hold test per task.
type Candidate struct {
	Recipe  Recipe                     `json:"recipe"`
	Seed    uint64                     `json:"seed"`
	Gates   map[string]Gate            `json:"gates"` // by task
	Hold    map[string]map[string]Band `json:"hold"`  // by task, by hold metric key
	Score   float64                    `json:"score"` // SearchScore
	Passed  int                        `json:"passed"`
	Seconds float64                    `json:"seconds"` // training and replay time of its units (as recorded when they ran)
}

// SearchScore is the selection rule's score of gates: the smallest slack of any half of the gate on
// any task, each slack in units of its threshold's scale — (2 − W1/floor)/2, (inside − 0.95)/0.05,
// (1.1 − R̂)/0.1 — so that it is positive exactly when every half passes on every task, and the
// candidate closest to passing everywhere has the largest. A missing value scores −∞.
func SearchScore(gates map[string]Gate) float64 {
	score := math.Inf(1)
	for _, g := range gates {
		for _, s := range []float64{(GateW1Ratio - g.W1Ratio.Mean) / GateW1Ratio, (g.Inside.Mean - GateInside) / (1 - GateInside), (GateRHat - g.RHat.Mean) / (GateRHat - 1)} {
			if math.IsNaN(s) {
				s = math.Inf(-1)
			}
			score = math.Min(score, s)
		}
	}
	if len(gates) == 0 {
		return math.Inf(-1)
	}
	return score
}

// SelectRecipe applies the selection rule to candidates: the most tasks passed, then the largest
// SearchScore, then the earlier in the grid (the grid lists cheaper recipes first). It returns the
// index, -1 for no candidates.
func SelectRecipe(cands []Candidate) int {
	best := -1
	for i, c := range cands {
		if best < 0 || c.Passed > cands[best].Passed || c.Passed == cands[best].Passed && c.Score > cands[best].Score {
			best = i
		}
	}
	return best
}

// SearchResult is the whole search: every candidate, the selected one, and its confirmation.
type SearchResult struct {
	Full         bool        `json:"full"`          // the full grid, or its quick subset
	Tasks        []string    `json:"tasks"`         // the tasks candidates were selected on
	Networks     int         `json:"networks"`      // networks per candidate and task
	ConfirmTasks []string    `json:"confirm_tasks"` // the tasks of the confirmation
	Candidates   []Candidate `json:"candidates"`
	Selected     int         `json:"selected"`          // index into Candidates
	Confirm      *Candidate  `json:"confirm,omitempty"` // the selected recipe on fresh networks, every task
	Seconds      float64     `json:"seconds"`           // training and replay time of every unit
	Note         string      `json:"note,omitempty"`    // why no confirmation ran
}

// SearchOptions runs a search: Run's options for each candidate (Size and Seed are set per
// candidate, Dir is the search's directory).
type SearchOptions struct {
	Options
	Full bool // the full grid instead of its quick subset
	// Recipes, when not empty, replaces the grid (tests; a user's own candidates).
	Recipes []Recipe
	// Base, when named, replaces SearchBase, and ConfirmTasks, when set, Quick's tasks in the
	// confirmation (tests; a user's own search).
	Base         Size
	ConfirmTasks []string
}

// Search runs every candidate of the grid at SearchSelectSeed in Dir/<name>/select, selects one by
// SelectRecipe, and confirms it at SearchConfirmSeed with ConfirmNetworks networks on every task of
// Quick in Dir/<name>/confirm. Each run resumes like a reproduction.
func Search(ctx context.Context, opt SearchOptions) (*SearchResult, error) {
	recipes := opt.Recipes
	if len(recipes) == 0 {
		recipes = SearchGrid(opt.Full)
	}
	base := opt.Base
	if base.Name == "" {
		base = SearchBase()
	}
	base.GateOnly = true
	res := &SearchResult{Full: opt.Full, Tasks: base.Tasks, Networks: base.Networks, ConfirmTasks: opt.ConfirmTasks}
	if len(res.ConfirmTasks) == 0 {
		res.ConfirmTasks = Quick().Tasks
	}
	for i, r := range recipes {
		s, err := r.sizeFrom(base)
		if err != nil {
			return nil, err
		}
		if opt.Log != nil {
			fmt.Fprintf(opt.Log, "search: candidate %d of %d, %s (%s)\n", i+1, len(recipes), r.Name, r.Set)
		}
		c, err := runCandidate(ctx, opt.Options, r, s, SearchSelectSeed, filepath.Join(opt.Dir, r.Name, "select"))
		if err != nil {
			return nil, err
		}
		res.Candidates = append(res.Candidates, *c)
	}
	res.Selected = SelectRecipe(res.Candidates)
	sel := res.Candidates[res.Selected]
	s, err := sel.Recipe.sizeFrom(base)
	if err != nil {
		return nil, err
	}
	s.Name, s.Tasks, s.Networks = "search-confirm", res.ConfirmTasks, ConfirmNetworks
	if opt.Log != nil {
		fmt.Fprintf(opt.Log, "search: selected %s (%d of %d tasks passed, score %.3f); confirming on %d fresh networks per task\n",
			sel.Recipe.Name, sel.Passed, len(res.Tasks), sel.Score, ConfirmNetworks)
	}
	if res.Confirm, err = runCandidate(ctx, opt.Options, sel.Recipe, s, SearchConfirmSeed, filepath.Join(opt.Dir, sel.Recipe.Name, "confirm")); err != nil {
		return nil, err
	}
	for _, c := range append(slices.Clone(res.Candidates), *res.Confirm) {
		res.Seconds += c.Seconds
	}
	return res, nil
}

// runCandidate runs one recipe at seed in dir and reads its gates and hold tests.
func runCandidate(ctx context.Context, opt Options, r Recipe, s Size, seed uint64, dir string) (*Candidate, error) {
	opt.Size, opt.Seed, opt.Dir = s, seed, dir
	res, err := Run(ctx, opt)
	if err != nil {
		return nil, fmt.Errorf("recipe %s: %w", r.Name, err)
	}
	if res == nil {
		return nil, fmt.Errorf("recipe %s: not every unit is done", r.Name)
	}
	c := &Candidate{Recipe: r, Seed: seed, Gates: map[string]Gate{}, Hold: map[string]map[string]Band{}}
	for _, tr := range res.Tasks {
		c.Gates[tr.Task] = tr.Gate
		if tr.Gate.Passed {
			c.Passed++
		}
		c.Hold[tr.Task] = map[string]Band{}
		for _, k := range holdColumns {
			c.Hold[tr.Task][k] = tr.Bands[CondLeak][VariantBaseline][k]
		}
	}
	c.Score = SearchScore(c.Gates)
	c.Seconds = res.Seconds
	return c, nil
}

// SearchMarkdown renders the search: the grid it ran, every candidate's gate and hold test per
// task, the selection and the confirmation.
func SearchMarkdown(res *SearchResult) string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	grid := "the quick subset of the grid (`--full` runs the factorial grid)"
	if res.Full {
		grid = "the full factorial grid"
	}
	w("# Recipe search\n\nRan %s: %d candidates × %d networks on %s at seed %d; the rule selects the candidate that passes the gate on the most tasks, then the one with the largest smallest slack (docs/claims.md, \"The recipe search\"); it is confirmed on %d fresh networks per task at seed %d. %.0f s of training and replay, summed over units (two ran at once).\n\n",
		grid, len(res.Candidates), res.Networks, strings.Join(res.Tasks, ", "), SearchSelectSeed, ConfirmNetworks, SearchConfirmSeed, res.Seconds)
	w("Per task: W1/floor (≤ %g), inside (≥ %g), split-R̂ of the position (≤ %g), hold drift at 50 and 1,000 noiseless steps (u), fixed points; means over networks; ✓ where the gate passed.\n\n", GateW1Ratio, GateInside, GateRHat)
	row := func(c Candidate, tasks []string, mark string) {
		w("| %s%s | `%s` |", c.Recipe.Name, mark, c.Recipe.Set)
		for _, t := range tasks {
			g, h := c.Gates[t], c.Hold[t]
			ok := ""
			if g.Passed {
				ok = " ✓"
			}
			w(" %.2f, %.3f, %.2f, %.3f, %.3f, %.0f%s |", g.W1Ratio.Mean, g.Inside.Mean, g.RHat.Mean, h[metrics.KeyHoldDrift50].Mean, h[metrics.KeyHoldDrift1000].Mean, h[metrics.KeyFixedPoints].Mean, ok)
		}
		w(" %.3f |\n", SearchScore(c.Gates))
	}
	header := func(tasks []string) {
		w("| candidate | recipe |")
		for _, t := range tasks {
			w(" %s |", t)
		}
		w(" score |\n|---|---|")
		for range tasks {
			w("---|")
		}
		w("---|\n")
	}
	header(res.Tasks)
	for i, c := range res.Candidates {
		mark := ""
		if i == res.Selected {
			mark = " (selected)"
		}
		row(c, res.Tasks, mark)
	}
	if res.Confirm != nil {
		tasks := res.ConfirmTasks
		w("\n## Confirmation\n\nThe selected recipe on %d fresh networks per task (seed %d); it passes the gate on %d of %d tasks.\n\n", ConfirmNetworks, SearchConfirmSeed, res.Confirm.Passed, len(tasks))
		header(tasks)
		row(*res.Confirm, tasks, "")
		w("\n")
		for _, t := range tasks {
			if g := res.Confirm.Gates[t]; !g.Passed {
				w("- %s: %s\n", t, g.Reason)
			}
		}
	}
	return b.String()
}

// Files of a search, in its directory.
const (
	SearchReportFile = "search.md"
	SearchJSONFile   = "search.json"
)

// SearchFigure is the frontier of the candidates per task: W1/floor against split-R̂ of the
// position, filled where at least GateInside of the points are inside, the gate's thresholds dashed.
func SearchFigure(res *SearchResult) (Figure, error) {
	var row []*plot.Plot
	for _, task := range res.Tasks {
		var points []plots.FrontierPoint
		for _, c := range res.Candidates {
			g := c.Gates[task]
			points = append(points, plots.FrontierPoint{Label: c.Recipe.Name, X: g.W1Ratio.Mean, Y: g.RHat.Mean, Filled: g.Inside.Mean >= GateInside})
		}
		p, err := plots.Frontier(plots.Axes{Title: task + ": candidates against the gate", X: "W1 / floor", Y: "split-R̂ of the position"},
			points, plots.Thresholds{X: GateW1Ratio, Y: GateRHat})
		if err != nil {
			return Figure{}, err
		}
		row = append(row, p)
	}
	return Figure{Name: "search-frontier", Title: "recipe search: the candidates against the gate",
		Caption: fmt.Sprintf("Each candidate's leak baseline (means over %d networks of seed %d): W1 over its floor against the split-R̂ of the decoded position; filled where ≥ %g%% of the decoded points are inside the environment, hollow otherwise. The gate passes in the lower left corner of the dashed lines, filled points only.", res.Networks, SearchSelectSeed, 100*GateInside),
		Panels:  [][]*plot.Plot{row}}, nil
}

// WriteSearch writes search.json, search.md and the frontier figure into dir, atomically.
func WriteSearch(res *SearchResult, dir string) error {
	raw, err := jsonsafe.MarshalIndent(res, "", " ")
	if err != nil {
		return err
	}
	if err := atomicfile.Write(filepath.Join(dir, SearchJSONFile), raw); err != nil {
		return err
	}
	fig, err := SearchFigure(res)
	if err != nil {
		return err
	}
	if _, err := plots.SaveTiles(fig.Panels, filepath.Join(dir, FiguresDir, fig.Name), panelW, panelH); err != nil {
		return err
	}
	md := SearchMarkdown(res) + fmt.Sprintf("\n![%s](%s)\n\n*%s*\n", fig.Title, filepath.Join(FiguresDir, fig.Name+".png"), fig.Caption)
	return atomicfile.Write(filepath.Join(dir, SearchReportFile), []byte(md))
}
