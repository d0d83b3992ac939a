package metrics

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"

	"github.com/replaylab/replay/geom"
)

// KDE is a Gaussian kernel density estimate in the plane with Scott's rule, as SciPy's
// gaussian_kde makes it: the kernel's covariance is the data's (unbiased) covariance times
// n^(−2/(d+4)) = n^(−1/3) for d = 2 dimensions, the density the mean of one kernel per point.
type KDE struct {
	points []geom.Point
	// Kernel covariance [[a, b], [b, c]] and what its density needs: the inverse's entries,
	// the normaliser 1/(2π√det) and the Cholesky factor for sampling.
	a, b, c       float64
	ia, ib, ic    float64
	norm          float64
	l11, l21, l22 float64
}

// NewKDE fits a KDE to pts (at least 3 finite points not all on one line).
func NewKDE(pts []geom.Point) (*KDE, error) {
	if len(pts) < 3 {
		return nil, fmt.Errorf("kde: %d points, need ≥ 3", len(pts))
	}
	if err := checkPoints("kde", pts); err != nil {
		return nil, err
	}
	n := float64(len(pts))
	var mx, my float64
	for _, p := range pts {
		mx += p.X
		my += p.Y
	}
	mx, my = mx/n, my/n
	var sxx, sxy, syy float64
	for _, p := range pts {
		dx, dy := p.X-mx, p.Y-my
		sxx += dx * dx
		sxy += dx * dy
		syy += dy * dy
	}
	f2 := math.Pow(n, -1.0/3) // Scott's factor squared: (n^(−1/(d+4)))², d = 2
	k := &KDE{points: pts, a: sxx / (n - 1) * f2, b: sxy / (n - 1) * f2, c: syy / (n - 1) * f2}
	det := k.a*k.c - k.b*k.b
	if !(det > 1e-300) {
		return nil, fmt.Errorf("kde: the %d points lie on a line or a point (covariance determinant %g)", len(pts), det)
	}
	k.ia, k.ib, k.ic = k.c/det, -k.b/det, k.a/det
	k.norm = 1 / (2 * math.Pi * math.Sqrt(det))
	k.l11 = math.Sqrt(k.a)
	k.l21 = k.b / k.l11
	k.l22 = math.Sqrt(k.c - k.l21*k.l21)
	return k, nil
}

// PDF is the estimated density at p.
func (k *KDE) PDF(p geom.Point) float64 {
	s := 0.0
	for _, q := range k.points {
		dx, dy := p.X-q.X, p.Y-q.Y
		s += math.Exp(-0.5 * (k.ia*dx*dx + 2*k.ib*dx*dy + k.ic*dy*dy))
	}
	return k.norm * s / float64(len(k.points))
}

// MeanShift is the kernel-weighted mean of the data around p minus p,
//
//	m(p) − p = Σ_q w_q (q − p) / Σ_q w_q,  w_q = exp(−½ (q − p)ᵀ H⁻¹ (q − p)),
//
// which is H ∇log p̂(p), H the kernel covariance: the score of the estimated density in position
// units, pointing to where the data are denser at the kernel's scale. The weights are taken
// relative to the nearest point's, so p far from every point still gets a finite shift towards
// the data.
func (k *KDE) MeanShift(p geom.Point) geom.Point {
	exps := make([]float64, len(k.points))
	top := math.Inf(-1)
	for i, q := range k.points {
		dx, dy := q.X-p.X, q.Y-p.Y
		exps[i] = -0.5 * (k.ia*dx*dx + 2*k.ib*dx*dy + k.ic*dy*dy)
		top = math.Max(top, exps[i])
	}
	var sw, sx, sy float64
	for i, q := range k.points {
		w := math.Exp(exps[i] - top)
		sw += w
		sx += w * (q.X - p.X)
		sy += w * (q.Y - p.Y)
	}
	return geom.Point{X: sx / sw, Y: sy / sw}
}

// Sample draws n points from the estimate: a data point chosen uniformly plus kernel noise.
func (k *KDE) Sample(n int, rng *rand.Rand) []geom.Point {
	out := make([]geom.Point, n)
	for i := range out {
		q := k.points[rng.IntN(len(k.points))]
		z1, z2 := rng.NormFloat64(), rng.NormFloat64()
		out[i] = geom.Point{X: q.X + k.l11*z1, Y: q.Y + k.l21*z1 + k.l22*z2}
	}
	return out
}

// pdfs evaluates k at every point of at, on all cores, until ctx is cancelled (checked every
// 64 points per core).
func (k *KDE) pdfs(ctx context.Context, at []geom.Point) ([]float64, error) {
	out := make([]float64, len(at))
	workers := min(runtime.GOMAXPROCS(0), len(at))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i, n := w, 0; i < len(at); i, n = i+workers, n+1 {
				if n%64 == 0 && ctx.Err() != nil {
					return
				}
				out[i] = k.PDF(at[i])
			}
		}()
	}
	wg.Wait()
	return out, ctx.Err()
}

// KDEKLSamples is the number of Monte Carlo points of SampledKDEKL (the predecessor paper's analysis uses 2,500).
const KDEKLSamples = 2500

// KDEKLClip bounds the density ratio of SampledKDEKL to [1/KDEKLClip, KDEKLClip], as the predecessor's
// analysis does, so that a point where the waking estimate is nearly zero cannot dominate.
const KDEKLClip = 1e7

// SampledKDEKL estimates the Kullback–Leibler divergence KL(Q‖P) in nats of the replay positions' density
// Q from the waking positions' density P, both Gaussian KDEs (NewKDE), by Monte Carlo: the mean
// of log(q(x)/p(x)), the ratio clipped to [1e−7, 1e7], over n points x drawn from Q (n ≤ 0:
// KDEKLSamples). 0 is replay distributed as waking; a larger value is replay that puts its mass
// where waking rarely goes. It is the predecessor paper's headline measure (Krishna et al., ICLR
// 2024), computed the same way.
func SampledKDEKL(replay, waking []geom.Point, n int, rng *rand.Rand) (float64, error) {
	return SampledKDEKLContext(context.Background(), replay, waking, n, rng)
}

// SampledKDEKLContext is SampledKDEKL stopped by ctx (its error once cancelled).
func SampledKDEKLContext(ctx context.Context, replay, waking []geom.Point, n int, rng *rand.Rand) (float64, error) {
	q, err := NewKDE(replay)
	if err != nil {
		return math.NaN(), fmt.Errorf("replay %w", err)
	}
	p, err := NewKDE(waking)
	if err != nil {
		return math.NaN(), fmt.Errorf("waking %w", err)
	}
	if n <= 0 {
		n = KDEKLSamples
	}
	x := q.Sample(n, rng)
	qs, err := q.pdfs(ctx, x)
	if err != nil {
		return math.NaN(), err
	}
	ps, err := p.pdfs(ctx, x)
	if err != nil {
		return math.NaN(), err
	}
	s := 0.0
	for i := range x {
		r := qs[i] / ps[i]
		if math.IsNaN(r) {
			r = 1
		}
		s += math.Log(math.Min(math.Max(r, 1/KDEKLClip), KDEKLClip))
	}
	return s / float64(n), nil
}
