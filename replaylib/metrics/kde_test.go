package metrics

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/replaylab/replay/geom"
)

func gaussianCloud(n int, mx, my float64, rng *rand.Rand) []geom.Point {
	pts := make([]geom.Point, n)
	for i := range pts {
		pts[i] = geom.Point{X: mx + rng.NormFloat64(), Y: my + rng.NormFloat64()}
	}
	return pts
}

// Two unit Gaussians a distance 1 apart: KL = ‖μ‖²/2 for the true densities; Scott's kernels widen
// both variances by the factor 1 + n^(−1/3), so the KDEs' KL is 0.5/(1 + n^(−1/3)).
func TestSampledKDEKLGaussians(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	n := 4000
	a, b := gaussianCloud(n, 0, 0, rng), gaussianCloud(n, 1, 0, rng)
	kl, err := SampledKDEKL(a, b, 4000, rng)
	if err != nil {
		t.Fatal(err)
	}
	want := 0.5 / (1 + math.Pow(float64(n), -1.0/3))
	if math.Abs(kl-want) > 0.06 {
		t.Errorf("KL of shifted Gaussians = %.3f, want %.3f ± 0.06", kl, want)
	}
	same, err := SampledKDEKL(a, gaussianCloud(n, 0, 0, rng), 4000, rng)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(same) > 0.03 {
		t.Errorf("KL of two samples of one Gaussian = %.3f, want 0 ± 0.03", same)
	}
}

// The density of a KDE integrates to 1, and at a lone cluster's centre it is the kernel's peak.
func TestKDEDensity(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	pts := gaussianCloud(500, 2, -1, rng)
	k, err := NewKDE(pts)
	if err != nil {
		t.Fatal(err)
	}
	// Riemann sum over [−4, 8] × [−7, 5] in steps of 0.05.
	s, h := 0.0, 0.05
	for x := -4.0; x < 8; x += h {
		for y := -7.0; y < 5; y += h {
			s += k.PDF(geom.Point{X: x, Y: y}) * h * h
		}
	}
	if math.Abs(s-1) > 0.01 {
		t.Errorf("∫KDE = %.4f, want 1 ± 0.01", s)
	}
	// Scott's factor for 500 points: kernel variance ≈ 500^(−1/3) ≈ 0.126 of the data's.
	if f := k.a / 1.0; math.Abs(f-math.Pow(500, -1.0/3)) > 0.03 {
		t.Errorf("kernel variance along x = %.3f, want ≈ %.3f", f, math.Pow(500, -1.0/3))
	}
	if _, err := NewKDE([]geom.Point{{X: 0, Y: 0}, {X: 1, Y: 1}, {X: 2, Y: 2}}); err == nil {
		t.Error("points on a line: want an error")
	}
	if _, err := NewKDE(pts[:2]); err == nil {
		t.Error("2 points: want an error")
	}
}
