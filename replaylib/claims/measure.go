package claims

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"

	"github.com/replaylab/replay/geom"
	"github.com/replaylab/replay/replaylib/metrics"
	"github.com/replaylab/replay/replaylib/stats"
	"github.com/replaylab/replay/replaylib/training"
	"gonum.org/v1/gonum/stat"
)

// VariantResult is one variant replayed on one network and measured.
type VariantResult struct {
	Spec   VariantSpec        `json:"spec"`   // the variant
	Values map[string]float64 `json:"values"` // by metrics.Catalog key; a metric that could not be computed is absent
	// PerChain holds, for the core variants, the per-chain metrics (the keys of the catalog's
	// PerChain descriptions) in chain order, so that bootstraps can resample chains.
	PerChain map[string][]float64 `json:"per_chain,omitempty"`
	// Reach is each chain's first-passage time and whether it reached (core variants).
	Reach *stats.ReachSample `json:"reach,omitempty"`
	// Sample is a few chains' decoded trajectories, thinned, for figures (core variants).
	Sample [][]geom.Point `json:"sample,omitempty"`
	// Occupancy counts decoded positions per grid cell (core variants; row-major, the task's grid).
	Occupancy []float64 `json:"occupancy,omitempty"`
	// Mixing is how the chains mix over replay time (core variants).
	Mixing  *MixingCurve `json:"mixing,omitempty"`
	Seconds float64      `json:"seconds"` // wall time of the replay and its measures
}

// MixingCurve is how a variant's chains mix: the autocorrelation of the decoded position against
// the lag (metrics.PositionAutocorrelation, about the pooled mean: chains stuck in different places
// keep it near 1), and split-R̂ of the chains over steps 0 … t against t (metrics.RHatOverTime).
type MixingCurve struct {
	Lags  []int     `json:"lags"`
	ACF   []float64 `json:"acf"`
	Times []int     `json:"times"`
	RHat  []float64 `json:"rhat"`
}

// mixingCurve measures traj's MixingCurve at mixingPoints lags (1 … T/2, logarithmic) and replay
// times (T/64 … T, by halvings; at least 3 steps).
func mixingCurve(traj [][]geom.Point) (*MixingCurve, error) {
	T := len(traj[0]) - 1
	mc := &MixingCurve{Lags: append([]int{0}, metrics.LogLags(max(T/2, 1), mixingPoints)...)}
	mc.ACF = metrics.PositionAutocorrelation(traj, mc.Lags)
	for t := T; t >= 3 && len(mc.Times) < 7; t /= 2 {
		mc.Times = append([]int{t}, mc.Times...)
	}
	var err error
	if mc.RHat, err = metrics.RHatOverTime(traj, mc.Times); err != nil {
		return nil, err
	}
	return mc, nil
}

// mixingPoints is the number of lags of a MixingCurve.
const mixingPoints = 16

// Figure data kept per core variant.
const (
	sampleChains = 6
	samplePoints = 400
)

// batchBytes bounds what one replay batch keeps on the host until it is measured: every chain's
// decoded trajectory and, on place cells, its kept rates. Variants beyond it go to the next batch.
const batchBytes = 256 << 20

