package stats

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"sort"
)

// ReachSample holds first-passage (reach) times of replay chains, right-censored
// at the replay length T_q: Times[i] is the step at which chain i first reached
// the target if Reached[i], otherwise the step at which it was censored (T_q).
type ReachSample struct {
	Times   []int
	Reached []bool
}

func (s ReachSample) validate(name string) error {
	if len(s.Times) == 0 {
		return badInput("len("+name+".Times)", 0, "need at least one chain")
	}
	if len(s.Reached) != len(s.Times) {
		return badInput("len("+name+".Reached)", len(s.Reached), fmt.Sprintf("must equal len(%s.Times) = %d", name, len(s.Times)))
	}
	for i, t := range s.Times {
		if t < 0 {
			return badInput(fmt.Sprintf("%s.Times[%d]", name, i), t, "a reach time must be ≥ 0")
		}
	}
	return nil
}

// timeGroup is one distinct observed time with its event and censoring counts.
type timeGroup struct {
	t, events, censored int
}

// groupTimes counts events and censorings per distinct observed time, in ascending order of time.
func groupTimes(s ReachSample) []timeGroup {
	lo, hi := slices.Min(s.Times), slices.Max(s.Times)
	if span := hi - lo; span >= 0 && span <= max(8*len(s.Times), 1<<16) {
		// Reach times are steps of a replay, so counting by time is cheaper than sorting (the
		// bootstrap builds thousands of these curves); the groups are the same.
		counts := make([]timeGroup, span+1)
		for i, t := range s.Times {
			if s.Reached[i] {
				counts[t-lo].events++
			} else {
				counts[t-lo].censored++
			}
		}
		var g []timeGroup
		for k, c := range counts {
			if c.events+c.censored > 0 {
				c.t = lo + k
				g = append(g, c)
			}
		}
		return g
	}
	order := make([]int, len(s.Times))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(s.Times[a], s.Times[b]) })
	var g []timeGroup
	for _, i := range order {
		if len(g) == 0 || g[len(g)-1].t != s.Times[i] {
			g = append(g, timeGroup{t: s.Times[i]})
		}
		if s.Reached[i] {
			g[len(g)-1].events++
		} else {
			g[len(g)-1].censored++
		}
	}
	return g
}

// KaplanMeier is the Kaplan–Meier estimate of the survival function
// S(t) = P(reach time > t), a right-continuous step function that drops only at
// the times at which some chain reached. At a tied time, reaches are counted
// before censorings (a chain censored at t was at risk at t).
type KaplanMeier struct {
	// N is the number of chains and MaxTime the largest observed time (reach or censoring).
	N       int `json:"n"`
	MaxTime int `json:"max_time"`
	// Times are the distinct reach times t_j, ascending.
	Times []int `json:"times"`
	// AtRisk[j] = n_j, the chains not yet reached nor censored before Times[j].
	AtRisk []int `json:"at_risk"`
	// Events[j] = d_j, the chains that reached at Times[j].
	Events []int `json:"events"`
	// Survival[j] = S(Times[j]) = Π_{i ≤ j} (1 − d_i/n_i).
	Survival []float64 `json:"survival"`
	// Variance[j] is Greenwood's variance of Survival[j],
	// S(t_j)² Σ_{i ≤ j} d_i/(n_i (n_i − d_i)); it is reported as 0 once S reaches 0.
	Variance []float64 `json:"variance"`
}

// NewKaplanMeier fits the Kaplan–Meier estimator to a sample of reach times.
func NewKaplanMeier(s ReachSample) (KaplanMeier, error) {
	if err := s.validate("sample"); err != nil {
		return KaplanMeier{}, err
	}
	groups := groupTimes(s)
	km := KaplanMeier{N: len(s.Times), MaxTime: groups[len(groups)-1].t}
	atRisk, surv, greenwood := len(s.Times), 1.0, 0.0
	for _, g := range groups {
		if g.events > 0 {
			n, d := atRisk, g.events
			surv *= 1 - float64(d)/float64(n)
			v := 0.0
			if n > d {
				greenwood += float64(d) / (float64(n) * float64(n-d))
				v = surv * surv * greenwood
			}
			km.Times = append(km.Times, g.t)
			km.AtRisk = append(km.AtRisk, n)
			km.Events = append(km.Events, d)
			km.Survival = append(km.Survival, surv)
			km.Variance = append(km.Variance, v)
		}
		atRisk -= g.events + g.censored
	}
	return km, nil
}

// At returns S(t): 1 before the first reach time, then the value at the last
// reach time ≤ t. Beyond MaxTime it holds the last value, which is only an
// estimate when that value is 0.
func (km KaplanMeier) At(t float64) float64 {
	j := sort.Search(len(km.Times), func(j int) bool { return float64(km.Times[j]) > t })
	if j == 0 {
		return 1
	}
	return km.Survival[j-1]
}

