package metrics

import (
	"context"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/replaylab/replay/datasets"
	"github.com/replaylab/replay/geom"
)

type P = geom.Point

// poly builds a point list from x0, y0, x1, y1, …
func poly(xy ...float64) geom.Polygon {
	var out geom.Polygon
	for i := 0; i+1 < len(xy); i += 2 {
		out = append(out, P{X: xy[i], Y: xy[i+1]})
	}
	return out
}

func rng(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 1)) }

func gaussCloud(n int, r *rand.Rand) []P {
	pts := make([]P, n)
	for i := range pts {
		pts[i] = P{X: r.NormFloat64(), Y: r.NormFloat64()}
	}
	return pts
}

func TestWassersteinHandCases(t *testing.T) {
	a := gaussCloud(60, rng(1))
	for _, p := range []float64{1, 2} {
		if w, _ := Wasserstein(a, a, p); w > 1e-12 {
			t.Errorf("W%g(a, a) = %g, want 0", p, w)
		}
		d := P{X: 0.3, Y: -0.4} // |d| = 0.5
		b := make([]P, len(a))
		for i, x := range a {
			b[len(a)-1-i] = x.Add(d) // shuffled order must not matter
		}
		if w, _ := Wasserstein(a, b, p); math.Abs(w-0.5) > 1e-9 {
			t.Errorf("W%g(a, a + d) = %g, want |d| = 0.5", p, w)
		}
	}
	// Two points each: {(0,0),(1,0)} vs {(0,1),(1,1)}: W1 = 1, W2 = 1.
	w, _ := Wasserstein(poly(0, 0, 1, 0), poly(1, 1, 0, 1), 1)
	if math.Abs(w-1) > 1e-12 {
		t.Errorf("W1 of the unit-square case = %g, want 1", w)
	}
	if _, err := Wasserstein(a, a[:3], 1); err == nil {
		t.Error("unequal sizes accepted")
	}
}

// TestAssignmentIsOptimal compares the Hungarian assignment with brute force over all permutations.
func TestAssignmentIsOptimal(t *testing.T) {
	r := rng(2)
	for trial := range 50 {
		n := 1 + trial%6
		cost := make([][]float64, n)
		for i := range cost {
			cost[i] = make([]float64, n)
			for j := range cost[i] {
				cost[i][j] = r.Float64()
			}
		}
		match, err := Assignment(context.Background(), cost)
		if err != nil {
			t.Fatal(err)
		}
		got := 0.0
		for i, j := range match {
			got += cost[i][j]
		}
		best := math.Inf(1)
		var perm func(k int, used []bool, sum float64)
		perm = func(k int, used []bool, sum float64) {
			if k == n {
				best = math.Min(best, sum)
				return
			}
			for j := range n {
				if !used[j] {
					used[j] = true
					perm(k+1, used, sum+cost[k][j])
					used[j] = false
				}
			}
		}
		perm(0, make([]bool, n), 0)
		if math.Abs(got-best) > 1e-12 {
			t.Fatalf("n=%d: Hungarian cost %g, optimum %g", n, got, best)
		}
	}
}

func TestSlicedWassersteinOfAShift(t *testing.T) {
	// For b = a + d, every projection is shifted by θ·d, so SW2² = E[(θ·d)²] = |d|²/D.
	const D = 16
	r := rng(4)
	a := make([][]float64, 200)
	b := make([][]float64, 200)
	for i := range a {
		a[i], b[i] = make([]float64, D), make([]float64, D)
		for k := range D {
			a[i][k] = r.NormFloat64()
			b[i][k] = a[i][k] + 1 // |d|² = D
		}
	}
	sw, _ := SlicedWasserstein(a, b, 2, 2000, r)
	// With 2000 directions, E[(θ·d)²] = 1 is estimated to within a few percent.
	if math.Abs(sw-1) > 0.06 {
		t.Errorf("SW2 = %g, want 1 (= |d|/√D)", sw)
	}
}

