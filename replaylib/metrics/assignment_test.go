package metrics

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/replaylab/replay/datasets"
)

// textbookAssignment is the Hungarian algorithm as usually written (two passes over all columns
// per step, a used[] flag per column). Assignment reorganises its loops for speed; it must take
// exactly the same steps, so that every W1 the project ever reported stays bit for bit the same.
func textbookAssignment(cost [][]float64) []int {
	n := len(cost)
	u := make([]float64, n+1)
	v := make([]float64, n+1)
	p := make([]int, n+1)
	way := make([]int, n+1)
	minv := make([]float64, n+1)
	used := make([]bool, n+1)
	for i := 1; i <= n; i++ {
		p[0] = i
		j0 := 0
		for j := range minv {
			minv[j] = math.Inf(1)
			used[j] = false
		}
		for {
			used[j0] = true
			i0, delta, j1 := p[j0], math.Inf(1), 0
			for j := 1; j <= n; j++ {
				if used[j] {
					continue
				}
				cur := cost[i0-1][j-1] - u[i0] - v[j]
				if cur < minv[j] {
					minv[j], way[j] = cur, j0
				}
				if minv[j] < delta {
					delta, j1 = minv[j], j
				}
			}
			for j := 0; j <= n; j++ {
				if used[j] {
					u[p[j]] += delta
					v[j] -= delta
				} else {
					minv[j] -= delta
				}
			}
			j0 = j1
			if p[j0] == 0 {
				break
			}
		}
		for j0 != 0 {
			j1 := way[j0]
			p[j0] = p[j1]
			j0 = j1
		}
	}
	match := make([]int, n)
	for j := 1; j <= n; j++ {
		match[p[j]-1] = j - 1
	}
	return match
}

// TestAssignmentTakesTheTextbookSteps compares matchings (not only costs) with the textbook
// algorithm on random instances, with and without ties (points on a coarse grid, duplicates).
func TestAssignmentTakesTheTextbookSteps(t *testing.T) {
	r := rng(7)
	for trial := range 120 {
		n := 1 + r.IntN(80)
		if trial%20 == 0 {
			n = 300 + r.IntN(200)
		}
		grid := trial%3 == 0 // coordinates on a 5×5 grid: many equal costs
		pts := func() []datasets.Point {
			out := make([]datasets.Point, n)
			for i := range out {
				if grid {
					out[i] = datasets.Point{X: float64(r.IntN(5)), Y: float64(r.IntN(5))}
				} else {
					out[i] = datasets.Point{X: r.NormFloat64(), Y: r.NormFloat64()}
				}
			}
			return out
		}
		a, b := pts(), pts()
		cost := make([][]float64, n)
		for i := range cost {
			cost[i] = make([]float64, n)
			for j := range cost[i] {
				cost[i][j] = dist(a[i], b[j])
			}
		}
		got, err := Assignment(context.Background(), cost)
		if err != nil {
			t.Fatal(err)
		}
		if want := textbookAssignment(cost); !slices.Equal(got, want) {
			t.Fatalf("trial %d (n=%d, grid %v): matching differs from the textbook algorithm's", trial, n, grid)
		}
	}
}

// BenchmarkAssignment400 is one exact W1 of the claims' size, 400 against 400 points, between
// unlike sets as in replay against training: a tight blob against points spread on a ring.
func BenchmarkAssignment400(b *testing.B) {
	r := rng(3)
	const n = 400
	blob, ring := make([]datasets.Point, n), make([]datasets.Point, n)
	for i := range n {
		blob[i] = datasets.Point{X: 0.1 * r.NormFloat64(), Y: 0.1 * r.NormFloat64()}
		phi := 2 * math.Pi * r.Float64()
		ring[i] = datasets.Point{X: math.Cos(phi) + 0.05*r.NormFloat64(), Y: math.Sin(phi) + 0.05*r.NormFloat64()}
	}
	cost := make([][]float64, n)
	for i := range cost {
		cost[i] = make([]float64, n)
		for j := range cost[i] {
			cost[i][j] = dist(blob[i], ring[j])
		}
	}
	b.Run("project", func(b *testing.B) {
		for b.Loop() {
			if _, err := Assignment(context.Background(), cost); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("textbook", func(b *testing.B) {
		for b.Loop() {
			textbookAssignment(cost)
		}
	})
}