// measure fills res from the trajectories (and place-cell rates); rng draws the subsamples. Each
// chain's reach targets are set from where its decoded replay is when observation starts (t = 0,
// after the burn-in): another end of the track than that one.
func measure(ctx context.Context, ts *taskSetup, res *VariantResult, traj [][]geom.Point, rates [][]float64, rng *rand.Rand) error {
	v := res.Spec
	core := v.Family == FamilyCore
	// A metric that cannot be computed (NaN) is left out: absent keys are "not measured".
	set := func(key string, x float64) {
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			res.Values[key] = x
		}
	}
	pts := metrics.Flatten(traj)
	// rng draws the W1 subsamples first and the rate-space subsamples last.
	if err := measureDistribution(ctx, ts, set, pts, core, rng); err != nil {
		return err
	}
	perChain, track, err := measurePerChain(ts, traj)
	if err != nil {
		return err
	}
	perChain[metrics.KeyDwellTime] = dwellTimes(ts, traj, track)
	sample, reach, rmst, err := measureReach(ts, traj)
	if err != nil {
		return err
	}
	set(metrics.KeyReachRMST, rmst.Mean)
	set(metrics.KeyReachFraction, 1-reach.FractionNever)
	for key, vals := range perChain {
		set(key, mean(vals))
	}
	// Whether each chain reached a target (1 or 0), for bootstraps over chains; its mean is the
	// reach fraction set above.
	reached := make([]float64, len(reach.Reached))
	for c, r := range reach.Reached {
		if r {
			reached[c] = 1
		}
	}
	perChain[metrics.KeyReachFraction] = reached
	if core {
		res.PerChain, res.Reach = perChain, &sample
		res.Occupancy = ts.grid.Counts(pts)
		if mc, err := mixingCurve(traj); err == nil {
			res.Mixing = mc
		}
		for c := range min(sampleChains, len(traj)) {
			res.Sample = append(res.Sample, thin(traj[c], samplePoints))
		}
	}
	measureDynamics(set, traj, ts)
	if rates != nil && ts.rates != nil {
		n := min(len(rates), len(ts.rates))
		a, b := subsampleRows(rates, n, rng), subsampleRows(ts.rates, n, rng)
		sw, err := metrics.SlicedWasserstein(a, b, 1, slicedProjections, rng)
		if err != nil {
			return err
		}
		set(metrics.KeyRateSlicedW1, sw)
	}
	return nil
}

// measureDistribution sets the metrics of where the pooled points are: W1 to the training
// positions (and its floor and ratio), the fraction inside, occupancy TV and coverage.
func measureDistribution(ctx context.Context, ts *taskSetup, set func(string, float64), pts []geom.Point, core bool, rng *rand.Rand) error {
	repeats := w1Repeats
	if !core {
		repeats = sweepW1Repeats
	}
	w1, _, err := metrics.SubsampledWassersteinContext(ctx, pts, ts.train, 1, min(w1Points, len(pts)), repeats, rng)
	if err != nil {
		return err
	}
	set(metrics.KeyW1, w1)
	set(metrics.KeyW1Floor, ts.floorW1)
	set(metrics.KeyW1Ratio, w1/ts.floorW1)
	inside := 0
	for _, p := range pts {
		if ts.env.Contains(p) {
			inside++
		}
	}
	set(metrics.KeyInside, float64(inside)/float64(len(pts)))
	tv, err := metrics.OccupancyTV(ts.grid, pts, ts.train)
	if err != nil {
		return err
	}
	set(metrics.KeyOccupancyTV, tv)
	set(metrics.KeyCoverage, metrics.Coverage(ts.grid, pts))
	return nil
}

// measurePerChain returns the per-chain metrics of exploration and movement (coverage, entropy,
// progress, displacement, path length), and the chains projected on the track (nil without one).
func measurePerChain(ts *taskSetup, traj [][]geom.Point) (map[string][]float64, [][]geom.SkeletonPoint, error) {
	expl, err := metrics.ExplorationPerChain(ts.grid, traj)
	if err != nil {
		return nil, nil, err
	}
	perChain := map[string][]float64{
		metrics.KeyChainCoverage: expl.Coverage,
		metrics.KeyChainEntropy:  expl.NormalisedEntropy,
	}
	lag := max(1, min(displacementLag, (len(traj[0])-1)/2))
	// On a track, every position is projected on its skeleton once, for the progress, the
	// displacement and the dwell times alike.
	track := ts.project(traj)
	if track != nil {
		perChain[metrics.KeyProgress], err = metrics.ProgressAlongPerChain(track, ts.env.Geodesic)
		if err == nil {
			perChain[metrics.KeyDisplacement], err = metrics.NetDisplacementAlongPerChain(track, ts.env.Geodesic, lag)
		}
	} else { // no track: distances in the plane
		perChain[metrics.KeyProgress], err = metrics.ProgressPerStepPerChain(traj, nil)
		if err == nil {
			perChain[metrics.KeyDisplacement], err = metrics.NetDisplacementPerChain(traj, nil, lag)
		}
	}
	if err != nil {
		return nil, nil, err
	}
	if perChain[metrics.KeyPathLength], err = metrics.ProgressPerStepPerChain(traj, nil); err != nil {
		return nil, nil, err
	}
	perChain[metrics.KeyDwellTime] = dwellTimes(ts, traj, track)
	return perChain, track, nil
}

