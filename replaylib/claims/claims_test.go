package claims

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/replaylab/replay/datasets"
	"github.com/replaylab/replay/geom"
	"github.com/replaylab/replay/replaylib/metrics"
	"github.com/replaylab/replay/replaylib/model"
	"github.com/replaylab/replay/replaylib/stats"
	"github.com/replaylab/replay/replaylib/training"
)

// TestPlanIsStableAndShardsPartitionIt: unit IDs depend only on what determines a unit's result;
// shards of any n partition the plan; a different seed or size changes the IDs.
func TestPlanIsStableAndShardsPartitionIt(t *testing.T) {
	a, err := NewPlan(Tiny(), 1)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewPlan(Tiny(), 1)
	for i := range a.Units {
		if a.Units[i].ID != b.Units[i].ID {
			t.Fatalf("unit %d: IDs %s and %s for the same plan", i, a.Units[i].ID, b.Units[i].ID)
		}
	}
	s := Tiny()
	s.Networks, s.Tasks = 3, []string{"triangle", "tmaze"}
	p, _ := NewPlan(s, 1)
	if want := 2 * 2 * 3 * 2; len(p.Units) != want { // tasks × α × networks × (train + replay)
		t.Fatalf("%d units, want %d", len(p.Units), want)
	}
	for _, n := range []int{1, 2, 3, 5, 30} {
		seen := map[string]int{}
		for i := range n {
			units, err := p.Shard(i, n)
			if err != nil {
				t.Fatal(err)
			}
			for _, u := range units {
				seen[u.ID]++
			}
		}
		if len(seen) != len(p.Units) {
			t.Errorf("n=%d: shards cover %d of %d units", n, len(seen), len(p.Units))
		}
		for id, c := range seen {
			if c != 1 {
				t.Errorf("n=%d: unit %s in %d shards", n, id, c)
			}
		}
	}
	other, _ := NewPlan(Tiny(), 2)
	if other.Units[0].ID == a.Units[0].ID {
		t.Error("another seed kept the unit IDs")
	}
	if _, _, err := ParseShard("3/3"); err == nil {
		t.Error("shard 3/3 accepted")
	}
	if i, n, err := ParseShard("2/4"); err != nil || i != 2 || n != 4 {
		t.Errorf("ParseShard(2/4) = %d, %d, %v", i, n, err)
	}
}

// TestConditionsShareSeeds: network m of a task has the same weight, data and noise seeds in every
// condition, and different ones from network m+1.
func TestConditionsShareSeeds(t *testing.T) {
	p, _ := NewPlan(Tiny(), 7)
	var cfgs []training.Config
	for _, u := range p.Units {
		if u.Kind == TrainKind && u.Index == 1 {
			c, err := p.trainingConfig(u)
			if err != nil {
				t.Fatal(err)
			}
			cfgs = append(cfgs, c)
		}
	}
	if len(cfgs) != 2 || cfgs[0].Model.Cell.Alpha == cfgs[1].Model.Cell.Alpha {
		t.Fatalf("want the two α of network 1, got %d configs", len(cfgs))
	}
	if cfgs[0].WeightSeed != cfgs[1].WeightSeed || cfgs[0].DataSeed != cfgs[1].DataSeed || cfgs[0].NoiseSeed != cfgs[1].NoiseSeed {
		t.Error("conditions of one network have different seeds")
	}
	for _, u := range p.Units {
		if u.Kind == TrainKind && u.Index == 2 {
			c, _ := p.trainingConfig(u)
			if c.WeightSeed == cfgs[0].WeightSeed {
				t.Error("networks 1 and 2 share weight seeds")
			}
		}
	}
}

