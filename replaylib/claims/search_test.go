package claims

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/replaylab/replay/replaylib"
)

func gateOf(w1, inside, rhat float64) Gate {
	g := newGate(map[string]Band{"w1_ratio": {Mean: w1, Values: []float64{w1}}, "inside": {Mean: inside, Values: []float64{inside}},
		"rhat_max": {Mean: rhat, Values: []float64{rhat}}})
	return g
}

// TestSelectionRuleByHand: the score is the smallest slack over tasks and halves, in units of each
// threshold's scale; a candidate passing on more tasks wins over a higher score; ties go to the
// earlier candidate.
func TestSelectionRuleByHand(t *testing.T) {
	a := map[string]Gate{"triangle": gateOf(1.5, 0.97, 1.05), "tmaze": gateOf(1.8, 0.99, 1.02)}
	// slacks: triangle 0.25, 0.4, 0.5; tmaze 0.1, 0.8, 0.8 → 0.1
	if s := SearchScore(a); math.Abs(s-0.1) > 1e-12 {
		t.Errorf("score %g, want 0.1", s)
	}
	b := map[string]Gate{"triangle": gateOf(2.2, 0.99, 1.01), "tmaze": gateOf(1.0, 1, 1)} // fails W1 by 0.1 of its scale
	if s := SearchScore(b); math.Abs(s+0.1) > 1e-12 {
		t.Errorf("score %g, want -0.1", s)
	}
	c := map[string]Gate{"triangle": gateOf(1.5, 0.99, math.NaN()), "tmaze": gateOf(1, 1, 1)}
	if s := SearchScore(c); !math.IsInf(s, -1) {
		t.Errorf("unmeasured R̂: score %g, want −∞", s)
	}
	cands := []Candidate{{Gates: b, Score: SearchScore(b), Passed: 1}, {Gates: a, Score: SearchScore(a), Passed: 2},
		{Gates: a, Score: SearchScore(a), Passed: 2}, {Gates: c, Score: SearchScore(c), Passed: 1}}
	if i := SelectRecipe(cands); i != 1 {
		t.Errorf("selected %d, want 1", i)
	}
	// Nobody passes anywhere: the largest score (closest to passing).
	cands = []Candidate{{Score: -0.5}, {Score: -0.2}, {Score: math.Inf(-1)}}
	if i := SelectRecipe(cands); i != 1 {
		t.Errorf("selected %d, want 1", i)
	}
}

// TestSearchGridIsValid: every candidate of both grids is a valid size that runs gate only.
func TestSearchGridIsValid(t *testing.T) {
	for _, full := range []bool{false, true} {
		names := map[string]bool{}
		for _, r := range SearchGrid(full) {
			s, err := r.Size()
			if err != nil {
				t.Fatal(err)
			}
			if !s.GateOnly || names[r.Name] || strings.ContainsAny(r.Name, "/ ;") {
				t.Errorf("%s: gate only %v, duplicate %v", r.Name, s.GateOnly, names[r.Name])
			}
			names[r.Name] = true
		}
	}
}

// TestSearchRunsSelectsConfirmsAndResumes: a tiny search of two candidates trains only the leaky
// networks, selects one by the rule, confirms it on ConfirmNetworks fresh networks, writes its files,
// and a second call reuses every unit (same numbers).
func TestSearchRunsSelectsConfirmsAndResumes(t *testing.T) {
	if testing.Short() {
		t.Skip("trains networks")
	}
	backend, err := replaylib.NewBackend()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	base := Tiny()
	base.Networks, base.ReplaySteps = 2, 40
	opt := SearchOptions{Options: Options{Dir: dir, Backend: backend}, Base: base, ConfirmTasks: []string{"tmaze"},
		Recipes: []Recipe{{"base", ""}, {"stops", "stop_rate=0.05;stop_steps=5"}}}
	res, err := Search(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Candidates) != 2 || res.Selected != SelectRecipe(res.Candidates) || res.Confirm == nil {
		t.Fatalf("candidates %d, selected %d, confirm %v", len(res.Candidates), res.Selected, res.Confirm)
	}
	g := res.Confirm.Gates["tmaze"]
	if len(g.W1Ratio.Values) != ConfirmNetworks || len(g.RHat.Values) != ConfirmNetworks || res.Confirm.Seed != SearchConfirmSeed {
		t.Errorf("confirmation: %d W1 values, %d R̂ values, seed %d", len(g.W1Ratio.Values), len(g.RHat.Values), res.Confirm.Seed)
	}
	if h := res.Candidates[0].Hold["tmaze"]["hold_drift_50"]; len(h.Values) != 2 || math.IsNaN(h.Mean) {
		t.Errorf("hold test of the first candidate: %+v", h)
	}
	units, _ := filepath.Glob(filepath.Join(dir, "base", "select", UnitsDir, "train-*.json"))
	if len(units) != 2 {
		t.Errorf("%d training units for 2 leaky networks (no networks without leak): %v", len(units), units)
	}
	if err := WriteSearch(res, dir); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{SearchJSONFile, SearchReportFile, filepath.Join(FiguresDir, "search-frontier.png")} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	again, err := Search(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	for i := range res.Candidates {
		if a, b := res.Candidates[i].Gates["tmaze"].W1Ratio.Mean, again.Candidates[i].Gates["tmaze"].W1Ratio.Mean; a != b {
			t.Errorf("candidate %d: W1/floor %g, then %g on resuming", i, a, b)
		}
	}
}