func TestSlicedWassersteinRejectsBadInput(t *testing.T) {
	ok := [][]float64{{0, 0}, {1, 1}}
	for _, c := range []struct {
		name string
		a, b [][]float64
		p    float64
		want string
	}{
		{"p below 1", ok, ok, 0.5, "p = 0.5"},
		{"p NaN", ok, ok, math.NaN(), "p = NaN"},
		{"ragged rows", ok, [][]float64{{0, 0}, {1}}, 2, "row 1 has 1 coordinates, want 2"},
		{"non-finite", ok, [][]float64{{0, 0}, {math.Inf(1), 1}}, 2, "non-finite coordinate"},
		{"unequal sizes", ok, ok[:1], 2, "sizes 2 and 1"},
	} {
		_, err := SlicedWasserstein(c.a, c.b, c.p, 10, rng(1))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
}

func TestReachTimesAndPathLength(t *testing.T) {
	env, _ := datasets.NewEnvironment("strip", poly(0, 0, 10, 0, 10, 1, 0, 1), nil,
		[]geom.Region{{Name: "goal", Area: poly(5, 0, 10, 0, 10, 1, 5, 1)}})
	walk := func(speed float64, steps int) []P {
		path := make([]P, steps+1)
		for i := range path {
			path[i] = P{X: 0.5 + speed*float64(i), Y: 0.5}
		}
		return path
	}
	traj := [][]P{walk(1, 10), walk(0.5, 20), walk(0, 10)} // enter x ≥ 5 at steps 5, 9, never
	s := ReachTimes(traj, env, 0)
	if s.Times[0] != 5 || s.Times[1] != 9 || s.Times[2] != -1 {
		t.Errorf("reach times %v, want [5 9 -1]", s.Times)
	}
	if s.MedianReached != 7 || s.Median != 9 || math.Abs(s.FractionNever-1.0/3) > 1e-12 {
		t.Errorf("median reached %g, censored median %g, never %g; want 7, 9 (of 5, 9, ∞) and 1/3", s.MedianReached, s.Median, s.FractionNever)
	}
	if math.Abs(s.RestrictedMean-(5+9+10)/3.0) > 1e-12 {
		t.Errorf("restricted mean %g, want (5 + 9 + 10)/3 (the standing chain counts its 10 steps)", s.RestrictedMean)
	}
	if s2 := ReachTimes(traj[1:], env, 0); !math.IsInf(s2.Median, 1) {
		t.Errorf("censored median of {9, never} = %g, want +Inf", s2.Median)
	}
	if got := PathLengthPerStep(traj[:2]); math.Abs(got-(10*1+20*0.5)/30.0) > 1e-12 {
		t.Errorf("path length per step %g, want 2/3", got)
	}
	if got := Compression(traj[:1], traj[1:2]); math.Abs(got-2) > 1e-12 {
		t.Errorf("compression %g, want 2", got)
	}
	occ := Occupancy(traj[0], env)
	// 5 of the 11 points lie in the goal; the other 6 in no region (5 before it, 1 past the end).
	if math.Abs(occ[0]-5.0/11) > 1e-12 || math.Abs(occ[1]-6.0/11) > 1e-12 {
		t.Errorf("occupancy %v, want [5/11 6/11]", occ)
	}
	g, _ := geom.NewGrid(env, 1)
	if g.NumInside != 10 {
		t.Fatalf("grid has %d inside cells, want 10", g.NumInside)
	}
	if c := Coverage(g, traj[0]); math.Abs(c-1) > 1e-12 {
		t.Errorf("coverage %g of a full sweep, want 1", c)
	}
	if c := Coverage(g, traj[2]); math.Abs(c-0.1) > 1e-12 {
		t.Errorf("coverage %g of a standing chain, want 0.1", c)
	}
	if rv := RegionsVisited(traj, env); math.Abs(rv-2.0/3) > 1e-12 {
		t.Errorf("regions visited %g, want 2/3", rv)
	}
}

func randomWalks(chains, steps int, r *rand.Rand, persistence float64) [][]P {
	traj := make([][]P, chains)
	for c := range traj {
		path := make([]P, steps+1)
		var v P
		for t := 1; t <= steps; t++ {
			kick := P{X: r.NormFloat64(), Y: r.NormFloat64()}
			v = v.Scale(persistence).Add(kick.Scale(math.Sqrt(1 - persistence*persistence)))
			path[t] = path[t-1].Add(v)
		}
		traj[c] = path
	}
	return traj
}

func TestMSDExponent(t *testing.T) {
	lags := LogLags(100, 10)
	if b := MSDExponent(randomWalks(200, 1000, rng(5), 0), lags); math.Abs(b-1) > 0.05 {
		t.Errorf("random walk MSD exponent %g, want ≈ 1", b)
	}
	ballistic := make([][]P, 10)
	for c := range ballistic {
		for i := range 500 {
			ballistic[c] = append(ballistic[c], P{X: 0.1 * float64(i), Y: -0.05 * float64(i)})
		}
	}
	if b := MSDExponent(ballistic, lags); math.Abs(b-2) > 1e-9 {
		t.Errorf("ballistic MSD exponent %g, want 2", b)
	}
}

func TestIncrementAutocorrelationAndIAT(t *testing.T) {
	// Increments of a random walk are independent: autocorrelation ≈ 0 within a few s.e. (1/√n).
	walk := randomWalks(100, 1000, rng(6), 0)
	n := 100 * 1000.0
	if ac := IncrementAutocorrelation(walk, 1); math.Abs(ac) > 5/math.Sqrt(n) {
		t.Errorf("random-walk increment autocorrelation %g, want 0 ± %g", ac, 5/math.Sqrt(n))
	}
	// Persistent increments (AR(1) with ρ = 0.8): lag-1 autocorrelation ρ.
	if ac := IncrementAutocorrelation(randomWalks(100, 1000, rng(7), 0.8), 1); math.Abs(ac-0.8) > 0.02 {
		t.Errorf("AR(1) increment autocorrelation %g, want 0.8", ac)
	}
	// τ_int of an AR(1) series is (1 + ρ)/(1 − ρ) = 9 for ρ = 0.8.
	r := rng(8)
	series := make([][]float64, 50)
	for c := range series {
		x := 0.0
		for range 4000 {
			x = 0.8*x + 0.6*r.NormFloat64()
			series[c] = append(series[c], x)
		}
	}
	if tau := IntegratedAutocorrTime(series); math.Abs(tau-9) > 0.9 {
		t.Errorf("τ_int = %g, want 9 ± 10%%", tau)
	}
	if ess := EffectiveSampleSize(series); math.Abs(ess-200000/9.0) > 2500 {
		t.Errorf("ESS = %g, want ≈ %g", ess, 200000/9.0)
	}
}

func TestKDEKL(t *testing.T) {
	env, _ := datasets.NewEnvironment("box", poly(0, 0, 1, 0, 1, 1, 0, 1), nil, nil)
	g, _ := geom.NewGrid(env, 0.05)
	r := rng(9)
	uni := UniformPoints(env, 4000, r)
	if kl := KDEKL(uni, uni, g, 0.05); math.Abs(kl) > 1e-12 {
		t.Errorf("KL(p ‖ p) = %g, want 0", kl)
	}
	left := make([]P, 0, 2000)
	for _, p := range uni {
		if p.X < 0.5 {
			left = append(left, p)
		}
	}
	// Left-half uniform against full uniform: KL(left ‖ uniform) = log 2 (smoothed at the edge).
	if kl := KDEKL(left, uni, g, 0.02); math.Abs(kl-math.Log(2)) > 0.1 {
		t.Errorf("KL(left half ‖ uniform) = %g, want ≈ log 2 = %g", kl, math.Log(2))
	}
}
