package stats_test

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/replaylab/replay/replaylib/stats"
)

// Five networks with four paired chains each; diff[n][i] is metric(A) −
// metric(B) on chain i of network n. The effect of a network on a chain
// multiset is the mean of its differences.
func ExampleHierarchicalBootstrap() {
	diff := [][]float64{
		{0.9, 1.1, 0.7, 1.3},
		{0.4, 0.6, 0.5, 0.8},
		{1.2, 0.9, 1.4, 1.0},
		{0.3, 0.7, 0.2, 0.6},
		{0.8, 1.0, 0.6, 0.9},
	}
	chains := []int{4, 4, 4, 4, 4}
	f := func(n int, idx []int) float64 {
		s := 0.0
		for _, i := range idx {
			s += diff[n][i]
		}
		return s / float64(len(idx))
	}
	rng := rand.New(rand.NewPCG(1, 2))
	r, err := stats.HierarchicalBootstrap(chains, f, stats.BootstrapOptions{}, rng)
	if err != nil {
		panic(err)
	}
	fmt.Printf("estimate %.3f, 95%% interval [%.3f, %.3f], SE %.3f, p = %.4f (%d replicates)\n",
		r.Estimate, r.Lo, r.Hi, r.StdErr, r.P, r.Replicates)
	// Output: estimate 0.795, 95% interval [0.565, 1.025], SE 0.120, p = 0.0010 (2000 replicates)
}

func ExampleNetworkBootstrap() {
	perNetwork := []float64{0.12, -0.03, 0.08, 0.15, 0.05, 0.10}
	r, err := stats.NetworkBootstrap(perNetwork, stats.BootstrapOptions{Interval: stats.ExpandedPercentile}, rand.New(rand.NewPCG(3, 4)))
	if err != nil {
		panic(err)
	}
	fmt.Printf("%s: estimate %.3f, [%.3f, %.3f], p = %.4f\n", r.Method, r.Estimate, r.Lo, r.Hi, r.P)
	// Output: expanded-percentile: estimate 0.078, [0.002, 0.132], p = 0.0423
}

// A claim with three checks: Holm at α = 0.05 compares the sorted p-values
// 0.001, 0.03, 0.04 with 0.05/3, 0.05/2 and 0.05, and stops at 0.03.
func ExampleDecide() {
	checks := []stats.Check{
		{Name: "W1 lower", Direction: stats.Less, Estimate: -0.21, Lo: -0.30, Hi: -0.12, P: 0.001},
		{Name: "coverage higher", Direction: stats.Greater, Estimate: 0.05, Lo: 0.01, Hi: 0.09, P: 0.03},
		{Name: "reach sooner", Direction: stats.Less, Estimate: 3.1, Lo: 0.2, Hi: 6.0, P: 0.04},
	}
	d, err := stats.Decide(checks, stats.DecideOptions{})
	if err != nil {
		panic(err)
	}
	for _, c := range d.Checks {
		fmt.Printf("%-16s p %.3f  threshold %.4f  %s\n", c.Name, c.P, c.Threshold, c.Verdict)
	}
	fmt.Println("claim:", d.Verdict)
	// Output:
	// W1 lower         p 0.001  threshold 0.0167  held
	// coverage higher  p 0.030  threshold 0.0250  inconclusive
	// reach sooner     p 0.040  threshold 0.0500  inconclusive
	// claim: inconclusive
}

// Reach times of seven chains replayed for T_q = 8 steps (false: not reached by 8).
func ExampleNewKaplanMeier() {
	s := stats.ReachSample{
		Times:   []int{2, 3, 3, 5, 5, 8, 8},
		Reached: []bool{true, true, false, true, true, false, false},
	}
	km, err := stats.NewKaplanMeier(s)
	if err != nil {
		panic(err)
	}
	for j, t := range km.Times {
		fmt.Printf("t=%d at risk %d reached %d S=%.4f se %.4f\n", t, km.AtRisk[j], km.Events[j], km.Survival[j], math.Sqrt(km.Variance[j]))
	}
	r, err := km.RMST(8)
	if err != nil {
		panic(err)
	}
	fmt.Printf("RMST(8) = %.4f ± %.4f\n", r.Mean, r.StdErr)
	// Output:
	// t=2 at risk 7 reached 1 S=0.8571 se 0.1323
	// t=3 at risk 6 reached 1 S=0.7143 se 0.1707
	// t=5 at risk 4 reached 2 S=0.3571 se 0.1979
	// RMST(8) = 5.3571 ± 0.8739
}

func ExampleLogRank() {
	a := stats.ReachSample{Times: []int{1, 3, 4}, Reached: []bool{true, true, false}}
	b := stats.ReachSample{Times: []int{2, 4, 5}, Reached: []bool{true, true, false}}
	r, err := stats.LogRank(a, b)
	if err != nil {
		panic(err)
	}
	fmt.Printf("O_A %.0f E_A %.4f V %.4f chi2 %.4f p %.4f\n", r.ObservedA, r.ExpectedA, r.Variance, r.ChiSquare, r.P)
	// Output: O_A 2 E_A 1.7333 V 0.9622 chi2 0.0739 p 0.7857
}
