package stats

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

const tol = 1e-12

func near(a, b float64) bool { return scalar.EqualWithinAbsOrRel(a, b, tol, tol) }

// handSample is worked by hand below. Seven chains, T_q = 8:
//
//	time     2  3  3  5  5  8  8
//	reached  y  y  n  y  y  n  n
//
//	t_j  n_j  d_j  S(t_j)                 Greenwood Σ d/(n(n−d))        Var S(t_j)
//	2    7    1    6/7                    1/42                          (6/7)²·1/42         = 6/343
//	3    6    1    6/7·5/6 = 5/7          1/42 + 1/30 = 2/35            (5/7)²·2/35         = 10/343
//	5    4    2    5/7·2/4 = 5/14         2/35 + 2/(4·2) = 129/420      (5/14)²·129/420     = 215/5488
//
// (the chain censored at 3 is still at risk at 3; after t = 3, 4 chains remain).
//
//	RMST(8) = 1·2 + 6/7·1 + 5/7·2 + 5/14·3 = 75/14
//	A_j = ∫_{t_j}^8 S:  A_1 = 47/14, A_2 = 35/14, A_3 = 15/14
//	Var     = (47/14)²/42 + (35/14)²/30 + (15/14)²·2/8 = 4191/5488
//	RMST(4) = 2 + 6/7 + 5/7 = 25/7,  Var = (11/7)²/42 + (5/7)²/30 = 26/343
var handSample = ReachSample{
	Times:   []int{5, 2, 8, 3, 5, 3, 8}, // deliberately unsorted
	Reached: []bool{true, true, false, false, true, true, false},
}

func TestKaplanMeierHand(t *testing.T) {
	km, err := NewKaplanMeier(handSample)
	if err != nil {
		t.Fatal(err)
	}
	wantTimes, wantRisk, wantEvents := []int{2, 3, 5}, []int{7, 6, 4}, []int{1, 1, 2}
	wantS := []float64{6.0 / 7, 5.0 / 7, 5.0 / 14}
	wantV := []float64{6.0 / 343, 10.0 / 343, 215.0 / 5488}
	if km.N != 7 || km.MaxTime != 8 || len(km.Times) != 3 {
		t.Fatalf("N=%d MaxTime=%d Times=%v", km.N, km.MaxTime, km.Times)
	}
	for j := range wantTimes {
		if km.Times[j] != wantTimes[j] || km.AtRisk[j] != wantRisk[j] || km.Events[j] != wantEvents[j] {
			t.Errorf("step %d: t=%d n=%d d=%d, want %d %d %d", j, km.Times[j], km.AtRisk[j], km.Events[j], wantTimes[j], wantRisk[j], wantEvents[j])
		}
		if !near(km.Survival[j], wantS[j]) || !near(km.Variance[j], wantV[j]) {
			t.Errorf("step %d: S=%v Var=%v, want %v %v", j, km.Survival[j], km.Variance[j], wantS[j], wantV[j])
		}
	}
	for _, c := range []struct{ t, s float64 }{{0, 1}, {1.99, 1}, {2, 6.0 / 7}, {4.5, 5.0 / 7}, {5, 5.0 / 14}, {100, 5.0 / 14}} {
		if got := km.At(c.t); !near(got, c.s) {
			t.Errorf("At(%v) = %v, want %v", c.t, got, c.s)
		}
	}
}

func TestRMSTHand(t *testing.T) {
	km, err := NewKaplanMeier(handSample)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ tau, mean, variance float64 }{
		{8, 75.0 / 14, 4191.0 / 5488},
		{4, 25.0 / 7, 26.0 / 343},
		{2, 2, 0}, // the first drop is at τ: no area after it, no variance
		{1.5, 1.5, 0},
	} {
		r, err := km.RMST(c.tau)
		if err != nil {
			t.Fatal(err)
		}
		if !near(r.Mean, c.mean) || !near(r.StdErr, math.Sqrt(c.variance)) || r.Tau != c.tau {
			t.Errorf("RMST(%v) = %+v, want mean %v se %v", c.tau, r, c.mean, math.Sqrt(c.variance))
		}
	}
	if _, err := km.RMST(9); !errors.Is(err, ErrBadInput) || !strings.Contains(err.Error(), "tau") {
		t.Errorf("RMST beyond the last observed time with S > 0: err = %v", err)
	}
}

