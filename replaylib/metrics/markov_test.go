package metrics

import (
	"math"
	"strings"
	"testing"

	"github.com/replaylab/replay/datasets"
	"github.com/replaylab/replay/geom"
)

// Increments that alternate (1,0), (−1,0) in a single cell: the drift is their mean 0, so the
// residuals are the increments; every pair's product is −1 and every square 1, so ρ_r = −1, β = −1
// and r_t = β r_{t−1} exactly (order-2 gain 1).
func TestMarkovResidualsByHand(t *testing.T) {
	env, _ := datasets.NewEnvironment("box", poly(0, 0, 4, 0, 4, 4, 0, 4), nil, nil)
	g, _ := geom.NewGrid(env, 4)
	traj := [][]P{poly(1, 1, 2, 1, 1, 1, 2, 1, 1, 1)}
	r, err := MarkovResidualTest(traj, g, 1)
	if err != nil {
		t.Fatal(err)
	}
	// ρ_r = (−3/3 pairs) / (4/4 residuals) = −1 as a ratio of means.
	if math.Abs(r.Autocorrelation+1) > 1e-12 || math.Abs(r.Beta+1) > 1e-12 || math.Abs(r.Order2Gain-1) > 1e-12 || r.Residuals != 4 || r.Pairs != 3 || r.ExcludedFraction != 0 {
		t.Errorf("%+v, want ρ_r = −1, β = −1, gain 1, 4 residuals, 3 pairs, none excluded", r)
	}
	if math.Abs(r.IncrementAutocorrelation+0.75) > 1e-12 {
		t.Errorf("raw increment autocorrelation %g, want −3/4 (sum of 3 products over sum of 4 squares)", r.IncrementAutocorrelation)
	}
	for _, c := range []struct {
		name string
		traj [][]P
		grid *geom.Grid
		min  int
		want string
	}{
		{"nil grid", traj, nil, 1, "grid is nil"},
		{"minCount", traj, g, 0, "minCount = 0"},
		{"short", [][]P{poly(1, 1, 2, 2)}, g, 1, "traj[0] has 2 points, need ≥ 3"},
		{"NaN", [][]P{poly(1, 1, 2, math.NaN(), 3, 3)}, g, 1, "traj[0][1] = (2, NaN)"},
		{"deterministic", [][]P{poly(1, 1, 2, 2, 3, 3)}, g, 1, "all zero"},
		{"sparse", traj, g, 5, "no grid cell has minCount = 5 steps"},
	} {
		if _, err := MarkovResidualTest(c.traj, c.grid, c.min); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
}

// A 2D Ornstein–Uhlenbeck process x_{t+1} = 0.8 x_t + noise is Markov: its raw increments are
// anticorrelated (ρ_Δ = −(1 − 0.8)/2 = −0.1) but its drift residuals are not. A process with momentum,
// v_{t+1} = 0.7 v_t + noise, x_{t+1} = x_t + v_{t+1}, has residual autocorrelation near 0.7.
func TestMarkovResidualsSeparateDriftFromMemory(t *testing.T) {
	env, _ := datasets.NewEnvironment("box", poly(-0.5, -0.5, 0.5, -0.5, 0.5, 0.5, -0.5, 0.5), nil, nil)
	g, _ := geom.NewGrid(env, 0.02)
	r := rng(50)
	const chains, steps = 20, 5000 // 10⁵ residuals: s.e. of ρ ≈ 1/√(2·10⁵) ≈ 0.002
	ou := make([][]P, chains)
	mom := make([][]P, chains)
	for c := range chains {
		x := P{X: 0.1 * r.NormFloat64(), Y: 0.1 * r.NormFloat64()}
		var y, v P
		for range steps + 1 {
			ou[c] = append(ou[c], x)
			mom[c] = append(mom[c], y)
			x = x.Scale(0.8).Add(P{X: 0.06 * r.NormFloat64(), Y: 0.06 * r.NormFloat64()}) // stationary s.d. 0.1
			v = v.Scale(0.7).Add(P{X: 0.001 * r.NormFloat64(), Y: 0.001 * r.NormFloat64()})
			y = y.Add(v)
		}
	}
	o, err := MarkovResidualTest(ou, g, 30)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("OU: %+v", o)
	if math.Abs(o.IncrementAutocorrelation+0.1) > 0.01 {
		t.Errorf("OU raw increment autocorrelation %g, want −0.1 ± 0.01", o.IncrementAutocorrelation)
	}
	if math.Abs(o.Autocorrelation) > 0.01 || o.Order2Gain > 0.001 || o.ExcludedFraction > 0.1 {
		t.Errorf("OU residual autocorrelation %g, gain %g, %g excluded: want |ρ_r| < 0.01 (5 s.e.), gain < 0.001 (Markov), < 10 %% excluded", o.Autocorrelation, o.Order2Gain, o.ExcludedFraction)
	}
	m, err := MarkovResidualTest(mom, g, 30)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("momentum: %+v", m)
	if m.Autocorrelation < 0.6 || m.Order2Gain < 0.35 {
		t.Errorf("momentum residual autocorrelation %g, gain %g: want > 0.6 and > 0.35 (ρ ≈ 0.7, gain ≈ ρ²)", m.Autocorrelation, m.Order2Gain)
	}
}
