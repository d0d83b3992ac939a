package metrics

import (
	"math"

	"github.com/replaylab/replay/geom"
)

// PathLengthPerStep is the mean step length ⟨‖x_{t+1} − x_t‖⟩ over all chains and steps.
func PathLengthPerStep(traj [][]geom.Point) float64 {
	sum, n := 0.0, 0
	for _, path := range traj {
		for t := 1; t < len(path); t++ {
			sum += dist(path[t], path[t-1])
			n++
		}
	}
	if n == 0 {
		return math.NaN()
	}
	return sum / float64(n)
}

// Compression is replay path length per step divided by active path length per step
// (PathLengthPerStep of each).
func Compression(replay, active [][]geom.Point) float64 {
	return PathLengthPerStep(replay) / PathLengthPerStep(active)
}

// Flatten pools the positions of all chains.
func Flatten(traj [][]geom.Point) []geom.Point {
	var out []geom.Point
	for _, path := range traj {
		out = append(out, path...)
	}
	return out
}

// Occupancy returns the fraction of points in each region of env, plus a last entry for points in
// no region (outside the environment or between regions).
func Occupancy(points []geom.Point, env *geom.Environment) []float64 {
	occ := make([]float64, len(env.Regions)+1)
	for _, p := range points {
		r := env.RegionOf(p)
		if r < 0 {
			r = len(env.Regions)
		}
		occ[r]++
	}
	for i := range occ {
		occ[i] /= float64(max(len(points), 1))
	}
	return occ
}

// Coverage is the fraction of g's inside cells holding at least one point.
func Coverage(g *geom.Grid, points []geom.Point) float64 {
	visited := 0
	for i, c := range g.Counts(points) {
		if c > 0 && g.Inside(i) {
			visited++
		}
	}
	return float64(visited) / float64(max(g.NumInside, 1))
}

// RegionsVisited is the mean, over chains, of the number of distinct regions a chain entered.
func RegionsVisited(traj [][]geom.Point, env *geom.Environment) float64 {
	total := 0
	seen := make([]bool, len(env.Regions))
	for _, path := range traj {
		clear(seen)
		for _, p := range path {
			if r := env.RegionOf(p); r >= 0 && !seen[r] {
				seen[r] = true
				total++
			}
		}
	}
	return float64(total) / float64(max(len(traj), 1))
}

// IncrementAutocorrelation is ⟨Δ_t·Δ_{t+lag}⟩ / ⟨Δ_t·Δ_t⟩ pooled over chains, Δ_t = x_{t+1} − x_t
// (increments centred by their pooled mean).
func IncrementAutocorrelation(traj [][]geom.Point, lag int) float64 {
	var mean geom.Point
	n := 0
	for _, path := range traj {
		for t := 1; t < len(path); t++ {
			mean = mean.Add(path[t].Sub(path[t-1]))
			n++
		}
	}
	if n == 0 {
		return math.NaN()
	}
	mean = mean.Scale(1 / float64(n))
	num, den := 0.0, 0.0
	for _, path := range traj {
		for t := 1; t < len(path); t++ {
			d := path[t].Sub(path[t-1]).Sub(mean)
			den += d.X*d.X + d.Y*d.Y
			if t+lag < len(path) {
				e := path[t+lag].Sub(path[t+lag-1]).Sub(mean)
				num += d.X*e.X + d.Y*e.Y
			}
		}
	}
	return num / den
}

// MSD returns ⟨‖x_{t+ℓ} − x_t‖²⟩ pooled over chains and start times, for each lag ℓ in lags.
func MSD(traj [][]geom.Point, lags []int) []float64 {
	out := make([]float64, len(lags))
	for k, lag := range lags {
		sum, n := 0.0, 0
		for _, path := range traj {
			for t := 0; t+lag < len(path); t++ {
				d := path[t+lag].Sub(path[t])
				sum += d.X*d.X + d.Y*d.Y
				n++
			}
		}
		out[k] = sum / float64(max(n, 1))
	}
	return out
}

// MSDExponent fits log MSD(ℓ) = β log ℓ + c by least squares over lags and returns β.
func MSDExponent(traj [][]geom.Point, lags []int) float64 {
	msd := MSD(traj, lags)
	var sx, sy, sxx, sxy float64
	n := 0.0
	for k, lag := range lags {
		if msd[k] <= 0 || lag <= 0 {
			continue
		}
		x, y := math.Log(float64(lag)), math.Log(msd[k])
		sx, sy, sxx, sxy, n = sx+x, sy+y, sxx+x*x, sxy+x*y, n+1
	}
	return (n*sxy - sx*sy) / (n*sxx - sx*sx)
}

// LogLags returns about n lags spaced logarithmically between 1 and maxLag (distinct, increasing).
func LogLags(maxLag, n int) []int {
	var lags []int
	for i := range n {
		l := int(math.Round(math.Pow(float64(maxLag), float64(i)/float64(max(n-1, 1)))))
		if len(lags) == 0 || l > lags[len(lags)-1] {
			lags = append(lags, l)
		}
	}
	return lags
}

