package claims

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/replaylab/replay/replaylib/metrics"
	"github.com/replaylab/replay/replaylib/model"
	"github.com/replaylab/replay/replaylib/stats"
)

// MetricsSchema names the layout of metrics.json.
const MetricsSchema = "replay-metrics/2"

// Result is a whole reproduction: per task, the trained networks and their replays, summarised
// with bands over networks; the claims with their checks and verdicts; claim 5's theory.
type Result struct {
	Schema  string        `json:"schema"` // MetricsSchema
	Size    Size          `json:"size"`
	Seed    uint64        `json:"seed"`            // the run's seed (Seed derives every stream from it)
	Tasks   []*TaskResult `json:"tasks"`           // in the order of Size.Tasks
	Theory  TheoryResult  `json:"theory"`          // claim 5's numbers
	Claims  []ClaimResult `json:"claims"`          // per task claims 1–4 (2 and 4 once per form), then claim 5
	Seconds float64       `json:"compute_seconds"` // training and replay time summed over units
}

// Band is a metric over networks: their mean, a 95 % Student-t interval and the values. Non-finite
// values are left out of the mean and interval; with one finite value Lo = Hi = Mean, with none
// all three are NaN.
type Band struct {
	Mean   float64   `json:"mean"`
	Lo     float64   `json:"lo"`     // lower end of the 95 % interval
	Hi     float64   `json:"hi"`     // upper end of the 95 % interval
	Values []float64 `json:"values"` // per network, in network order
}

func newBand(values []float64) Band {
	b := Band{Values: values, Mean: math.NaN(), Lo: math.NaN(), Hi: math.NaN()}
	var finite []float64
	for _, v := range values {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			finite = append(finite, v)
		}
	}
	if len(finite) == 1 {
		b.Mean, b.Lo, b.Hi = finite[0], finite[0], finite[0]
	}
	if t, err := stats.TTest(finite, 0); err == nil {
		b.Mean, b.Lo, b.Hi = t.Estimate, t.Lo, t.Hi
	}
	return b
}

// Condition keys of a task's results.
const (
	CondLeak   = "leak"
	CondNoLeak = "no leak"
)

// TaskResult gathers one task: training of every condition, replay of the two replaying
// conditions, the baseline gate and per-variant bands.
type TaskResult struct {
	Task string `json:"task"` // task name
	// LearningRates is the rate chosen for each training group "α=…/k=…" (lowest mean final error).
	LearningRates map[string]float64 `json:"learning_rates"`
	Training      []*TrainResult     `json:"training"` // every trained network of the task, in plan order
	// Replays holds, per condition (CondLeak, CondNoLeak), the replay of each network: the raw
	// per-chain data, kept in the run's units/ files rather than in metrics.json.
	Replays map[string][]*ReplayResult `json:"-"`
	Gate    Gate                       `json:"gate"` // the baseline gate, decided before the claims
	// Bands holds, per condition and variant name, each metric over networks.
	Bands map[string]map[string]map[string]Band `json:"bands"`
	// TrainingBands holds, per "α/k" group at its chosen rate, each training metric over networks.
	TrainingBands map[string]map[string]Band `json:"training_bands"`
	// Forms holds, per "form/τa", the dynamics bands: radius, share of complex modes, dwell.
	Forms map[string]map[string]Band `json:"forms"`
}

// Gate is the baseline gate of a task, decided before any modifier is compared (means over networks):
// the leak baseline's W1 to training positions within GateW1Ratio times the data-vs-data floor, at
// least GateInside of its decoded points inside the environment, and chains that forget their start,
// split-R̂ of the decoded position at most GateRHat after the burn-in (the larger of x's and y's).
type Gate struct {
	W1Ratio Band   `json:"w1_ratio"`         // the leak baseline's W1 over the floor
	Inside  Band   `json:"inside"`           // its fraction of decoded points inside the environment
	RHat    Band   `json:"rhat_max"`         // its split-R̂ of the decoded position (mixing)
	Reached Band   `json:"reached"`          // its fraction of chains that reach a target (shown, not gated)
	Passed  bool   `json:"passed"`           // whether every threshold holds
	Reason  string `json:"reason,omitempty"` // why the gate failed ("" when it passed)
}

