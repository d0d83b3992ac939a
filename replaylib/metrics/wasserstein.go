package metrics

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/replaylab/replay/geom"
	"gonum.org/v1/gonum/stat"
)

func dist(a, b geom.Point) float64 { return a.Sub(b).Norm() }

// Assignment solves the square assignment problem min_π Σ_i cost[i][π(i)] exactly and returns π
// (π[i] is the column given to row i), by Jonker and Volgenant's algorithm (LAPJV: column
// reduction, reduction transfer, two passes of augmenting row reduction, then a shortest augmenting
// path for each row still free; O(n³) at worst, far less on the point sets of W1). Where the
// optimum is unique it is the Hungarian algorithm's matching; among tied optima it may pick another
// one of the same cost.
//
// cost must be n×n (n ≥ 1) with finite entries whose spread (max − min) is at most
// MaxFloat64/(4(n+1)), so that no dual value overflows; otherwise it returns an error naming the
// offending entry. ctx is checked once per O(n) scan, so a cancelled solve returns ctx.Err() within
// milliseconds even for n in the thousands.
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
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("assignment: not started: %w", err)
	}
	a := newLAPJV(cost)
	free, err := a.reduce(ctx)
	if err != nil {
		return nil, err
	}
	if err := a.augment(ctx, free); err != nil {
		return nil, err
	}
	return a.rowSol, nil
}

// lapjv is the state of Jonker and Volgenant's algorithm: the column duals v (a row's dual is
// implicit: the least reduced cost c[i][j] − v[j] of its row, attained at its own column once
// assigned) and the partial assignment both ways (−1: none).
type lapjv struct {
	cost   [][]float64
	n      int
	v      []float64
	rowSol []int // column of each row
	colSol []int // row of each column
}

func newLAPJV(cost [][]float64) *lapjv {
	n := len(cost)
	a := &lapjv{cost: cost, n: n, v: make([]float64, n), rowSol: make([]int, n), colSol: make([]int, n)}
	for i := range a.rowSol {
		a.rowSol[i], a.colSol[i] = -1, -1
	}
	return a
}

// reduce runs the three initial phases and returns the rows left free.
func (a *lapjv) reduce(ctx context.Context) ([]int, error) {
	done := ctx.Done()
	n, c, v := a.n, a.cost, a.v
	// Column reduction, last column first: v[j] is the column's minimum, and its row takes the
	// column if it has none yet, or if it is cheaper (by v) than the one it has.
	matches := make([]int, n)
	for j := n - 1; j >= 0; j-- {
		imin := 0
		for i := 1; i < n; i++ {
			if c[i][j] < c[imin][j] {
				imin = i
			}
		}
		v[j] = c[imin][j]
		matches[imin]++
		switch {
		case matches[imin] == 1:
			a.rowSol[imin], a.colSol[j] = j, imin
		case v[j] < v[a.rowSol[imin]]:
			a.colSol[a.rowSol[imin]] = -1
			a.rowSol[imin], a.colSol[j] = j, imin
		}
	}
	// Reduction transfer: a row that won a single column passes its slack to that column's dual.
	var free []int
	for i := range n {
		switch matches[i] {
		case 0:
			free = append(free, i)
		case 1:
			j1, m := a.rowSol[i], math.Inf(1)
			for j, cij := range c[i] {
				if j != j1 && cij-v[j] < m {
					m = cij - v[j]
				}
			}
			if n > 1 {
				v[j1] -= m
			}
		}
	}
	// Augmenting row reduction, twice over the free rows: a free row takes its cheapest column,
	// lowering that column's dual to the row's second least reduced cost, and the row it displaces
	// goes on at once (if the dual fell) or waits for the next pass. The steps are bounded (arrSteps):
	// rows still free go to the shortest-path phase, which needs none of this.
	for range 2 {
		k, prev := 0, len(free)
		next := free[:0:0]
		for steps := 0; k < prev; steps++ {
			i := free[k]
			k++
			if steps > arrSteps*n {
				next = append(next, i)
				continue
			}
			select {
			case <-done:
				return nil, fmt.Errorf("assignment: stopped in the row reduction: %w", ctx.Err())
			default:
			}
			row := c[i]
			umin, usub, j1, j2 := row[0]-v[0], math.Inf(1), 0, -1
			for j := 1; j < n; j++ {
				h := row[j] - v[j]
				if h < usub {
					if h >= umin {
						usub, j2 = h, j
					} else {
						usub, umin, j2, j1 = umin, h, j1, j
					}
				}
			}
			i0 := a.colSol[j1]
			if umin < usub {
				v[j1] -= usub - umin
			} else if i0 >= 0 && j2 >= 0 {
				j1, i0 = j2, a.colSol[j2]
			}
			a.rowSol[i], a.colSol[j1] = j1, i
			if i0 >= 0 {
				a.rowSol[i0] = -1
				if umin < usub {
					k--
					free[k] = i0
				} else {
					next = append(next, i0)
				}
			}
		}
		free = next
	}
	return free, nil
}