func TestSummarizeTrainingByHand(t *testing.T) {
	// 10 % error at steps 0…80, then 5 %; 100 steps: last tenth (90, 100] → 0.05, tenth before → 0.05.
	var h []training.LogEntry
	for s := 0; s <= 100; s += 10 {
		e := 0.2
		if s >= 50 {
			e = 0.05
		}
		h = append(h, training.LogEntry{Step: s, PosErrRel: e, Seconds: float64(s)})
	}
	v := summarizeTraining(h, 100)
	if v[metrics.KeyFinalError] != 0.05 || v[metrics.KeyPlateauChange] != 0 || v[metrics.KeyStepsToError] != 50 || v[metrics.KeyTrainSeconds] != 100 {
		t.Errorf("summary %v", v)
	}
	// Area: trapezoids 0.2 over [0, 40], a drop 0.2 → 0.05 over [40, 50], 0.05 over [50, 100]:
	// (8 + 1.25 + 2.5) / 100.
	if auc := v[metrics.KeyErrorAUC]; math.Abs(auc-0.1175) > 1e-12 {
		t.Errorf("error AUC %g, want 0.1175", auc)
	}
}

func TestSelectLR(t *testing.T) {
	mk := func(lr, e float64) *TrainResult {
		return &TrainResult{Unit: Unit{Condition: Condition{LR: lr}}, Values: map[string]float64{metrics.KeyFinalError: e}}
	}
	lr, err := selectLR([]*TrainResult{mk(1e-3, 0.1), mk(1e-3, 0.3), mk(3e-3, 0.15), mk(3e-3, 0.16), mk(1e-2, 0.5), mk(1e-2, 0.01)})
	if err != nil || lr != 3e-3 {
		t.Errorf("chose %g (%v), want 0.003 (mean 0.155 against 0.2 and 0.255)", lr, err)
	}
	if lr, _ := selectLR([]*TrainResult{mk(1e-2, 0.1), mk(1e-3, 0.1)}); lr != 1e-3 {
		t.Errorf("tie: chose %g, want the smaller rate", lr)
	}
}

// fakeTask builds a task result with M leak networks whose variants have given per-network
// values of one per-chain metric (two chains each, equal to the value) and a passing gate.
func fakeTask(metric string, base, other []float64, otherName string) *TaskResult {
	tr := &TaskResult{Task: "tmaze", Replays: map[string][]*ReplayResult{}, Bands: map[string]map[string]map[string]Band{},
		TrainingBands: map[string]map[string]Band{}, LearningRates: map[string]float64{}}
	for n := range base {
		r := &ReplayResult{Unit: Unit{Index: n + 1}}
		for _, v := range []struct {
			name string
			x    float64
		}{{VariantBaseline, base[n]}, {otherName, other[n]}} {
			r.Variants = append(r.Variants, &VariantResult{Spec: VariantSpec{Name: v.name, Family: FamilyCore},
				Values:   map[string]float64{metric: v.x, metrics.KeyW1Ratio: 1.5, metrics.KeyInside: 0.99, metrics.KeyRHatMax: 1.02},
				PerChain: map[string][]float64{metric: {v.x, v.x}}})
		}
		tr.Replays[CondLeak] = append(tr.Replays[CondLeak], r)
	}
	tr.summarize(Tiny())
	return tr
}

