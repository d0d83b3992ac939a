package metrics

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestPositionAutocorrelation: a hand-computed alternating chain, chains stuck in two places, and
// independent draws.
func TestPositionAutocorrelation(t *testing.T) {
	// x = 1, −1, 1, −1, … and y = 0: pooled mean 0, γ(0) = 1, γ(1) = −1, γ(2) = 1.
	alt := [][]P{poly(1, 0, -1, 0, 1, 0, -1, 0)}
	got := PositionAutocorrelation(alt, []int{0, 1, 2})
	if got[0] != 1 || got[1] != -1 || got[2] != 1 {
		t.Errorf("alternating chain: ρ(0, 1, 2) = %v, want [1 −1 1]", got)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	stuck := make([][]P, 2)
	iid := make([][]P, 2)
	for c := range stuck {
		for range 2000 {
			stuck[c] = append(stuck[c], P{X: float64(4*c) + 0.1*rng.NormFloat64(), Y: 0.1 * rng.NormFloat64()})
			iid[c] = append(iid[c], P{X: rng.NormFloat64(), Y: rng.NormFloat64()})
		}
	}
	if r := PositionAutocorrelation(stuck, []int{100})[0]; r < 0.99 {
		t.Errorf("chains stuck 4 apart: ρ(100) = %.3f, want ≥ 0.99", r)
	}
	if r := PositionAutocorrelation(iid, []int{5})[0]; math.Abs(r) > 0.05 {
		t.Errorf("independent draws: ρ(5) = %.3f, want within 0.05 of 0", r)
	}
	if r := PositionAutocorrelation([][]P{poly(1, 1, 1, 1)}, []int{1})[0]; !math.IsNaN(r) {
		t.Errorf("a constant chain: ρ = %g, want NaN", r)
	}
}

// TestRHatOverTime: independent draws agree (R̂ near 1 at every time), stuck chains do not, and a
// time beyond the chains is refused.
func TestRHatOverTime(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	stuck := make([][]P, 4)
	iid := make([][]P, 4)
	for c := range stuck {
		for range 1001 {
			stuck[c] = append(stuck[c], P{X: float64(c) + 0.1*rng.NormFloat64(), Y: rng.NormFloat64()})
			iid[c] = append(iid[c], P{X: rng.NormFloat64(), Y: rng.NormFloat64()})
		}
	}
	times := []int{100, 1000}
	good, err := RHatOverTime(iid, times)
	if err != nil {
		t.Fatal(err)
	}
	bad, err := RHatOverTime(stuck, times)
	if err != nil {
		t.Fatal(err)
	}
	for i := range times {
		if math.Abs(good[i]-1) > 0.05 || bad[i] < 3 {
			t.Errorf("t = %d: R̂ %.3f for independent draws (want ≈ 1), %.3f for stuck chains (want ≥ 3)", times[i], good[i], bad[i])
		}
	}
	whole, _ := MixingDiagnostics(Coordinate(stuck, 0), MixingOptions{})
	if r, _ := SplitRHat(Coordinate(stuck, 0)); r != whole.RHat || bad[1] < r {
		t.Errorf("SplitRHat %g, MixingDiagnostics %g, R̂ over both coordinates %g", r, whole.RHat, bad[1])
	}
	if _, err := RHatOverTime(iid, []int{1001}); err == nil || !strings.Contains(err.Error(), "times[0] = 1001") {
		t.Errorf("a time beyond the chains: %v", err)
	}
	if _, err := RHatOverTime(nil, []int{10}); err == nil || !strings.Contains(err.Error(), "no chains") {
		t.Errorf("no chains: %v", err)
	}
}

// TestMeanShift: zero at the centre of a ring of points, towards the data from outside, finite
// far away.
func TestMeanShift(t *testing.T) {
	var ring []P
	for i := range 360 {
		a := 2 * math.Pi * float64(i) / 360
		ring = append(ring, P{X: math.Cos(a), Y: math.Sin(a)})
	}
	k, err := NewKDE(ring)
	if err != nil {
		t.Fatal(err)
	}
	if s := k.MeanShift(P{}); math.Hypot(s.X, s.Y) > 1e-12 {
		t.Errorf("centre of the ring: shift %v, want 0", s)
	}
	if s := k.MeanShift(P{X: 1.5}); !(s.X < -0.2) || math.Abs(s.Y) > 1e-9 {
		t.Errorf("outside the ring at (1.5, 0): shift %v, want towards the ring along x", s)
	}
	if s := k.MeanShift(P{X: 100}); !(s.X < -98 && s.X > -100) || math.IsNaN(s.Y) {
		t.Errorf("far away at (100, 0): shift %v, want about −99 along x (to the nearest points)", s)
	}
}