// IntegratedAutocorrTime estimates τ_int = 1 + 2 Σ_{ℓ≥1} ρ(ℓ) of scalar series (one per chain,
// pooled), summing up to the first ℓ with ℓ ≥ 5 τ_int(ℓ) (Sokal's automatic window).
func IntegratedAutocorrTime(series [][]float64) float64 {
	acov := pooledAutocovariance(series)
	if acov == nil {
		return math.NaN()
	}
	c0 := acov(0)
	if c0 == 0 {
		return 1
	}
	maxLag := 0
	for _, s := range series {
		maxLag = max(maxLag, len(s)-1)
	}
	tau := 1.0
	for lag := 1; lag < maxLag; lag++ {
		tau += 2 * acov(lag) / c0
		if float64(lag) >= 5*tau {
			break
		}
	}
	return tau
}

// pooledAutocovariance returns the lag-ℓ autocovariance of scalar series (one per chain) about
// their pooled mean, averaged over every pair (t, t+ℓ) within a chain; nil for no values.
func pooledAutocovariance(series [][]float64) func(lag int) float64 {
	mean, n := 0.0, 0
	for _, s := range series {
		for _, v := range s {
			mean += v
			n++
		}
	}
	if n == 0 {
		return nil
	}
	mean /= float64(n)
	return func(lag int) float64 {
		sum, m := 0.0, 0
		for _, s := range series {
			for t := 0; t+lag < len(s); t++ {
				sum += (s[t] - mean) * (s[t+lag] - mean)
				m++
			}
		}
		if m == 0 {
			return 0
		}
		return sum / float64(m)
	}
}

// PositionAutocorrelation is the autocorrelation of decoded positions at each of lags, the two
// coordinates' autocovariances added, ρ(ℓ) = (γ_x(ℓ) + γ_y(ℓ)) / (γ_x(0) + γ_y(0)), each about its
// pooled mean as in IntegratedAutocorrTime: chains that stay in different places keep ρ near 1 at
// every lag, chains that mix lose it within their correlation time. NaN for constant or no chains.
func PositionAutocorrelation(traj [][]geom.Point, lags []int) []float64 {
	out := make([]float64, len(lags))
	ax, ay := pooledAutocovariance(Coordinate(traj, 0)), pooledAutocovariance(Coordinate(traj, 1))
	var c0 float64
	if ax != nil {
		c0 = ax(0) + ay(0)
	}
	for i, lag := range lags {
		out[i] = math.NaN()
		if c0 > 0 && lag >= 0 {
			out[i] = (ax(lag) + ay(lag)) / c0
		}
	}
	return out
}

// EffectiveSampleSize is the number of points divided by τ_int.
func EffectiveSampleSize(series [][]float64) float64 {
	n := 0
	for _, s := range series {
		n += len(s)
	}
	return float64(n) / IntegratedAutocorrTime(series)
}

// Coordinate extracts one coordinate (0: x, 1: y) of every chain as scalar series.
func Coordinate(traj [][]geom.Point, axis int) [][]float64 {
	out := make([][]float64, len(traj))
	for c, path := range traj {
		out[c] = make([]float64, len(path))
		for t, p := range path {
			if axis == 0 {
				out[c][t] = p.X
			} else {
				out[c][t] = p.Y
			}
		}
	}
	return out
}

// KDEKL estimates KL(p̂_a ‖ p̂_b) with Gaussian kernel densities of bandwidth h evaluated on the
// inside cells of grid (each density normalised over those cells, floored at 1e-12).
func KDEKL(a, b []geom.Point, grid *geom.Grid, h float64) float64 {
	pa, pb := Density(grid, a, h), Density(grid, b, h)
	kl := 0.0
	for i := range pa {
		if pa[i] > 0 {
			kl += pa[i] * math.Log(pa[i]/pb[i])
		}
	}
	return kl
}

// Density is a Gaussian kernel density estimate of points (bandwidth h) at g's inside cell centres,
// normalised to sum to 1, with a floor of 1e-12 per cell. Points are histogrammed first.
func Density(g *geom.Grid, points []geom.Point, h float64) []float64 {
	counts := g.Counts(points)
	dens := make([]float64, len(counts))
	r := int(math.Ceil(3 * h / g.Cell))
	total := 0.0
	for i := range dens {
		if !g.Inside(i) {
			continue
		}
		ix, iy := i%g.NX, i/g.NX
		s := 0.0
		for dy := -r; dy <= r; dy++ {
			for dx := -r; dx <= r; dx++ {
				jx, jy := ix+dx, iy+dy
				if jx < 0 || jy < 0 || jx >= g.NX || jy >= g.NY {
					continue
				}
				d2 := float64(dx*dx+dy*dy) * g.Cell * g.Cell
				s += counts[jy*g.NX+jx] * math.Exp(-d2/(2*h*h))
			}
		}
		dens[i] = s
		total += s
	}
	for i := range dens {
		if g.Inside(i) {
			dens[i] = math.Max(dens[i]/math.Max(total, 1e-300), 1e-12)
		}
	}
	return dens
}

// UniformPoints returns n points uniform inside env (rejection sampling in its bounding box).
func UniformPoints(env *geom.Environment, n int, rng interface{ Float64() float64 }) []geom.Point {
	lo, hi := env.Bounds()
	out := make([]geom.Point, 0, n)
	for len(out) < n {
		p := geom.Point{X: lo.X + rng.Float64()*(hi.X-lo.X), Y: lo.Y + rng.Float64()*(hi.Y-lo.Y)}
		if env.Contains(p) {
			out = append(out, p)
		}
	}
	return out
}