// TestDecisionRuleOnHandMadeCases: five networks whose differences are all clearly positive hold
// a "greater" check; clearly negative ones reverse it; mixed ones are inconclusive; a failed gate
// makes the claim inconclusive whatever the checks say.
func TestDecisionRuleOnHandMadeCases(t *testing.T) {
	base := []float64{0.30, 0.32, 0.31, 0.29, 0.33}
	up := []float64{0.40, 0.43, 0.41, 0.40, 0.44}
	down := []float64{0.20, 0.22, 0.21, 0.19, 0.22}
	mixed := []float64{0.35, 0.28, 0.31, 0.33, 0.30}
	other := VariantAdaptation(model.AdaptHidden)
	res := &Result{Size: Tiny(), Seed: 1}
	spec := []checkSpec{{statement: "coverage: adaptation > baseline", metric: metrics.KeyChainCoverage, a: other, b: VariantBaseline, dir: stats.Greater}}
	for _, c := range []struct {
		name  string
		vals  []float64
		want  stats.Verdict
		check stats.Verdict
	}{{"up", up, stats.Held, stats.Held}, {"down", down, stats.Reversed, stats.Reversed}, {"mixed", mixed, stats.Inconclusive, stats.Inconclusive}} {
		tr := fakeTask(metrics.KeyChainCoverage, base, c.vals, other)
		if !tr.Gate.Passed {
			t.Fatalf("%s: gate failed: %s", c.name, tr.Gate.Reason)
		}
		cl := tr.claim(res, ClaimResult{ID: 2, Task: "tmaze"}, spec)
		if cl.Verdict != c.want || cl.Checks[0].Decision.Verdict != c.check {
			t.Errorf("%s: claim %s, check %s; want %s, %s (t %v, bootstrap [%g, %g])", c.name, cl.Verdict, cl.Checks[0].Decision.Verdict,
				c.want, c.check, cl.Checks[0].T, cl.Checks[0].Bootstrap.Lo, cl.Checks[0].Bootstrap.Hi)
		}
		if c.name == "up" {
			if d := cl.Checks[0].T.Estimate; math.Abs(d-0.106) > 1e-9 {
				t.Errorf("mean difference %g, want 0.106", d)
			}
			if e := cl.Checks[0].EffectSize; math.Abs(e-0.106/0.31) > 1e-9 {
				t.Errorf("relative effect %g, want %g", e, 0.106/0.31)
			}
		}
	}
	// A failed gate: the same clear effect is inconclusive, with the reason.
	tr := fakeTask(metrics.KeyChainCoverage, base, up, other)
	tr.Gate = Gate{Passed: false, Reason: "W1 too far"}
	cl := tr.claim(res, ClaimResult{ID: 2, Task: "tmaze"}, spec)
	if cl.Verdict != stats.Inconclusive || !strings.Contains(cl.Note, "does not sample the task") || cl.Checks[0].Decision.Verdict != stats.Held {
		t.Errorf("failed gate: verdict %s, note %q, check %s", cl.Verdict, cl.Note, cl.Checks[0].Decision.Verdict)
	}
}

// TestNonInferiorityMargin: a check "A > B − 10 %" holds when A is 5 % below B on every network
// and is reversed when A is 20 % below.
func TestNonInferiorityMargin(t *testing.T) {
	base := []float64{1, 1.1, 0.9, 1.05, 0.95}
	res := &Result{Size: Tiny(), Seed: 1}
	other := VariantBoth(model.AdaptHidden)
	spec := []checkSpec{{statement: "coverage kept", metric: metrics.KeyChainCoverage, a: other, b: VariantBaseline, dir: stats.Greater, margin: -0.1}}
	for _, c := range []struct {
		factor float64
		want   stats.Verdict
	}{{0.95, stats.Held}, {0.8, stats.Reversed}} {
		vals := make([]float64, len(base))
		for i := range vals {
			vals[i] = c.factor * base[i]
		}
		cl := fakeTask(metrics.KeyChainCoverage, base, vals, other).claim(res, ClaimResult{ID: 4, Task: "tmaze"}, spec)
		if cl.Verdict != c.want {
			t.Errorf("A = %g·B: %s, want %s (differences %v)", c.factor, cl.Verdict, c.want, cl.Checks[0].Diffs)
		}
	}
}

func TestGateThresholds(t *testing.T) {
	for _, c := range []struct {
		ratio, inside, rhat float64
		pass                bool
		reason              string
	}{{1.9, 0.96, 1.05, true, ""}, {2.1, 0.99, 1.05, false, "floor"}, {1.5, 0.9, 1.05, false, "inside"},
		{1.5, 0.99, 1.2, false, "forget their start"}, {1.5, 0.99, math.NaN(), false, "could not be measured"}} {
		tr := &TaskResult{Replays: map[string][]*ReplayResult{}, Bands: map[string]map[string]map[string]Band{}, TrainingBands: map[string]map[string]Band{}, LearningRates: map[string]float64{}}
		for n := range 3 {
			values := map[string]float64{metrics.KeyW1Ratio: c.ratio, metrics.KeyInside: c.inside}
			if !math.IsNaN(c.rhat) || n == 0 { // NaN: absent on networks 2 and 3 (not measured)
				values[metrics.KeyRHatMax] = c.rhat
			}
			tr.Replays[CondLeak] = append(tr.Replays[CondLeak], &ReplayResult{Unit: Unit{Index: n + 1}, Variants: []*VariantResult{{
				Spec: VariantSpec{Name: VariantBaseline}, Values: values}}})
		}
		tr.summarize(Tiny())
		if tr.Gate.Passed != c.pass || !strings.Contains(tr.Gate.Reason, c.reason) {
			t.Errorf("W1/floor %g, inside %g, R̂ %g: passed %v (%q), want %v (%q)", c.ratio, c.inside, c.rhat, tr.Gate.Passed, tr.Gate.Reason, c.pass, c.reason)
		}
	}
}