// The gate's thresholds: GateW1Ratio bounds the mean W1/floor ratio, GateInside is the smallest
// mean fraction of decoded points inside the environment, GateRHat bounds the mean split-R̂ of the
// decoded position. The mixing half makes frozen chains fail even when their starts are spread like
// the data (their W1 then looks good only because of where they started).
const (
	GateW1Ratio = 2.0
	GateInside  = 0.95
	GateRHat    = 1.1
)

// newGate judges the gate from the leak baseline's bands (by catalog key).
func newGate(base map[string]Band) Gate {
	g := Gate{W1Ratio: base[metrics.KeyW1Ratio], Inside: base[metrics.KeyInside], RHat: base[metrics.KeyRHatMax],
		Reached: base[metrics.KeyReachFraction]}
	if len(base) == 0 {
		g.Reason = "no baseline replay"
		return g
	}
	var fails []string
	if !(g.W1Ratio.Mean <= GateW1Ratio) {
		fails = append(fails, fmt.Sprintf("the leak baseline's W1 is %.1f× the data-vs-data floor (gate: ≤ %g×)", g.W1Ratio.Mean, GateW1Ratio))
	}
	if !(g.Inside.Mean >= GateInside) {
		fails = append(fails, fmt.Sprintf("%.1f%% of its decoded points are inside the environment (gate: ≥ %g%%)", 100*g.Inside.Mean, 100*GateInside))
	}
	unmeasured := 0
	for _, v := range g.RHat.Values {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			unmeasured++
		}
	}
	if unmeasured > 0 || !(g.RHat.Mean <= GateRHat) {
		if unmeasured > 0 || math.IsNaN(g.RHat.Mean) {
			fails = append(fails, fmt.Sprintf("its chains' mixing (split-R̂) could not be measured on %d network(s) (chains that never move)", max(unmeasured, 1)))
		} else {
			fails = append(fails, fmt.Sprintf("its chains do not forget their start: split-R̂ %.2f (gate: ≤ %g)", g.RHat.Mean, GateRHat))
		}
	}
	g.Passed = len(fails) == 0
	g.Reason = strings.Join(fails, "; ")
	return g
}

// Merge reads every unit of plan from dirs (the first holding a unit wins) and analyses them.
func Merge(plan Plan, dirs []string) (*Result, error) {
	res := &Result{Schema: MetricsSchema, Size: plan.Size, Seed: plan.Seed}
	for _, task := range plan.Size.Tasks {
		tr := &TaskResult{Task: task, LearningRates: map[string]float64{}, Replays: map[string][]*ReplayResult{},
			Bands: map[string]map[string]map[string]Band{}, TrainingBands: map[string]map[string]Band{}, Forms: map[string]map[string]Band{}}
		for _, u := range plan.Units {
			if u.Condition.Task != task {
				continue
			}
			switch u.Kind {
			case TrainKind:
				t, err := loadUnit[TrainResult](dirs, u.ID)
				if err != nil {
					return nil, err
				}
				tr.Training = append(tr.Training, t)
				res.Seconds += t.Values[metrics.KeyTrainSeconds]
			case ReplayKind:
				r, err := loadUnit[ReplayResult](dirs, u.ID)
				if err != nil {
					return nil, err
				}
				cond := conditionName(plan.Size, u.Condition.Alpha)
				tr.Replays[cond] = append(tr.Replays[cond], r)
				res.Seconds += r.Seconds
			}
		}
		for cond := range tr.Replays {
			slices.SortFunc(tr.Replays[cond], func(a, b *ReplayResult) int { return a.Unit.Index - b.Unit.Index })
		}
		tr.summarize(plan.Size)
		res.Tasks = append(res.Tasks, tr)
	}
	if plan.Size.GateOnly { // no modifiers were replayed: nothing to judge
		return res, nil
	}
	res.Theory = Theory()
	var err error
	if res.Claims, err = judge(res); err != nil {
		return nil, err
	}
	return res, nil
}

