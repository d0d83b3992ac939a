package metrics

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// runWithin fails the test if f has not returned after d (a hang shows as a failure, not a stuck run).
func runWithin(t *testing.T, d time.Duration, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { f(); close(done) }()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("still running after %v", d)
	}
}

// NaN and ±Inf costs used to make the Hungarian loop spin forever; now they are refused.
func TestAssignmentRejectsBadCosts(t *testing.T) {
	bg := context.Background()
	for _, c := range []struct {
		name string
		cost [][]float64
		want string
	}{
		{"NaN", [][]float64{{0, 1}, {math.NaN(), 0}}, "cost[1][0] = NaN"},
		{"+Inf", [][]float64{{0, math.Inf(1)}, {1, 0}}, "cost[0][1] = +Inf"},
		{"-Inf", [][]float64{{0, 1}, {1, math.Inf(-1)}}, "cost[1][1] = -Inf"},
		{"ragged", [][]float64{{0, 1}, {1}}, "cost[1] has 1 entries, need 2"},
		{"empty", nil, "n ≥ 1"},
		{"overflowing spread", [][]float64{{-math.MaxFloat64 / 2, 0}, {0, math.MaxFloat64 / 2}}, "spread"},
	} {
		runWithin(t, 5*time.Second, func() {
			if _, err := Assignment(bg, c.cost); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
			}
		})
	}
	if _, err := Wasserstein(poly(0, 0, 1, 1), poly(0, 1, math.NaN(), 0), 1); err == nil || !strings.Contains(err.Error(), "b[1] = (NaN, 0)") {
		t.Errorf("NaN point: error %v, want one naming b[1]", err)
	}
	if _, err := Wasserstein(poly(0, 0), poly(0, 1), math.Inf(1)); err == nil || !strings.Contains(err.Error(), "p = +Inf") {
		t.Errorf("p = +Inf: error %v", err)
	}
}

// A 2000×2000 distance assignment takes over a second (1.3 s here); cancelled after 50 ms it stops
// within milliseconds.
func TestAssignmentIsCancellable(t *testing.T) {
	const n = 2000
	r := rng(40)
	a, b := gaussCloud(n, r), gaussCloud(n, r)
	cost := distanceCost(a, b)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := Assignment(ctx, cost)
	late := time.Since(start) - 50*time.Millisecond
	t.Logf("returned %v after the deadline: %v", late, err)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error %v, want context.DeadlineExceeded", err)
	}
	if late > time.Second {
		t.Errorf("returned %v after the deadline, want < 1 s", late)
	}
	// The context-aware Wasserstein passes cancellation through.
	cctx, ccancel := context.WithCancel(context.Background())
	ccancel()
	if _, err := WassersteinContext(cctx, a, a, 1); !errors.Is(err, context.Canceled) {
		t.Errorf("WassersteinContext with a cancelled context: %v", err)
	}
}

// TestSubsampledWassersteinStopsWhenCancelled: a cancelled context stops the estimate with its error,
// and a live one gives SubsampledWasserstein's numbers.
func TestSubsampledWassersteinStopsWhenCancelled(t *testing.T) {
	a := make([]P, 300)
	b := make([]P, 300)
	rng := rand.New(rand.NewPCG(5, 6))
	for i := range a {
		a[i] = P{X: rng.NormFloat64(), Y: rng.NormFloat64()}
		b[i] = P{X: 1 + rng.NormFloat64(), Y: rng.NormFloat64()}
	}
	cctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := SubsampledWassersteinContext(cctx, a, b, 1, 200, 3, rand.New(rand.NewPCG(1, 1))); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v, want context.Canceled", err)
	}
	m1, s1, err1 := SubsampledWassersteinContext(context.Background(), a, b, 1, 200, 3, rand.New(rand.NewPCG(1, 1)))
	m2, s2, err2 := SubsampledWasserstein(a, b, 1, 200, 3, rand.New(rand.NewPCG(1, 1)))
	if err1 != nil || err2 != nil || m1 != m2 || s1 != s2 || !(m1 > 0.5) {
		t.Errorf("live context: %g ± %g (%v), without one %g ± %g (%v)", m1, s1, err1, m2, s2, err2)
	}
}
