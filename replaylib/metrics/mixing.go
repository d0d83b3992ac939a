package metrics

import (
	"fmt"
	"math"
	"slices"

	"github.com/replaylab/replay/geom"
)

// Mixing holds split-R̂ and the effective sample size of scalar series, one per chain.
type Mixing struct {
	// RHat is the split potential scale reduction factor: 1 when the chains sample one distribution,
	// > 1 when they disagree (values above 1.01 are usually taken as not mixed).
	RHat float64 `json:"rhat"`
	// ESS is the effective number of independent draws among Chains × Draws (draws).
	ESS float64 `json:"ess"`
	// Chains and Draws are the number of chains and of post-burn-in draws per chain used.
	Chains int `json:"chains"`
	Draws  int `json:"draws"`
}

// MixingOptions configure MixingDiagnostics.
type MixingOptions struct {
	// BurnIn draws are dropped from the start of each series (0: none).
	BurnIn int
	// RankNormalise replaces the pooled draws by their normal scores before R̂ and ESS (Vehtari et
	// al. 2021): robust to heavy tails, invariant under monotone transforms.
	RankNormalise bool
}

// MixingDiagnostics computes split-R̂ and ESS (Gelman et al., Bayesian Data Analysis, 3rd ed.;
// Vehtari et al. 2021) of series, one scalar series per chain (e.g. Coordinate(traj, 0), or the
// region index over time), after dropping the first opt.BurnIn draws of each.
//
// Each post-burn-in series of n draws is split into halves of N = ⌊n/2⌋ (the middle draw dropped for
// odd n), giving M = 2 × chains split chains with means θ̄_m and variances s_m². Then
//
//	W = mean_m s_m²,  B/N = Σ_m (θ̄_m − θ̄)² / (M − 1),  var⁺ = (N − 1)/N · W + B/N,  R̂ = √(var⁺/W);
//	ρ̂_t = 1 − (W − mean_m γ_{m,t}) / var⁺   (γ_{m,t} the lag-t autocovariance of split chain m, 1/N),
//	ESS = M N / τ̂,  τ̂ = −1 + 2 Σ_{t ≤ 2K+1} ρ̂_t + ρ̂_{2K+2},
//
// with Geyer's initial positive and monotone sequence of pair sums ρ̂_{2k} + ρ̂_{2k+1} choosing K, as
// in Stan (ESS capped at M N log₁₀(M N)). With opt.RankNormalise, the pooled draws are first replaced by
// Φ⁻¹((rank − 3/8)/(MN + 1/4)) (average ranks for ties): robust to heavy tails and invariant under
// monotone transforms.
//
// The exploration claim (adaptation explores more) predicts smaller R̂ and larger ESS per draw with
// adaptation: chains that visit the same places in the same proportions agree; chains that stay
// where they started do not (R̂ ≫ 1, ESS ≪ MN). Unlike EffectiveSampleSize (Sokal's window on pooled
// series), this compares chains with each other, so chains stuck in different places lower the ESS.
// Errors: no series, opt.BurnIn < 0, fewer than 4 post-burn-in draws, unequal post-burn-in lengths,
// non-finite values, zero within-chain variance.
func MixingDiagnostics(series [][]float64, opt MixingOptions) (Mixing, error) {
	sp, err := splitChains(series, opt.BurnIn, opt.RankNormalise)
	if err != nil {
		return Mixing{}, err
	}
	res := Mixing{RHat: sp.rhat, Chains: len(series), Draws: sp.n}
	split, means, W, varPlus, N, M := sp.split, sp.means, sp.W, sp.varPlus, sp.N, len(sp.split)
	// acov(t) = mean over split chains of the lag-t autocovariance (normalised by N).
	acov := func(t int) float64 {
		total := 0.0
		for m, x := range split {
			s := 0.0
			for i := 0; i+t < N; i++ {
				s += (x[i] - means[m]) * (x[i+t] - means[m])
			}
			total += s / float64(N)
		}
		return total / float64(M)
	}
	rho := make([]float64, N+1)
	rho[0] = 1
	even, odd := 1.0, 1-(W-acov(1))/varPlus
	rho[1] = odd
	s := 1
	for s < N-4 && even+odd > 0 {
		even = 1 - (W-acov(s+1))/varPlus
		odd = 1 - (W-acov(s+2))/varPlus
		if even+odd >= 0 {
			rho[s+1], rho[s+2] = even, odd
		}
		s += 2
	}
	maxS := s
	if even > 0 {
		rho[maxS+1] = even
	}
	for s := 1; s <= maxS-3; s += 2 { // initial monotone sequence
		if rho[s+1]+rho[s+2] > rho[s-1]+rho[s] {
			rho[s+1] = (rho[s-1] + rho[s]) / 2
			rho[s+2] = rho[s+1]
		}
	}
	tau := -1.0 + rho[maxS+1]
	for _, r := range rho[:maxS] {
		tau += 2 * r
	}
	total := float64(M * N)
	res.ESS = math.Min(total/tau, total*math.Log10(total))
	return res, nil
}

