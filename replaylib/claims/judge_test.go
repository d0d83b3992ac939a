package claims

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/replaylab/replay/geom"
	"github.com/replaylab/replay/replaylib/metrics"
	"github.com/replaylab/replay/replaylib/stats"
	"github.com/replaylab/replay/replaylib/training"
)

// TestUndecidedReasonsAreTold: a claim left undecided by missing values is not reported as a failed
// gate (the verdict table's footnotes, what would change it), and results written before the
// typed reason existed still read their reason from the note.
func TestUndecidedReasonsAreTold(t *testing.T) {
	res := &Result{Claims: []ClaimResult{
		{ID: 1, Task: "tmaze", Title: "one", Verdict: stats.Inconclusive, Undecided: UndecidedGate, Note: "inconclusive: the baseline does not sample the task (W1)"},
		{ID: 3, Task: "tmaze", Title: "three", Verdict: stats.Inconclusive, Undecided: UndecidedMissing, Note: "not decided: a check has no value on some network"},
		{ID: 5, Task: "theory", Title: "five", Verdict: stats.Held},
	}}
	table := VerdictTable(res)
	for _, want := range []string{"| inconclusive ¹ |", "| inconclusive ² |", "¹ not decided by its checks (the task's baseline failed the gate)",
		"² not decided by its checks (a check has no value on some network)"} {
		if !strings.Contains(table, want) {
			t.Errorf("verdict table lacks %q:\n%s", want, table)
		}
	}
	if strings.Contains(table, "held ¹") || strings.Contains(table, "³") {
		t.Errorf("verdict table marks a decided claim or a third reason:\n%s", table)
	}
	if got := whatWouldChange(res.Claims[1]); strings.Contains(got, "gate") {
		t.Errorf("missing values: what would change says %q, want no gate", got)
	}
	old := ClaimResult{Note: "not decided: a check has no value on some network"}
	if old.Reason() != UndecidedMissing {
		t.Errorf("an old result's reason %q, want %q", old.Reason(), UndecidedMissing)
	}
	if (ClaimResult{Note: "inconclusive: the baseline does not sample the task (x)"}).Reason() != UndecidedGate ||
		(ClaimResult{Note: "not decided: no checks"}).Reason() != UndecidedDecision || (ClaimResult{}).Reason() != "" {
		t.Error("reasons of old notes misread")
	}
}

// TestAbsoluteCheckShowsAbsoluteValues: a check on |x| shows |x| in its A and B columns, tests
// their differences and scales its effect size by the mean |B|, leaving the bands signed.
func TestAbsoluteCheckShowsAbsoluteValues(t *testing.T) {
	a, b := "adaptation/hidden", VariantBaseline
	tr := &TaskResult{Task: "tmaze", Bands: map[string]map[string]map[string]Band{CondLeak: {
		a: {metrics.KeyResidualAC: {Values: []float64{-0.3, -0.2, -0.25}}},
		b: {metrics.KeyResidualAC: {Values: []float64{0.1, -0.05, 0.06}}},
	}}}
	sp := checkSpec{statement: "|residual autocorrelation|: adaptation > baseline", metric: metrics.KeyResidualAC, a: a, b: b, dir: stats.Greater, abs: true}
	cr := tr.measureCheck(&Result{Seed: 1}, sp, 1)
	wantA, wantB := []float64{0.3, 0.2, 0.25}, []float64{0.1, 0.05, 0.06}
	for i := range wantA {
		if cr.ValuesA[i] != wantA[i] || cr.ValuesB[i] != wantB[i] || math.Abs(cr.Diffs[i]-(wantA[i]-wantB[i])) > 1e-15 {
			t.Fatalf("network %d: A %g, B %g, difference %g; want %g, %g, %g", i, cr.ValuesA[i], cr.ValuesB[i], cr.Diffs[i], wantA[i], wantB[i], wantA[i]-wantB[i])
		}
	}
	if want := cr.T.Estimate / (0.21 / 3); math.Abs(cr.EffectSize-want) > 1e-12 {
		t.Errorf("effect size %g, want the mean difference over the mean |B|, %g", cr.EffectSize, want)
	}
	if tr.Bands[CondLeak][a][metrics.KeyResidualAC].Values[0] != -0.3 {
		t.Error("the check rewrote the band's signed values")
	}
}