func conditionName(s Size, alpha float64) string {
	if alpha == 1 {
		return CondNoLeak
	}
	return CondLeak
}

// summarize computes the bands and the gate.
func (tr *TaskResult) summarize(s Size) {
	for cond, reps := range tr.Replays {
		bands := map[string]map[string]Band{}
		if len(reps) == 0 {
			continue
		}
		for _, v := range reps[0].Variants {
			name := v.Spec.Name
			bands[name] = map[string]Band{}
			for key := range v.Values {
				vals := make([]float64, len(reps))
				for i, r := range reps {
					vals[i] = math.NaN()
					if rv := r.Variant(name); rv != nil {
						if x, ok := rv.Values[key]; ok { // absent is not measured, not 0
							vals[i] = x
						}
					}
				}
				bands[name][key] = newBand(vals)
			}
		}
		tr.Bands[cond] = bands
	}
	// Training bands per α and k at that group's best learning rate (selectLR: every α and
	// masking k gets its own rate from the grid, so leak is not judged at a rate tuned for α = 1).
	groups := map[string][]*TrainResult{}
	for _, t := range tr.Training {
		c := t.Unit.Condition
		key := trainingGroup(c.Alpha, c.MaskK)
		groups[key] = append(groups[key], t)
	}
	for key, all := range groups {
		lr, err := selectLR(all)
		if err != nil {
			continue
		}
		tr.LearningRates[key] = lr
		var ts []*TrainResult
		for _, t := range all {
			if t.Unit.Condition.LR == lr {
				ts = append(ts, t)
			}
		}
		slices.SortFunc(ts, func(a, b *TrainResult) int { return a.Unit.Index - b.Unit.Index })
		tr.TrainingBands[key] = map[string]Band{}
		for _, k := range []string{metrics.KeyFinalError, metrics.KeyErrorAUC, metrics.KeyStepsToError, metrics.KeyPlateauChange, metrics.KeyTrainSeconds} {
			vals := make([]float64, len(ts))
			for i, t := range ts {
				vals[i] = t.Values[k]
			}
			tr.TrainingBands[key][k] = newBand(vals)
		}
	}
	// Forms dynamics.
	if reps := tr.Replays[CondLeak]; len(reps) > 0 {
		for i, fd := range reps[0].Forms {
			key := fmt.Sprintf("%s/τa=%g", fd.Form, fd.Tau)
			var radius, complexShare, dwell, settled []float64
			for _, r := range reps {
				if i < len(r.Forms) {
					f := r.Forms[i]
					radius, dwell = append(radius, f.Radius), append(dwell, f.Dwell)
					complexShare, settled = append(complexShare, b2f(f.Complex)), append(settled, b2f(f.Settled))
				}
			}
			tr.Forms[key] = map[string]Band{"radius": newBand(radius), "complex": newBand(complexShare),
				"dwell": newBand(dwell), "settled": newBand(settled)}
		}
	}
	// The gate, on the leak condition's baseline.
	tr.Gate = newGate(tr.Bands[CondLeak][VariantBaseline])
}

func trainingGroup(alpha float64, k int) string { return fmt.Sprintf("α=%g/k=%s", alpha, MaskName(k)) }

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// ClaimResult is one claim on one task (claims 2 and 4: on one adaptation form).
type ClaimResult struct {
	ID      int           `json:"id"`             // claim number, 1 … 5 (package doc)
	Task    string        `json:"task"`           // task name, or "theory" for claim 5
	Form    string        `json:"form,omitempty"` // adaptation form of claims 2 and 4
	Primary bool          `json:"primary"`        // the reference form (or not a per-form claim)
	Title   string        `json:"title"`          // the claim in words
	Verdict stats.Verdict `json:"verdict"`        // from the checks by Holm's procedure, or inconclusive (Undecided)
	// Undecided says why the checks did not decide the verdict (empty when they did), and Note
	// explains it in words.
	Undecided Undecided     `json:"undecided,omitempty"`
	Note      string        `json:"note,omitempty"`
	Checks    []CheckResult `json:"checks"` // in the order they are stated
	// Change says what would change the verdict.
	Change string `json:"what_would_change"`
}