// SplitRHat is MixingDiagnostics' split-R̂ alone (no burn-in, no rank normalisation), without the
// autocovariances its ESS needs: cheap enough to follow R̂ as a replay grows (RHatOverTime).
func SplitRHat(series [][]float64) (float64, error) {
	sp, err := splitChains(series, 0, false)
	return sp.rhat, err
}

// RHatOverTime is, for each t of times, the split-R̂ of the decoded positions over steps 0 … t
// (the larger of the two coordinates'): how far the chains are from agreeing as replay goes on.
// A t beyond the chains' length, or below 3, gives an error.
func RHatOverTime(traj [][]geom.Point, times []int) ([]float64, error) {
	if len(traj) == 0 {
		return nil, fmt.Errorf("R̂ over time: no chains")
	}
	coords := [2][][]float64{Coordinate(traj, 0), Coordinate(traj, 1)} // once: each time is a prefix
	out := make([]float64, len(times))
	for i, t := range times {
		if t < 3 || t >= len(traj[0]) {
			return nil, fmt.Errorf("R̂ over time: times[%d] = %d, must be in [3, %d]", i, t, max(len(traj[0])-1, 0))
		}
		for _, all := range coords {
			series := make([][]float64, len(all))
			for c, s := range all {
				series[c] = s[:min(t+1, len(s))]
			}
			r, err := SplitRHat(series)
			if err != nil {
				return nil, fmt.Errorf("R̂ over time at t = %d: %w", t, err)
			}
			out[i] = math.Max(out[i], r)
		}
	}
	return out, nil
}

// splitSeries is series split in halves, with what R̂ and the ESS are computed from.
type splitSeries struct {
	split      [][]float64
	means      []float64
	W, varPlus float64
	rhat       float64
	n, N       int // draws per chain after the burn-in, per split chain
}

// splitChains checks series, drops the burn-in, splits each chain in halves (rank-normalised on
// request) and computes split-R̂.
func splitChains(series [][]float64, burnIn int, rankNormalise bool) (splitSeries, error) {
	if len(series) == 0 {
		return splitSeries{}, fmt.Errorf("mixing: no series, need one per chain")
	}
	if burnIn < 0 {
		return splitSeries{}, fmt.Errorf("mixing: burnIn = %d, must be ≥ 0", burnIn)
	}
	n := len(series[0]) - burnIn
	for c, s := range series {
		if len(s)-burnIn != n {
			return splitSeries{}, fmt.Errorf("mixing: series[%d] has %d draws after burn-in, series[0] has %d: chains must have equal lengths", c, len(s)-burnIn, n)
		}
		for t, v := range s {
			if !finite(v) {
				return splitSeries{}, fmt.Errorf("mixing: series[%d][%d] = %g, must be finite", c, t, v)
			}
		}
	}
	if n < 4 {
		return splitSeries{}, fmt.Errorf("mixing: %d draws per chain after burnIn = %d, need ≥ 4", max(n, 0), burnIn)
	}
	N := n / 2
	var split [][]float64
	for _, s := range series {
		s = s[burnIn:]
		split = append(split, slices.Clone(s[:N]), slices.Clone(s[n-N:]))
	}
	M := len(split)
	if rankNormalise {
		rankNormalize(split)
	}
	means, vars := make([]float64, M), make([]float64, M)
	for m, x := range split {
		means[m], vars[m] = meanSD(x)
		vars[m] *= vars[m]
	}
	W, _ := meanSD(vars)
	_, sdMeans := meanSD(means)
	if !(W > 0) {
		return splitSeries{}, fmt.Errorf("mixing: within-chain variance is 0 (every split chain is constant): R̂ and ESS are undefined")
	}
	varPlus := float64(N-1)/float64(N)*W + sdMeans*sdMeans
	return splitSeries{split: split, means: means, W: W, varPlus: varPlus, rhat: math.Sqrt(varPlus / W), n: n, N: N}, nil
}

// rankNormalize replaces the pooled draws of x by normal scores Φ⁻¹((r − 3/8)/(S + 1/4)), r the
// average rank of each draw among all S draws.
func rankNormalize(x [][]float64) {
	type draw struct {
		v    float64
		m, i int
	}
	var all []draw
	for m, s := range x {
		for i, v := range s {
			all = append(all, draw{v, m, i})
		}
	}
	slices.SortFunc(all, func(a, b draw) int {
		switch {
		case a.v < b.v:
			return -1
		case a.v > b.v:
			return 1
		}
		return 0
	})
	S := float64(len(all))
	for lo := 0; lo < len(all); {
		hi := lo
		for hi < len(all) && all[hi].v == all[lo].v {
			hi++
		}
		rank := float64(lo+hi+1) / 2 // average of the 1-based ranks lo+1 … hi
		z := math.Sqrt2 * math.Erfinv(2*(rank-0.375)/(S+0.25)-1)
		for _, d := range all[lo:hi] {
			x[d.m][d.i] = z
		}
		lo = hi
	}
}
