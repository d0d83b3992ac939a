package stats

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// Defaults and limits of the bootstrap.
const (
	// DefaultReplicates is the number of bootstrap replicates used when
	// BootstrapOptions.Replicates is 0.
	DefaultReplicates = 2000
	// MinReplicates is the smallest accepted BootstrapOptions.Replicates: below it
	// the tails that the percentile interval and the p-value read are too coarse.
	MinReplicates = 100
	// DefaultLevel is the confidence level of the percentile interval used when
	// BootstrapOptions.Level is 0.
	DefaultLevel = 0.95
	// MinNetworks is the smallest number of networks accepted: resampling one
	// network says nothing about the spread between networks. Note that with
	// fewer than about 5 networks the percentile interval undercovers (see the
	// package documentation).
	MinNetworks = 2
)

// ChainResampling says whether a hierarchical bootstrap also resamples the
// chains inside each drawn network.
type ChainResampling int

const (
	// ResampleChains (the default) draws, for every drawn network n, C_n chain
	// indices with replacement and evaluates the effect on that multiset: the
	// two-level bootstrap.
	ResampleChains ChainResampling = iota
	// KeepChains evaluates the effect of each network once on all its chains and
	// resamples networks only. The spread of the network effects already
	// contains the chain noise, which ResampleChains counts a second time (see
	// the package documentation), so this is the less conservative choice; it is
	// also the one for effects that cannot be recomputed on a chain subset.
	KeepChains
)

// String returns "resample-chains" or "keep-chains".
func (c ChainResampling) String() string {
	switch c {
	case ResampleChains:
		return "resample-chains"
	case KeepChains:
		return "keep-chains"
	}
	return fmt.Sprintf("ChainResampling(%d)", int(c))
}

// IntervalMethod chooses how the bootstrap replicates become an interval and a p-value.
type IntervalMethod int

const (
	// Percentile (the default) reads the interval off the (1 − L)/2 and
	// (1 + L)/2 quantiles of the replicates and the p-value off the fraction of
	// replicates on either side of 0. Over M networks its interval is about as
	// narrow as mean ± z·sd_pop/√M, so it undercovers for small M (see the
	// package documentation for the numbers).
	Percentile IntervalMethod = iota
	// ExpandedPercentile is Hesterberg's expanded percentile interval
	// (The American Statistician 69(4), 2015): it reads the replicates at the
	// tail α'/2 = Φ(−√(M/(M − 1))·t_{M−1, (1+L)/2}) instead of (1 − L)/2, which
	// corrects the percentile interval of a mean for the divisor M and for the
	// t distribution of M − 1 degrees of freedom. Its p-value is the matching
	// p = 2·P(t_{M−1} ≥ √((M − 1)/M)·Φ⁻¹(1 − p_pct/2)), where p_pct is the
	// Percentile p-value, so that p ≤ 1 − L when the interval excludes 0 (up to
	// the interpolation between replicates). For L = 0.95 the tail α'/2 is
	// 6.8e-8 at M = 3, 0.00095 at M = 5 and 0.0057 at M = 8: with few networks it
	// is read from the few most extreme replicates (at M = 3 the interval is
	// their range), and p cannot fall below MinP; raise Replicates.
	ExpandedPercentile
)

// String returns "percentile" or "expanded-percentile".
func (m IntervalMethod) String() string {
	switch m {
	case Percentile:
		return "percentile"
	case ExpandedPercentile:
		return "expanded-percentile"
	}
	return fmt.Sprintf("IntervalMethod(%d)", int(m))
}

// BootstrapOptions configures HierarchicalBootstrap and NetworkBootstrap.
// The zero value asks for the defaults.
type BootstrapOptions struct {
	// Replicates is the number R of bootstrap replicates; 0 means
	// DefaultReplicates, otherwise it must be at least MinReplicates.
	Replicates int
	// Level is the coverage of the percentile interval, in (0, 1); 0 means DefaultLevel.
	Level float64
	// Chains chooses one- or two-level resampling in HierarchicalBootstrap
	// (ignored by NetworkBootstrap, which has no chains).
	Chains ChainResampling
	// Interval chooses the interval and p-value method; the zero value is Percentile.
	Interval IntervalMethod
}

// withDefaults fills zero fields and validates the rest.
func (o BootstrapOptions) withDefaults() (BootstrapOptions, error) {
	if o.Replicates == 0 {
		o.Replicates = DefaultReplicates
	}
	if o.Replicates < MinReplicates {
		return o, badInput("BootstrapOptions.Replicates", o.Replicates,
			fmt.Sprintf("must be 0 (default %d) or at least %d", DefaultReplicates, MinReplicates))
	}
	if o.Level == 0 {
		o.Level = DefaultLevel
	}
	if err := checkOpenUnit("BootstrapOptions.Level", o.Level); err != nil {
		return o, err
	}
	if o.Chains != ResampleChains && o.Chains != KeepChains {
		return o, badInput("BootstrapOptions.Chains", int(o.Chains), "must be ResampleChains or KeepChains")
	}
	if o.Interval != Percentile && o.Interval != ExpandedPercentile {
		return o, badInput("BootstrapOptions.Interval", int(o.Interval), "must be Percentile or ExpandedPercentile")
	}
	return o, nil
}

