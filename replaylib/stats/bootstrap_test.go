package stats

import (
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	"gonum.org/v1/gonum/stat"
)

// chainMeans is an EffectFunc over per-chain paired differences x[n][i]:
// the effect of network n on a chain multiset is the mean of its differences.
func chainMeans(x [][]float64) EffectFunc {
	return func(n int, chains []int) float64 {
		s := 0.0
		for _, i := range chains {
			s += x[n][i]
		}
		return s / float64(len(chains))
	}
}

func counts(x [][]float64) []int {
	c := make([]int, len(x))
	for n := range x {
		c[n] = len(x[n])
	}
	return c
}

// simulate draws M networks with effects θ_n ~ N(mu, tau²) and C chains each
// with paired differences θ_n + N(0, s²).
func simulate(rng *rand.Rand, m, c int, mu, tau, s float64) [][]float64 {
	x := make([][]float64, m)
	for n := range x {
		theta := mu + tau*rng.NormFloat64()
		x[n] = make([]float64, c)
		for i := range x[n] {
			x[n][i] = theta + s*rng.NormFloat64()
		}
	}
	return x
}

// TestHierarchicalCoverage checks calibration on synthetic data: 400 datasets of
// M = 8 networks × 50 chains, network effects N(μ, 0.5²), chain noise N(0, 1),
// R = 500 replicates, each dataset bootstrapped with both interval methods.
//
// Percentile: the interval of a mean over M networks is about mean ± 1.96·sd_pop/√M,
// whose coverage is P(|t_{M−1}| ≤ 1.96·√((M − 1)/M)) = 0.891 for M = 8 (null
// rejection 0.109). The 95 % interval must cover μ in [0.84, 0.99] of the
// datasets (0.891 − 3 binomial sd) and the p-value reject μ = 0 at α = 0.05 in
// [0.01, 0.15]. ExpandedPercentile corrects this: coverage in [0.91, 0.99], null
// rejection in [0.01, 0.09]. At μ = 1 (about 5 standard errors) both must reject
// in at least 95 % of the datasets.
func TestHierarchicalCoverage(t *testing.T) {
	const datasets, m, c, tau, s = 400, 8, 50, 0.5, 1.0
	rng := rand.New(rand.NewPCG(11, 12))
	methods := []IntervalMethod{Percentile, ExpandedPercentile}
	type tally struct{ covered, rejected int }
	run := func(mu float64) (out [2]tally) {
		for range datasets {
			x := simulate(rng, m, c, mu, tau, s)
			for k, method := range methods {
				r, err := HierarchicalBootstrap(counts(x), chainMeans(x), BootstrapOptions{Replicates: 500, Interval: method}, rng)
				if err != nil {
					t.Fatal(err)
				}
				if r.Lo <= mu && mu <= r.Hi {
					out[k].covered++
				}
				if r.P <= 0.05 {
					out[k].rejected++
				}
			}
		}
		return out
	}
	alt, null := run(1), run(0)
	bounds := []struct{ covLo, covHi, rejHi float64 }{{0.84, 0.99, 0.15}, {0.91, 0.99, 0.09}}
	for k, method := range methods {
		cov1, cov0 := float64(alt[k].covered)/datasets, float64(null[k].covered)/datasets
		pow, rej := float64(alt[k].rejected)/datasets, float64(null[k].rejected)/datasets
		t.Logf("%-19s coverage %.3f (μ = 1), %.3f (μ = 0); rejection at α = 0.05: %.3f under μ = 0, %.3f under μ = 1",
			method, cov1, cov0, rej, pow)
		b := bounds[k]
		for _, cov := range []float64{cov0, cov1} {
			if cov < b.covLo || cov > b.covHi {
				t.Errorf("%s: coverage %.3f outside [%.2f, %.2f]", method, cov, b.covLo, b.covHi)
			}
		}
		if rej < 0.01 || rej > b.rejHi {
			t.Errorf("%s: null rejection rate %.3f outside [0.01, %.2f]", method, rej, b.rejHi)
		}
		if pow < 0.95 {
			t.Errorf("%s: power at μ = 1 is %.3f, want ≥ 0.95", method, pow)
		}
	}
}