// RMSTResult is a restricted mean survival time and its standard error.
type RMSTResult struct {
	// Tau is the horizon τ.
	Tau float64 `json:"tau"`
	// Mean is ∫_0^τ S(t) dt, the expected reach time when reach times are
	// truncated at τ (a chain that has not reached by τ counts as τ).
	Mean float64 `json:"mean"`
	// StdErr is the Greenwood-based delta-method standard error:
	// Var = Σ_{t_j < τ} A_j² d_j/(n_j (n_j − d_j)), A_j = ∫_{t_j}^τ S(t) dt.
	StdErr float64 `json:"std_err"`
}

// RMST returns the restricted mean survival time up to horizon tau: the area
// under the Kaplan–Meier curve on [0, tau]. With every chain censored at T_q
// and tau ≤ T_q it equals tau; without censoring it equals the mean of
// min(t_i, tau). tau must be positive and, unless the curve has reached 0,
// not exceed MaxTime (beyond it the curve is unknown).
func (km KaplanMeier) RMST(tau float64) (RMSTResult, error) {
	if !(tau > 0) || math.IsInf(tau, 0) {
		return RMSTResult{}, badInput("tau", tau, "the horizon must be a finite number > 0")
	}
	last := 1.0
	if len(km.Survival) > 0 {
		last = km.Survival[len(km.Survival)-1]
	}
	if tau > float64(km.MaxTime) && last > 0 {
		return RMSTResult{}, badInput("tau", tau, fmt.Sprintf("must be in (0, %d], the largest observed time, while S > 0 there", km.MaxTime))
	}
	// cum[j] = ∫_0^{t_j} S; the area from t_j to τ is total − cum[j].
	cum := make([]float64, 0, len(km.Times))
	area, prev, s := 0.0, 0.0, 1.0
	for j, t := range km.Times {
		tj := float64(t)
		if tj >= tau {
			break
		}
		area += s * (tj - prev)
		cum = append(cum, area)
		prev, s = tj, km.Survival[j]
	}
	area += s * (tau - prev)
	variance := 0.0
	for j := range cum {
		n, d := km.AtRisk[j], km.Events[j]
		if n == d { // S drops to 0 here, so A_j = 0
			continue
		}
		a := area - cum[j]
		variance += a * a * float64(d) / (float64(n) * float64(n-d))
	}
	return RMSTResult{Tau: tau, Mean: area, StdErr: math.Sqrt(variance)}, nil
}

// LogRankResult is the outcome of a two-sample log-rank test.
type LogRankResult struct {
	// ObservedA/B are the reaches in each sample, ExpectedA/B their expectations
	// under H0 (same hazard), summed over the distinct reach times of both samples.
	ObservedA float64 `json:"observed_a"`
	ExpectedA float64 `json:"expected_a"`
	ObservedB float64 `json:"observed_b"`
	ExpectedB float64 `json:"expected_b"`
	// Variance is the hypergeometric variance of ObservedA − ExpectedA.
	Variance float64 `json:"variance"`
	// Z = (ObservedA − ExpectedA)/√Variance: positive when A reaches more (sooner) than B.
	Z float64 `json:"z"`
	// ChiSquare = Z², with 1 degree of freedom, and P = erfc(√(ChiSquare/2)) its
	// two-sided p-value. With no information (Variance = 0) ChiSquare = 0 and P = 1.
	ChiSquare float64 `json:"chi_square"`
	P         float64 `json:"p"`
}

// LogRank tests H0: the samples a and b have the same reach-time distribution
// (hazard). At each distinct reach time t with n = n_A + n_B chains at risk and
// d = d_A + d_B reaches, E_A += d·n_A/n and V += d (n_A/n)(n_B/n)(n − d)/(n − 1).
func LogRank(a, b ReachSample) (LogRankResult, error) {
	if err := a.validate("a"); err != nil {
		return LogRankResult{}, err
	}
	if err := b.validate("b"); err != nil {
		return LogRankResult{}, err
	}
	ga, gb := groupTimes(a), groupTimes(b)
	nA, nB := len(a.Times), len(b.Times)
	var r LogRankResult
	i, j := 0, 0
	for i < len(ga) || j < len(gb) {
		t := math.MaxInt
		if i < len(ga) {
			t = ga[i].t
		}
		if j < len(gb) {
			t = min(t, gb[j].t)
		}
		var ca, cb timeGroup // the counts at time t (zero if the sample has none)
		if i < len(ga) && ga[i].t == t {
			ca = ga[i]
			i++
		}
		if j < len(gb) && gb[j].t == t {
			cb = gb[j]
			j++
		}
		if d := ca.events + cb.events; d > 0 {
			n := float64(nA + nB)
			fd := float64(d)
			r.ObservedA += float64(ca.events)
			r.ObservedB += float64(cb.events)
			r.ExpectedA += fd * float64(nA) / n
			r.ExpectedB += fd * float64(nB) / n
			if n > 1 {
				r.Variance += fd * (float64(nA) / n) * (float64(nB) / n) * (n - fd) / (n - 1)
			}
		}
		nA -= ca.events + ca.censored
		nB -= cb.events + cb.censored
	}
	r.P = 1
	if r.Variance > 0 {
		r.Z = (r.ObservedA - r.ExpectedA) / math.Sqrt(r.Variance)
		r.ChiSquare = r.Z * r.Z
		r.P = math.Erfc(math.Sqrt(r.ChiSquare / 2))
	}
	return r, nil
}