// TestGateMixingRejectsFrozenReplay: chains that never leave their starts, started spread like the
// data, pass the W1 and inside halves of the gate but fail its mixing half; chains that draw
// independent training positions pass all three.
func TestGateMixingRejectsFrozenReplay(t *testing.T) {
	const chains, steps = 256, 300
	task, err := datasets.NewDefaultTask("triangle")
	if err != nil {
		t.Fatal(err)
	}
	b, err := datasets.NewBatch(task, chains, 50, MaskNone)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(7, 8))
	if err := datasets.Generate(task, b, rng); err != nil {
		t.Fatal(err)
	}
	var data []geom.Point
	for c := range chains {
		data = append(data, b.Path(c)...)
	}
	frozen, mixing := make([][]geom.Point, chains), make([][]geom.Point, chains)
	for c := range chains {
		start := data[rng.IntN(len(data))]
		for range steps + 1 {
			frozen[c] = append(frozen[c], geom.Point{X: start.X + 1e-4*rng.NormFloat64(), Y: start.Y + 1e-4*rng.NormFloat64()})
			mixing[c] = append(mixing[c], data[rng.IntN(len(data))])
		}
	}
	for _, c := range []struct {
		name string
		traj [][]geom.Point
		pass bool
	}{{"frozen", frozen, false}, {"mixing", mixing, true}} {
		values, err := Measure(context.Background(), c.traj, MeasureOptions{Task: "triangle", Seed: 3})
		if err != nil {
			t.Fatal(err)
		}
		if values[metrics.KeyW1Ratio] > GateW1Ratio || values[metrics.KeyInside] < GateInside {
			t.Fatalf("%s: W1/floor %.2f, inside %.3f: the first two halves should pass", c.name, values[metrics.KeyW1Ratio], values[metrics.KeyInside])
		}
		bands := map[string]Band{}
		for _, key := range []string{metrics.KeyW1Ratio, metrics.KeyInside, metrics.KeyRHatMax, metrics.KeyReachFraction} {
			bands[key] = newBand([]float64{values[key], values[key]})
		}
		g := newGate(bands)
		if g.Passed != c.pass {
			t.Errorf("%s: gate passed %v (R̂ %.2f; %s), want %v", c.name, g.Passed, values[metrics.KeyRHatMax], g.Reason, c.pass)
		}
		if !c.pass && !strings.Contains(g.Reason, "forget their start") {
			t.Errorf("%s: reason %q, want the mixing half", c.name, g.Reason)
		}
	}
}

