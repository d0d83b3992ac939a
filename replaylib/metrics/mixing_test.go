package metrics

import (
	"math"
	"strings"
	"testing"
)

// One chain 1, 2, 3, 4 splits into {1, 2} and {3, 4}: means 1.5 and 3.5, variances ½ each, so
// W = ½, B/N = ((−1)² + 1²)/1 = 2, var⁺ = ½·½ + 2 = 2.25 and R̂ = √(2.25/0.5) = √4.5. Two chains
// 0, 1, 0, 1 split into four copies of {0, 1}: B = 0, var⁺ = W/2, R̂ = √½.
func TestSplitRHatByHand(t *testing.T) {
	m, err := MixingDiagnostics([][]float64{{1, 2, 3, 4}}, MixingOptions{})
	if err != nil || math.Abs(m.RHat-math.Sqrt(4.5)) > 1e-12 || m.Chains != 1 || m.Draws != 4 {
		t.Errorf("R̂ of 1, 2, 3, 4: %+v (%v), want √4.5 = 2.1213, 1 chain of 4 draws", m, err)
	}
	// Burn-in: the same chain after two draws of 100.
	if b, _ := MixingDiagnostics([][]float64{{100, 100, 1, 2, 3, 4}}, MixingOptions{BurnIn: 2}); math.Abs(b.RHat-math.Sqrt(4.5)) > 1e-12 {
		t.Errorf("R̂ after burn-in %g, want √4.5", b.RHat)
	}
	// Odd length: the middle draw (here 50) is dropped.
	if o, _ := MixingDiagnostics([][]float64{{1, 2, 50, 3, 4}}, MixingOptions{}); math.Abs(o.RHat-math.Sqrt(4.5)) > 1e-12 {
		t.Errorf("R̂ of 1, 2, 50, 3, 4 = %g, want √4.5 (middle dropped)", o.RHat)
	}
	if a, _ := MixingDiagnostics([][]float64{{0, 1, 0, 1}, {0, 1, 0, 1}}, MixingOptions{}); math.Abs(a.RHat-math.Sqrt(0.5)) > 1e-12 {
		t.Errorf("R̂ of alternating chains %g, want √½", a.RHat)
	}
	for _, c := range []struct {
		name   string
		series [][]float64
		burnIn int
		want   string
	}{
		{"none", nil, 0, "no series"},
		{"burn-in < 0", [][]float64{{1, 2, 3, 4}}, -1, "burnIn = -1"},
		{"too short", [][]float64{{1, 2, 3, 4, 5}}, 2, "3 draws per chain after burnIn = 2, need ≥ 4"},
		{"unequal", [][]float64{{1, 2, 3, 4}, {1, 2, 3, 4, 5}}, 0, "series[1] has 5 draws"},
		{"NaN", [][]float64{{1, 2, math.NaN(), 4}}, 0, "series[0][2] = NaN"},
		{"constant", [][]float64{{1, 1, 1, 1}, {2, 2, 2, 2}}, 0, "within-chain variance is 0"},
	} {
		if _, err := MixingDiagnostics(c.series, MixingOptions{BurnIn: c.burnIn}); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
}

func TestMixingOfIIDStuckAndCorrelatedChains(t *testing.T) {
	r := rng(60)
	const chains, draws = 4, 2000
	iid := make([][]float64, chains)
	stuck := make([][]float64, chains)
	ar := make([][]float64, chains)
	for c := range chains {
		x := r.NormFloat64()
		for range draws {
			iid[c] = append(iid[c], r.NormFloat64())
			stuck[c] = append(stuck[c], 3*float64(c)+r.NormFloat64()) // each chain stays at its own mean
			x = 0.8*x + 0.6*r.NormFloat64()
			ar[c] = append(ar[c], x)
		}
	}
	for _, rank := range []bool{false, true} {
		m, err := MixingDiagnostics(iid, MixingOptions{RankNormalise: rank})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("i.i.d. (rank %v): %+v", rank, m)
		// R̂ − 1 is of order 1/N; ESS of 8000 i.i.d. draws has a s.e. of a few per cent.
		if m.RHat > 1.01 || math.Abs(m.ESS-8000) > 800 {
			t.Errorf("i.i.d. chains (rank %v): R̂ %g, ESS %g; want < 1.01 and 8000 ± 10 %%", rank, m.RHat, m.ESS)
		}
		s, _ := MixingDiagnostics(stuck, MixingOptions{RankNormalise: rank})
		t.Logf("stuck (rank %v): %+v", rank, s)
		if s.RHat < 2 || s.ESS > 100 {
			t.Errorf("chains stuck 3 s.d. apart (rank %v): R̂ %g, ESS %g; want R̂ > 2 and ESS < 100", rank, s.RHat, s.ESS)
		}
		a, _ := MixingDiagnostics(ar, MixingOptions{BurnIn: 100, RankNormalise: rank})
		t.Logf("AR(1) 0.8 (rank %v): %+v", rank, a)
		// τ_int = (1 + 0.8)/(1 − 0.8) = 9: ESS ≈ 4 × 1900 / 9 = 844.
		if math.Abs(a.ESS-844) > 0.2*844 || a.RHat > 1.02 || a.Draws != 1900 {
			t.Errorf("AR(1) chains (rank %v): ESS %g, R̂ %g, %d draws; want 844 ± 20 %%, < 1.02, 1900", rank, a.ESS, a.RHat, a.Draws)
		}
	}
	// Rank normalisation makes the diagnostics invariant under a monotone transform.
	expd := make([][]float64, chains)
	for c := range ar {
		for _, v := range ar[c] {
			expd[c] = append(expd[c], math.Exp(3*v))
		}
	}
	a, _ := MixingDiagnostics(ar, MixingOptions{RankNormalise: true})
	e, _ := MixingDiagnostics(expd, MixingOptions{RankNormalise: true})
	if math.Abs(a.RHat-e.RHat) > 1e-12 || math.Abs(a.ESS-e.ESS) > 1e-9 {
		t.Errorf("rank-normalised diagnostics changed under exp: %+v vs %+v", a, e)
	}
	if raw, _ := MixingDiagnostics(expd, MixingOptions{}); math.Abs(raw.ESS-a.ESS) < 1e-6 {
		t.Errorf("without rank normalisation exp should change ESS: %g vs %g", raw.ESS, a.ESS)
	}
}