// arrSteps bounds a pass of the augmenting row reduction to arrSteps·n row moves. Near-ties can
// make a pass move rows back and forth many times while lowering the duals by tiny amounts; the
// rows it leaves free are settled by the shortest augmenting paths instead. (Measured on 400
// points, blob against ring and two Gaussian clouds: bounds of 0 to 8 moves per row change the
// time by less than 25 %; unbounded, 2,000 points took minutes.)
const arrSteps = 2

// augment gives each free row a column by a shortest augmenting path (Dijkstra on reduced costs),
// updating the duals of the columns it settled.
func (a *lapjv) augment(ctx context.Context, free []int) error {
	n, c, v := a.n, a.cost, a.v
	done := ctx.Done()
	d := make([]float64, n)
	pred := make([]int, n)
	cols := make([]int, n)
	for f, freeRow := range free {
		row := c[freeRow]
		for j := range n {
			d[j], pred[j], cols[j] = row[j]-v[j], freeRow, j
		}
		// cols[:low] are settled, cols[low:up] are at the current minimum, cols[up:] are the rest.
		low, up, last, end := 0, 0, 0, -1
		var minD float64
		for end < 0 {
			select {
			case <-done:
				return fmt.Errorf("assignment: stopped at free row %d of %d: %w", f+1, len(free), ctx.Err())
			default:
			}
			if up == low {
				last = low - 1
				minD = d[cols[up]]
				up++
				for k := up; k < n; k++ {
					j := cols[k]
					if h := d[j]; h <= minD {
						if h < minD {
							up, minD = low, h
						}
						cols[k], cols[up] = cols[up], j
						up++
					}
				}
				for k := low; k < up; k++ {
					if a.colSol[cols[k]] < 0 {
						end = cols[k]
						break
					}
				}
				if end >= 0 {
					break
				}
			}
			j1 := cols[low]
			low++
			i := a.colSol[j1]
			ri := c[i]
			h := ri[j1] - v[j1] - minD
			for k := up; k < n; k++ {
				j := cols[k]
				if v2 := ri[j] - v[j] - h; v2 < d[j] {
					pred[j], d[j] = i, v2
					if v2 == minD {
						if a.colSol[j] < 0 {
							end = j
							break
						}
						cols[k], cols[up] = cols[up], j
						up++
					}
				}
			}
		}
		for k := 0; k <= last; k++ {
			j := cols[k]
			v[j] += d[j] - minD
		}
		for {
			i := pred[end]
			a.colSol[end] = i
			j := end
			end, a.rowSol[i] = a.rowSol[i], j
			if i == freeRow {
				break
			}
		}
	}
	return nil
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
func Wasserstein(a, b []geom.Point, p float64) (float64, error) {
	return WassersteinContext(context.Background(), a, b, p)
}

// WassersteinContext is Wasserstein that stops with ctx.Err() when ctx is cancelled. It returns an
// error for sets of unequal or zero size, p not finite or < 1, and non-finite coordinates.
func WassersteinContext(ctx context.Context, a, b []geom.Point, p float64) (float64, error) {
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
func Subsample(pts []geom.Point, n int, rng *rand.Rand) []geom.Point {
	idx := rng.Perm(len(pts))
	n = max(min(n, len(pts)), 0)
	out := make([]geom.Point, n)
	for i := range out {
		out[i] = pts[idx[i]]
	}
	return out
}

// SubsampledWasserstein averages the exact W_p over repeats pairs of equal-size subsamples of n
// points, one from a and one from b (mean and sample s.d. over repeats, in the units of the
// points; s.d. 0 for one repeat). Errors: n outside [1, min(len(a), len(b))], repeats < 1, a nil
// rng, p not finite or < 1, non-finite points.
func SubsampledWasserstein(a, b []geom.Point, p float64, n, repeats int, rng *rand.Rand) (mean, sd float64, err error) {
	return SubsampledWassersteinContext(context.Background(), a, b, p, n, repeats, rng)
}

// SubsampledWassersteinContext is SubsampledWasserstein stopped by ctx: each exact solve checks it
// once per O(n) scan, so a cancelled estimate returns ctx.Err() within milliseconds.
func SubsampledWassersteinContext(ctx context.Context, a, b []geom.Point, p float64, n, repeats int, rng *rand.Rand) (mean, sd float64, err error) {
	if err := checkSubsampling("subsampled wasserstein", "a", "b", a, b, p, n, repeats, rng); err != nil {
		return 0, 0, err
	}
	return subsampledWasserstein(ctx, a, b, p, n, repeats, rng)
}

// checkSubsampling validates the arguments of the subsampled estimators.
func checkSubsampling(what, aName, bName string, a, b []geom.Point, p float64, n, repeats int, rng *rand.Rand) error {
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

func subsampledWasserstein(ctx context.Context, a, b []geom.Point, p float64, n, repeats int, rng *rand.Rand) (mean, sd float64, err error) {
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
