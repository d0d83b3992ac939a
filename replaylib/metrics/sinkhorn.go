package metrics

import (
	"context"
	"fmt"
	"math"

	"github.com/replaylab/replay/geom"
)

// SinkhornOptions control Sinkhorn.
type SinkhornOptions struct {
	// Epsilon is the entropic regularisation ε, in cost units (distance^p); finite and > 0. The
	// converged regularised plan costs at most ε·log(n·m) more than W_p^p.
	Epsilon float64
	// Tolerance is the largest accepted marginal violation ‖π𝟙 − a‖₁ + ‖πᵀ𝟙 − b‖₁ (a fraction of
	// the unit mass); in (0, 1), 0 meaning 1e-6.
	Tolerance float64
	// MaxIterations bounds the iterations at the target ε; ≥ 0, 0 meaning 10000. ε-scaling adds
	// one iteration per factor 0.85 from the largest cost down to ε before these.
	MaxIterations int
}

// SinkhornResult is what Sinkhorn reached.
type SinkhornResult struct {
	// W = ⟨π̃, C⟩^{1/p}, in distance units, for the plan π̃ obtained by rounding the last Sinkhorn
	// plan onto the marginals (Altschuler, Weed & Rigollet 2017). π̃ is feasible, so W ≥ W_p
	// (exact) up to floating-point error, whether or not the iterations converged.
	W float64
	// Violation is ‖π𝟙 − a‖₁ + ‖πᵀ𝟙 − b‖₁ of the last Sinkhorn plan π (before rounding). Rounding
	// changes the cost by at most Violation·max C.
	Violation float64
	// Iterations is the number of iterations run at the target ε.
	Iterations int
}

