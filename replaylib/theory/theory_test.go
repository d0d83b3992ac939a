package theory

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/replaylab/replay/geom"
	"github.com/replaylab/replay/replaylib/metrics"
)

func TestOUMarginalsMatchSimulation(t *testing.T) {
	o := OU{Theta: 0.8, Mu: 1, Sigma: 0.5, M0: -1, V0: 0.04}
	rng := rand.New(rand.NewPCG(1, 1))
	const n, dt, T = 20000, 0.001, 1.5
	sum, sum2 := 0.0, 0.0
	for range n {
		x := o.M0 + math.Sqrt(o.V0)*rng.NormFloat64()
		for range int(T / dt) {
			x += -o.Theta*(x-o.Mu)*dt + o.Sigma*math.Sqrt(dt)*rng.NormFloat64()
		}
		sum, sum2 = sum+x, sum2+x*x
	}
	mean := sum / n
	variance := sum2/n - mean*mean
	if se := math.Sqrt(o.Var(T) / n); math.Abs(mean-o.Mean(T)) > 5*se {
		t.Errorf("simulated mean %g, m(T) = %g ± %g", mean, o.Mean(T), 5*se)
	}
	if math.Abs(variance-o.Var(T)) > 5*o.Var(T)*math.Sqrt(2.0/n) {
		t.Errorf("simulated variance %g, v(T) = %g", variance, o.Var(T))
	}
}

// The score of a single time is affine; the mixture over time is not, and a constant leak fits
// its linear part with a positive rate.
func TestMixtureScoreIsNotAffine(t *testing.T) {
	o := OU{Theta: 1, Mu: 0, Sigma: 0.3, M0: 2, V0: 0.01}
	xs := Linspace(-1, 3, 201)
	// Derivative of the mixture score, by central differences, varies: not affine.
	slope := func(x float64) float64 {
		return (o.MixtureScore(x+1e-4, 0.05, 3) - o.MixtureScore(x-1e-4, 0.05, 3)) / 2e-4
	}
	if a, b := slope(0), slope(2); math.Abs(a-b) < 0.1*math.Abs(a) {
		t.Errorf("mixture score slope %g at 0 and %g at 2: looks affine", a, b)
	}
	fit := o.BestConstantLeak(0.05, 3, xs)
	if !(fit.Leak > 0) || !(fit.R2 < 0.99) {
		t.Errorf("fit %+v: want a positive leak that leaves part of the score unexplained", fit)
	}
	// A single time's score is exactly affine: R² = 1 and the leak is 1/v(t).
	one := OU{Theta: 1, Mu: 0, Sigma: 0.3, M0: 0, V0: 0.045} // stationary: v(t) = σ²/2θ = 0.045
	fit1 := one.BestConstantLeak(1, 1.0001, xs)
	if math.Abs(fit1.R2-1) > 1e-9 || math.Abs(fit1.Leak-1/0.045) > 1e-3 {
		t.Errorf("stationary fit %+v, want R² = 1 and leak 1/0.045", fit1)
	}
}

// TestUnderdampedReachesDistantModeFaster: on a two-mode density, λ = 0.3 reaches the far mode in
// fewer steps than λ = 1 (overdamped) at the same step size, and both sample the density (W2 small).
func TestUnderdampedReachesDistantModeFaster(t *testing.T) {
	far := GaussianMixture{Means: []geom.Point{{X: -1.5}, {X: 1.5}}, SD: 0.5}
	const eta, chains, steps = 0.01, 200, 4000
	reach := func(lambda float64, seed uint64) float64 {
		rng := rand.New(rand.NewPCG(seed, 2))
		var times []float64
		for range chains {
			path, _ := Langevin(far.Score, geom.Point{X: -1.5}, eta, lambda, steps, rng)
			tt := float64(steps + 1)
			for i, p := range path {
				if p.X > 1.5 {
					tt = float64(i)
					break
				}
			}
			times = append(times, tt)
		}
		return medianOf(times)
	}
	over, under := reach(1, 3), reach(0.3, 3)
	if !(under < over) {
		t.Errorf("median steps to the far mode: underdamped %g, overdamped %g; want underdamped faster", under, over)
	}
	t.Logf("median steps to the far mode: overdamped %g, underdamped (λ=0.3) %g", over, under)

	close := GaussianMixture{Means: []geom.Point{{X: -0.7}, {X: 0.7}}, SD: 0.5}
	rng := rand.New(rand.NewPCG(4, 4))
	target := close.Sample(400, rng)
	for _, lambda := range []float64{1, 0.3} {
		var samples []geom.Point
		for range 400 {
			path, _ := Langevin(close.Score, close.Sample(1, rng)[0], eta, lambda, 300, rng)
			samples = append(samples, path[len(path)-1])
		}
		w, _ := metrics.Wasserstein(samples, target, 2)
		// Two independent 400-point samples of this density are ≈ 0.1 apart in W2.
		ref, _ := metrics.Wasserstein(close.Sample(400, rng), target, 2)
		if w > 2*ref+0.05 {
			t.Errorf("λ=%g: W2(samples, target) = %g, two exact samples differ by %g", lambda, w, ref)
		}
	}
}

func medianOf(x []float64) float64 {
	s := append([]float64(nil), x...)
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
	return s[len(s)/2]
}
