package metrics

import (
	"math"

	"github.com/replaylab/replay/geom"
)

// DriftField estimates E[x_{t+1} − x_t | x_t ∈ cell] from trajectories, for grid cells holding at
// least minCount steps: the cell centres and the mean decoded displacements. For a Langevin
// sampler x' = x + η∇log p + noise this is η∇log p(x).
func DriftField(traj [][]geom.Point, grid *geom.Grid, minCount int) (at, drift []geom.Point) {
	sum := make([]geom.Point, grid.NX*grid.NY)
	count := make([]int, grid.NX*grid.NY)
	for _, path := range traj {
		for t := 0; t+1 < len(path); t++ {
			if i := grid.Index(path[t]); i >= 0 {
				sum[i] = sum[i].Add(path[t+1].Sub(path[t]))
				count[i]++
			}
		}
	}
	for i, n := range count {
		if n < max(minCount, 1) || !grid.Inside(i) {
			continue
		}
		ix, iy := i%grid.NX, i/grid.NX
		at = append(at, geom.Point{X: grid.Lo.X + (float64(ix)+0.5)*grid.Cell, Y: grid.Lo.Y + (float64(iy)+0.5)*grid.Cell})
		drift = append(drift, sum[i].Scale(1/float64(n)))
	}
	return at, drift
}

// KDEScore is the score ∇log p̂(x) of a Gaussian kernel density of points (bandwidth h) at each x:
// Σ_i K(x − p_i)(p_i − x)/h² / Σ_i K(x − p_i).
func KDEScore(points, at []geom.Point, h float64) []geom.Point {
	out := make([]geom.Point, len(at))
	for k, x := range at {
		var num geom.Point
		den := 0.0
		for _, p := range points {
			d := p.Sub(x)
			w := math.Exp(-(d.X*d.X + d.Y*d.Y) / (2 * h * h))
			num = num.Add(d.Scale(w / (h * h)))
			den += w
		}
		if den > 0 {
			out[k] = num.Scale(1 / den)
		}
	}
	return out
}