// Sinkhorn approximates W_p between point sets a (n points) and b (m points) of any sizes, each
// with uniform weights, by entropic optimal transport:
//
//	π_ε = argmin_{π ∈ Π(a,b)} ⟨π, C⟩ − ε H(π),  C_ij = ‖a_i − b_j‖^p,
//
// solved with log-domain Sinkhorn updates f_i = −ε log Σ_j b_j e^{(g_j − C_ij)/ε} (and likewise g),
// after ε-scaling from the largest cost down to opt.Epsilon. It iterates at opt.Epsilon until the
// marginal violation of the plan is below opt.Tolerance and reports W of the rounded (feasible)
// plan, in distance units: W_p ≤ W ≤ (W_p^p + ε log(nm) + Violation·max C)^{1/p}.
//
// When MaxIterations pass first, it returns the result reached together with an error stating the
// violation; callers must not use W as converged then (the cost of an unconverged plan can fall
// well below the exact W_p: 10 % below for 300 vs 200 points at ε = 1e-4 after 2,000 iterations).
// A leak claim compares W(replay, train) between settings: judge
// it on converged values with ε small against the differences claimed (ε log(nm) ≪ ΔW^p).
//
// ctx is checked every iteration. Errors name the bad argument: empty sets, non-finite points, p
// not finite or < 1, options out of range.
func Sinkhorn(ctx context.Context, a, b []geom.Point, p float64, opt SinkhornOptions) (SinkhornResult, error) {
	n, m := len(a), len(b)
	if n == 0 || m == 0 {
		return SinkhornResult{}, fmt.Errorf("sinkhorn: sets of sizes %d and %d, need both non-empty", n, m)
	}
	if err := checkP("sinkhorn", p); err != nil {
		return SinkhornResult{}, err
	}
	eps, tol, maxIter := opt.Epsilon, opt.Tolerance, opt.MaxIterations
	if !(eps > 0) || math.IsInf(eps, 1) {
		return SinkhornResult{}, fmt.Errorf("sinkhorn: Epsilon = %g, must be finite and > 0 (cost units, distance^p)", eps)
	}
	if tol == 0 {
		tol = 1e-6
	}
	if !(tol > 0 && tol < 1) {
		return SinkhornResult{}, fmt.Errorf("sinkhorn: Tolerance = %g, must be in (0, 1) (0 for the default 1e-6)", opt.Tolerance)
	}
	if maxIter == 0 {
		maxIter = 10000
	}
	if maxIter < 0 {
		return SinkhornResult{}, fmt.Errorf("sinkhorn: MaxIterations = %d, must be ≥ 0 (0 for the default 10000)", maxIter)
	}
	if err := checkPoints("sinkhorn: a", a); err != nil {
		return SinkhornResult{}, err
	}
	if err := checkPoints("sinkhorn: b", b); err != nil {
		return SinkhornResult{}, err
	}
	cost := make([]float64, n*m)
	maxCost := 0.0
	for i := range a {
		for j := range b {
			c := math.Pow(dist(a[i], b[j]), p)
			cost[i*m+j] = c
			maxCost = math.Max(maxCost, c)
		}
	}
	if !finite(maxCost) {
		return SinkhornResult{}, fmt.Errorf("sinkhorn: largest cost ‖a_i − b_j‖^p overflows for p = %g (rescale the points)", p)
	}
	logA, logB := -math.Log(float64(n)), -math.Log(float64(m))
	f, g := make([]float64, n), make([]float64, m)
	fNew := make([]float64, n)
	tmp := make([]float64, max(n, m))
	// updateF sets fNew from g at eps and returns the row violation Σ_i |row_i − 1/n| of the plan
	// (f, g): row_i = (1/n) e^{(f_i − fNew_i)/ε}.
	updateF := func(eps float64) float64 {
		viol := 0.0
		for i := range n {
			row := tmp[:m]
			for j := range m {
				row[j] = (g[j]-cost[i*m+j])/eps + logB
			}
			fNew[i] = -eps * logSumExp(row)
			viol += math.Abs(math.Exp(logA+(f[i]-fNew[i])/eps) - math.Exp(logA))
		}
		return viol
	}
	// updateG sets g ← (1 − ω) g + ω g⁺, g⁺ the Sinkhorn update from f at eps (ω = 1: columns exact).
	updateG := func(eps, omega float64) {
		for j := range m {
			col := tmp[:n]
			for i := range n {
				col[i] = (f[i]-cost[i*m+j])/eps + logA
			}
			g[j] = (1-omega)*g[j] - omega*eps*logSumExp(col)
		}
	}
	// ε-scaling: anneal from the cost scale down to eps (warm-started potentials converge far faster
	// than iterating at a small ε from scratch).
	for e := maxCost; e > eps; e *= sinkhornAnneal {
		if err := ctx.Err(); err != nil {
			return SinkhornResult{}, fmt.Errorf("sinkhorn: %w", err)
		}
		updateF(e)
		copy(f, fNew)
		updateG(e, 1)
	}
	// At eps: over-relaxed updates (Thibault et al. 2021), x ← (1 − ω) x + ω x⁺, with ω set from
	// the contraction rate ϑ of plain iterations, ω = 2/(1 + √(1 − ϑ)). Every sinkhornProbe-th
	// iteration is plain (ω = 1): its plan has exact column sums, so the row violation computed in the
	// next f update is the plan's whole L1 violation, on which convergence is judged. The result's
	// validity does not depend on ω.
	res := SinkhornResult{}
	converged := false
	omega, plainPrev := 1.0, false
	var hist []float64 // violations of the plain plans since ω last changed
	for res.Iterations < maxIter {
		if err := ctx.Err(); err != nil {
			return SinkhornResult{}, fmt.Errorf("sinkhorn: stopped after %d iterations: %w", res.Iterations, err)
		}
		viol := updateF(eps)
		if plainPrev { // the whole violation of the current plan (f, g)
			if viol < tol {
				converged = true
				break
			}
			hist = append(hist, viol)
			omega, hist = adaptOmega(omega, hist)
		}
		w := omega
		if (res.Iterations+1)%sinkhornProbe == 0 {
			w = 1
		}
		for i := range f {
			f[i] = (1-w)*f[i] + w*fNew[i]
		}
		updateG(eps, w)
		plainPrev = w == 1
		res.Iterations++
	}
	res.W, res.Violation = roundedCost(cost, f, g, eps, n, m)
	res.W = math.Pow(res.W, 1/p)
	if !converged && !(res.Violation < tol) {
		return res, fmt.Errorf("sinkhorn: not converged: marginal violation %.3g after %d iterations at ε = %g, tolerance %g (raise MaxIterations or Epsilon)", res.Violation, res.Iterations, eps, tol)
	}
	return res, nil
}

// sinkhornAnneal is the factor by which ε shrinks per iteration during ε-scaling.
const sinkhornAnneal = 0.85

// sinkhornProbe is the period of the plain iterations that measure convergence while over-relaxing.
const sinkhornProbe = 10

