package metrics

import (
	"math"
	"slices"
)

func sortFloats(x []float64) { slices.Sort(x) }

// median of x (NaN for an empty slice); x is not modified.
func median(x []float64) float64 {
	if len(x) == 0 {
		return math.NaN()
	}
	s := slices.Clone(x)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