// Undecided is why a claim's checks did not decide its verdict (it is then inconclusive).
type Undecided string

const (
	// UndecidedGate: the task's leak baseline does not sample the task (claims 1–4), so its
	// comparisons are shown as measured but judge nothing.
	UndecidedGate Undecided = "gate failed"
	// UndecidedMissing: a check has no value on some network (a metric could not be computed).
	UndecidedMissing Undecided = "values missing"
	// UndecidedDecision: the decision rule refused the checks (its error is in the Note).
	UndecidedDecision Undecided = "decision error"
)

// Reason is why the checks did not decide c: c.Undecided, or for a result written before that
// field existed, what its Note says ("" when they decided it).
func (c ClaimResult) Reason() Undecided {
	switch {
	case c.Undecided != "" || c.Note == "":
		return c.Undecided
	case strings.HasPrefix(c.Note, "inconclusive: the baseline does not sample"):
		return UndecidedGate
	case strings.HasPrefix(c.Note, "not decided: a check has no value"):
		return UndecidedMissing
	}
	return UndecidedDecision
}

// CheckResult is one directional comparison of a claim, judged over networks.
type CheckResult struct {
	Statement string          `json:"statement"` // the check in words, e.g. "coverage per chain: adaptation > baseline"
	Metric    string          `json:"metric"`    // a metrics.Catalog key
	A         string          `json:"a"`         // variant or condition the claim is about
	B         string          `json:"b"`         // what it is compared with
	Direction stats.Direction `json:"direction"` // the claimed sign of A − B
	// Margin is subtracted from the per-network differences before testing (non-inferiority
	// checks): the check asks A − B − Margin·B to lie in Direction.
	Margin    float64               `json:"margin"`
	ValuesA   []float64             `json:"values_a"`    // the metric of A per network, in network order
	ValuesB   []float64             `json:"values_b"`    // the metric of B per network
	Diffs     []float64             `json:"differences"` // per network, margin applied
	T         stats.TResult         `json:"t"`           // Student-t analysis of Diffs: the estimate and the p-value decided on
	Bootstrap stats.BootstrapResult `json:"bootstrap"`   // bootstrap over networks (and chains, for per-chain metrics)
	// Decision is Holm's outcome for the check, judged on T's estimate and p-value and on the
	// union of the t and bootstrap intervals.
	Decision stats.Decision `json:"decision"`
	// EffectSize is the mean difference in units of the B values' mean (relative effect).
	EffectSize float64 `json:"relative_effect"`
}

// checkSpec is a row of Checks for one task, form and masking k: what measureCheck measures.
type checkSpec struct {
	statement, metric string
	a, b              string // variant names (the baselines, for the conditions of claim 1)
	dir               stats.Direction
	margin            float64 // relative to B (see CheckResult.Margin)
	abs               bool    // compare |value|
	source            Source  // where the values come from ("": SourceVariants)
	training          string  // SourceTraining: the training group of the α compared ("k=…")
}

// judge builds every claim of the protocol (Claims, Checks) on every task and decides it.
func judge(res *Result) ([]ClaimResult, error) {
	var out []ClaimResult
	s := res.Size
	for _, tr := range res.Tasks {
		for _, cl := range Claims {
			if cl.Theory != "" {
				continue
			}
			forms := []model.AdaptForm{""}
			if cl.PerForm {
				forms = model.AdaptForms
			}
			for _, f := range forms {
				c := ClaimResult{ID: cl.ID, Task: tr.Task, Form: string(f), Primary: !cl.PerForm || f == s.AdaptForm, Title: cl.Title(s)}
				out = append(out, tr.claim(res, c, cl.specs(s, f)))
			}
		}
	}
	out = append(out, theoryClaim(res.Theory))
	return out, nil
}

