package theory

import (
	"fmt"
	"math"
)

// OU is a one-dimensional Ornstein–Uhlenbeck process with a Gaussian start.
type OU struct {
	Theta float64 // mean-reversion rate θ > 0
	Mu    float64 // long-run mean μ
	Sigma float64 // diffusion σ > 0
	M0    float64 // start mean m_0
	V0    float64 // start variance v_0 ≥ 0
}

// Validate returns an error naming the first field out of range.
func (o OU) Validate() error {
	switch {
	case !(o.Theta > 0):
		return fmt.Errorf("Theta=%g: must be > 0", o.Theta)
	case !(o.Sigma > 0):
		return fmt.Errorf("Sigma=%g: must be > 0", o.Sigma)
	case !(o.V0 >= 0):
		return fmt.Errorf("V0=%g: must be ≥ 0", o.V0)
	}
	return nil
}

// Mean is m(t).
func (o OU) Mean(t float64) float64 { return o.Mu + (o.M0-o.Mu)*math.Exp(-o.Theta*t) }

// Var is v(t).
func (o OU) Var(t float64) float64 {
	e := math.Exp(-2 * o.Theta * t)
	return o.V0*e + o.Sigma*o.Sigma/(2*o.Theta)*(1-e)
}

// Density is p_t(x).
func (o OU) Density(x, t float64) float64 {
	v := o.Var(t)
	d := x - o.Mean(t)
	return math.Exp(-d*d/(2*v)) / math.Sqrt(2*math.Pi*v)
}

// Score is ∇log p_t(x) = −(x − m(t))/v(t).
func (o OU) Score(x, t float64) float64 { return -(x - o.Mean(t)) / o.Var(t) }

// mixtureQuadrature is the number of midpoint nodes for the time integral over [0, T].
const mixtureQuadrature = 400

// times returns the midpoint quadrature nodes of [t0, T] (t0 > 0 avoids a zero-variance start).
func times(t0, T float64) []float64 {
	ts := make([]float64, mixtureQuadrature)
	for i := range ts {
		ts[i] = t0 + (T-t0)*(float64(i)+0.5)/mixtureQuadrature
	}
	return ts
}

// MixtureDensity is p̄(x) = (1/(T−t0)) ∫_{t0}^{T} p_t(x) dt.
func (o OU) MixtureDensity(x, t0, T float64) float64 {
	s := 0.0
	ts := times(t0, T)
	for _, t := range ts {
		s += o.Density(x, t)
	}
	return s / float64(len(ts))
}

// MixtureScore is ∇log p̄(x) for the mixture of MixtureDensity.
func (o OU) MixtureScore(x, t0, T float64) float64 {
	num, den := 0.0, 0.0
	for _, t := range times(t0, T) {
		p := o.Density(x, t)
		num += p * o.Score(x, t)
		den += p
	}
	return num / den
}

// AffineFit is the weighted least-squares fit s(x) ≈ −Leak·(x − Centre) of the mixture score over
// xs, weighted by p̄(x), and the weighted R² of that fit (1 = exactly affine).
type AffineFit struct {
	Leak, Centre, R2 float64 // λ (the fit's slope, negated), c, and the weighted R²
}

// BestConstantLeak fits the mixture score of [t0, T] over the grid xs (see AffineFit).
func (o OU) BestConstantLeak(t0, T float64, xs []float64) AffineFit {
	var sw, sx, sy, sxx, sxy float64
	ys := make([]float64, len(xs))
	ws := make([]float64, len(xs))
	for i, x := range xs {
		w := o.MixtureDensity(x, t0, T)
		y := o.MixtureScore(x, t0, T)
		ys[i], ws[i] = y, w
		sw, sx, sy, sxx, sxy = sw+w, sx+w*x, sy+w*y, sxx+w*x*x, sxy+w*x*y
	}
	slope := (sw*sxy - sx*sy) / (sw*sxx - sx*sx)
	intercept := (sy - slope*sx) / sw
	meanY := sy / sw
	var ssRes, ssTot float64
	for i, x := range xs {
		r := ys[i] - (intercept + slope*x)
		ssRes += ws[i] * r * r
		ssTot += ws[i] * (ys[i] - meanY) * (ys[i] - meanY)
	}
	// s = slope·x + intercept = −λ (x − c) with λ = −slope, c = intercept/λ.
	return AffineFit{Leak: -slope, Centre: intercept / -slope, R2: 1 - ssRes/ssTot}
}

// Linspace returns n points evenly spaced over [a, b].
func Linspace(a, b float64, n int) []float64 {
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = a + (b-a)*float64(i)/float64(max(n-1, 1))
	}
	return xs
}
