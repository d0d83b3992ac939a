package claims

import (
	"slices"
	"testing"

	"github.com/replaylab/replay/replaylib/stats"
)

// TestReachCurveHoldsToTheHorizon: curves end at the largest observed time, and one whose chains
// never reach is a line at 1 (it used to be drawn as nothing).
func TestReachCurveHoldsToTheHorizon(t *testing.T) {
	never, err := stats.NewKaplanMeier(stats.ReachSample{Times: []int{2000, 2000, 2000}, Reached: []bool{false, false, false}})
	if err != nil {
		t.Fatal(err)
	}
	if c := reachCurve("never", never); len(c.X) < 2 || c.X[0] != 0 || slices.Max(c.X) != 2000 || slices.Min(c.Y) != 1 {
		t.Errorf("never-reaching curve X %v Y %v, want S = 1 from 0 to 2000", c.X, c.Y)
	}
	half, err := stats.NewKaplanMeier(stats.ReachSample{Times: []int{100, 2000}, Reached: []bool{true, false}})
	if err != nil {
		t.Fatal(err)
	}
	c := reachCurve("half", half)
	if slices.Max(c.X) != 2000 || c.Y[len(c.Y)-1] != 0.5 || slices.Min(c.Y) != 0.5 {
		t.Errorf("curve X %v Y %v, want a drop to 0.5 at 100 held to 2000", c.X, c.Y)
	}
}
