package metrics_test

import (
	"fmt"

	"github.com/replaylab/replay/datasets"
	"github.com/replaylab/replay/geom"
	"github.com/replaylab/replay/replaylib/metrics"
)

// Shifting a point set by d moves it a Wasserstein distance |d| away, in W1 and W2 alike.
func ExampleWasserstein() {
	a := []geom.Point{{X: 0, Y: 0}, {X: 1, Y: 0}, {X: 0, Y: 1}}
	b := []geom.Point{{X: 0.3, Y: 1.4}, {X: 1.3, Y: 0.4}, {X: 0.3, Y: 0.4}} // a + (0.3, 0.4), reordered
	w1, _ := metrics.Wasserstein(a, b, 1)
	w2, _ := metrics.Wasserstein(a, b, 2)
	fmt.Printf("W1 = %.2f, W2 = %.2f\n", w1, w2)
	// Output:
	// W1 = 0.50, W2 = 0.50
}

// Reach times: the first step inside the target region, −1 for a chain that never gets there.
func ExampleReachTimes() {
	env, _ := datasets.NewEnvironment("corridor",
		geom.Polygon{{X: 0, Y: 0}, {X: 4, Y: 0}, {X: 4, Y: 1}, {X: 0, Y: 1}}, nil,
		[]geom.Region{{Name: "goal", Area: geom.Polygon{{X: 3, Y: 0}, {X: 4, Y: 0}, {X: 4, Y: 1}, {X: 3, Y: 1}}}})
	fast := []geom.Point{{X: 0.5, Y: 0.5}, {X: 1.5, Y: 0.5}, {X: 2.5, Y: 0.5}, {X: 3.5, Y: 0.5}}
	slow := []geom.Point{{X: 0.5, Y: 0.5}, {X: 1, Y: 0.5}, {X: 1.5, Y: 0.5}, {X: 2, Y: 0.5}}
	s := metrics.ReachTimes([][]geom.Point{fast, slow}, env, env.RegionIndex("goal"))
	fmt.Println(s.Times, "never:", s.FractionNever, "restricted mean:", s.RestrictedMean)
	// Output:
	// [3 -1] never: 0.5 restricted mean: 3
}
