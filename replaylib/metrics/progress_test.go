package metrics

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/replaylab/replay/datasets"
	"github.com/replaylab/replay/geom"
)

// alongX is a straight track along the x-axis: distance between the projections onto it.
func alongX(a, b P) float64 { return math.Abs(a.X - b.X) }

func TestProgressAndNetDisplacement(t *testing.T) {
	traj := [][]P{
		poly(0, 0, 1, 0.5, 2, 0, 3, 0.5, 4, 0), // runs along the track, zig-zagging across it
		poly(0, 0, 1, 0, 0, 0, 1, 0, 0, 0),     // shuttles back and forth
		poly(0, 0, 2, 0, 4, 0),                 // shorter and faster
	}
	near := func(got, want float64) bool { return math.Abs(got-want) < 1e-12 }
	// Per step along the track: 1, 1, 2; pooled over the 4 + 4 + 2 steps: 12/10.
	v, err := ProgressPerStep(traj, alongX)
	if err != nil || !near(v, 1.2) {
		t.Errorf("progress per step %v (%v), want 1.2", v, err)
	}
	pc, _ := ProgressPerStepPerChain(traj, alongX)
	if len(pc) != 3 || !near(pc[0], 1) || !near(pc[1], 1) || !near(pc[2], 2) {
		t.Errorf("per chain %v, want [1 1 2]", pc)
	}
	// Euclidean (nil): the zig-zag makes chain 0's steps √1.25 long.
	e, _ := ProgressPerStepPerChain(traj[:1], nil)
	if !near(e[0], math.Sqrt(1.25)) {
		t.Errorf("Euclidean progress %v, want √1.25", e)
	}
	// Lag 2: chain 0 moves 2 in each of its 3 pairs, chain 1 is back where it was (0), chain 2 moves 4
	// in its single pair: pooled (6 + 0 + 4)/7, per chain [2 0 4].
	d2, _ := NetDisplacement(traj, alongX, 2)
	if !near(d2, 10.0/7) {
		t.Errorf("D(2) = %g, want 10/7", d2)
	}
	dc, _ := NetDisplacementPerChain(traj, alongX, 2)
	if !near(dc[0], 2) || !near(dc[1], 0) || !near(dc[2], 4) {
		t.Errorf("D(2) per chain %v, want [2 0 4]", dc)
	}
	// Lags 1 and 4 on the first two chains: D(1) = 1 for both, D(4) = (4 + 0)/2.
	ds, err := NetDisplacements(traj[:2], alongX, []int{1, 4})
	if err != nil || !near(ds[0], 1) || !near(ds[1], 2) {
		t.Errorf("D(1), D(4) = %v (%v), want [1 2]", ds, err)
	}
	for _, c := range []struct {
		name string
		err  error
		want string
	}{
		{"lag 0", second(NetDisplacement(traj, alongX, 0)), "lag = 0"},
		{"too short", second(NetDisplacement(traj, alongX, 3)), "traj[2] has 3 points, need ≥ lag + 1 = 4"},
		{"NaN point", second(ProgressPerStep([][]P{poly(0, 0, math.NaN(), 1)}, nil)), "traj[0][1] = (NaN, 1)"},
		{"no chains", second(ProgressPerStep(nil, nil)), "no chains"},
		{"bad distance", second(ProgressPerStep(traj, func(a, b P) float64 { return a.X - b.X })), "the distance between traj[0][0] and traj[0][1] is -1"},
		{"NaN distance", second(ProgressPerStep(traj, func(a, b P) float64 { return math.NaN() })), "is NaN"},
		{"no lags", second(NetDisplacements(traj, nil, nil)), "lags is empty"},
		{"bad lag in list", second(NetDisplacements(traj, nil, []int{1, -2})), "lags[1]: net displacement: lag = -2"},
	} {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, c.err, c.want)
		}
	}
}

// second returns the error of a (value, error) pair.
func second[T any](_ T, err error) error { return err }

// TestProgressAlongEqualsTrackDistance: on the T-maze, progress and displacement from positions
// projected once equal those from a TrackDistance projecting both points of every pair, and a
// position off the skeleton is refused.
func TestProgressAlongEqualsTrackDistance(t *testing.T) {
	task, err := datasets.NewTMaze(datasets.DefaultTMazeParams())
	if err != nil {
		t.Fatal(err)
	}
	env := task.Env()
	rng := rand.New(rand.NewPCG(3, 4))
	traj := make([][]P, 5)
	track := make([][]geom.SkeletonPoint, len(traj))
	lo, hi := env.Bounds()
	for c := range traj {
		for range 40 {
			p := P{X: lo.X + rng.Float64()*(hi.X-lo.X), Y: lo.Y + rng.Float64()*(hi.Y-lo.Y)}
			sp, _ := env.Project(p)
			traj[c], track[c] = append(traj[c], p), append(track[c], sp)
		}
	}
	along := func(a, b P) float64 {
		pa, _ := env.Project(a)
		pb, _ := env.Project(b)
		return env.Geodesic(pa, pb)
	}
	for _, lag := range []int{1, 7} {
		want, err := NetDisplacementPerChain(traj, along, lag)
		if err != nil {
			t.Fatal(err)
		}
		got, err := NetDisplacementAlongPerChain(track, env.Geodesic, lag)
		if err != nil {
			t.Fatal(err)
		}
		for c := range want {
			if got[c] != want[c] || !(want[c] > 0) {
				t.Errorf("lag %d chain %d: %g projected once, %g per pair", lag, c, got[c], want[c])
			}
		}
	}
	track[1][3] = geom.SkeletonPoint{Segment: -1}
	if _, err := ProgressAlongPerChain(track, env.Geodesic); err == nil || !strings.Contains(err.Error(), "track[1][3]") {
		t.Errorf("a position off the skeleton: %v, want an error naming track[1][3]", err)
	}
}