// measureReach returns each chain's reach time to its targets (censored at T_q), the reach
// times as metrics found them, and the Kaplan–Meier restricted mean up to T_q.
func measureReach(ts *taskSetup, traj [][]geom.Point) (stats.ReachSample, metrics.ReachSummary, stats.RMSTResult, error) {
	targets := make([][]int, len(traj))
	for c, path := range traj {
		if len(path) < 2 {
			return stats.ReachSample{}, metrics.ReachSummary{}, stats.RMSTResult{}, fmt.Errorf("chain %d has %d points, need at least 2", c, len(path))
		}
		targets[c] = ts.task.ReachTargets(path[0])
	}
	reach, err := metrics.ReachTimesPerChain(traj, ts.env, targets)
	if err != nil {
		return stats.ReachSample{}, reach, stats.RMSTResult{}, err
	}
	sample := stats.ReachSample{Times: make([]int, len(traj)), Reached: reach.Reached}
	for c, t := range reach.Times {
		sample.Times[c] = t
		if t < 0 {
			sample.Times[c] = len(traj[c]) - 1 // censored at T_q
		}
	}
	km, err := stats.NewKaplanMeier(sample)
	if err != nil {
		return stats.ReachSample{}, reach, stats.RMSTResult{}, err
	}
	rmst, err := km.RMST(float64(len(traj[0]) - 1))
	if err != nil {
		return stats.ReachSample{}, reach, stats.RMSTResult{}, err
	}
	return sample, reach, rmst, nil
}

// measureDynamics sets the Markov residual test's metrics and the mixing diagnostics (split-R̂ of
// each coordinate, ESS per chain).
func measureDynamics(set func(string, float64), traj [][]geom.Point, ts *taskSetup) {
	if mr, err := metrics.MarkovResidualTest(traj, ts.grid, residualMinCount); err == nil {
		set(metrics.KeyResidualAC, mr.Autocorrelation)
		set(metrics.KeyOrder2Gain, mr.Order2Gain)
		set(metrics.KeyIncrementAC, mr.IncrementAutocorrelation)
	} else {
		set(metrics.KeyIncrementAC, metrics.IncrementAutocorrelation(traj, 1))
	}
	if mix, err := metrics.MixingDiagnostics(metrics.Coordinate(traj, 0), metrics.MixingOptions{}); err == nil {
		set(metrics.KeyRHat, mix.RHat)
		set(metrics.KeyESS, mix.ESS/float64(mix.Chains))
		if my, err := metrics.MixingDiagnostics(metrics.Coordinate(traj, 1), metrics.MixingOptions{}); err == nil {
			set(metrics.KeyRHatMax, math.Max(mix.RHat, my.RHat))
		}
	}
}

// dwellTimes is, per chain, its number of steps divided by the number of stays in one place
// (nearest end of the track, or arena quadrant): the mean length of a stay. track is traj
// projected on the skeleton (ts.project), or nil.
func dwellTimes(ts *taskSetup, traj [][]geom.Point, track [][]geom.SkeletonPoint) []float64 {
	out := make([]float64, len(traj))
	for c, path := range traj {
		stays, last := 0, ""
		for t, p := range path {
			var pl string
			if track != nil {
				pl = ts.place(p, track[c][t])
			} else {
				pl = ts.region(p)
			}
			if pl != last {
				stays++
				last = pl
			}
		}
		out[c] = float64(len(path)) / float64(max(stays, 1))
	}
	return out
}

