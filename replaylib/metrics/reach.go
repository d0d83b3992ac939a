package metrics

import (
	"fmt"
	"math"

	"github.com/replaylab/replay/geom"
)

// ReachSummary summarises first-passage times of chains into their target regions.
type ReachSummary struct {
	// Median over all chains, a chain that never reached counting as +Inf (censored): +Inf when
	// half or more never reached.
	Median        float64 `json:"median"`
	MedianReached float64 `json:"median_reached"` // median over chains that reached (NaN if none did)
	// RestrictedMean is the mean over chains of min(τ_c, T_c), T_c = len(traj[c]) − 1 the chain's
	// number of steps: finite and comparable between settings even when most chains never reach
	// (where the median is +Inf).
	RestrictedMean float64 `json:"restricted_mean"`
	Mean           float64 `json:"mean"`           // mean over chains that reached (NaN if none did)
	FractionNever  float64 `json:"fraction_never"` // chains that never entered their targets
	Times          []int   `json:"-"`              // per chain τ_c, −1 for never
	Reached        []bool  `json:"-"`              // per chain, whether it reached its targets
}

// ReachTimesPerChain returns, for each chain c, the first-passage time
//
//	τ_c = min{t ≥ 1 : x_t ∈ ∪_{r ∈ targets[c]} env.Regions[r]}   (steps; −1 and Reached false if none)
//
// and their summary. Each chain has its own targets (indices into env.Regions), so "the other arm"
// can depend on where the chain started. t = 0 is not counted: a chain that starts inside its target
// has to be there again at a later step.
//
// A speed claim judged by reach time (momentum: faster; adaptation: slower) compares RestrictedMean
// (steps) and FractionNever between settings, with a bootstrap over chains on Times and Reached.
// Errors: nil env, len(targets) ≠ len(traj), a chain with fewer than 2 points, an empty target
// list, a region index outside [0, len(env.Regions)), a non-finite point.
func ReachTimesPerChain(traj [][]geom.Point, env *geom.Environment, targets [][]int) (ReachSummary, error) {
	if env == nil {
		return ReachSummary{}, fmt.Errorf("reach times: env is nil")
	}
	if err := checkTrajectories("traj", traj); err != nil {
		return ReachSummary{}, fmt.Errorf("reach times: %w", err)
	}
	if len(targets) != len(traj) {
		return ReachSummary{}, fmt.Errorf("reach times: %d target lists for %d chains, need one per chain", len(targets), len(traj))
	}
	for c, regions := range targets {
		if len(regions) == 0 {
			return ReachSummary{}, fmt.Errorf("reach times: targets[%d] is empty, need at least one region", c)
		}
		for k, r := range regions {
			if r < 0 || r >= len(env.Regions) {
				return ReachSummary{}, fmt.Errorf("reach times: targets[%d][%d] = %d, must be a region index in [0, %d)", c, k, r, len(env.Regions))
			}
		}
		if len(traj[c]) < 2 {
			return ReachSummary{}, fmt.Errorf("reach times: traj[%d] has %d points, need ≥ 2", c, len(traj[c]))
		}
	}
	s := ReachSummary{Times: make([]int, len(traj)), Reached: make([]bool, len(traj)), Mean: math.NaN()}
	censored := make([]float64, len(traj))
	var reached []float64
	restricted := 0.0
	for c, path := range traj {
		s.Times[c], censored[c] = -1, math.Inf(1)
	steps:
		for t := 1; t < len(path); t++ {
			for _, r := range targets[c] {
				if env.Regions[r].Area.Contains(path[t]) {
					s.Times[c], s.Reached[c], censored[c] = t, true, float64(t)
					reached = append(reached, float64(t))
					break steps
				}
			}
		}
		restricted += math.Min(censored[c], float64(len(path)-1))
	}
	s.Median, s.MedianReached = median(censored), median(reached)
	if len(reached) > 0 {
		s.Mean, _ = meanSD(reached)
	}
	s.FractionNever = 1 - float64(len(reached))/float64(len(traj))
	s.RestrictedMean = restricted / float64(len(traj))
	return s, nil
}

// ReachTimes is ReachTimesPerChain with the same target regions (indices into env.Regions) for
// every chain. It has no error result: on input ReachTimesPerChain refuses, it returns a summary
// whose numbers are all NaN and whose Times is nil; call ReachTimesPerChain to see why.
func ReachTimes(traj [][]geom.Point, env *geom.Environment, regions ...int) ReachSummary {
	targets := make([][]int, len(traj))
	for c := range targets {
		targets[c] = regions
	}
	s, err := ReachTimesPerChain(traj, env, targets)
	if err != nil {
		nan := math.NaN()
		return ReachSummary{Median: nan, MedianReached: nan, RestrictedMean: nan, Mean: nan, FractionNever: nan}
	}
	return s
}