// BootstrapResult is the outcome of a bootstrap of a mean effect over networks.
type BootstrapResult struct {
	// Estimate is the point estimate: the mean over networks of the per-network
	// effect on all of that network's chains.
	Estimate float64 `json:"estimate"`
	// Lo and Hi bound the interval at Level: for Percentile the (1−Level)/2 and
	// (1+Level)/2 quantiles of the replicates (see IntervalMethod).
	Lo    float64 `json:"lo"`
	Hi    float64 `json:"hi"`
	Level float64 `json:"level"` // the confidence level L asked for
	// StdErr is the standard deviation of the replicates (denominator R − 1).
	StdErr float64 `json:"std_err"`
	// P is the two-sided bootstrap p-value for H0: effect = 0; for Percentile
	// p = min(1, 2·(1 + min(#{rep ≤ 0}, #{rep ≥ 0}))/(1 + R)), never below 2/(1 + R)
	// (see BootstrapP and IntervalMethod).
	P float64 `json:"p"`
	// Replicates is R and Networks is M.
	Replicates int `json:"replicates"`
	Networks   int `json:"networks"`
	// Chains records whether chains were resampled, Method the IntervalMethod.
	Chains string `json:"chains"`
	Method string `json:"method"`
}

// EffectFunc returns the effect of one network (for example metric(A) − metric(B))
// evaluated on a multiset of its chain indices, each in [0, C_n). The slice is
// reused between calls: the function may reorder it but must not keep it after
// returning. It is called sequentially from the caller's goroutine. It must
// return a finite number; NaN or ±Inf makes the bootstrap fail with an error.
type EffectFunc func(network int, chains []int) float64

// HierarchicalBootstrap bootstraps the mean over networks of a paired per-network
// effect, resampling networks and, unless opts.Chains is KeepChains, the chains
// inside each drawn network (whole chains, so the pairing of chain i of variant A
// with chain i of variant B is kept). chainCounts[n] is the number C_n of chains
// of network n; f evaluates the effect of network n on a multiset of its chains.
//
// The estimate is mean_n f(n, {0 … C_n − 1}). Each replicate draws M networks
// with replacement and, for each draw, C_n chain indices with replacement, and
// averages f over the drawn networks. All randomness comes from rng.
func HierarchicalBootstrap(chainCounts []int, f EffectFunc, opts BootstrapOptions, rng *rand.Rand) (BootstrapResult, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return BootstrapResult{}, err
	}
	if err := checkNetworks("chainCounts", len(chainCounts)); err != nil {
		return BootstrapResult{}, err
	}
	if f == nil {
		return BootstrapResult{}, badInput("f", "nil", "an EffectFunc is required")
	}
	if rng == nil {
		return BootstrapResult{}, badInput("rng", "nil", "a *rand.Rand source is required")
	}
	maxC := 0
	for n, c := range chainCounts {
		if c < 1 {
			return BootstrapResult{}, badInput(fmt.Sprintf("chainCounts[%d]", n), c, "every network needs at least 1 chain")
		}
		maxC = max(maxC, c)
	}
	m := len(chainCounts)
	full := make([]float64, m) // f on all chains, one per network
	idx := make([]int, maxC)
	for n, c := range chainCounts {
		for i := range c {
			idx[i] = i
		}
		full[n] = f(n, idx[:c])
		if math.IsNaN(full[n]) || math.IsInf(full[n], 0) {
			return BootstrapResult{}, badInput(fmt.Sprintf("f(network %d, all %d chains)", n, c), full[n], "the effect must be a finite number")
		}
	}
	if opts.Chains == KeepChains {
		return networkBootstrap(full, opts, rng), nil
	}
	reps := make([]float64, opts.Replicates)
	for r := range reps {
		sum := 0.0
		for range m {
			n := rng.IntN(m)
			c := chainCounts[n]
			for i := range c {
				idx[i] = rng.IntN(c)
			}
			v := f(n, idx[:c])
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return BootstrapResult{}, badInput(fmt.Sprintf("f(network %d, resampled chains) in replicate %d", n, r), v,
					"the effect must be a finite number on every chain multiset; use KeepChains or NetworkBootstrap if it is undefined on subsets")
			}
			sum += v
		}
		reps[r] = sum / float64(m)
	}
	return summarize(stat.Mean(full, nil), reps, opts, m), nil
}

