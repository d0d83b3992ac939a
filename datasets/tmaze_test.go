package datasets

import (
	"math"
	"testing"
)

// within reports whether got is within k binomial standard errors of p over n trials, logging it.
func within(t *testing.T, what string, got, p float64, n int, k float64) {
	t.Helper()
	se := math.Sqrt(p * (1 - p) / float64(n))
	t.Logf("%s: %.4f over %d, parameter %.4f (s.e. %.4f)", what, got, n, p, se)
	if math.Abs(got-p) > k*se {
		t.Errorf("%s = %.4f, want %.4f ± %.4f (%g s.e. over %d)", what, got, p, k*se, k, n)
	}
}

// TestTMazeAlternationStatistics measures the junction choices and the arm alternation of long
// alternation-walk paths from many seeds with TMaze.Stats, from positions alone, and compares them
// with the parameters. Each junction choice is an independent draw, so the rates are binomial
// with the standard error √(p(1−p)/n); the arm-visit pairs form a Markov chain whose pairs are
// independent draws too when LeftProbability = ½, and nearly so otherwise.
func TestTMazeAlternationStatistics(t *testing.T) {
	cases := []struct{ a, left, dwell float64 }{{DefaultAlternationProbability, DefaultLeftProbability, DefaultDwellSteps}, {0.3, 0.8, 0}}
	for _, c := range cases {
		params := DefaultTMazeParams()
		params.AlternationProbability, params.LeftProbability, params.DwellSteps = c.a, c.left, c.dwell
		tm, err := NewTMaze(params)
		if err != nil {
			t.Fatal(err)
		}
		// 200 paths of 5,000 steps. The end of a window drops at most one pending arm pair per path,
		// more often a turn-back (a return trip down the stem takes ~70 steps) than an alternation:
		// about 70 of ~18,000 pairs, biasing the arm alternation by ~0.001, under half its s.e.
		// (500 paths of 20,000 steps gave 0.8746 for the default 0.875.)
		const seeds, perSeed, steps = 20, 10, 5000
		pos := make([]Point, steps+1)
		var st TMazeStats
		for seed := range uint64(seeds) {
			rng := newRNG(1000 + seed)
			for range perSeed {
				tm.Paths(pos, rng)
				st = st.Add(tm.Stats(pos))
			}
		}
		t.Logf("a=%g p=%g D=%g: %+v", c.a, c.left, c.dwell, st)
		within(t, "junction alternation", st.JunctionAlternationRate(), c.a, st.FromArm, 5)
		within(t, "turn-back", st.TurnBackRate(), 1-c.a, st.FromArm, 5)
		within(t, "left turn from the stem", st.LeftTurnRate(), c.left, st.FromStem, 5)
		within(t, "arm alternation", st.ArmAlternationRate(), params.ExpectedArmAlternationRate(), st.ArmPairs, 5)
		if same := st.FromArm - st.ToOtherArm - st.TurnBacks; same != 0 {
			t.Errorf("%d passages from an arm back into the same arm; the walk never turns at the junction", same)
		}
	}
}

// TestTMazeDwell: the walk stays at an end for a geometric number of steps with mean DwellSteps
// (s.d. √(D(D+1))) after the step that reaches it.
func TestTMazeDwell(t *testing.T) {
	tm := mustTask(t, "tmaze").(*TMaze)
	D := tm.Params().DwellSteps
	const paths, steps = 200, 5000
	rng := newRNG(77)
	pos := make([]Point, steps+1)
	trace := &walkTrace{dirs: make([]int8, steps)}
	arrivals, stays := 0, 0
	for range paths {
		tm.walk(pos, trace, rng)
		open := false // counting the stays of an arrival seen in this path
		for i, d := range trace.dirs {
			if i > 0 && trace.dirs[i-1] == 1 && d != 1 {
				arrivals++
				open = true
			}
			if d == 0 && open {
				stays++
			}
			if d == -1 {
				open = false
			}
		}
		if open { // the last dwell is cut by the window: drop it
			arrivals--
			for i := len(trace.dirs) - 1; i >= 0 && trace.dirs[i] == 0; i-- {
				stays--
			}
		}
	}
	mean := float64(stays) / float64(arrivals)
	se := math.Sqrt(D*(D+1)) / math.Sqrt(float64(arrivals))
	t.Logf("mean dwell %.3f steps over %d arrivals, parameter %g (s.e. %.3f)", mean, arrivals, D, se)
	if math.Abs(mean-D) > 5*se {
		t.Errorf("mean dwell %g steps, want %g ± %g", mean, D, 5*se)
	}
}

