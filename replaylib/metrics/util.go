package metrics

import (
	"fmt"
	"math"
	"slices"

	"github.com/replaylab/replay/geom"
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

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// checkPoints returns an error naming the first non-finite point of pts, called name in the message.
func checkPoints(name string, pts []geom.Point) error {
	for i, p := range pts {
		if !finite(p.X) || !finite(p.Y) {
			return fmt.Errorf("%s[%d] = (%g, %g): coordinates must be finite", name, i, p.X, p.Y)
		}
	}
	return nil
}

// checkTrajectories returns an error if traj is empty or holds a non-finite point.
func checkTrajectories(name string, traj [][]geom.Point) error {
	if len(traj) == 0 {
		return fmt.Errorf("%s: no chains, need at least 1", name)
	}
	for c, path := range traj {
		if err := checkPoints(fmt.Sprintf("%s[%d]", name, c), path); err != nil {
			return err
		}
	}
	return nil
}
