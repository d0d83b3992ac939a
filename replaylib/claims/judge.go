package claims

import (
	"fmt"
	"math"

	"github.com/replaylab/replay/replaylib/metrics"
	"github.com/replaylab/replay/replaylib/model"
	"github.com/replaylab/replay/replaylib/stats"
)

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
	held, rev, inc := c.CheckCounts()
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
