package metrics

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/replaylab/replay/geom"
)

// textbookAssignment is the Hungarian algorithm as usually written (two passes over all columns
// per step, a used[] flag per column), which Assignment replaced: where the optimum is unique,
// Assignment must find its matching, so that every W1 the project reported stays bit for bit the
// same; among tied optima, one of the same cost.
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

// TestAssignmentMatchesTheTextbookAlgorithm compares Assignment with the textbook Hungarian
// algorithm on random instances: the same matching where the points are in general position (a
// unique optimum), the same total cost within rounding where many costs tie (points on a coarse
// grid, duplicates), and a permutation always.
func TestAssignmentMatchesTheTextbookAlgorithm(t *testing.T) {
	r := rng(7)
	for trial := range 120 {
		n := 1 + r.IntN(80)
		if trial%20 == 0 {
			n = 300 + r.IntN(200)
		}
		grid := trial%3 == 0 // coordinates on a 5×5 grid: many equal costs
		pts := func() []geom.Point {
			out := make([]geom.Point, n)
			for i := range out {
				if grid {
					out[i] = geom.Point{X: float64(r.IntN(5)), Y: float64(r.IntN(5))}
				} else {
					out[i] = geom.Point{X: r.NormFloat64(), Y: r.NormFloat64()}
				}
			}
			return out
		}
		a, b := pts(), pts()
		cost := distanceCost(a, b)
		got, err := Assignment(context.Background(), cost)
		if err != nil {
			t.Fatal(err)
		}
		want := textbookAssignment(cost)
		if !isPermutation(got) {
			t.Fatalf("trial %d (n=%d): %v is not a permutation", trial, n, got)
		}
		if !grid && !slices.Equal(got, want) {
			t.Fatalf("trial %d (n=%d): matching differs from the textbook algorithm's", trial, n)
		}
		if g, w := matchingCost(cost, got), matchingCost(cost, want); math.Abs(g-w) > 1e-12*math.Max(1, w) {
			t.Fatalf("trial %d (n=%d, grid %v): cost %.17g, textbook %.17g", trial, n, grid, g, w)
		}
	}
}

// TestAssignmentIsOptimalOnSmallProblems: on every problem small enough to try all permutations
// (integer costs with many ties, and real ones), Assignment's cost is the least.
func TestAssignmentIsOptimalOnSmallProblems(t *testing.T) {
	r := rng(11)
	for trial := range 300 {
		n := 1 + r.IntN(7)
		cost := make([][]float64, n)
		for i := range cost {
			cost[i] = make([]float64, n)
			for j := range cost[i] {
				if trial%2 == 0 {
					cost[i][j] = float64(r.IntN(4))
				} else {
					cost[i][j] = r.Float64()*10 - 5
				}
			}
		}
		got, err := Assignment(context.Background(), cost)
		if err != nil {
			t.Fatal(err)
		}
		best := math.Inf(1)
		perm := make([]int, n)
		for i := range perm {
			perm[i] = i
		}
		var try func(k int)
		try = func(k int) {
			if k == n {
				best = math.Min(best, matchingCost(cost, perm))
				return
			}
			for i := k; i < n; i++ {
				perm[k], perm[i] = perm[i], perm[k]
				try(k + 1)
				perm[k], perm[i] = perm[i], perm[k]
			}
		}
		try(0)
		if c := matchingCost(cost, got); !isPermutation(got) || c > best+1e-12 {
			t.Fatalf("trial %d: %v costs %g, the best permutation %g\ncost %v", trial, got, c, best, cost)
		}
	}
}

// distanceCost is the cost matrix of W1 between two point sets: cost[i][j] = ‖a_i − b_j‖.
func distanceCost(a, b []geom.Point) [][]float64 {
	cost := make([][]float64, len(a))
	for i := range cost {
		cost[i] = make([]float64, len(b))
		for j := range cost[i] {
			cost[i][j] = dist(a[i], b[j])
		}
	}
	return cost
}

func isPermutation(p []int) bool {
	seen := make([]bool, len(p))
	for _, j := range p {
		if j < 0 || j >= len(p) || seen[j] {
			return false
		}
		seen[j] = true
	}
	return true
}

func matchingCost(cost [][]float64, p []int) float64 {
	sum := 0.0
	for i, j := range p {
		sum += cost[i][j]
	}
	return sum
}

// BenchmarkAssignment400 is one exact W1 of the claims' size, 400 against 400 points, between
// unlike sets as in replay against training (a tight blob against points spread on a ring:
// project, textbook) and between two samples of one Gaussian cloud (like, like-textbook).
func BenchmarkAssignment400(b *testing.B) {
	r := rng(3)
	const n = 400
	blob, ring := make([]geom.Point, n), make([]geom.Point, n)
	for i := range n {
		blob[i] = geom.Point{X: 0.1 * r.NormFloat64(), Y: 0.1 * r.NormFloat64()}
		phi := 2 * math.Pi * r.Float64()
		ring[i] = geom.Point{X: math.Cos(phi) + 0.05*r.NormFloat64(), Y: math.Sin(phi) + 0.05*r.NormFloat64()}
	}
	for _, c := range []struct {
		name, textbook string
		cost           [][]float64
	}{{"project", "textbook", distanceCost(blob, ring)}, {"like", "like-textbook", distanceCost(gaussCloud(n, r), gaussCloud(n, r))}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := Assignment(context.Background(), c.cost); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(c.textbook, func(b *testing.B) {
			for b.Loop() {
				textbookAssignment(c.cost)
			}
		})
	}
}
