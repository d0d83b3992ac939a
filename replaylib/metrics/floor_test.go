package metrics

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
)

func TestWassersteinWithFloor(t *testing.T) {
	bg := context.Background()
	// All training points at the origin: the floor is exactly 0, and replay points on the circle of
	// radius 0.5 are each 0.5 away, so W1 = 0.5 in every repeat (s.d. 0).
	train := make([]P, 40)
	replay := make([]P, 30)
	for i := range replay {
		a := 2 * math.Pi * float64(i) / 30
		replay[i] = P{X: 0.5 * math.Cos(a), Y: 0.5 * math.Sin(a)}
	}
	f, err := WassersteinWithFloor(bg, replay, train, 1, 20, 5, rng(70))
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(f.Mean-0.5) > 1e-12 || f.SD > 1e-12 || f.FloorMean != 0 || f.FloorSD != 0 || math.Abs(f.Excess-0.5) > 1e-12 || f.N != 20 || f.Repeats != 5 {
		t.Errorf("%+v, want mean 0.5, s.d. 0, floor 0, excess 0.5, n 20, 5 repeats", f)
	}
	// Replay drawn from the training distribution (uniform on the unit square) sits at the floor;
	// replay shifted by 0.3 sits about 0.3 above it.
	r := rng(71)
	uni := func(k int) []P {
		out := make([]P, k)
		for i := range out {
			out[i] = P{X: r.Float64(), Y: r.Float64()}
		}
		return out
	}
	big, same := uni(2000), uni(1000)
	shifted := make([]P, len(same))
	for i, x := range same {
		shifted[i] = x.Add(P{X: 0.3})
	}
	s, _ := WassersteinWithFloor(bg, same, big, 1, 200, 20, r)
	sh, _ := WassersteinWithFloor(bg, shifted, big, 1, 200, 20, r)
	t.Logf("same distribution: %+v; shifted by 0.3: %+v", s, sh)
	// Over 20 repeats the means have s.e. ≈ s.d./√20; allow 4 s.e. of the difference.
	if tol := 4 * math.Hypot(s.SD, s.FloorSD) / math.Sqrt(20); math.Abs(s.Excess) > tol {
		t.Errorf("same distribution: excess %g, want 0 ± %g", s.Excess, tol)
	}
	// For n uniform points in the unit square E W1 is of order ½√(log n / n) ≈ 0.08 at n = 200.
	if !(s.FloorMean > 0.04 && s.FloorMean < 0.12) {
		t.Errorf("floor %g for n = 200 uniform points, want 0.04 … 0.12", s.FloorMean)
	}
	if math.Abs(sh.Mean-0.3) > 0.05 || sh.Excess < 0.2 {
		t.Errorf("shifted by 0.3: W1 %g (excess %g), want 0.3 ± 0.05 and excess > 0.2", sh.Mean, sh.Excess)
	}
	for _, c := range []struct {
		name string
		err  error
		want string
	}{
		{"train < 2n", second(WassersteinWithFloor(bg, replay, train, 1, 21, 5, r)), "2n ≤ training points"},
		{"replay < n", second(WassersteinWithFloor(bg, replay[:10], train, 1, 11, 5, r)), "n = 11"},
		{"repeats", second(WassersteinWithFloor(bg, replay, train, 1, 5, 0, r)), "repeats = 0"},
		{"nil rng", second(WassersteinWithFloor(bg, replay, train, 1, 5, 1, nil)), "rng is nil"},
		{"p", second(WassersteinWithFloor(bg, replay, train, 0, 5, 1, r)), "p = 0"},
		{"NaN", second(WassersteinWithFloor(bg, append([]P{{X: math.NaN()}}, replay...), train, 1, 5, 1, r)), "replay[0] = (NaN, 0)"},
	} {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, c.err, c.want)
		}
	}
	ctx, cancel := context.WithCancel(bg)
	cancel()
	if _, err := WassersteinWithFloor(ctx, replay, train, 1, 5, 1, r); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}
