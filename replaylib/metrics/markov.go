package metrics

import (
	"fmt"

	"github.com/replaylab/replay/geom"
)

// MarkovResiduals is the result of MarkovResidualTest.
type MarkovResiduals struct {
	// Autocorrelation is the lag-1 autocorrelation of the drift residuals,
	// ρ_r = mean over pairs of r_t·r_{t+1} / mean over residuals of r_t·r_t (0 for a Markov process).
	Autocorrelation float64 `json:"autocorrelation"`
	// Beta is the least-squares coefficient of r_t on r_{t−1}: Σ r_t·r_{t−1} / Σ r_{t−1}·r_{t−1}.
	Beta float64 `json:"beta"`
	// Order2Gain = 1 − Σ‖r_t − β r_{t−1}‖² / Σ‖r_t‖² (0 … 1), the fraction of the residual variance
	// that the previous residual predicts: what an order-2 predictor gains over an order-1 one.
	Order2Gain float64 `json:"order2_gain"`
	// IncrementAutocorrelation is the raw lag-1 autocorrelation of the increments Δ_t over all steps,
	// for comparison: it is non-zero for any Markov process with a position-dependent drift.
	IncrementAutocorrelation float64 `json:"increment_autocorrelation"`
	// Residuals and Pairs are the numbers of residuals and of consecutive residual pairs used;
	// ExcludedFraction is the fraction of all steps left out because they start off the grid or in a
	// cell with fewer than minCount steps.
	Residuals        int     `json:"residuals"`
	Pairs            int     `json:"pairs"`
	ExcludedFraction float64 `json:"excluded_fraction"`
}

// MarkovResidualTest measures memory beyond the current position. With increments
// Δ_t = x_{t+1} − x_t and the drift field D̂(x) = mean of Δ_t over the steps starting in x's grid
// cell (estimated from traj itself), the residuals are r_t = Δ_t − D̂(x_t), centred by their mean.
// For a first-order Markov process x_{t+1} = x_t + g(x_t) + noise the residuals are the noise,
// uncorrelated in time, so ρ_r ≈ 0 and Order2Gain ≈ 0 even though the raw increments of, e.g., an
// Ornstein–Uhlenbeck process are anticorrelated. Momentum (x_{t+1} − x_t depending on x_t − x_{t−1})
// makes ρ_r > 0; other hidden state, such as adaptation, shows as ρ_r ≠ 0. All are
// dimensionless. Dot products are 2D (x and y together), as in IncrementAutocorrelation.
//
// Only steps starting in a grid cell with at least minCount steps have a residual; pairs need two
// consecutive residuals. Steps in sparse cells are left out rather than given the global mean drift:
// their residual would keep the local drift, whose anticorrelation with the previous step's noise is
// what makes raw increments of a Markov process look non-Markov (given the global mean instead, 5 %
// of such steps biased ρ_r of an OU process by −0.026). ExcludedFraction reports how much was left out.
//
// The non-Markov claims are judged on ρ_r and Order2Gain differing from 0 beyond their sampling
// spread (a bootstrap over chains), not on IncrementAutocorrelation. The drift estimate uses the
// same steps, which biases ρ_r by about −1/minCount times the fraction of consecutive steps in one
// cell, and a cell is not a point: the drift's change across a cell is left in the residual (for an
// OU process, cells of one stationary s.d. give ρ_r ≈ −0.013, cells of 0.2 s.d. |ρ_r| < 0.003). Use
// minCount of 30 or more and a cell small against the scale on which the drift changes.
//
// Errors: a nil grid, minCount < 1, no chains, a chain with fewer than 3 points, a non-finite point,
// no pair of consecutive steps in well-sampled cells, residuals that are all zero (increments
// exactly a function of position).
func MarkovResidualTest(traj [][]geom.Point, grid *geom.Grid, minCount int) (MarkovResiduals, error) {
	if grid == nil || grid.NX*grid.NY == 0 {
		return MarkovResiduals{}, fmt.Errorf("markov residuals: grid is nil or empty (make it with geom.NewGrid)")
	}
	if minCount < 1 {
		return MarkovResiduals{}, fmt.Errorf("markov residuals: minCount = %d, must be ≥ 1", minCount)
	}
	if err := checkTrajectories("traj", traj); err != nil {
		return MarkovResiduals{}, fmt.Errorf("markov residuals: %w", err)
	}
	for c, path := range traj {
		if len(path) < 3 {
			return MarkovResiduals{}, fmt.Errorf("markov residuals: traj[%d] has %d points, need ≥ 3 (two increments)", c, len(path))
		}
	}
	// Drift per cell.
	sum := make([]geom.Point, grid.NX*grid.NY)
	count := make([]int, grid.NX*grid.NY)
	steps := 0
	for _, path := range traj {
		for t := 0; t+1 < len(path); t++ {
			steps++
			if i := grid.Index(path[t]); i >= 0 {
				sum[i] = sum[i].Add(path[t+1].Sub(path[t]))
				count[i]++
			}
		}
	}
	// Residuals (valid where the step's cell is well sampled) and their mean.
	var res MarkovResiduals
	resid := make([][]geom.Point, len(traj))
	valid := make([][]bool, len(traj))
	var mean geom.Point
	for c, path := range traj {
		resid[c], valid[c] = make([]geom.Point, len(path)-1), make([]bool, len(path)-1)
		for t := range resid[c] {
			if i := grid.Index(path[t]); i >= 0 && count[i] >= minCount {
				resid[c][t] = path[t+1].Sub(path[t]).Sub(sum[i].Scale(1 / float64(count[i])))
				valid[c][t] = true
				mean = mean.Add(resid[c][t])
				res.Residuals++
			}
		}
	}
	res.ExcludedFraction = 1 - float64(res.Residuals)/float64(steps)
	if res.Residuals == 0 {
		return MarkovResiduals{}, fmt.Errorf("markov residuals: no grid cell has minCount = %d steps (use a larger cell or a smaller minCount)", minCount)
	}
	mean = mean.Scale(1 / float64(res.Residuals))
	dot := func(a, b geom.Point) float64 { return a.X*b.X + a.Y*b.Y }
	var all, lagged, prev, cur float64 // Σ r·r, and over pairs Σ r_t·r_{t−1}, Σ r_{t−1}·r_{t−1}, Σ r_t·r_t
	for c := range resid {
		r := resid[c]
		for t := range r {
			if !valid[c][t] {
				continue
			}
			r[t] = r[t].Sub(mean)
			all += dot(r[t], r[t])
			if t > 0 && valid[c][t-1] {
				lagged += dot(r[t], r[t-1])
				prev += dot(r[t-1], r[t-1])
				cur += dot(r[t], r[t])
				res.Pairs++
			}
		}
	}
	if res.Pairs == 0 {
		return MarkovResiduals{}, fmt.Errorf("markov residuals: no two consecutive steps start in cells with minCount = %d steps (use a larger cell or a smaller minCount)", minCount)
	}
	if !(all > 0 && prev > 0 && cur > 0) {
		return MarkovResiduals{}, fmt.Errorf("markov residuals: the residuals are all zero (the increments are exactly a function of position); the autocorrelation is undefined")
	}
	res.Autocorrelation = (lagged / float64(res.Pairs)) / (all / float64(res.Residuals))
	res.Beta = lagged / prev
	// Σ‖r_t − β r_{t−1}‖² = cur − 2β lagged + β² prev.
	res.Order2Gain = 1 - (cur-2*res.Beta*lagged+res.Beta*res.Beta*prev)/cur
	res.IncrementAutocorrelation = IncrementAutocorrelation(traj, 1)
	return res, nil
}
