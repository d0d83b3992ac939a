package claims

import (
	"fmt"
	"math"

	"github.com/replaylab/replay/replaylib/theory"
)

// Check is one directional comparison inside a claim.
type Check struct {
	Statement string  `json:"statement"`
	Held      bool    `json:"held"`
	A         float64 `json:"a"` // the value of the variant the claim is about
	B         float64 `json:"b"` // the value it is compared with
}

// Claim is one paper claim on one task.
type Claim struct {
	ID     int     `json:"id"`
	Task   string  `json:"task"`
	Title  string  `json:"title"`
	Checks []Check `json:"checks"`
	Held   bool    `json:"held"` // all checks held
}

// TheoryResult holds claim 5's numbers for a documented OU example.
type TheoryResult struct {
	OU          theory.OU        `json:"ou"`
	T0, T       float64          `json:"-"`
	ScoreSlopes []float64        `json:"score_slopes_over_time"` // −1/v(t) at t = T0 … T (5 points)
	Fit         theory.AffineFit `json:"mixture_affine_fit"`
}

// TheoryExample is the OU process of claim 5: paths from m_0 = 2 relaxing to μ = 0.
var TheoryExample = theory.OU{Theta: 1, Mu: 0, Sigma: 0.3, M0: 2, V0: 0.01}

// Theory computes claim 5's numbers.
func Theory() TheoryResult {
	o := TheoryExample
	r := TheoryResult{OU: o, T0: 0.05, T: 3}
	for _, t := range theory.Linspace(r.T0, r.T, 5) {
		r.ScoreSlopes = append(r.ScoreSlopes, -1/o.Var(t))
	}
	r.Fit = o.BestConstantLeak(r.T0, r.T, theory.Linspace(-1, 3, 201))
	return r
}

func (tr *TaskResult) variant(name string) *Variant {
	for _, v := range tr.Variants {
		if v.Name == name {
			return v
		}
	}
	return nil
}

func check(statement string, a, b float64, held bool) Check {
	return Check{Statement: statement, A: a, B: b, Held: held}
}

// Evaluate states for each claim and task whether its direction held.
func Evaluate(res *Result) []Claim {
	var claims []Claim
	add := func(c Claim) {
		c.Held = len(c.Checks) > 0
		for _, ch := range c.Checks {
			c.Held = c.Held && ch.Held
		}
		claims = append(claims, c)
	}
	for _, tr := range res.Tasks {
		leak, noLeak := tr.variant(VariantLeak), tr.variant(VariantNoLeak)
		adapt, mom, both := tr.variant(VariantAdaptation), tr.variant(VariantMomentum), tr.variant(VariantBoth)
		// Claim 1: training error at the hardest masking, replay W1.
		c1 := Claim{ID: 1, Task: tr.Task, Title: "Leak: better training under masking, lower replay Wasserstein distance"}
		for _, k := range res.Size.MaskKs {
			var errLeak, errPlain float64
			for _, m := range tr.Training {
				if m.MaskK == k && m.Alpha == 1 {
					errPlain = m.FinalErr
				} else if m.MaskK == k {
					errLeak = m.FinalErr
				}
			}
			c1.Checks = append(c1.Checks, check(fmt.Sprintf("k=%d: final position error (mean of last quarter of training) with leak ≤ without (fraction of size)", k),
				errLeak, errPlain, errLeak <= errPlain))
		}
		c1.Checks = append(c1.Checks, check("replay W1 to training positions: leak < no leak (u)", leak.W1.Mean, noLeak.W1.Mean, leak.W1.Mean < noLeak.W1.Mean))
		add(c1)
		add(Claim{ID: 2, Task: tr.Task, Title: "Adaptation: more exploration, slower replay, non-Markov increments", Checks: []Check{
			check("coverage: adaptation > leak", adapt.Coverage.Mean, leak.Coverage.Mean, adapt.Coverage.Mean > leak.Coverage.Mean),
			check("regions visited per chain: adaptation > leak", adapt.Regions.Mean, leak.Regions.Mean, adapt.Regions.Mean > leak.Regions.Mean),
			check("restricted mean reach time: adaptation > leak (steps)", adapt.ReachMean.Mean, leak.ReachMean.Mean, adapt.ReachMean.Mean > leak.ReachMean.Mean),
			check("absolute lag-1 increment autocorrelation: adaptation > leak", math.Abs(adapt.IncAutocorr.Mean), math.Abs(leak.IncAutocorr.Mean),
				math.Abs(adapt.IncAutocorr.Mean) > math.Abs(leak.IncAutocorr.Mean)),
		}})
		add(Claim{ID: 3, Task: tr.Task, Title: fmt.Sprintf("Momentum (λv=%g): shorter reach times, longer paths per step", res.Size.Momentum), Checks: []Check{
			check("restricted mean reach time: momentum < leak (steps)", mom.ReachMean.Mean, leak.ReachMean.Mean, mom.ReachMean.Mean < leak.ReachMean.Mean),
			check("path length per step: momentum > leak (u)", mom.PathLength.Mean, leak.PathLength.Mean, mom.PathLength.Mean > leak.PathLength.Mean),
		}})
		add(Claim{ID: 4, Task: tr.Task, Title: "Adaptation + momentum: exploration kept, speed restored", Checks: []Check{
			check("coverage: adaptation+momentum ≥ adaptation", both.Coverage.Mean, adapt.Coverage.Mean, both.Coverage.Mean >= adapt.Coverage.Mean),
			check("restricted mean reach time: adaptation+momentum < adaptation (steps)", both.ReachMean.Mean, adapt.ReachMean.Mean, both.ReachMean.Mean < adapt.ReachMean.Mean),
		}})
	}
	th := res.Theory
	first, last := th.ScoreSlopes[0], th.ScoreSlopes[len(th.ScoreSlopes)-1]
	add(Claim{ID: 5, Task: "theory", Title: "The OU score is time-varying; the time-mixture score is not affine; a constant leak fits its linear part", Checks: []Check{
		check("score slope −1/v(t) changes over time (first vs last)", first, last, math.Abs(first-last) > 0.1*math.Abs(last)),
		check("affine fit of the mixture score explains less than all of it (R²)", th.Fit.R2, 1, th.Fit.R2 < 0.99),
		check("best constant leak rate is positive", th.Fit.Leak, 0, th.Fit.Leak > 0),
	}})
	return claims
}