// TestPerChainMetricsAreStoredPerChain: every metric the catalog marks per chain is kept chain by
// chain for a core variant (reach time as the reach sample), one value per chain whose mean is the
// variant's value, so that a check on it can bootstrap over chains.
func TestPerChainMetricsAreStoredPerChain(t *testing.T) {
	cfg, err := training.DefaultConfig("tmaze")
	if err != nil {
		t.Fatal(err)
	}
	ts, err := newTaskSetup(cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	// Chains that follow the reference paths: realistic positions, some reaching the other arms.
	const chains, steps = 12, 40
	traj := make([][]geom.Point, chains)
	for c := range traj {
		traj[c] = ts.floor[c*(steps+1) : (c+1)*(steps+1)]
	}
	res := &VariantResult{Spec: VariantSpec{Name: VariantBaseline, Family: FamilyCore, Chains: chains, Steps: steps}, Values: map[string]float64{}}
	if err := measure(context.Background(), ts, res, traj, nil, RNG(1, StreamSubsample)); err != nil {
		t.Fatal(err)
	}
	for _, d := range metrics.Catalog {
		if !d.PerChain {
			continue
		}
		if d.Key == metrics.KeyReachRMST {
			if res.Reach == nil || len(res.Reach.Times) != chains {
				t.Errorf("%s: no reach sample of %d chains", d.Key, chains)
			}
			continue
		}
		vals := res.PerChain[d.Key]
		if len(vals) != chains {
			t.Errorf("%s: %d per-chain values, want %d", d.Key, len(vals), chains)
			continue
		}
		if m := mean(vals); math.Abs(m-res.Values[d.Key]) > 1e-12 {
			t.Errorf("%s: per-chain mean %g, variant value %g", d.Key, m, res.Values[d.Key])
		}
	}
}

// TestHeatMapMomentaAreSwept: a b_a × λv map whose b_a = 0 column would read a λv the momentum
// sweep never ran is refused, naming the value.
func TestHeatMapMomentaAreSwept(t *testing.T) {
	s := Quick()
	s.HeatMomenta = []float64{1, 0.65}
	if err := s.Validate(); err == nil || !strings.Contains(err.Error(), "heat_momenta: value 0.65 is not in momentum_sweep") {
		t.Errorf("λv = 0.65 outside the sweep: %v", err)
	}
	s.HeatStrengths = []float64{0.5, 1} // no b_a = 0 column: any λv
	if err := s.Validate(); err != nil {
		t.Errorf("maps without b_a = 0: %v", err)
	}
	for _, size := range []Size{Quick(), Full(), Tiny()} {
		if err := size.Validate(); err != nil {
			t.Errorf("%s: %v", size.Name, err)
		}
	}
}

// TestMergeRefusesBrokenUnits: a unit file that is cut short, holds another unit, or lacks what its
// kind must have is refused with one line naming the file and what to do, and a missing unit is
// reported as not done; none is merged.
func TestMergeRefusesBrokenUnits(t *testing.T) {
	plan, err := NewPlan(Tiny(), 1)
	if err != nil {
		t.Fatal(err)
	}
	var train, rep Unit
	for _, u := range plan.Units {
		if u.Kind == TrainKind && train.ID == "" {
			train = u
		}
		if u.Kind == ReplayKind && rep.ID == "" {
			rep = u
		}
	}
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "units"), 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(id, text string) {
		if err := os.WriteFile(unitPath(dir, id), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	unitJSON := func(u Unit, rest string) string {
		raw, _ := json.Marshal(u)
		return `{"unit":` + string(raw) + rest + `}`
	}
	for _, c := range []struct {
		name, text string
		load       func() error
		want       string
	}{
		{"cut short", `{"unit": {"id": "`, func() error { _, err := loadUnit[TrainResult]([]string{dir}, train.ID); return err }, "unexpected end of JSON input"},
		{"another unit", unitJSON(rep, `,"values":{}`), func() error { _, err := loadUnit[TrainResult]([]string{dir}, train.ID); return err }, "holds unit"},
		{"training without metrics", unitJSON(train, ""), func() error { _, err := loadUnit[TrainResult]([]string{dir}, train.ID); return err }, "no metrics"},
		{"replay without variants", unitJSON(rep, `,"variants":[]`), func() error { _, err := loadUnit[ReplayResult]([]string{dir}, rep.ID); return err }, "no variants"},
		{"a variant without values", unitJSON(rep, `,"variants":[{"spec":{"name":"baseline"}}]`), func() error { _, err := loadUnit[ReplayResult]([]string{dir}, rep.ID); return err }, "variant 0 has no name or no values"},
	} {
		id := train.ID
		if strings.HasPrefix(c.name, "replay") || strings.HasPrefix(c.name, "a variant") {
			id = rep.ID
		}
		write(id, c.text)
		err := c.load()
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), unitPath(dir, id)) ||
			!strings.Contains(err.Error(), "delete it to redo the unit") || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: %v; want one line naming the file, %q and what to do", c.name, err, c.want)
		}
		if _, merr := Merge(plan, []string{dir}); merr == nil {
			t.Errorf("%s: merged", c.name)
		}
		os.Remove(unitPath(dir, id))
	}
	if _, err := Merge(plan, []string{dir}); err == nil || !strings.Contains(err.Error(), "is not done") {
		t.Errorf("no units: %v, want a unit that is not done", err)
	}
}