// adaptOmega returns the over-relaxation factor for the next iterations and the violation history to
// keep (violations of plain plans only). With ω = 1 it waits for 40 violations and estimates the
// plain contraction rate ϑ from the last 20; with ω > 1 it halves ω − 1 whenever a probe's
// violation exceeds the previous probe's.
func adaptOmega(omega float64, hist []float64) (float64, []float64) {
	k := len(hist)
	if omega == 1 {
		if k < 40 {
			return omega, hist
		}
		rate := math.Pow(hist[k-1]/hist[k-21], 1.0/20)
		if !(rate < 1) {
			return 1, hist[k-20:]
		}
		return math.Min(2/(1+math.Sqrt(1-rate)), sinkhornMaxOmega), hist[k-1:]
	}
	if k < 2 {
		return omega, hist
	}
	if !(hist[k-1] < hist[k-2]) {
		omega = 1 + (omega-1)/2
		if omega < 1.05 {
			return 1, hist[k-1:]
		}
		return omega, hist[k-1:]
	}
	// Young's SOR theory: the over-relaxed rate λ and the plain rate ϑ obey
	// (λ + ω − 1)² = λ ω² ϑ; re-estimate ϑ from the rate λ seen between the last two probes.
	lambda := math.Pow(hist[k-1]/hist[k-2], 1.0/sinkhornProbe)
	rate := (lambda + omega - 1) * (lambda + omega - 1) / (lambda * omega * omega)
	if rate < 1 {
		omega = math.Min(2/(1+math.Sqrt(1-rate)), sinkhornMaxOmega)
	}
	return omega, hist[k-1:]
}

// sinkhornMaxOmega caps the over-relaxation factor (ω < 2 is needed for convergence).
const sinkhornMaxOmega = 1.95

// roundedCost returns ⟨π̃, C⟩ for the plan π_ij = e^{(f_i + g_j − C_ij)/ε}/(nm) rounded onto the
// uniform marginals (Altschuler, Weed & Rigollet 2017, Algorithm 2), and the L1 marginal violation
// of π itself. The plan is recomputed rather than stored.
func roundedCost(cost, f, g []float64, eps float64, n, m int) (total, violation float64) {
	a, b := 1/float64(n), 1/float64(m)
	logAB := -math.Log(float64(n)) - math.Log(float64(m))
	plan := func(i, j int) float64 { return math.Exp((f[i]+g[j]-cost[i*m+j])/eps + logAB) }
	rows, cols := make([]float64, n), make([]float64, m)
	for i := range n {
		for j := range m {
			v := plan(i, j)
			rows[i] += v
			cols[j] += v
		}
	}
	for _, r := range rows {
		violation += math.Abs(r - a)
	}
	for _, c := range cols {
		violation += math.Abs(c - b)
	}
	// Scale rows down to ≤ a, then columns down to ≤ b.
	x := make([]float64, n)
	for i, r := range rows {
		x[i] = math.Min(1, a/r)
	}
	clear(cols)
	for i := range n {
		for j := range m {
			cols[j] += x[i] * plan(i, j)
		}
	}
	y := make([]float64, m)
	for j, c := range cols {
		y[j] = math.Min(1, b/c)
	}
	// Cost of the scaled plan and its remaining deficits, which are then filled by the rank-one
	// plan errR errCᵀ / ‖errR‖₁.
	errR, errC := make([]float64, n), make([]float64, m)
	for j := range m {
		errC[j] = b
	}
	for i := range n {
		errR[i] = a
		for j := range m {
			v := x[i] * plan(i, j) * y[j]
			total += v * cost[i*m+j]
			errR[i] -= v
			errC[j] -= v
		}
	}
	mass := 0.0
	for i := range errR {
		errR[i] = math.Max(errR[i], 0)
		mass += errR[i]
	}
	if mass > 0 {
		for i := range n {
			if errR[i] == 0 {
				continue
			}
			for j := range m {
				total += errR[i] * math.Max(errC[j], 0) * cost[i*m+j] / mass
			}
		}
	}
	return total, violation
}

// logSumExp returns log Σ e^{x_i}, computed stably.
func logSumExp(x []float64) float64 {
	mx := math.Inf(-1)
	for _, v := range x {
		mx = math.Max(mx, v)
	}
	if math.IsInf(mx, -1) {
		return mx
	}
	s := 0.0
	for _, v := range x {
		s += math.Exp(v - mx)
	}
	return mx + math.Log(s)
}