// mean is the sample mean, NaN for no values.
func mean(x []float64) float64 {
	if len(x) == 0 {
		return math.NaN()
	}
	return stat.Mean(x, nil)
}

// thin keeps at most n evenly spaced points of path.
func thin(path []geom.Point, n int) []geom.Point {
	if len(path) <= n {
		return append([]geom.Point(nil), path...)
	}
	out := make([]geom.Point, n)
	for i := range out {
		out[i] = path[i*(len(path)-1)/(n-1)]
	}
	return out
}

// subsampleRows draws n rows without replacement.
func subsampleRows(rows [][]float64, n int, rng interface{ Perm(int) []int }) [][]float64 {
	perm := rng.Perm(len(rows))
	out := make([][]float64, n)
	for i := range out {
		out[i] = rows[perm[i]]
	}
	return out
}

// setupCache keeps the task setups Measure made (reference and floor positions, the floor's W1,
// the grid), so that measuring again against the same task and seed, as the playground does on
// every slider move, does not redraw them. A setup is only read once made.
type setupCache struct {
	mu     sync.Mutex
	setups map[MeasureOptions]*taskSetup
}

// maxCachedSetups bounds the cache (a setup holds a few thousand reference points).
const maxCachedSetups = 16

var measureSetups = setupCache{setups: map[MeasureOptions]*taskSetup{}}

func (c *setupCache) get(opt MeasureOptions) (*taskSetup, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if ts, ok := c.setups[opt]; ok {
		return ts, nil
	}
	cfg, err := training.DefaultConfigWith(opt.Task, opt.PlaceCells)
	if err != nil {
		return nil, err
	}
	ts, err := newTaskSetup(cfg, opt.Seed)
	if err != nil {
		return nil, err
	}
	if len(c.setups) >= maxCachedSetups {
		clear(c.setups)
	}
	c.setups[opt] = ts
	return ts, nil
}

// MeasureOptions say what decoded trajectories are measured against.
type MeasureOptions struct {
	Task       string // the task replayed: triangle, tmaze or placecells
	PlaceCells int    // the placecells task's number of cells (0: its default)
	Seed       uint64 // draws the task's reference positions and the subsamples
}

// Measure computes the catalog's replay metrics for decoded trajectories traj[chain][t] of a task,
// as the reproduction does (each chain's targets are set from its first position).
func Measure(ctx context.Context, traj [][]geom.Point, opt MeasureOptions) (map[string]float64, error) {
	ts, err := measureSetups.get(opt)
	if err != nil {
		return nil, err
	}
	if len(traj) == 0 {
		return nil, fmt.Errorf("no trajectories")
	}
	steps := len(traj[0]) - 1 // the variant's steps, which set the displacement lag: the shortest chain's
	for _, ch := range traj {
		steps = min(steps, len(ch)-1)
	}
	res := &VariantResult{Spec: VariantSpec{Family: FamilyCore, Steps: steps}, Values: map[string]float64{}}
	if err := measure(ctx, ts, res, traj, nil, RNG(opt.Seed, StreamSubsample)); err != nil {
		return nil, err
	}
	// The predecessor paper's measure, on every decoded point (too slow for every variant of a
	// reproduction, so only here).
	kl, err := metrics.SampledKDEKLContext(ctx, metrics.Flatten(traj), ts.train, 0, RNG(opt.Seed, StreamSubsample, 1))
	if ctxErr := ctx.Err(); ctxErr != nil {
		return nil, ctxErr
	}
	if err == nil {
		res.Values[metrics.KeyKDEKL] = kl
	}
	return res.Values, nil
}