func TestSizeValidation(t *testing.T) {
	for _, name := range []string{"quick", "full", "tiny"} {
		s, _ := SizeByName(name)
		if err := s.Validate(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	for spec, field := range map[string]string{
		"networks=1": "networks", "chains=1000000000": "chains", "leak_alpha=1": "leak_alpha", "mask_ks=2,4": "mask_ks",
		"tasks=maze": "tasks", "momentum_sweep=0,1": "momentum_sweep", "hidden=100000": "hidden",
		"horizon=120": "horizon", "stop_rate=1": "stop_rate", "stop_rate=0.01;stop_steps=0.5": "stop_steps",
		"reversal_rate=-0.1": "reversal_rate", "end_dwell_steps=-1": "end_dwell_steps",
	} {
		s := Quick()
		if err := s.Set(spec); err == nil || !strings.Contains(err.Error(), field) {
			t.Errorf("%s: error %v, want one naming %s", spec, err, field)
		}
	}
	s := Quick()
	if err := s.Set("mask_ks=0,none;learning_rates=0.001,0.01"); err != nil || !slices.Equal(s.MaskKs, []int{0, MaskNone}) || len(s.LearningRates) != 2 {
		t.Errorf("set: %v, mask_ks %v, learning_rates %v", err, s.MaskKs, s.LearningRates)
	}
}

// TestTrainingRecipeReachesEveryTask: a Size's recipe becomes each training unit's configuration:
// horizon and stops on every task, turn-backs on the triangle only, end dwells on the T-maze only;
// the default Size trains as before (no recipe, one window per path) and its unit IDs do not change.
func TestTrainingRecipeReachesEveryTask(t *testing.T) {
	s := Quick()
	before, err := NewPlan(s, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Set("horizon=500;stop_rate=0.01;stop_steps=20;reversal_rate=0.02;end_dwell_steps=30"); err != nil {
		t.Fatal(err)
	}
	after, err := NewPlan(s, 1)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for i, u := range after.Units {
		if u.Kind != TrainKind {
			continue
		}
		if u.ID == before.Units[i].ID {
			t.Errorf("unit %s: same ID with and without the recipe", u.ID)
		}
		cfg, err := after.trainingConfig(u)
		if err != nil {
			t.Fatal(err)
		}
		task := u.Condition.Task
		seen[task] = true
		wantRev, wantDwell := 0.0, 0.0
		switch task {
		case "triangle":
			wantRev = 0.02
		case "tmaze":
			wantDwell = 30
		}
		if cfg.Horizon != 500 || cfg.Stops.Rate != 0.01 || cfg.Stops.Steps != 20 || cfg.ReversalRate != wantRev || cfg.EndDwellSteps != wantDwell {
			t.Errorf("%s: horizon %d, stops %+v, reversal %g, dwell %g", u.ID, cfg.Horizon, cfg.Stops, cfg.ReversalRate, cfg.EndDwellSteps)
		}
		if _, err := cfg.NewTask(); err != nil {
			t.Errorf("%s: %v", u.ID, err)
		}
	}
	if len(seen) != 3 {
		t.Errorf("tasks trained: %v", seen)
	}
	cfg, err := before.trainingConfig(before.Units[0])
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Horizon != 0 || cfg.Behaviour != (datasets.Behaviour{}) || Quick().recipe() != "" {
		t.Errorf("default size: horizon %d, behaviour %+v, recipe %q", cfg.Horizon, cfg.Behaviour, Quick().recipe())
	}
}

// TestVariantsOfTheLeakyNetwork: every core variant exists once, the noise family repeats the
// robustness variants at every factor but √2, and the no-leak network replays the baseline only.
func TestVariantsOfTheLeakyNetwork(t *testing.T) {
	s := Quick()
	cell := model.DefaultCellParams()
	cell.Alpha = s.LeakAlpha
	vs := s.variants(cell, true)
	names := map[string]int{}
	for _, v := range vs {
		names[v.Name]++
		if err := v.Cell.Validate(); err != nil {
			t.Errorf("%s: %v", v.Name, err)
		}
	}
	for name, n := range names {
		if n != 1 {
			t.Errorf("variant %s appears %d times", name, n)
		}
	}
	for _, want := range []string{VariantBaseline, VariantMomentum, VariantMomentumFixed, VariantUntrained, VariantAdaptation(model.AdaptShunting), VariantBoth(model.AdaptRelative)} {
		if names[want] != 1 {
			t.Errorf("no variant %s", want)
		}
	}
	noise := 0
	for _, v := range vs {
		if v.Family == FamilyNoise {
			noise++
		}
	}
	if noise != 4*(len(s.NoiseFactors)-1) {
		t.Errorf("%d noise variants, want %d", noise, 4*(len(s.NoiseFactors)-1))
	}
	if plain := s.variants(cell, false); len(plain) != 1 || plain[0].Name != VariantBaseline {
		t.Errorf("no-leak network replays %d variants", len(plain))
	}
}