// The expanded interval contains the percentile one (same replicates), its
// p-value is larger, and both coincide as M grows.
func TestExpandedPercentile(t *testing.T) {
	for _, m := range []int{3, 8, 400} {
		v := make([]float64, m)
		g := rand.New(rand.NewPCG(uint64(m), 1))
		for i := range v {
			v[i] = 0.25 + g.NormFloat64()
		}
		pct, err := NetworkBootstrap(v, BootstrapOptions{}, rand.New(rand.NewPCG(2, 2)))
		if err != nil {
			t.Fatal(err)
		}
		exp, err := NetworkBootstrap(v, BootstrapOptions{Interval: ExpandedPercentile}, rand.New(rand.NewPCG(2, 2)))
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("M = %3d: percentile [%.3f, %.3f] p %.4f; expanded [%.3f, %.3f] p %.4f",
			m, pct.Lo, pct.Hi, pct.P, exp.Lo, exp.Hi, exp.P)
		if exp.Lo > pct.Lo || exp.Hi < pct.Hi || exp.P < pct.P || exp.StdErr != pct.StdErr || exp.Method != "expanded-percentile" {
			t.Errorf("M = %d: expanded %+v does not contain percentile %+v", m, exp, pct)
		}
		if m == 400 && (exp.Hi-exp.Lo > 1.01*(pct.Hi-pct.Lo) || exp.P > 1.2*pct.P+0.002) {
			t.Errorf("M = 400: expanded %+v differs from percentile %+v", exp, pct)
		}
	}
	// Nothing on either side of 0 maps to p = 1 in both methods.
	r, _ := NetworkBootstrap([]float64{0, 0, 0}, BootstrapOptions{Interval: ExpandedPercentile}, rand.New(rand.NewPCG(1, 1)))
	if r.P != 1 {
		t.Errorf("constant 0, expanded: p = %v, want 1", r.P)
	}
}

// TestNetworkBootstrapCoverage is the one-level version: 2000 datasets of
// M = 8 per-network values N(μ, 1), R = 500. Theory for the percentile method:
// coverage 0.891, null rejection 0.109 (binomial sd 0.007); the expanded
// percentile method should be close to 0.95 and 0.05.
func TestNetworkBootstrapCoverage(t *testing.T) {
	const datasets, m, mu = 2000, 8, 0.3
	rng := rand.New(rand.NewPCG(13, 14))
	cases := []struct {
		method              IntervalMethod
		covLo, covHi, rejHi float64
	}{
		{Percentile, 0.86, 0.92, 0.14},
		{ExpandedPercentile, 0.925, 0.975, 0.075},
	}
	v, v0 := make([]float64, m), make([]float64, m)
	for _, c := range cases {
		covered, rejected := 0, 0
		opts := BootstrapOptions{Replicates: 500, Interval: c.method}
		for range datasets {
			for i := range v {
				v0[i] = rng.NormFloat64()
				v[i] = mu + v0[i]
			}
			r, err := NetworkBootstrap(v, opts, rng)
			if err != nil {
				t.Fatal(err)
			}
			if r.Lo <= mu && mu <= r.Hi {
				covered++
			}
			if r0, _ := NetworkBootstrap(v0, opts, rng); r0.P <= 0.05 {
				rejected++
			}
		}
		cov, rej := float64(covered)/datasets, float64(rejected)/datasets
		t.Logf("network bootstrap, M = %d, %s: coverage %.3f, null rejection rate %.3f at α = 0.05", m, c.method, cov, rej)
		if cov < c.covLo || cov > c.covHi {
			t.Errorf("%s: coverage %.3f outside [%.3f, %.3f]", c.method, cov, c.covLo, c.covHi)
		}
		if rej < 0.01 || rej > c.rejHi {
			t.Errorf("%s: null rejection rate %.3f outside [0.01, %.3f]", c.method, rej, c.rejHi)
		}
	}
}

