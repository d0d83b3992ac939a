package metrics

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/replaylab/replay/datasets"
	"gonum.org/v1/gonum/stat"
)

func dist(a, b datasets.Point) float64 { return a.Sub(b).Norm() }

// Assignment solves the square assignment problem min_π Σ_i cost[i][π(i)] with the Hungarian
// algorithm (O(n³)) and returns π (π[i] is the column given to row i).
//
// cost must be n×n (n ≥ 1) with finite entries whose spread (max − min) is at most
// MaxFloat64/(4(n+1)), so that no potential overflows; otherwise it returns an error naming the
// offending entry (a NaN or ±Inf entry would make the algorithm loop forever). ctx is checked once
// per O(n) scan, so a cancelled solve returns ctx.Err() within milliseconds
// even for n in the thousands.
func Assignment(ctx context.Context, cost [][]float64) ([]int, error) {
	n := len(cost)
	if n == 0 {
		return nil, fmt.Errorf("assignment: cost is empty, need an n×n matrix with n ≥ 1")
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for i, row := range cost {
		if len(row) != n {
			return nil, fmt.Errorf("assignment: cost[%d] has %d entries, need %d (a square matrix)", i, len(row), n)
		}
		for j, c := range row {
			if !finite(c) {
				return nil, fmt.Errorf("assignment: cost[%d][%d] = %g, must be finite", i, j, c)
			}
			lo, hi = math.Min(lo, c), math.Max(hi, c)
		}
	}
	if !(hi-lo <= math.MaxFloat64/(4*float64(n+1))) {
		return nil, fmt.Errorf("assignment: cost spread max − min = %g, must be ≤ %g for n = %d (rescale the costs)", hi-lo, math.MaxFloat64/(4*float64(n+1)), n)
	}
	done := ctx.Done()
	// Potentials u (rows), v (columns); p[j] = row matched to column j (1-based, 0 = none).
	// Each row grows a tree of "used" columns; free holds the others in increasing order (the
	// order of the scan, so ties go to the lowest column) and usedCols the tree's columns.
	u := make([]float64, n+1)
	v := make([]float64, n+1)
	p := make([]int, n+1)
	way := make([]int, n+1)
	minv := make([]float64, n+1)
	free := make([]int, 0, n)
	usedCols := make([]int, 0, n+1)
	for i := 1; i <= n; i++ {
		p[0] = i
		j0 := 0
		free = free[:0]
		for j := 1; j <= n; j++ {
			free = append(free, j)
			minv[j] = math.Inf(1)
		}
		usedCols = append(usedCols[:0], 0)
		// lastDelta is the previous step's delta, still to be taken off minv of the free
		// columns: that subtraction is done in the next scan, in the same order as a separate
		// pass would do it, so the arithmetic is that of the textbook algorithm.
		lastDelta, pending := 0.0, false
		for {
			select {
			case <-done:
				return nil, fmt.Errorf("assignment: stopped at row %d of %d: %w", i, n, ctx.Err())
			default:
			}
			i0, delta, j1, k1 := p[j0], math.Inf(1), 0, -1
			row := cost[i0-1]
			ui0 := u[i0]
			for k, j := range free {
				m := minv[j]
				if pending {
					m -= lastDelta
				}
				if cur := row[j-1] - ui0 - v[j]; cur < m {
					m, way[j] = cur, j0
				}
				minv[j] = m
				if m < delta {
					delta, j1, k1 = m, j, k
				}
			}
			if j1 == 0 { // cannot happen with finite costs; never loop forever
				return nil, fmt.Errorf("assignment: no finite reduced cost at row %d (numerical overflow)", i)
			}
			for _, j := range usedCols {
				u[p[j]] += delta
				v[j] -= delta
			}
			lastDelta, pending = delta, true
			// j1 joins the tree; its own minv is not read again in this row.
			free = append(free[:k1], free[k1+1:]...)
			usedCols = append(usedCols, j1)
			j0 = j1
			if p[j0] == 0 {
				break
			}
		}
		for j0 != 0 {
			j1 := way[j0]
			p[j0] = p[j1]
			j0 = j1
		}
	}
	match := make([]int, n)
	for j := 1; j <= n; j++ {
		match[p[j]-1] = j - 1
	}
	return match, nil
}

// checkP returns an error unless p is a finite exponent ≥ 1.
func checkP(what string, p float64) error {
	if !(p >= 1) || math.IsInf(p, 1) {
		return fmt.Errorf("%s: p = %g, must be finite and ≥ 1", what, p)
	}
	return nil
}

// Wasserstein is the exact W_p distance (p ≥ 1) between two equal-size point sets, by optimal
// assignment: W_p = (min_π (1/n) Σ_i ‖a_i − b_π(i)‖^p)^{1/p}, in the units of the points. It is
// WassersteinContext without cancellation.
func Wasserstein(a, b []datasets.Point, p float64) (float64, error) {
	return WassersteinContext(context.Background(), a, b, p)
}

// WassersteinContext is Wasserstein that stops with ctx.Err() when ctx is cancelled. It returns an
// error for sets of unequal or zero size, p not finite or < 1, and non-finite coordinates.
func WassersteinContext(ctx context.Context, a, b []datasets.Point, p float64) (float64, error) {
	if len(a) != len(b) || len(a) == 0 {
		return 0, fmt.Errorf("wasserstein: sets of sizes %d and %d, want equal and non-empty (subsample first)", len(a), len(b))
	}
	if err := checkP("wasserstein", p); err != nil {
		return 0, err
	}
	if err := checkPoints("wasserstein: a", a); err != nil {
		return 0, err
	}
	if err := checkPoints("wasserstein: b", b); err != nil {
		return 0, err
	}
	cost := make([][]float64, len(a))
	for i := range a {
		cost[i] = make([]float64, len(b))
		for j := range b {
			cost[i][j] = math.Pow(dist(a[i], b[j]), p)
		}
	}
	match, err := Assignment(ctx, cost)
	if err != nil {
		return 0, fmt.Errorf("wasserstein: %w", err)
	}
	sum := 0.0
	for i, j := range match {
		sum += cost[i][j]
	}
	if w := math.Pow(sum/float64(len(a)), 1/p); finite(w) {
		return w, nil
	}
	return 0, fmt.Errorf("wasserstein: the costs add up beyond the float range (coordinates too large)")
}

// Subsample returns n points drawn without replacement from pts (all of them, shuffled, if n ≥ len;
// none if n ≤ 0).
func Subsample(pts []datasets.Point, n int, rng *rand.Rand) []datasets.Point {
	idx := rng.Perm(len(pts))
	n = max(min(n, len(pts)), 0)
	out := make([]datasets.Point, n)
	for i := range out {
		out[i] = pts[idx[i]]
	}
	return out
}

// SubsampledWasserstein averages the exact W_p over repeats pairs of equal-size subsamples of n
// points, one from a and one from b (mean and sample s.d. over repeats, in the units of the
// points; s.d. 0 for one repeat). Errors: n outside [1, min(len(a), len(b))], repeats < 1, a nil
// rng, p not finite or < 1, non-finite points.
func SubsampledWasserstein(a, b []datasets.Point, p float64, n, repeats int, rng *rand.Rand) (mean, sd float64, err error) {
	return SubsampledWassersteinContext(context.Background(), a, b, p, n, repeats, rng)
}

// SubsampledWassersteinContext is SubsampledWasserstein stopped by ctx: each exact solve checks it
// once per O(n) scan, so a cancelled estimate returns ctx.Err() within milliseconds.
func SubsampledWassersteinContext(ctx context.Context, a, b []datasets.Point, p float64, n, repeats int, rng *rand.Rand) (mean, sd float64, err error) {
	if err := checkSubsampling("subsampled wasserstein", "a", "b", a, b, p, n, repeats, rng); err != nil {
		return 0, 0, err
	}
	return subsampledWasserstein(ctx, a, b, p, n, repeats, rng)
}

// checkSubsampling validates the arguments of the subsampled estimators.
func checkSubsampling(what, aName, bName string, a, b []datasets.Point, p float64, n, repeats int, rng *rand.Rand) error {
	if n > len(a) || n > len(b) || n < 1 {
		return fmt.Errorf("%s: n = %d, must be in [1, %d] for sets of %d and %d points", what, n, min(len(a), len(b)), len(a), len(b))
	}
	if repeats < 1 {
		return fmt.Errorf("%s: repeats = %d, must be ≥ 1", what, repeats)
	}
	if rng == nil {
		return fmt.Errorf("%s: rng is nil", what)
	}
	if err := checkP(what, p); err != nil {
		return err
	}
	if err := checkPoints(what+": "+aName, a); err != nil {
		return err
	}
	return checkPoints(what+": "+bName, b)
}

func subsampledWasserstein(ctx context.Context, a, b []datasets.Point, p float64, n, repeats int, rng *rand.Rand) (mean, sd float64, err error) {
	vals := make([]float64, repeats)
	for r := range vals {
		if vals[r], err = WassersteinContext(ctx, Subsample(a, n, rng), Subsample(b, n, rng), p); err != nil {
			return 0, 0, err
		}
	}
	mean, sd = meanSD(vals)
	return mean, sd, nil
}

// meanSD is the sample mean and the standard deviation with Bessel's correction (0 for one value).
func meanSD(x []float64) (mean, sd float64) {
	if len(x) < 2 {
		return stat.Mean(x, nil), 0
	}
	return stat.MeanStdDev(x, nil)
}

// SlicedWasserstein estimates SW_p = (mean over directions θ of W_p(θ·a, θ·b)^p)^{1/p} between two
// equal-size sets of D-dimensional points (rows, all of length D), from `projections` random unit
// directions drawn from rng: for each, the 1D W_p of the sorted projections. It returns an error
// for unequal or empty sets, rows of different lengths, non-finite coordinates, p < 1 or projections < 1.
func SlicedWasserstein(a, b [][]float64, p float64, projections int, rng *rand.Rand) (float64, error) {
	if len(a) != len(b) || len(a) == 0 || projections < 1 {
		return 0, fmt.Errorf("sliced wasserstein: sizes %d and %d, projections=%d: need equal non-empty sets and ≥ 1 projection", len(a), len(b), projections)
	}
	if !(p >= 1) || math.IsInf(p, 1) {
		return 0, fmt.Errorf("sliced wasserstein: p = %g, must be a finite number ≥ 1", p)
	}
	d := len(a[0])
	for _, set := range [][][]float64{a, b} {
		for i, row := range set {
			if len(row) != d || d == 0 {
				return 0, fmt.Errorf("sliced wasserstein: row %d has %d coordinates, want %d (all rows of equal non-zero length)", i, len(row), d)
			}
			for _, v := range row {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					return 0, fmt.Errorf("sliced wasserstein: row %d has a non-finite coordinate %g", i, v)
				}
			}
		}
	}
	theta := make([]float64, d)
	pa, pb := make([]float64, len(a)), make([]float64, len(b))
	total := 0.0
	for range projections {
		norm := 0.0
		for k := range theta {
			theta[k] = rng.NormFloat64()
			norm += theta[k] * theta[k]
		}
		norm = math.Sqrt(norm)
		project := func(pts [][]float64, out []float64) {
			for i, x := range pts {
				s := 0.0
				for k, v := range x {
					s += v * theta[k]
				}
				out[i] = s / norm
			}
			sortFloats(out)
		}
		project(a, pa)
		project(b, pb)
		for i := range pa {
			total += math.Pow(math.Abs(pa[i]-pb[i]), p)
		}
	}
	return math.Pow(total/float64(projections*len(a)), 1/p), nil
}
