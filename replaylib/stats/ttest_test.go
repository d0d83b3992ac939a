package stats

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

// TestTTestHandComputed: values {1, 2, 3, 4, 5}: mean 3, s = √2.5, s/√5 = 0.70711, t_{4,0.975} =
// 2.7764, interval 3 ± 1.9632, t = 4.2426, two-sided p = 0.013236 (tables of Student's t, 4 d.f.).
func TestTTestHandComputed(t *testing.T) {
	r, err := TTest([]float64{1, 2, 3, 4, 5}, 0)
	if err != nil {
		t.Fatal(err)
	}
	near := func(name string, got, want, tol float64) {
		if math.Abs(got-want) > tol {
			t.Errorf("%s = %.6g, want %.6g", name, got, want)
		}
	}
	near("estimate", r.Estimate, 3, 1e-12)
	near("std err", r.StdErr, math.Sqrt(2.5/5), 1e-12)
	near("lo", r.Lo, 3-2.776445*math.Sqrt(0.5), 1e-5)
	near("hi", r.Hi, 3+2.776445*math.Sqrt(0.5), 1e-5)
	near("t", r.T, 3/math.Sqrt(0.5), 1e-9)
	near("p", r.P, 0.013236, 2e-5)
	if r.DF != 4 || r.Networks != 5 {
		t.Errorf("df %d, networks %d", r.DF, r.Networks)
	}
	same, _ := TTest([]float64{2, 2, 2}, 0)
	if same.P != 0 || same.Lo != 2 || same.Hi != 2 {
		t.Errorf("constant values: %+v, want p = 0 and a point interval", same)
	}
	zero, _ := TTest([]float64{0, 0}, 0)
	if zero.P != 1 {
		t.Errorf("all-zero values: p = %g, want 1", zero.P)
	}
}

// TestTTestCalibration: for M = 5 normal values the 95 % interval covers the mean in 95 % of
// 4000 data sets (binomial sd 0.0034; tolerance ±0.015), and rejects a true zero mean at α = 0.05
// in about 5 %.
func TestTTestCalibration(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const sets, m, mu = 4000, 5, 0.7
	covered, rejected := 0, 0
	vals := make([]float64, m)
	for range sets {
		for i := range vals {
			vals[i] = mu + rng.NormFloat64()
		}
		r, _ := TTest(vals, 0)
		if r.Lo <= mu && mu <= r.Hi {
			covered++
		}
		for i := range vals {
			vals[i] -= mu
		}
		if r0, _ := TTest(vals, 0); r0.P <= 0.05 {
			rejected++
		}
	}
	cov, rej := float64(covered)/sets, float64(rejected)/sets
	if math.Abs(cov-0.95) > 0.015 || math.Abs(rej-0.05) > 0.015 {
		t.Errorf("coverage %.3f (want 0.95), null rejection %.3f (want 0.05)", cov, rej)
	}
	t.Logf("M = %d: coverage %.3f, null rejection rate %.3f", m, cov, rej)
}

func TestTTestBadInput(t *testing.T) {
	for name, c := range map[string]struct {
		v     []float64
		level float64
	}{"one network": {[]float64{1}, 0}, "NaN": {[]float64{1, math.NaN()}, 0}, "level": {[]float64{1, 2}, 1.5}} {
		if _, err := TTest(c.v, c.level); !errors.Is(err, ErrBadInput) {
			t.Errorf("%s: error %v, want ErrBadInput", name, err)
		}
	}
}
