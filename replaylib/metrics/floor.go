package metrics

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/replaylab/replay/geom"
)

// WassersteinFloor is W_p between replay and training positions beside the same distance between two
// training samples, its finite-sample floor.
type WassersteinFloor struct {
	// Mean and SD of W_p(replay subsample, training subsample) over the repeats (distance units).
	Mean float64 `json:"mean"`
	SD   float64 `json:"sd"`
	// FloorMean and FloorSD of W_p(training subsample A, training subsample B), A and B disjoint.
	FloorMean float64 `json:"floor_mean"`
	FloorSD   float64 `json:"floor_sd"`
	// Excess = Mean − FloorMean: the part of the distance that sampling two sets of N points from
	// one distribution does not explain.
	Excess  float64 `json:"excess"`
	N       int     `json:"n"`       // points per subsample
	Repeats int     `json:"repeats"` // number of repeats averaged
}

// WassersteinWithFloor estimates W_p(replay, train) from repeats subsamples of n points each and
// the floor it is to be read against: two sets of n points drawn from the same distribution are at
// a positive W_p (shrinking like n^{-1/2} in 2D, up to a log factor), so W_p(replay, train) cannot
// be told from zero below it. In repeat r, a random permutation of train gives disjoint subsamples
// A_r and B_r of n points; the repeat contributes W_p(replay_r, A_r), replay_r a subsample of n
// replay points, and the floor W_p(A_r, B_r). Means and sample s.d. are over the repeats.
//
// The leak claim (replay closer to the data) predicts a smaller Mean (and Excess) with leak than
// without, by more than the spread of the repeats; an Excess within about FloorSD of 0 means replay
// is as close to the data as a second sample of the data is. Errors: p not finite or < 1, n < 1,
// len(replay) < n, len(train) < 2n, repeats < 1, a nil rng, non-finite points; ctx.Err() when
// cancelled.
func WassersteinWithFloor(ctx context.Context, replay, train []geom.Point, p float64, n, repeats int, rng *rand.Rand) (WassersteinFloor, error) {
	const what = "wasserstein with floor"
	if n < 1 || len(replay) < n || len(train) < 2*n {
		return WassersteinFloor{}, fmt.Errorf("%s: n = %d with %d replay and %d training points: need 1 ≤ n ≤ %d (n ≤ replay points, 2n ≤ training points)", what, n, len(replay), len(train), min(len(replay), len(train)/2))
	}
	if err := checkSubsampling(what, "replay", "train", replay, train, p, n, repeats, rng); err != nil {
		return WassersteinFloor{}, err
	}
	vals, floors := make([]float64, repeats), make([]float64, repeats)
	for r := range repeats {
		perm := rng.Perm(len(train))
		a, b := make([]geom.Point, n), make([]geom.Point, n)
		for i := range n {
			a[i], b[i] = train[perm[i]], train[perm[n+i]]
		}
		var err error
		if vals[r], err = WassersteinContext(ctx, Subsample(replay, n, rng), a, p); err != nil {
			return WassersteinFloor{}, fmt.Errorf("%s: %w", what, err)
		}
		if floors[r], err = WassersteinContext(ctx, a, b, p); err != nil {
			return WassersteinFloor{}, fmt.Errorf("%s: %w", what, err)
		}
	}
	res := WassersteinFloor{N: n, Repeats: repeats}
	res.Mean, res.SD = meanSD(vals)
	res.FloorMean, res.FloorSD = meanSD(floors)
	res.Excess = res.Mean - res.FloorMean
	return res, nil
}
