package metrics

import (
	"fmt"
	"math"

	"github.com/replaylab/replay/geom"
)

// TrackDistance is the distance between two positions measured along the environment's track: the
// geodesic distance along the centreline skeleton between the projections of a and b onto it, in
// environment units. It must return a finite value ≥ 0. A nil TrackDistance means the Euclidean
// distance ‖a − b‖.
type TrackDistance func(a, b geom.Point) float64

// ProgressPerStep is the mean distance covered along the track per step,
//
//	v = ⟨d(x_t, x_{t+1})⟩ over all chains and steps   (environment units per step),
//
// with d the TrackDistance (Euclidean when nil). Projecting onto the track removes the jitter across
// it that inflates PathLengthPerStep; back-and-forth jitter along the track still counts, which
// NetDisplacement at a macroscopic lag does not. It is NetDisplacement at lag 1.
//
// Speed claims compare v between settings (momentum: faster, larger v; adaptation: slower, smaller
// v) and against the active paths; judge a difference with a bootstrap over chains on
// ProgressPerStepPerChain.
func ProgressPerStep(traj [][]geom.Point, d TrackDistance) (float64, error) {
	return NetDisplacement(traj, d, 1)
}

// ProgressPerStepPerChain is ProgressPerStep for each chain on its own (one value per chain, for a
// bootstrap over chains).
func ProgressPerStepPerChain(traj [][]geom.Point, d TrackDistance) ([]float64, error) {
	return NetDisplacementPerChain(traj, d, 1)
}

// NetDisplacement is the mean distance along the track between positions lag steps apart,
//
//	D(L) = ⟨d(x_t, x_{t+L})⟩ over all chains and t = 0 … T_c − L   (environment units),
//
// pooled over all (chain, t) pairs (so longer chains weigh more; with equal lengths it is the mean of
// NetDisplacementPerChain). Diffusive jitter adds only ~√L to it while directed motion adds ~L, so at
// a macroscopic L (many steps, a sizeable fraction of the track) D(L) measures how far replay
// actually travels. Temporal compression: D_replay(L) / D_active(L) > 1 at the same L means replay
// covers in L steps what behaviour covers in more (the momentum claim). Every chain needs at least
// lag + 1 points.
func NetDisplacement(traj [][]geom.Point, d TrackDistance, lag int) (float64, error) {
	sums, counts, err := lagDistances(traj, d, lag)
	if err != nil {
		return 0, err
	}
	s, n := 0.0, 0
	for c := range sums {
		s += sums[c]
		n += counts[c]
	}
	if math.IsInf(s, 0) {
		return 0, errOverflow
	}
	return s / float64(n), nil
}

// errOverflow: distances between points near ±MaxFloat64 add up beyond the float range.
var errOverflow = fmt.Errorf("net displacement: the distances add up beyond the float range (coordinates too large)")

// NetDisplacementPerChain is NetDisplacement for each chain on its own: (1/(T_c − L + 1))
// Σ_t d(x_t, x_{t+L}), one value per chain.
func NetDisplacementPerChain(traj [][]geom.Point, d TrackDistance, lag int) ([]float64, error) {
	return perChainMeans(lagDistances(traj, d, lag))
}

// perChainMeans divides each chain's sum by its number of terms (lagSums' results).
func perChainMeans(sums []float64, counts []int, err error) ([]float64, error) {
	if err != nil {
		return nil, err
	}
	for c := range sums {
		sums[c] /= float64(counts[c])
	}
	return sums, nil
}

// NetDisplacements evaluates NetDisplacement at each of lags (e.g. LogLags(T/2, 8)).
func NetDisplacements(traj [][]geom.Point, d TrackDistance, lags []int) ([]float64, error) {
	if len(lags) == 0 {
		return nil, fmt.Errorf("net displacements: lags is empty, need at least one lag ≥ 1")
	}
	out := make([]float64, len(lags))
	for k, lag := range lags {
		v, err := NetDisplacement(traj, d, lag)
		if err != nil {
			return nil, fmt.Errorf("lags[%d]: %w", k, err)
		}
		out[k] = v
	}
	return out, nil
}

// ProgressAlongPerChain is ProgressPerStepPerChain for trajectories already projected on the
// track's skeleton (one geom.SkeletonPoint per position, geom.Environment.Project) with geodesic the
// distance between them (geom.Environment.Geodesic): the same numbers as ProgressPerStepPerChain
// with the TrackDistance that projects both points, with each position projected once instead of
// once per distance it enters.
func ProgressAlongPerChain(track [][]geom.SkeletonPoint, geodesic func(a, b geom.SkeletonPoint) float64) ([]float64, error) {
	return NetDisplacementAlongPerChain(track, geodesic, 1)
}

// NetDisplacementAlongPerChain is NetDisplacementPerChain for trajectories already projected on the
// track's skeleton, as ProgressAlongPerChain.
func NetDisplacementAlongPerChain(track [][]geom.SkeletonPoint, geodesic func(a, b geom.SkeletonPoint) float64, lag int) ([]float64, error) {
	for c, path := range track {
		for t, sp := range path {
			if sp.Segment < 0 || math.IsNaN(sp.S) || math.IsInf(sp.S, 0) {
				return nil, fmt.Errorf("net displacement: track[%d][%d] = %+v is not a point of the skeleton", c, t, sp)
			}
		}
	}
	return perChainMeans(lagSums(track, geodesic, lag))
}

// lagDistances returns, per chain, Σ_t d(x_t, x_{t+lag}) and the number of terms.
func lagDistances(traj [][]geom.Point, d TrackDistance, lag int) (sums []float64, counts []int, err error) {
	if lag < 1 {
		return nil, nil, fmt.Errorf("net displacement: lag = %d, must be ≥ 1", lag)
	}
	if err := checkTrajectories("traj", traj); err != nil {
		return nil, nil, err
	}
	if d == nil {
		d = func(a, b geom.Point) float64 { return a.Sub(b).Norm() }
	}
	return lagSums(traj, d, lag)
}

// lagSums returns, per chain, Σ_t d(x_t, x_{t+lag}) and the number of terms, for positions of any
// kind (points, or points projected on a track).
func lagSums[P any](traj [][]P, d func(a, b P) float64, lag int) (sums []float64, counts []int, err error) {
	if lag < 1 {
		return nil, nil, fmt.Errorf("net displacement: lag = %d, must be ≥ 1", lag)
	}
	sums, counts = make([]float64, len(traj)), make([]int, len(traj))
	for c, path := range traj {
		if len(path) < lag+1 {
			return nil, nil, fmt.Errorf("net displacement: traj[%d] has %d points, need ≥ lag + 1 = %d", c, len(path), lag+1)
		}
		for t := 0; t+lag < len(path); t++ {
			v := d(path[t], path[t+lag])
			if !(v >= 0) || math.IsInf(v, 1) {
				return nil, nil, fmt.Errorf("net displacement: the distance between traj[%d][%d] and traj[%d][%d] is %g, must be finite and ≥ 0", c, t, c, t+lag, v)
			}
			sums[c] += v
		}
		if math.IsInf(sums[c], 0) {
			return nil, nil, errOverflow
		}
		counts[c] = len(path) - lag
	}
	return sums, counts, nil
}