// claim measures and decides the checks of c on this task.
func (tr *TaskResult) claim(res *Result, c ClaimResult, specs []checkSpec) ClaimResult {
	var checks []stats.Check
	for i, sp := range specs {
		cr := tr.measureCheck(res, sp, uint64(c.ID)*1000+uint64(i))
		c.Checks = append(c.Checks, cr)
		lo, hi := math.Min(cr.T.Lo, cr.Bootstrap.Lo), math.Max(cr.T.Hi, cr.Bootstrap.Hi)
		checks = append(checks, stats.Check{Name: sp.statement, Direction: sp.dir, Estimate: cr.T.Estimate, Lo: lo, Hi: hi, P: cr.T.P})
	}
	valid := true
	for _, ch := range checks {
		if math.IsNaN(ch.Estimate) || math.IsNaN(ch.Lo) || math.IsNaN(ch.Hi) || math.IsNaN(ch.P) {
			valid = false
		}
	}
	c.Verdict = stats.Inconclusive
	if valid {
		if d, err := stats.Decide(checks, stats.DecideOptions{}); err == nil {
			for i := range c.Checks {
				c.Checks[i].Decision = d.Checks[i]
			}
			c.Verdict = d.Verdict
		} else {
			c.Undecided, c.Note = UndecidedDecision, "not decided: "+err.Error()
		}
	} else {
		c.Undecided, c.Note = UndecidedMissing, "not decided: a check has no value on some network"
	}
	if c.ID >= 1 && c.ID <= 4 && !tr.Gate.Passed {
		c.Undecided = UndecidedGate
		c.Note = "inconclusive: the baseline does not sample the task (" + tr.Gate.Reason + "); the checks below are shown as measured"
		c.Verdict = stats.Inconclusive
	}
	c.Change = whatWouldChange(c)
	return c
}

// measureCheck computes the per-network values of a check, its t analysis and bootstrap.
func (tr *TaskResult) measureCheck(res *Result, sp checkSpec, stream uint64) CheckResult {
	cr := CheckResult{Statement: sp.statement, Metric: sp.metric, A: sp.a, B: sp.b, Direction: sp.dir, Margin: sp.margin}
	value := func(x float64) float64 {
		if sp.abs {
			return math.Abs(x)
		}
		return x
	}
	var perChain func(n int, chains []int) float64
	switch sp.source {
	case SourceTraining: // claim 1, training metrics: leak vs no-leak networks at their rates
		cr.A, cr.B = CondLeak, CondNoLeak
		k := sp.training[len("k="):]
		for _, g := range []struct {
			alpha float64
			out   *[]float64
		}{{res.Size.LeakAlpha, &cr.ValuesA}, {1, &cr.ValuesB}} {
			for key, b := range tr.TrainingBands {
				if key == fmt.Sprintf("α=%g/k=%s", g.alpha, k) {
					*g.out = b[sp.metric].Values
				}
			}
		}
	case SourceConditions: // claim 1, replay: the baseline of the two conditions
		cr.A, cr.B = CondLeak+" baseline", CondNoLeak+" baseline"
		cr.ValuesA = tr.Bands[CondLeak][sp.a][sp.metric].Values
		cr.ValuesB = tr.Bands[CondNoLeak][sp.b][sp.metric].Values
	default: // variants of the leak networks, chain by chain under common random numbers
		cr.ValuesA = tr.Bands[CondLeak][sp.a][sp.metric].Values
		cr.ValuesB = tr.Bands[CondLeak][sp.b][sp.metric].Values
		reps := tr.Replays[CondLeak]
		if metrics.Describe(sp.metric).PerChain && len(reps) > 0 {
			perChain = func(n int, chains []int) float64 {
				a, b := reps[n].Variant(sp.a), reps[n].Variant(sp.b)
				va, vb := value(chainMetric(a, sp.metric, chains)), value(chainMetric(b, sp.metric, chains))
				return va - vb - sp.margin*vb
			}
		}
	}
	// A check on |x| shows, tests and scales by |x| throughout (copies: the bands keep the signed values).
	if sp.abs {
		for _, vs := range []*[]float64{&cr.ValuesA, &cr.ValuesB} {
			abs := make([]float64, len(*vs))
			for i, x := range *vs {
				abs[i] = value(x)
			}
			*vs = abs
		}
	}
	n := min(len(cr.ValuesA), len(cr.ValuesB))
	for i := range n {
		a, b := cr.ValuesA[i], cr.ValuesB[i]
		cr.Diffs = append(cr.Diffs, a-b-sp.margin*b)
	}
	nan := stats.TResult{Estimate: math.NaN(), Lo: math.NaN(), Hi: math.NaN(), P: math.NaN()}
	cr.T, cr.Bootstrap = nan, stats.BootstrapResult{Estimate: math.NaN(), Lo: math.NaN(), Hi: math.NaN(), P: math.NaN()}
	if t, err := stats.TTest(cr.Diffs, 0); err == nil {
		cr.T = t
	}
	rng := RNG(res.Seed, StreamBootstrap, taskIndex(tr.Task), stream)
	if perChain != nil {
		counts := make([]int, n)
		for i := range counts {
			v := tr.Replays[CondLeak][i].Variant(sp.a)
			counts[i] = len(v.PerChain[sp.metric])
			if v.Reach != nil && sp.metric == metrics.KeyReachRMST {
				counts[i] = len(v.Reach.Times)
			}
		}
		if b, err := stats.HierarchicalBootstrap(counts, perChain, stats.BootstrapOptions{}, rng); err == nil {
			cr.Bootstrap = b
		}
	} else if b, err := stats.NetworkBootstrap(cr.Diffs, stats.BootstrapOptions{}, rng); err == nil {
		cr.Bootstrap = b
	}
	if m := mean(cr.ValuesB); m != 0 {
		cr.EffectSize = cr.T.Estimate / math.Abs(m)
	}
	return cr
}

