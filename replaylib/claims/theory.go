package claims

import (
	"math"

	"github.com/replaylab/replay/replaylib/stats"
	"github.com/replaylab/replay/replaylib/theory"
)

// TheoryResult holds claim 5's numbers for a documented OU example.
type TheoryResult struct {
	OU          theory.OU        `json:"ou"`                     // TheoryExample
	T0          float64          `json:"t0"`                     // start of the mixture window
	T           float64          `json:"t"`                      // end of the mixture window
	ScoreSlopes []float64        `json:"score_slopes_over_time"` // −1/v(t) at 5 times from T0 to T
	Fit         theory.AffineFit `json:"mixture_affine_fit"`     // best affine fit of the mixture score on x ∈ [−1, 3]
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

// theoryClaim states claim 5: exact computations, so each check holds or is reversed outright.
func theoryClaim(th TheoryResult) ClaimResult {
	first, last := th.ScoreSlopes[0], th.ScoreSlopes[len(th.ScoreSlopes)-1]
	c := ClaimResult{ID: 5, Task: "theory", Primary: true,
		Title: "The OU score is time-varying; the time-mixture score is not affine; a constant leak fits its linear part"}
	add := func(statement string, a, b float64, holds bool) {
		v := stats.Reversed
		if holds {
			v = stats.Held
		}
		c.Checks = append(c.Checks, CheckResult{Statement: statement, ValuesA: []float64{a}, ValuesB: []float64{b},
			T: stats.TResult{Estimate: a - b, Lo: a - b, Hi: a - b}, Decision: stats.Decision{Verdict: v}})
	}
	add("score slope −1/v(t) changes over time by more than 10% (first vs last)", first, last, math.Abs(first-last) > 0.1*math.Abs(last))
	add("R² of the best affine fit of the mixture score is below 0.99", th.Fit.R2, 0.99, th.Fit.R2 < 0.99)
	add("the best constant leak rate is positive", th.Fit.Leak, 0, th.Fit.Leak > 0)
	var verdicts []stats.Verdict
	for _, ch := range c.Checks {
		verdicts = append(verdicts, ch.Decision.Verdict)
	}
	c.Verdict = stats.ClaimVerdict(verdicts)
	c.Change = whatWouldChange(c)
	return c
}
