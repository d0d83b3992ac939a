package stats

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// DefaultAlpha is the family-wise error level of one claim's checks used when
// DecideOptions.Alpha is 0.
const DefaultAlpha = 0.05

// Holm applies the Holm–Bonferroni step-down procedure to the m p-values of one
// family at family-wise level alpha. With the p-values sorted ascending,
// p_(1) ≤ … ≤ p_(m), it rejects H_(i) while p_(i) ≤ alpha/(m − i + 1) and stops
// at the first failure. rejected[k] refers to p[k] (input order). Ties keep
// their input order. Every p must lie in [0, 1] and alpha in (0, 1).
func Holm(p []float64, alpha float64) (rejected []bool, err error) {
	if err := checkPValues(p); err != nil {
		return nil, err
	}
	if err := checkOpenUnit("alpha", alpha); err != nil {
		return nil, err
	}
	m := len(p)
	rejected = make([]bool, m)
	for i, k := range ascending(p) { // i is the 0-based rank
		if p[k] > alpha/float64(m-i) {
			break
		}
		rejected[k] = true
	}
	return rejected, nil
}

// HolmAdjusted returns Holm's adjusted p-values in input order:
// p̃_(i) = max_{j ≤ i} min(1, (m − j + 1)·p_(j)). H_k is rejected at level α by
// Holm exactly when p̃_k ≤ α (up to floating-point rounding of the product).
func HolmAdjusted(p []float64) ([]float64, error) {
	if err := checkPValues(p); err != nil {
		return nil, err
	}
	m := len(p)
	adj := make([]float64, m)
	running := 0.0
	for i, k := range ascending(p) {
		running = math.Max(running, math.Min(1, float64(m-i)*p[k]))
		adj[k] = running
	}
	return adj, nil
}

// ascending returns the indices of p in ascending order of p (stable).
func ascending(p []float64) []int {
	order := make([]int, len(p))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(p[a], p[b]) })
	return order
}

func checkPValues(p []float64) error {
	if len(p) == 0 {
		return badInput("len(p)", 0, "need at least one p-value")
	}
	for i, v := range p {
		if !(v >= 0 && v <= 1) { // also rejects NaN
			return badInput(fmt.Sprintf("p[%d]", i), v, "a p-value must lie in [0, 1]")
		}
	}
	return nil
}
