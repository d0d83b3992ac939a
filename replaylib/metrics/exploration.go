package metrics

import (
	"fmt"
	"maps"
	"math"
	"slices"

	"github.com/replaylab/replay/geom"
)

// ChainExploration holds, for each chain, how much of the environment it explored on a Grid. Only
// the grid's inside cells (centre inside the environment) count; InsideFraction says how much of
// each chain that leaves out.
type ChainExploration struct {
	// Coverage is the fraction of inside cells the chain visited at least once (0 … 1).
	Coverage []float64
	// Entropy is H = −Σ_k p_k log p_k in nats, p_k the fraction of the chain's inside-cell points in
	// inside cell k: 0 for a chain that stays in one cell (or has no point in an inside cell), log N
	// for one that spreads evenly over all N inside cells.
	Entropy []float64
	// NormalisedEntropy is H / log N (0 … 1), N = the grid's number of inside cells.
	NormalisedEntropy []float64
	// InsideFraction is the fraction of the chain's points that fall in inside cells.
	InsideFraction []float64
}

// ExplorationPerChain measures each chain's exploration on the grid: coverage, occupancy entropy
// and the fraction of its points the two measures see (see ChainExploration).
//
// The adaptation claim (more exploration) predicts larger per-chain Coverage and Entropy than
// without adaptation; judge it by a bootstrap over chains. Unlike Coverage of pooled points,
// these do not grow just because there are more chains. Errors: a nil grid or one with fewer than 2
// inside cells (log N = 0), no chains, a non-finite point.
func ExplorationPerChain(g *geom.Grid, traj [][]geom.Point) (ChainExploration, error) {
	if g == nil || g.NumInside < 2 {
		return ChainExploration{}, fmt.Errorf("exploration: grid has %d inside cells, need ≥ 2 (make it with geom.NewGrid and a smaller cell)", insideCells(g))
	}
	if err := checkTrajectories("traj", traj); err != nil {
		return ChainExploration{}, fmt.Errorf("exploration: %w", err)
	}
	n := len(traj)
	e := ChainExploration{Coverage: make([]float64, n), Entropy: make([]float64, n), NormalisedEntropy: make([]float64, n), InsideFraction: make([]float64, n)}
	logN := math.Log(float64(g.NumInside))
	for c, path := range traj {
		counts := make(map[int]float64)
		inside := 0.0
		for _, p := range path {
			if i := g.Index(p); g.Inside(i) {
				counts[i]++
				inside++
			}
		}
		// Summed in cell order: a map's random order changed the last digits between runs.
		cells := slices.Sorted(maps.Keys(counts))
		h := 0.0
		for _, i := range cells {
			q := counts[i] / inside
			h -= q * math.Log(q)
		}
		e.Coverage[c] = float64(len(counts)) / float64(g.NumInside)
		e.Entropy[c], e.NormalisedEntropy[c] = h, h/logN
		e.InsideFraction[c] = inside / float64(max(len(path), 1))
	}
	return e, nil
}

// OccupancyTV is the total-variation distance between the grid occupancies of replay and train,
//
//	TV = ½ Σ_k |p_k − q_k|   (0 … 1: 0 for identical occupancy, 1 for disjoint),
//
// over the bins k = each inside cell, plus one "outside" bin for every point that is off the grid
// or in a cell whose centre is outside the environment (so replay that leaves the environment is
// penalised rather than ignored). p and q are fractions of each set's points.
//
// The leak claim (replay closer to the data) predicts a smaller TV with leak than without; compare
// with the TV between two independent training samples of the same size, its finite-sample floor.
func OccupancyTV(g *geom.Grid, replay, train []geom.Point) (float64, error) {
	if g == nil || g.NumInside < 1 {
		return 0, fmt.Errorf("occupancy TV: grid has %d inside cells, need ≥ 1 (make it with geom.NewGrid)", insideCells(g))
	}
	if len(replay) == 0 || len(train) == 0 {
		return 0, fmt.Errorf("occupancy TV: %d replay and %d training points, need both non-empty", len(replay), len(train))
	}
	if err := checkPoints("occupancy TV: replay", replay); err != nil {
		return 0, err
	}
	if err := checkPoints("occupancy TV: train", train); err != nil {
		return 0, err
	}
	outside := g.NX * g.NY // bin index of the outside bin
	hist := func(pts []geom.Point) []float64 {
		h := make([]float64, outside+1)
		for _, p := range pts {
			if i := g.Index(p); g.Inside(i) {
				h[i]++
			} else {
				h[outside]++
			}
		}
		for k := range h {
			h[k] /= float64(len(pts))
		}
		return h
	}
	p, q := hist(replay), hist(train)
	tv := 0.0
	for k := range p {
		tv += math.Abs(p[k] - q[k])
	}
	return tv / 2, nil
}

// insideCells is g.NumInside, 0 for a nil grid.
func insideCells(g *geom.Grid) int {
	if g == nil {
		return 0
	}
	return g.NumInside
}
