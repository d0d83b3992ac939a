package stats

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func TestHolmHand(t *testing.T) {
	cases := []struct {
		name  string
		p     []float64
		alpha float64
		want  []bool
		adj   []float64
	}{
		// Sorted 0.01 ≤ 0.05/3 = 0.0167 rejected; 0.03 > 0.05/2 = 0.025 stops, so 0.04 (< 0.05 on its own) is kept.
		// Adjusted: 3·0.01 = 0.03; max(0.03, 2·0.03) = 0.06; max(0.06, 1·0.04) = 0.06.
		{"stop at second", []float64{0.01, 0.04, 0.03}, 0.05, []bool{true, false, false}, []float64{0.03, 0.06, 0.06}},
		// 0.01 ≤ 0.0167, 0.02 ≤ 0.025, 0.03 ≤ 0.05: all rejected. Adjusted 0.03, 0.04, 0.04.
		{"all", []float64{0.03, 0.02, 0.01}, 0.05, []bool{true, true, true}, []float64{0.04, 0.04, 0.03}},
		// 0.001 ≤ 0.025, then 0.04 ≤ 0.05.
		{"two", []float64{0.04, 0.001}, 0.05, []bool{true, true}, []float64{0.04, 0.002}},
		// Ties: 0.03 > 0.025 rejects neither.
		{"tie", []float64{0.03, 0.03}, 0.05, []bool{false, false}, []float64{0.06, 0.06}},
		// A single check is compared with α itself, boundary included.
		{"single at boundary", []float64{0.05}, 0.05, []bool{true}, []float64{0.05}},
		// Larger family at α = 0.1: thresholds 0.025, 0.0333, 0.05, 0.1; 0.06 > 0.05 stops.
		{"alpha 0.1", []float64{0.2, 0.02, 0.06, 0.03}, 0.1, []bool{false, true, false, true}, []float64{0.2, 0.08, 0.12, 0.09}},
		// Adjusted p-values are capped at 1.
		{"cap", []float64{0.6, 0.7}, 0.05, []bool{false, false}, []float64{1, 1}},
	}
	for _, c := range cases {
		got, err := Holm(c.p, c.alpha)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: Holm(%v, %v) = %v, want %v", c.name, c.p, c.alpha, got, c.want)
		}
		adj, err := HolmAdjusted(c.p)
		if err != nil {
			t.Fatal(err)
		}
		for i := range adj {
			if math.Abs(adj[i]-c.adj[i]) > 1e-12 {
				t.Errorf("%s: HolmAdjusted(%v) = %v, want %v", c.name, c.p, adj, c.adj)
				break
			}
		}
	}
}

// Holm rejects H_k exactly when its adjusted p-value is ≤ α, on random families
// (away from exact ties with a threshold, where rounding could differ).
func TestHolmMatchesAdjusted(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for range 2000 {
		m := 1 + rng.IntN(8)
		p := make([]float64, m)
		for i := range p {
			p[i] = math.Pow(rng.Float64(), 3) // many small p-values
		}
		alpha := 0.01 + 0.2*rng.Float64()
		rej, err := Holm(p, alpha)
		if err != nil {
			t.Fatal(err)
		}
		adj, _ := HolmAdjusted(p)
		for k := range p {
			if rej[k] != (adj[k] <= alpha) {
				t.Fatalf("p=%v α=%v: Holm %v, adjusted %v", p, alpha, rej, adj)
			}
			if adj[k] < p[k] {
				t.Fatalf("adjusted p %v below raw %v", adj[k], p[k])
			}
		}
	}
}

func TestHolmBadInput(t *testing.T) {
	cases := []struct {
		name, field string
		p           []float64
		alpha       float64
	}{
		{"empty", "len(p)", nil, 0.05},
		{"above 1", "p[1]", []float64{0.1, 1.2}, 0.05},
		{"negative", "p[0]", []float64{-0.1}, 0.05},
		{"NaN", "p[2]", []float64{0.1, 0.2, math.NaN()}, 0.05},
		{"alpha 0", "alpha", []float64{0.1}, 0},
		{"alpha 1", "alpha", []float64{0.1}, 1},
		{"alpha NaN", "alpha", []float64{0.1}, math.NaN()},
	}
	for _, c := range cases {
		_, err := Holm(c.p, c.alpha)
		if !errors.Is(err, ErrBadInput) || !strings.Contains(err.Error(), c.field) {
			t.Errorf("%s: err = %v, want ErrBadInput naming %q", c.name, err, c.field)
		}
	}
	if _, err := HolmAdjusted([]float64{math.NaN()}); !errors.Is(err, ErrBadInput) {
		t.Errorf("HolmAdjusted(NaN): err = %v", err)
	}
	if err := checkOpenUnit("x", 0.5); err != nil {
		t.Error(err)
	}
	if _, err := Holm([]float64{0.1}, 0.05); err != nil {
		t.Error(err)
	}
	err := checkOpenUnit("BootstrapOptions.Level", 1.5)
	if want := "stats: bad input: BootstrapOptions.Level = 1.5; allowed range is the open interval (0, 1)"; err == nil || err.Error() != want {
		t.Errorf("message %q, want %q", err, want)
	}
}