// chainMetric is a per-chain metric of a variant on a multiset of chains: the mean of the
// per-chain values, or for reach time the Kaplan–Meier restricted mean of those chains.
func chainMetric(v *VariantResult, key string, chains []int) float64 {
	if v == nil {
		return math.NaN()
	}
	if key == metrics.KeyReachRMST {
		s := stats.ReachSample{Times: make([]int, len(chains)), Reached: make([]bool, len(chains))}
		for i, c := range chains {
			s.Times[i], s.Reached[i] = v.Reach.Times[c], v.Reach.Reached[c]
		}
		km, err := stats.NewKaplanMeier(s)
		if err != nil {
			return math.NaN()
		}
		r, err := km.RMST(float64(v.Spec.Steps))
		if err != nil {
			return math.NaN()
		}
		return r.Mean
	}
	vals := v.PerChain[key]
	sum := 0.0
	for _, c := range chains {
		sum += vals[c]
	}
	return sum / float64(len(chains))
}

// whatWouldChange is one line on what would move the verdict.
func whatWouldChange(c ClaimResult) string {
	if c.ID == 5 {
		return "A different OU example would change the numbers, not the signs: the time-varying score is a property of any OU bridge from a narrow start."
	}
	var held, rev, inc int
	for _, ch := range c.Checks {
		switch ch.Decision.Verdict {
		case stats.Held:
			held++
		case stats.Reversed:
			rev++
		default:
			inc++
		}
	}
	switch c.Reason() {
	case UndecidedGate:
		return "A baseline that passes the gate; on the measured checks " + fmt.Sprintf("%d held, %d reversed, %d inconclusive.", held, rev, inc)
	case UndecidedMissing:
		return "A value of every check on every network (some metric could not be computed on some network: see its check rows)."
	case UndecidedDecision:
		return "Checks the decision rule accepts (see the note)."
	}
	switch {
	case c.Verdict == stats.Held:
		return "A network or seed where any check's interval reaches 0 (more networks narrow the intervals)."
	case c.Verdict == stats.Reversed:
		return fmt.Sprintf("%d check(s) went the other way beyond their intervals: only a different setting (size, noise, form) could turn them.", rev)
	}
	return fmt.Sprintf("More networks (intervals shrink as 1/√M): %d of %d checks were not significant after Holm.", inc, len(c.Checks))
}