// tmazeBin returns one of 15 bins of a position: its skeleton edge and which fifth of the edge,
// counted from the junction, it projects on.
func tmazeBin(tm *TMaze, p Point) int {
	sp, _ := tm.Env().Project(p)
	g := sp.S
	if sp.Segment == tmStem {
		g = tm.edgeLen[tmStem] - sp.S
	}
	return sp.Segment*5 + min(4, int(5*g/tm.edgeLen[sp.Segment]))
}

// TestTMazeStartIsStationary: the positions at t = 0 have the distribution of positions 400 steps
// (several cycles of the walk) later, tested with a two-sample χ² over 15 bins.
func TestTMazeStartIsStationary(t *testing.T) {
	tm := mustTask(t, "tmaze").(*TMaze)
	const paths, steps = 20000, 400
	var first, last [15]float64
	pos := make([]Point, steps+1)
	rng := newRNG(21)
	for range paths {
		tm.Paths(pos, rng)
		first[tmazeBin(tm, pos[0])]++
		last[tmazeBin(tm, pos[steps])]++
	}
	chi2 := 0.0
	for i := range first {
		chi2 += (first[i] - last[i]) * (first[i] - last[i]) / (first[i] + last[i])
	}
	const critical = 36.12 // χ² with 14 degrees of freedom, p = 0.001
	t.Logf("χ² = %.1f (14 d.f.)", chi2)
	if chi2 > critical {
		t.Errorf("start and step-%d bin counts differ: χ² = %.1f > %g\nstart %v\nlater %v", steps, chi2, critical, first, last)
	}
}

// TestTMazeStatsCounts follows hand-made paths along the centreline of the default T-maze
// (junction J = (0, 1.1), arm ends at x = ±0.5, stem base at y = 0.1).
func TestTMazeStatsCounts(t *testing.T) {
	tm := mustTask(t, "tmaze").(*TMaze)
	var path []Point
	leg := func(from, to Point) { // straight, in steps of 0.02
		n := int(math.Ceil(to.Sub(from).Norm() / 0.02))
		for i := range n {
			path = append(path, from.Add(to.Sub(from).Scale(float64(i)/float64(n))))
		}
	}
	S, J, L, R := Point{X: 0, Y: 0.1}, Point{X: 0, Y: 1.1}, Point{X: -0.5, Y: 1.1}, Point{X: 0.5, Y: 1.1}
	// L → R (alternation), R → S (turn-back), S → L, L → J and back into L (a U-turn), L → R.
	for _, p := range [][2]Point{{L, J}, {J, R}, {R, J}, {J, S}, {S, J}, {J, L}, {L, J}, {J, L}, {L, J}, {J, R}} {
		leg(p[0], p[1])
	}
	// Jitter across the junction boundary (g between ½·Width and Width) changes nothing.
	for i := range 20 {
		path = append(path, Point{X: 0.12 + 0.05*float64(i%2), Y: 1.1})
	}
	got := tm.Stats(path)
	want := TMazeStats{ArmVisits: 5, ArmPairs: 4, Alternations: 3, FromArm: 4, ToOtherArm: 2, TurnBacks: 1, FromStem: 1, StemToLeft: 1}
	if got != want {
		t.Errorf("Stats = %+v\nwant    %+v", got, want)
	}
	if r := got.TurnBackRate(); r != 0.25 {
		t.Errorf("TurnBackRate = %g, want 1/4", r)
	}
	if r := (TMazeStats{}).ArmAlternationRate(); !math.IsNaN(r) {
		t.Errorf("rate without pairs = %g, want NaN", r)
	}
}

func TestExpectedArmAlternationRate(t *testing.T) {
	p := DefaultTMazeParams()
	if got := p.ExpectedArmAlternationRate(); math.Abs(got-0.875) > 1e-12 {
		t.Errorf("a=¾, p=½: %g, want ¾ + ¼·½ = 0.875", got)
	}
	p.AlternationProbability, p.LeftProbability = 0, 1 // always left from the stem: never alternates
	if got := p.ExpectedArmAlternationRate(); got != 0 {
		t.Errorf("a=0, p=1: %g, want 0", got)
	}
	p.AlternationProbability = 1
	if got := p.ExpectedArmAlternationRate(); got != 1 {
		t.Errorf("a=1: %g, want 1", got)
	}
}