// NetworkBootstrap bootstraps the mean of per-network values (typically paired
// differences A − B, one per network) by resampling networks with replacement.
// Use it for metrics that cannot be recomputed on chain subsets. opts.Chains is
// ignored. All randomness comes from rng.
func NetworkBootstrap(values []float64, opts BootstrapOptions, rng *rand.Rand) (BootstrapResult, error) {
	opts.Chains = KeepChains
	opts, err := opts.withDefaults()
	if err != nil {
		return BootstrapResult{}, err
	}
	if err := checkNetworks("values", len(values)); err != nil {
		return BootstrapResult{}, err
	}
	if err := checkFinite("values", values); err != nil {
		return BootstrapResult{}, err
	}
	if rng == nil {
		return BootstrapResult{}, badInput("rng", "nil", "a *rand.Rand source is required")
	}
	return networkBootstrap(values, opts, rng), nil
}

func checkNetworks(field string, m int) error {
	if m < MinNetworks {
		return badInput("len("+field+")", m, fmt.Sprintf("the number of networks must be at least %d", MinNetworks))
	}
	return nil
}

// networkBootstrap resamples the already validated per-network values.
func networkBootstrap(values []float64, opts BootstrapOptions, rng *rand.Rand) BootstrapResult {
	m := len(values)
	reps := make([]float64, opts.Replicates)
	for r := range reps {
		sum := 0.0
		for range m {
			sum += values[rng.IntN(m)]
		}
		reps[r] = sum / float64(m)
	}
	return summarize(stat.Mean(values, nil), reps, opts, m)
}

// summarize turns the replicates into the interval, standard error and p-value.
// It sorts reps in place.
func summarize(estimate float64, reps []float64, opts BootstrapOptions, m int) BootstrapResult {
	slices.Sort(reps)
	tail, p := (1-opts.Level)/2, BootstrapP(reps)
	if opts.Interval == ExpandedPercentile {
		t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(m - 1)}
		scale := math.Sqrt(float64(m) / float64(m-1))
		tail = distuv.UnitNormal.CDF(-scale * t.Quantile(1-tail))
		p = expandP(p, m)
	}
	return BootstrapResult{
		Estimate:   estimate,
		Lo:         stat.Quantile(tail, stat.LinInterp, reps, nil),
		Hi:         stat.Quantile(1-tail, stat.LinInterp, reps, nil),
		Level:      opts.Level,
		StdErr:     stat.StdDev(reps, nil),
		P:          p,
		Replicates: len(reps),
		Networks:   m,
		Chains:     opts.Chains.String(),
		Method:     opts.Interval.String(),
	}
}

// BootstrapP is the two-sided bootstrap p-value of H0: effect = 0 from the
// replicates reps: p = min(1, 2·(1 + min(#{rep ≤ 0}, #{rep ≥ 0}))/(1 + R)).
// The "+1" keeps p ≥ 2/(1 + R): R replicates cannot show a smaller p. It is the
// smallest α at which the (1 − α) percentile interval excludes 0 (up to that
// guard). NaN replicates count on neither side; it returns NaN for empty reps.
func BootstrapP(reps []float64) float64 {
	if len(reps) == 0 {
		return math.NaN()
	}
	le, ge := 0, 0
	for _, v := range reps {
		if v <= 0 {
			le++
		}
		if v >= 0 {
			ge++
		}
	}
	return math.Min(1, 2*float64(1+min(le, ge))/float64(1+len(reps)))
}

// MinP is the smallest p-value a bootstrap over the given number of networks and
// replicates can report with method: 2/(1 + R) for Percentile, and its image
// 2·P(t_{M−1} ≥ √((M − 1)/M)·Φ⁻¹(1 − 1/(1 + R))) for ExpandedPercentile (0.115
// for M = 3 and 0.042 for M = 5 at R = 2000). A claim whose Holm threshold lies
// below it cannot be held, whatever the data. It returns NaN for networks < 2,
// replicates < 1 or an unknown method.
func MinP(networks, replicates int, method IntervalMethod) float64 {
	if networks < MinNetworks || replicates < 1 {
		return math.NaN()
	}
	p := 2 / float64(1+replicates)
	switch method {
	case Percentile:
		return p
	case ExpandedPercentile:
		return expandP(p, networks)
	}
	return math.NaN()
}

// expandP maps a percentile p-value to the expanded-percentile one for m networks.
func expandP(p float64, m int) float64 {
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(m - 1)}
	scale := math.Sqrt(float64(m) / float64(m-1))
	return math.Min(1, 2*t.Survival(distuv.UnitNormal.Quantile(1-p/2)/scale))
}

// Check turns the result into a Check of the claim "effect is in direction dir",
// named name, for Decide.
func (r BootstrapResult) Check(name string, dir Direction) Check {
	return Check{Name: name, Direction: dir, Estimate: r.Estimate, Lo: r.Lo, Hi: r.Hi, P: r.P}
}
