package metrics

import (
	"math"
	"testing"

	"github.com/replaylab/replay/geom"
)

// TestHoldTestOnLinearAttractors: noiseless replay of a linear contraction x_t = c + ρ^t (x_0 − c)
// towards one of two attractors has drift |x_0 − c|(1 − ρ^L) at lag L (averaged over chains), every
// chain settled, and exactly the two attractors as fixed points with their chain counts; a chain on
// a circle (a limit cycle) is not settled and adds no fixed point.
func TestHoldTestOnLinearAttractors(t *testing.T) {
	const rho, steps = 0.99, 1200
	attractors := []geom.Point{{X: 0, Y: 0}, {X: 1, Y: 0}}
	starts := []geom.Point{{X: 0.1, Y: 0.2}, {X: -0.3, Y: 0}, {X: 0.8, Y: 0.1}, {X: 1, Y: 0.4}, {X: 1.2, Y: -0.2}}
	var traj [][]geom.Point
	want := map[int]float64{}
	for i, x0 := range starts {
		c := attractors[min(i/2, 1)] // two chains to the first attractor, three to the second
		path := make([]geom.Point, steps+1)
		for t := range path {
			path[t] = c.Add(x0.Sub(c).Scale(math.Pow(rho, float64(t))))
		}
		traj = append(traj, path)
		for _, l := range HoldLags {
			want[l] += x0.Sub(c).Norm() * (1 - math.Pow(rho, float64(l))) / float64(len(starts))
		}
	}
	h, err := HoldTest(traj, HoldLags, DefaultHoldOptions(1))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range HoldLags {
		if got := h.DriftAt(l); math.Abs(got-want[l]) > 1e-12 {
			t.Errorf("drift at %d: %g, want %g", l, got, want[l])
		}
	}
	if h.Settled != 1 || len(h.FixedPoints) != 2 || h.FixedPoints[0].Chains != 3 || h.FixedPoints[1].Chains != 2 {
		t.Fatalf("settled %g, fixed points %+v; want all settled at 2 fixed points of 3 and 2 chains", h.Settled, h.FixedPoints)
	}
	if d := h.FixedPoints[0].At.Sub(attractors[1]).Norm(); d > 1e-3 {
		t.Errorf("first fixed point at %+v, want %+v", h.FixedPoints[0].At, attractors[1])
	}

	cycle := make([]geom.Point, steps+1)
	for t := range cycle {
		a := 2 * math.Pi * float64(t) / 77
		cycle[t] = geom.Point{X: 0.5 + 0.2*math.Cos(a), Y: 0.2 * math.Sin(a)}
	}
	h, err = HoldTest(append(traj, cycle), HoldLags, DefaultHoldOptions(1))
	if err != nil {
		t.Fatal(err)
	}
	if h.Settled != 5.0/6 || len(h.FixedPoints) != 2 {
		t.Errorf("with a limit cycle: settled %g, %d fixed points; want 5/6 and 2", h.Settled, len(h.FixedPoints))
	}
	if _, err := HoldTest(traj, []int{5000}, DefaultHoldOptions(1)); err == nil {
		t.Error("a lag longer than the chains: no error")
	}
}