// Two networks with values 0 and 1: replicate means are 0, 0.5, 1 with
// probabilities 1/4, 1/2, 1/4, so the 95 % interval is [0, 1], the standard
// error √(1/8) ≈ 0.354, and #{rep ≤ 0} ≈ R/4 gives p ≈ 2·(1 + R/4)/(1 + R) ≈ 0.5.
func TestNetworkBootstrapTwoValues(t *testing.T) {
	r, err := NetworkBootstrap([]float64{0, 1}, BootstrapOptions{Replicates: 4000}, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	if r.Estimate != 0.5 || r.Lo != 0 || r.Hi != 1 || r.Level != 0.95 || r.Replicates != 4000 || r.Networks != 2 {
		t.Errorf("got %+v", r)
	}
	if math.Abs(r.StdErr-math.Sqrt(1.0/8)) > 0.01 || math.Abs(r.P-0.5) > 0.05 {
		t.Errorf("StdErr %.4f (want ≈ 0.354), P %.4f (want ≈ 0.5)", r.StdErr, r.P)
	}
}

func TestNetworkBootstrapConstant(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	r, err := NetworkBootstrap([]float64{0.3, 0.3, 0.3}, BootstrapOptions{}, rng)
	if err != nil {
		t.Fatal(err)
	}
	if r.Estimate != 0.3 || r.Lo != 0.3 || r.Hi != 0.3 || r.StdErr > 1e-15 || r.P != 2.0/2001 || r.Replicates != DefaultReplicates {
		t.Errorf("constant 0.3: %+v, want a point interval and p = 2/2001", r)
	}
	r, _ = NetworkBootstrap([]float64{0, 0, 0}, BootstrapOptions{}, rng)
	if r.P != 1 {
		t.Errorf("constant 0: p = %v, want 1", r.P)
	}
	r, _ = NetworkBootstrap([]float64{-1, -2, -1.5, -3}, BootstrapOptions{}, rng)
	if r.P != 2.0/2001 || r.Hi >= 0 {
		t.Errorf("all negative: %+v, want p = 2/2001 and Hi < 0", r)
	}
}

func TestBootstrapP(t *testing.T) {
	cases := []struct {
		reps []float64
		want float64
	}{
		{[]float64{-1, 1, 2, 3}, 2 * 2.0 / 5}, // #≤0 = 1, #≥0 = 3
		{[]float64{1, 2, 3}, 2 * 1.0 / 4},     // #≤0 = 0: the guard gives 2/(1+R)
		{[]float64{0, 0, 1}, 1},               // #≤0 = 2, #≥0 = 3 → 2·3/4 capped at 1
		{[]float64{-5, -4, -3, -2, -1, 0, 1}, 2 * 3.0 / 8},
	}
	for _, c := range cases {
		if got := BootstrapP(c.reps); math.Abs(got-c.want) > 1e-15 {
			t.Errorf("BootstrapP(%v) = %v, want %v", c.reps, got, c.want)
		}
	}
	if !math.IsNaN(BootstrapP(nil)) {
		t.Error("BootstrapP(nil) is not NaN")
	}
}

// The estimate is the mean of f on all chains; f sees multisets of the right
// size with indices in range; the same seed gives the same result.
func TestHierarchicalMechanics(t *testing.T) {
	x := simulate(rand.New(rand.NewPCG(2, 3)), 5, 1, 0.4, 1, 1)
	x[1] = append(x[1], 7, -2) // unequal chain counts: 1, 3, 1, 1, 1
	x[3] = append(x[3], 1, 2, 3, 4)
	cnt := counts(x)
	full := make([]float64, len(x))
	for n := range x {
		full[n] = stat.Mean(x[n], nil)
	}
	calls := 0
	f := func(n int, chains []int) float64 {
		calls++
		if n < 0 || n >= len(x) || len(chains) != cnt[n] {
			t.Fatalf("f(%d, %v): wrong network or multiset size (want %d)", n, chains, cnt[n])
		}
		for _, i := range chains {
			if i < 0 || i >= cnt[n] {
				t.Fatalf("f(%d, %v): chain index out of range", n, chains)
			}
		}
		return chainMeans(x)(n, chains)
	}
	opts := BootstrapOptions{Replicates: 300, Level: 0.9}
	a, err := HierarchicalBootstrap(cnt, f, opts, rand.New(rand.NewPCG(9, 9)))
	if err != nil {
		t.Fatal(err)
	}
	if want := stat.Mean(full, nil); math.Abs(a.Estimate-want) > 1e-15 {
		t.Errorf("estimate %v, want mean of per-network means %v", a.Estimate, want)
	}
	if calls != len(x)+300*len(x) || a.Chains != "resample-chains" || a.Level != 0.9 {
		t.Errorf("%d calls of f (want %d), chains %q, level %v", calls, len(x)+300*len(x), a.Chains, a.Level)
	}
	b, _ := HierarchicalBootstrap(cnt, f, opts, rand.New(rand.NewPCG(9, 9)))
	if a != b {
		t.Errorf("same seed, different results:\n%+v\n%+v", a, b)
	}
	c, _ := HierarchicalBootstrap(cnt, f, opts, rand.New(rand.NewPCG(9, 10)))
	if a.Lo == c.Lo && a.Hi == c.Hi && a.StdErr == c.StdErr {
		t.Error("different seeds gave identical intervals")
	}
	if ch := a.Check("w1", Less); ch != (Check{Name: "w1", Direction: Less, Estimate: a.Estimate, Lo: a.Lo, Hi: a.Hi, P: a.P}) {
		t.Errorf("BootstrapResult.Check = %+v", ch)
	}
	// KeepChains evaluates f once per network and then matches NetworkBootstrap draw for draw.
	calls = 0
	opts.Chains = KeepChains
	k, err := HierarchicalBootstrap(cnt, f, opts, rand.New(rand.NewPCG(4, 4)))
	if err != nil {
		t.Fatal(err)
	}
	nb, _ := NetworkBootstrap(full, opts, rand.New(rand.NewPCG(4, 4)))
	k.Chains, nb.Chains = "", ""
	if calls != len(x) || math.Abs(k.Estimate-nb.Estimate) > 1e-15 || math.Abs(k.Lo-nb.Lo) > 1e-12 || math.Abs(k.Hi-nb.Hi) > 1e-12 || k.P != nb.P {
		t.Errorf("KeepChains (%d calls) %+v\nNetworkBootstrap        %+v", calls, k, nb)
	}
}

// Resampling chains adds the within-network spread: with network means all
// exactly 0.5 and chain differences 0.5 ± 1, KeepChains sees no spread while
// ResampleChains has standard error √(1/C/M) = √(1/50/5) ≈ 0.0632.
func TestChainLevelAddsChainNoise(t *testing.T) {
	const m, c = 5, 50
	x := make([][]float64, m)
	for n := range x {
		x[n] = make([]float64, c)
		for i := range x[n] {
			x[n][i] = 0.5 + float64(1-2*(i%2))
		}
	}
	rng := rand.New(rand.NewPCG(5, 5))
	keep, err := HierarchicalBootstrap(counts(x), chainMeans(x), BootstrapOptions{Chains: KeepChains}, rng)
	if err != nil {
		t.Fatal(err)
	}
	res, err := HierarchicalBootstrap(counts(x), chainMeans(x), BootstrapOptions{}, rng)
	if err != nil {
		t.Fatal(err)
	}
	want := math.Sqrt(1.0 / c / m)
	t.Logf("chain-level SE %.4f (theory %.4f), network-only SE %.2g", res.StdErr, want, keep.StdErr)
	if keep.StdErr > 1e-12 || math.Abs(res.StdErr-want) > 0.1*want {
		t.Errorf("KeepChains SE %v (want 0), ResampleChains SE %v (want %v ± 10%%)", keep.StdErr, res.StdErr, want)
	}
}

// R = 2000 replicates over M = 5 networks × 50 chains with a cheap f must take well under a second.
func TestHierarchicalSpeed(t *testing.T) {
	x := simulate(rand.New(rand.NewPCG(6, 6)), 5, 50, 0, 1, 1)
	start := time.Now()
	if _, err := HierarchicalBootstrap(counts(x), chainMeans(x), BootstrapOptions{Replicates: 2000}, rand.New(rand.NewPCG(1, 1))); err != nil {
		t.Fatal(err)
	}
	el := time.Since(start)
	t.Logf("R = 2000, M = 5, C = 50: %v", el)
	if el > time.Second {
		t.Errorf("took %v, want well under 1 s", el)
	}
}

func BenchmarkHierarchicalBootstrap(b *testing.B) {
	x := simulate(rand.New(rand.NewPCG(6, 6)), 5, 50, 0, 1, 1)
	rng := rand.New(rand.NewPCG(1, 1))
	for b.Loop() {
		if _, err := HierarchicalBootstrap(counts(x), chainMeans(x), BootstrapOptions{}, rng); err != nil {
			b.Fatal(err)
		}
	}
}

func TestBootstrapBadInput(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	x := [][]float64{{1, 2}, {3, 4}, {5, 6}}
	f := chainMeans(x)
	nanFull := func(n int, chains []int) float64 {
		if n == 2 {
			return math.NaN()
		}
		return 1
	}
	nanSubset := func(n int, chains []int) float64 { // undefined when a chain multiset repeats chain 0
		seen := false
		for _, i := range chains {
			if i == 0 && seen {
				return math.NaN()
			}
			seen = seen || i == 0
		}
		return 1
	}
	hier := func(cnt []int, f EffectFunc, o BootstrapOptions, r *rand.Rand) func() error {
		return func() error { _, err := HierarchicalBootstrap(cnt, f, o, r); return err }
	}
	netw := func(v []float64, o BootstrapOptions, r *rand.Rand) func() error {
		return func() error { _, err := NetworkBootstrap(v, o, r); return err }
	}
	cases := []struct {
		name, field, rule string
		err               func() error
	}{
		{"level above 1", "BootstrapOptions.Level", "(0, 1)", hier(counts(x), f, BootstrapOptions{Level: 1.5}, rng)},
		{"level 1", "BootstrapOptions.Level", "(0, 1)", netw([]float64{1, 2}, BootstrapOptions{Level: 1}, rng)},
		{"level negative", "BootstrapOptions.Level", "(0, 1)", netw([]float64{1, 2}, BootstrapOptions{Level: -0.95}, rng)},
		{"level NaN", "BootstrapOptions.Level", "(0, 1)", netw([]float64{1, 2}, BootstrapOptions{Level: math.NaN()}, rng)},
		{"few replicates", "BootstrapOptions.Replicates", "at least 100", netw([]float64{1, 2}, BootstrapOptions{Replicates: 50}, rng)},
		{"negative replicates", "BootstrapOptions.Replicates", "at least 100", hier(counts(x), f, BootstrapOptions{Replicates: -1}, rng)},
		{"interval method", "BootstrapOptions.Interval", "Percentile or ExpandedPercentile", netw([]float64{1, 2}, BootstrapOptions{Interval: -1}, rng)},
		{"chains mode", "BootstrapOptions.Chains", "ResampleChains or KeepChains", hier(counts(x), f, BootstrapOptions{Chains: 7}, rng)},
		{"no networks", "len(values)", "at least 2", netw(nil, BootstrapOptions{}, rng)},
		{"one network", "len(chainCounts)", "at least 2", hier([]int{5}, f, BootstrapOptions{}, rng)},
		{"no chains", "chainCounts[1]", "at least 1 chain", hier([]int{2, 0, 2}, f, BootstrapOptions{}, rng)},
		{"nil f", "f", "required", hier(counts(x), nil, BootstrapOptions{}, rng)},
		{"nil rng", "rng", "required", hier(counts(x), f, BootstrapOptions{}, nil)},
		{"nil rng network", "rng", "required", netw([]float64{1, 2}, BootstrapOptions{}, nil)},
		{"NaN value", "values[1]", "finite", netw([]float64{1, math.NaN(), 3}, BootstrapOptions{}, rng)},
		{"Inf value", "values[0]", "finite", netw([]float64{math.Inf(-1), 3}, BootstrapOptions{}, rng)},
		{"f NaN on all chains", "f(network 2, all 2 chains)", "finite", hier(counts(x), nanFull, BootstrapOptions{}, rng)},
		{"f NaN on a resample", "resampled chains", "finite", hier([]int{3, 3, 3}, nanSubset, BootstrapOptions{}, rng)},
	}
	for _, c := range cases {
		err := c.err()
		if !errors.Is(err, ErrBadInput) || !strings.Contains(err.Error(), c.field) || !strings.Contains(err.Error(), c.rule) {
			t.Errorf("%s: err = %v, want ErrBadInput naming %q and %q", c.name, err, c.field, c.rule)
		}
	}
}

func TestMinP(t *testing.T) {
	cases := []struct {
		m, r   int
		method IntervalMethod
		want   float64
	}{
		{5, 2000, Percentile, 2.0 / 2001},
		{3, 2000, ExpandedPercentile, 0.1151},   // z = Φ⁻¹(1 − 1/2001) = 3.29, ×√(2/3) = 2.69 → 2·P(t_2 ≥ 2.69)
		{5, 2000, ExpandedPercentile, 0.0423},   // 3.29·√(4/5) = 2.94 → 2·P(t_4 ≥ 2.94)
		{8, 500, ExpandedPercentile, 0.0310},    // Φ⁻¹(1 − 1/501) = 2.88, ×√(7/8) = 2.69 → 2·P(t_7 ≥ 2.69)
		{400, 2000, ExpandedPercentile, 0.0011}, // ≈ the percentile floor for many networks
	}
	for _, c := range cases {
		if got := MinP(c.m, c.r, c.method); math.Abs(got-c.want) > 5e-5 {
			t.Errorf("MinP(%d, %d, %s) = %.5f, want %.4f", c.m, c.r, c.method, got, c.want)
		}
	}
	// The floor is what a bootstrap whose replicates all lie above 0 reports.
	r, _ := NetworkBootstrap([]float64{1, 2, 3, 4, 5}, BootstrapOptions{Interval: ExpandedPercentile}, rand.New(rand.NewPCG(1, 1)))
	if math.Abs(r.P-MinP(5, DefaultReplicates, ExpandedPercentile)) > 1e-15 {
		t.Errorf("all replicates > 0: p = %v, MinP = %v", r.P, MinP(5, DefaultReplicates, ExpandedPercentile))
	}
	for _, bad := range [][2]int{{1, 2000}, {5, 0}} {
		if !math.IsNaN(MinP(bad[0], bad[1], Percentile)) {
			t.Errorf("MinP(%d, %d) is not NaN", bad[0], bad[1])
		}
	}
	if !math.IsNaN(MinP(5, 2000, 9)) {
		t.Error("MinP with an unknown method is not NaN")
	}
}

// TestCalibrationTable measures coverage and null rejection of the hierarchical bootstrap for a
// grid of network counts and variance splits and checks each against the table the package
// documentation quotes (doc.go): within 4 binomial standard deviations. By default it runs two rows
// on 300 data sets each (about a second); STATS_CALIBRATION=1 runs the whole table on 1,000 (about
// 10 s) and prints it.
func TestCalibrationTable(t *testing.T) {
	full := os.Getenv("STATS_CALIBRATION") != ""
	const c, s = 50, 1.0
	// The documented table: coverage / null rejection per row, in the order resample-chains
	// percentile, expanded, keep-chains percentile, expanded.
	type cell struct{ cov, rej float64 }
	rows := []struct {
		m    int
		tau  float64
		want [4]cell
	}{
		{3, 0.5, [4]cell{{0.77, 0.22}, {0.90, 0.00}, {0.75, 0.24}, {0.74, 0.00}}},
		{5, 0.5, [4]cell{{0.87, 0.13}, {0.95, 0.00}, {0.81, 0.18}, {0.90, 0.00}}},
		{8, 0.5, [4]cell{{0.90, 0.09}, {0.96, 0.03}, {0.89, 0.11}, {0.92, 0.06}}},
		{5, 0, [4]cell{{0.99, 0.01}, {1.00, 0.00}, {0.84, 0.16}, {0.94, 0.00}}},
		{8, 0, [4]cell{{0.98, 0.02}, {1.00, 0.00}, {0.87, 0.13}, {0.93, 0.06}}},
	}
	datasets := 1000
	if !full {
		datasets, rows = 300, rows[1:3]
	}
	rng := rand.New(rand.NewPCG(99, 98))
	for _, sc := range rows {
		k := 0
		for _, chains := range []ChainResampling{ResampleChains, KeepChains} {
			for _, method := range []IntervalMethod{Percentile, ExpandedPercentile} {
				cov, rej := 0, 0
				opts := BootstrapOptions{Replicates: 500, Interval: method, Chains: chains}
				for range datasets {
					x := simulate(rng, sc.m, c, 0, sc.tau, s)
					r, err := HierarchicalBootstrap(counts(x), chainMeans(x), opts, rng)
					if err != nil {
						t.Fatal(err)
					}
					if r.Lo <= 0 && 0 <= r.Hi {
						cov++
					}
					if r.P <= 0.05 {
						rej++
					}
				}
				gotCov, gotRej := float64(cov)/float64(datasets), float64(rej)/float64(datasets)
				if full {
					t.Logf("M = %d  τ = %.1f  s²/C = %.2f  %-15s %-19s coverage %.3f  null rejection %.3f",
						sc.m, sc.tau, s*s/c, chains, method, gotCov, gotRej)
				}
				want := sc.want[k]
				for _, q := range []struct {
					name      string
					got, want float64
				}{{"coverage", gotCov, want.cov}, {"null rejection", gotRej, want.rej}} {
					// 4 binomial sds at the documented rate (at least that of a rate of 0.01).
					p := math.Min(math.Max(q.want, 0.01), 0.99)
					if bound := 4 * math.Sqrt(p*(1-p)/float64(datasets)); math.Abs(q.got-q.want) > bound+0.005 {
						t.Errorf("M = %d, τ = %g, %s, %s: %s %.3f, documented %.2f (bound ±%.3f)", sc.m, sc.tau, chains, method, q.name, q.got, q.want, bound+0.005)
					}
				}
				k++
			}
		}
	}
}
