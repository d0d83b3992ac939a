package metrics

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/replaylab/replay/datasets"
	"github.com/replaylab/replay/geom"
)

// xs is a chain at heights y = 0.5 along the x positions given.
func xs(x ...float64) []P {
	out := make([]P, len(x))
	for i, v := range x {
		out[i] = P{X: v, Y: 0.5}
	}
	return out
}

func TestReachTimesPerChain(t *testing.T) {
	env, err := datasets.NewEnvironment("strip", poly(0, 0, 10, 0, 10, 1, 0, 1), nil, []geom.Region{
		{Name: "left", Area: poly(0, 0, 2, 0, 2, 1, 0, 1)},
		{Name: "right", Area: poly(8, 0, 10, 0, 10, 1, 8, 1)},
	})
	if err != nil {
		t.Fatal(err)
	}
	const left, right = 0, 1
	traj := [][]P{
		xs(1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5, 9.5, 9.5), // starts left, target right: τ = 7 of T = 9
		xs(9.5, 7.5, 5.5, 3.5, 1.5, 1.5),                     // starts right, target left: τ = 4 of T = 5
		xs(1.5, 1.5, 1.5, 1.5, 1.5, 1.5),                     // stays left, target right: never, T = 5
		xs(1.5, 1.5, 1.5, 1.5),                               // stays left, target left: τ = 1 (t = 0 does not count)
	}
	s, err := ReachTimesPerChain(traj, env, [][]int{{right}, {left}, {right}, {left}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(s.Times, []int{7, 4, -1, 1}) || !slices.Equal(s.Reached, []bool{true, true, false, true}) {
		t.Errorf("times %v reached %v, want [7 4 -1 1] [true true false true]", s.Times, s.Reached)
	}
	// Censored times 1, 4, 7, ∞: median 5.5; reached 7, 4, 1: median 4, mean 4;
	// restricted mean (7 + 4 + min(∞, 5) + 1)/4 = 4.25; one chain in four never reached.
	near := func(got, want float64) bool { return math.Abs(got-want) < 1e-12 }
	if !near(s.Median, 5.5) || !near(s.MedianReached, 4) || !near(s.Mean, 4) || !near(s.RestrictedMean, 4.25) || !near(s.FractionNever, 0.25) {
		t.Errorf("summary %+v, want median 5.5, median reached 4, mean 4, restricted mean 4.25, never 0.25", s)
	}
	// Several targets: the first of either.
	s2, _ := ReachTimesPerChain(traj[1:2], env, [][]int{{right, left}})
	if s2.Times[0] != 4 {
		t.Errorf("first passage into left or right %d, want 4 (the start in right does not count)", s2.Times[0])
	}
	// The shared-target wrapper: only chain 0 goes right.
	w := ReachTimes(traj, env, right)
	if !slices.Equal(w.Times, []int{7, -1, -1, -1}) || !near(w.RestrictedMean, (7+5+5+3)/4.0) {
		t.Errorf("ReachTimes(right) times %v restricted mean %g, want [7 -1 -1 -1] and 5", w.Times, w.RestrictedMean)
	}
	for _, c := range []struct {
		name    string
		traj    [][]P
		env     *geom.Environment
		targets [][]int
		want    string
	}{
		{"nil env", traj, nil, [][]int{{0}, {0}, {0}, {0}}, "env is nil"},
		{"count", traj, env, [][]int{{0}}, "1 target lists for 4 chains"},
		{"empty targets", traj[:1], env, [][]int{{}}, "targets[0] is empty"},
		{"bad region", traj[:2], env, [][]int{{0}, {1, 2}}, "targets[1][1] = 2, must be a region index in [0, 2)"},
		{"short chain", [][]P{xs(1)}, env, [][]int{{0}}, "traj[0] has 1 points, need ≥ 2"},
		{"NaN", [][]P{xs(1, math.NaN())}, env, [][]int{{0}}, "traj[0][1] = (NaN, 0.5)"},
	} {
		if _, err := ReachTimesPerChain(c.traj, c.env, c.targets); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
	if bad := ReachTimes(traj, env, 5); !math.IsNaN(bad.RestrictedMean) || bad.Times != nil {
		t.Errorf("ReachTimes with a bad region: %+v, want NaN numbers and nil Times", bad)
	}
}
