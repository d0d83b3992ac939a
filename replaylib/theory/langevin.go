package theory

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/replaylab/replay/geom"
)

// GaussianMixture is an isotropic 2D Gaussian mixture with equal weights: a known density whose
// score is available in closed form.
type GaussianMixture struct {
	Means []geom.Point // component means μ_k
	SD    float64      // s, each component's s.d. per coordinate
}

// Score is ∇log p(x) = Σ_k r_k(x) (μ_k − x)/s², r_k the responsibilities.
func (g GaussianMixture) Score(x geom.Point) geom.Point {
	s2 := g.SD * g.SD
	var num geom.Point
	den := 0.0
	maxLog := math.Inf(-1)
	logs := make([]float64, len(g.Means))
	for k, m := range g.Means {
		d := x.Sub(m)
		logs[k] = -(d.X*d.X + d.Y*d.Y) / (2 * s2)
		maxLog = math.Max(maxLog, logs[k])
	}
	for k, m := range g.Means {
		r := math.Exp(logs[k] - maxLog)
		num = num.Add(m.Sub(x).Scale(r / s2))
		den += r
	}
	return num.Scale(1 / den)
}

// Sample draws n points from the mixture.
func (g GaussianMixture) Sample(n int, rng *rand.Rand) []geom.Point {
	out := make([]geom.Point, n)
	for i := range out {
		m := g.Means[rng.IntN(len(g.Means))]
		out[i] = geom.Point{X: m.X + g.SD*rng.NormFloat64(), Y: m.Y + g.SD*rng.NormFloat64()}
	}
	return out
}

// Langevin runs the underdamped sampler of the package doc with step η and friction λ ∈ (0, 1]
// (λ = 1: overdamped) from x0 for the given steps, returning x_0 … x_steps.
func Langevin(score func(geom.Point) geom.Point, x0 geom.Point, eta, lambda float64, steps int, rng *rand.Rand) ([]geom.Point, error) {
	if !(eta > 0) {
		return nil, fmt.Errorf("eta=%g: must be > 0", eta)
	}
	if !(lambda > 0 && lambda <= 1) {
		return nil, fmt.Errorf("lambda=%g: must be in (0, 1]", lambda)
	}
	path := make([]geom.Point, steps+1)
	path[0] = x0
	x := x0
	var u geom.Point
	kick := math.Sqrt(2 * lambda * eta)
	for t := 1; t <= steps; t++ {
		s := score(x)
		xi := geom.Point{X: rng.NormFloat64(), Y: rng.NormFloat64()}
		u = u.Scale(1 - lambda).Add(s.Scale(eta)).Add(xi.Scale(kick))
		x = x.Add(u)
		path[t] = x
	}
	return path, nil
}
