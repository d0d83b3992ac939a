package metrics

import (
	"fmt"
	"math"
	"slices"

	"github.com/replaylab/replay/geom"
)

// HoldLags are the lags (steps) at which the hold test measures the drift of noiseless replay.
var HoldLags = []int{50, 200, 1000}

// HoldOptions sets how the hold test finds where noiseless chains come to rest.
type HoldOptions struct {
	// SettleWindow is the number of final steps over which a settled chain moves less than
	// SettleTolerance (distance between its positions SettleWindow steps apart).
	SettleWindow int
	// SettleTolerance is that largest movement, in environment units.
	SettleTolerance float64
	// MergeRadius joins the end points of settled chains closer than it into one fixed point.
	MergeRadius float64
}

// DefaultHoldOptions scales the tolerances to an environment of the given size: a chain has
// settled when it moved less than 0.1 % of the size in its last 100 steps, and end points within
// 5 % of the size are one fixed point.
func DefaultHoldOptions(size float64) HoldOptions {
	return HoldOptions{SettleWindow: 100, SettleTolerance: 1e-3 * size, MergeRadius: 0.05 * size}
}

// FixedPoint is a place where noiseless replay comes to rest, and how many chains rest there.
type FixedPoint struct {
	At     geom.Point `json:"at"`
	Chains int        `json:"chains"`
}

// Hold is the result of the hold test: noiseless replay at zero input, from states along the
// track, asked whether the network holds its position.
type Hold struct {
	Lags  []int     `json:"lags"`  // steps
	Drift []float64 `json:"drift"` // mean over chains of |x_lag − x_0| at each lag (u)
	// Settled is the fraction of chains that came to rest (HoldOptions) by the last step.
	Settled float64 `json:"settled"`
	// FixedPoints are the distinct places where settled chains rest, most chains first.
	FixedPoints []FixedPoint `json:"fixed_points"`
}

// HoldTest measures noiseless zero-input replay traj[chain][t] (t = 0 the decoded start): the
// drift D(L) = mean_c |x_c(L) − x_c(0)| at every lag of lags, and the fixed points the chains come to
// rest at. A network that holds its position has D ≈ 0 at every lag (every start a fixed point of
// a continuous attractor); one that falls into a few discrete attractors has D growing to the
// distance between a start and its attractor, and few fixed points. Chains that have not come to
// rest (a limit cycle, slow drift) are counted in 1 − Settled and have no fixed point. Merging is
// greedy: each settled end point, in chain order, joins the first fixed point within MergeRadius of
// that fixed point's first member, or starts a new one; a fixed point's position is the mean of its
// members. Errors: no chains, chains shorter than the largest lag + 1 or than SettleWindow + 1,
// non-finite positions, options out of range.
func HoldTest(traj [][]geom.Point, lags []int, opt HoldOptions) (Hold, error) {
	if len(traj) == 0 {
		return Hold{}, fmt.Errorf("hold test: no chains")
	}
	if opt.SettleWindow < 1 || !(opt.SettleTolerance > 0) || !(opt.MergeRadius > 0) {
		return Hold{}, fmt.Errorf("hold test: options %+v: settle window must be ≥ 1, tolerance and merge radius > 0", opt)
	}
	need := opt.SettleWindow
	for _, l := range lags {
		if l < 1 {
			return Hold{}, fmt.Errorf("hold test: lag %d, must be ≥ 1", l)
		}
		need = max(need, l)
	}
	for c, path := range traj {
		if len(path) < need+1 {
			return Hold{}, fmt.Errorf("hold test: chain %d has %d positions, need %d (the largest lag or settle window + 1)", c, len(path), need+1)
		}
		for t, p := range path {
			if !finite(p.X) || !finite(p.Y) {
				return Hold{}, fmt.Errorf("hold test: chain %d, step %d: position (%g, %g) is not finite", c, t, p.X, p.Y)
			}
		}
	}
	h := Hold{Lags: slices.Clone(lags), Drift: make([]float64, len(lags))}
	for i, l := range lags {
		for _, path := range traj {
			h.Drift[i] += path[l].Sub(path[0]).Norm()
		}
		h.Drift[i] /= float64(len(traj))
	}
	type cluster struct {
		first, sum geom.Point
		n          int
	}
	var clusters []cluster
	settled := 0
	for _, path := range traj {
		end := path[len(path)-1]
		if end.Sub(path[len(path)-1-opt.SettleWindow]).Norm() >= opt.SettleTolerance {
			continue
		}
		settled++
		joined := false
		for k := range clusters {
			if end.Sub(clusters[k].first).Norm() < opt.MergeRadius {
				clusters[k].sum = clusters[k].sum.Add(end)
				clusters[k].n++
				joined = true
				break
			}
		}
		if !joined {
			clusters = append(clusters, cluster{first: end, sum: end, n: 1})
		}
	}
	h.Settled = float64(settled) / float64(len(traj))
	for _, c := range clusters {
		h.FixedPoints = append(h.FixedPoints, FixedPoint{At: c.sum.Scale(1 / float64(c.n)), Chains: c.n})
	}
	slices.SortStableFunc(h.FixedPoints, func(a, b FixedPoint) int { return b.Chains - a.Chains })
	return h, nil
}

// DriftAt returns the drift at lag l, NaN if l is not one of h.Lags.
func (h Hold) DriftAt(l int) float64 {
	if i := slices.Index(h.Lags, l); i >= 0 {
		return h.Drift[i]
	}
	return math.NaN()
}