func TestRMSTAllCensored(t *testing.T) {
	const tq = 50
	s := ReachSample{Times: []int{tq, tq, tq, tq}, Reached: make([]bool, 4)}
	km, err := NewKaplanMeier(s)
	if err != nil {
		t.Fatal(err)
	}
	if len(km.Times) != 0 || km.At(tq) != 1 {
		t.Fatalf("no reach: KM has steps %v, S(T_q) = %v", km.Times, km.At(tq))
	}
	for _, tau := range []float64{tq, 17.5} {
		r, err := km.RMST(tau)
		if err != nil {
			t.Fatal(err)
		}
		if r.Mean != tau || r.StdErr != 0 {
			t.Errorf("all censored: RMST(%v) = %+v, want mean τ and se 0", tau, r)
		}
	}
}

// Without censoring the RMST is mean(min(t_i, τ)) and its delta-method variance
// equals the plug-in variance of the mean, Σ (x_i − x̄)²/n², x_i = min(t_i, τ).
func TestRMSTNoCensoring(t *testing.T) {
	// Hand case with ties and a reach at step 0: times 0 0 3 → S(0) = 1/3, RMST(3) = 1 = (0+0+3)/3.
	km, err := NewKaplanMeier(ReachSample{Times: []int{0, 3, 0}, Reached: []bool{true, true, true}})
	if err != nil {
		t.Fatal(err)
	}
	if r, _ := km.RMST(3); !near(r.Mean, 1) {
		t.Errorf("times 0 0 3: RMST(3) = %v, want 1", r.Mean)
	}
	// All reached and the last step is a drop to 0 with n = d: S = 0, Greenwood variance reported 0.
	if km.Survival[1] != 0 || km.Variance[1] != 0 {
		t.Errorf("after the last reach: S = %v Var = %v, want 0 0", km.Survival[1], km.Variance[1])
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := range 50 {
		n := 1 + rng.IntN(40)
		s := ReachSample{Times: make([]int, n), Reached: make([]bool, n)}
		for i := range n {
			s.Times[i] = rng.IntN(30)
			s.Reached[i] = true
		}
		km, err := NewKaplanMeier(s)
		if err != nil {
			t.Fatal(err)
		}
		for _, tau := range []float64{0.5, 7, 12.5, 29, 45} { // τ beyond MaxTime is fine once S = 0
			x := make([]float64, n)
			for i, ti := range s.Times {
				x[i] = math.Min(float64(ti), tau)
			}
			mean, sd := stat.PopMeanStdDev(x, nil)
			r, err := km.RMST(tau)
			if err != nil {
				t.Fatal(err)
			}
			if !scalar.EqualWithinAbsOrRel(r.Mean, mean, 1e-9, 1e-9) || !scalar.EqualWithinAbsOrRel(r.StdErr, sd/math.Sqrt(float64(n)), 1e-9, 1e-9) {
				t.Fatalf("trial %d τ=%v: RMST %+v, want mean %v se %v", trial, tau, r, mean, sd/math.Sqrt(float64(n)))
			}
		}
	}
}

// Hand case:
//
//	A: 1 y, 3 y, 4 n        B: 2 y, 4 y, 5 n
//
//	t  n_A n_B  n  d (who)  E_A = d n_A/n   V = d (n_A/n)(n_B/n)(n−d)/(n−1)
//	1  3   3    6  1 (A)    1/2             1/4
//	2  2   3    5  1 (B)    2/5             6/25
//	3  2   2    4  1 (A)    1/2             1/4
//	4  1   2    3  1 (B)    1/3             2/9   (A's chain censored at 4 is at risk at 4)
//
//	O_A = 2, E_A = 26/15, V = 433/450, χ² = (4/15)²/(433/450) = 32/433, p = erfc(√(16/433)) = 0.78573654
func TestLogRankHand(t *testing.T) {
	a := ReachSample{Times: []int{1, 3, 4}, Reached: []bool{true, true, false}}
	b := ReachSample{Times: []int{5, 2, 4}, Reached: []bool{false, true, true}}
	r, err := LogRank(a, b)
	if err != nil {
		t.Fatal(err)
	}
	want := LogRankResult{ObservedA: 2, ExpectedA: 26.0 / 15, ObservedB: 2, ExpectedB: 34.0 / 15, Variance: 433.0 / 450,
		Z: (4.0 / 15) / math.Sqrt(433.0/450), ChiSquare: 32.0 / 433, P: 0.7857365379599128}
	if !logRankNear(r, want) {
		t.Errorf("LogRank = %+v\nwant      %+v", r, want)
	}
	if pc := (distuv.ChiSquared{K: 1}).Survival(r.ChiSquare); !scalar.EqualWithinAbsOrRel(r.P, pc, 1e-10, 1e-10) {
		t.Errorf("p = %v, gonum χ²_1 survival = %v", r.P, pc)
	}
	rb, _ := LogRank(b, a)
	if !near(rb.Z, -r.Z) || !near(rb.P, r.P) {
		t.Errorf("swapping samples: Z %v → %v, p %v → %v; want −Z and the same p", r.Z, rb.Z, r.P, rb.P)
	}
}

// Ties inside and across samples, no censoring:
//
//	A: 2 2 3     B: 2 4 4
//
//	t  n_A n_B n  d_A d_B  E_A    V
//	2  3   3   6  2   1    3/2    3·(1/2)(1/2)·3/5 = 9/20
//	3  1   2   3  1   0    1/3    (1/3)(2/3)·2/2   = 2/9
//	4  0   2   2  0   2    0      0
//
//	O_A = 3, E_A = 11/6, V = 121/180, Z = (7/6)/√(121/180), χ² = 245/121, p = 0.15474997
func TestLogRankTies(t *testing.T) {
	a := ReachSample{Times: []int{2, 2, 3}, Reached: []bool{true, true, true}}
	b := ReachSample{Times: []int{2, 4, 4}, Reached: []bool{true, true, true}}
	r, err := LogRank(a, b)
	if err != nil {
		t.Fatal(err)
	}
	want := LogRankResult{ObservedA: 3, ExpectedA: 11.0 / 6, ObservedB: 3, ExpectedB: 25.0 / 6, Variance: 121.0 / 180,
		Z: (7.0 / 6) / math.Sqrt(121.0/180), ChiSquare: 245.0 / 121, P: 0.15474996914483177}
	if !logRankNear(r, want) {
		t.Errorf("LogRank = %+v\nwant      %+v", r, want)
	}
}

func TestLogRankEdges(t *testing.T) {
	none := ReachSample{Times: []int{10, 10, 10}, Reached: []bool{false, false, false}}
	r, err := LogRank(none, none)
	if err != nil {
		t.Fatal(err)
	}
	if r.ChiSquare != 0 || r.P != 1 || r.Z != 0 || r.Variance != 0 {
		t.Errorf("no reaches at all: %+v, want χ² 0, p 1", r)
	}
	r, _ = LogRank(handSample, handSample)
	if !near(r.Z, 0) || !near(r.P, 1) || !near(r.ObservedA, r.ExpectedA) {
		t.Errorf("identical samples: %+v, want Z 0, p 1", r)
	}
	// A reaches at once, B never: a strong, positive Z.
	fast := ReachSample{Times: []int{1, 1, 2, 2, 3, 3, 4, 4}, Reached: []bool{true, true, true, true, true, true, true, true}}
	never := ReachSample{Times: []int{20, 20, 20, 20, 20, 20, 20, 20}, Reached: make([]bool, 8)}
	r, _ = LogRank(fast, never)
	if !(r.Z > 3 && r.P < 0.005) {
		t.Errorf("A fast, B never: %+v, want Z > 3 and p < 0.005", r)
	}
}

// Under H0 (both samples from one geometric law, censored at T_q) the log-rank
// test rejects at about its nominal rate.
func TestLogRankNullRate(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const trials, n, tq = 2000, 40, 30
	draw := func() ReachSample {
		s := ReachSample{Times: make([]int, n), Reached: make([]bool, n)}
		for i := range n {
			k := 0
			for k < tq && rng.Float64() > 0.05 { // hazard 0.05 per step; about 21 % censored at T_q
				k++
			}
			s.Times[i], s.Reached[i] = k, k < tq
		}
		return s
	}
	rejected := 0
	for range trials {
		r, err := LogRank(draw(), draw())
		if err != nil {
			t.Fatal(err)
		}
		if r.P <= 0.05 {
			rejected++
		}
	}
	rate := float64(rejected) / trials
	t.Logf("log-rank under H0: rejected %d of %d at α = 0.05 (rate %.3f)", rejected, trials, rate)
	if rate < 0.03 || rate > 0.07 { // binomial sd at 0.05 is 0.005
		t.Errorf("null rejection rate %.3f outside [0.03, 0.07]", rate)
	}
}

func TestSurvivalBadInput(t *testing.T) {
	good := ReachSample{Times: []int{1, 2}, Reached: []bool{true, false}}
	cases := []struct {
		name, field string
		err         func() error
	}{
		{"empty", "len(sample.Times)", func() error { _, err := NewKaplanMeier(ReachSample{}); return err }},
		{"mismatched", "len(sample.Reached)", func() error {
			_, err := NewKaplanMeier(ReachSample{Times: []int{1, 2}, Reached: []bool{true}})
			return err
		}},
		{"negative time", "sample.Times[1]", func() error {
			_, err := NewKaplanMeier(ReachSample{Times: []int{1, -2}, Reached: []bool{true, true}})
			return err
		}},
		{"log-rank empty b", "len(b.Times)", func() error { _, err := LogRank(good, ReachSample{}); return err }},
		{"log-rank mismatched a", "len(a.Reached)", func() error {
			_, err := LogRank(ReachSample{Times: []int{1}, Reached: []bool{true, true}}, good)
			return err
		}},
		{"tau NaN", "tau", func() error { km, _ := NewKaplanMeier(good); _, err := km.RMST(math.NaN()); return err }},
		{"tau 0", "tau", func() error { km, _ := NewKaplanMeier(good); _, err := km.RMST(0); return err }},
		{"tau Inf", "tau", func() error { km, _ := NewKaplanMeier(good); _, err := km.RMST(math.Inf(1)); return err }},
	}
	for _, c := range cases {
		err := c.err()
		if !errors.Is(err, ErrBadInput) || !strings.Contains(err.Error(), c.field) {
			t.Errorf("%s: err = %v, want ErrBadInput naming %q", c.name, err, c.field)
		}
	}
}

func logRankNear(a, b LogRankResult) bool {
	return near(a.ObservedA, b.ObservedA) && near(a.ExpectedA, b.ExpectedA) && near(a.ObservedB, b.ObservedB) &&
		near(a.ExpectedB, b.ExpectedB) && near(a.Variance, b.Variance) && near(a.Z, b.Z) &&
		near(a.ChiSquare, b.ChiSquare) && scalar.EqualWithinAbsOrRel(a.P, b.P, 1e-10, 1e-10)
}

// TestGroupTimesAsSorted: the groups of distinct times, by counting (times of a replay's steps) or
// by sorting (times spread wider than the sample), are those of sorting the sample by time.
func TestGroupTimesAsSorted(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for trial := range 200 {
		n := 1 + r.IntN(300)
		span := 1 + r.IntN(3000)
		if trial%10 == 0 {
			span = 1 << 30 // beyond counting: the sorting path
		}
		s := ReachSample{Times: make([]int, n), Reached: make([]bool, n)}
		for i := range n {
			s.Times[i], s.Reached[i] = 5+r.IntN(span), r.IntN(3) > 0
		}
		// The reference: a map of counts, its times sorted.
		ref := map[int]*timeGroup{}
		var times []int
		for i, tm := range s.Times {
			g, ok := ref[tm]
			if !ok {
				g = &timeGroup{t: tm}
				ref[tm] = g
				times = append(times, tm)
			}
			if s.Reached[i] {
				g.events++
			} else {
				g.censored++
			}
		}
		slices.Sort(times)
		got := groupTimes(s)
		if len(got) != len(times) {
			t.Fatalf("trial %d: %d groups, want %d", trial, len(got), len(times))
		}
		for k, tm := range times {
			if got[k] != *ref[tm] {
				t.Fatalf("trial %d: group %d %+v, want %+v", trial, k, got[k], *ref[tm])
			}
		}
	}
}
