package metrics

import (
	"math"
	"testing"

	"github.com/replaylab/replay/datasets"
	"github.com/replaylab/replay/geom"
)

// For a Gaussian sample N(0, s²I), the KDE score with bandwidth h is ≈ −x/(s² + h²).
func TestKDEScoreOfAGaussian(t *testing.T) {
	r := rng(21)
	const s, h = 1.0, 0.3
	pts := gaussCloud(200000, r) // ≈ 10⁴ points within h of each x: score s.e. ≈ 1/(h√n) ≈ 0.03
	at := []P{{X: 0.5, Y: 0}, {X: 0, Y: -1}}
	got := KDEScore(pts, at, h)
	for k, x := range at {
		want := x.Scale(-1 / (s*s + h*h))
		if got[k].Sub(want).Norm() > 0.12 {
			t.Errorf("score at %v = %v, want %v", x, got[k], want)
		}
	}
}

// A drift field of chains that all move by (0.1, 0) per step is (0.1, 0) in every visited cell.
func TestDriftFieldOfAConstantFlow(t *testing.T) {
	env, _ := datasets.NewEnvironment("box", poly(0, 0, 10, 0, 10, 1, 0, 1), nil, nil)
	g, _ := geom.NewGrid(env, 1)
	var traj [][]P
	for c := range 5 {
		var path []P
		for i := range 90 {
			path = append(path, P{X: 0.05 + 0.1*float64(i), Y: 0.1 + 0.2*float64(c)})
		}
		traj = append(traj, path)
	}
	at, drift := DriftField(traj, g, 10)
	if len(at) != 9 {
		t.Fatalf("%d cells with drift, want the 9 cells the chains crossed with ≥ 10 steps", len(at))
	}
	for i, d := range drift {
		if math.Abs(d.X-0.1) > 1e-12 || d.Y != 0 {
			t.Errorf("drift at %v = %v, want (0.1, 0)", at[i], d)
		}
	}
}
