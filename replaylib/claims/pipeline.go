package claims

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	mlctx "github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/replaylab/replay/datasets"
	"github.com/replaylab/replay/replaylib/metrics"
	"github.com/replaylab/replay/replaylib/model"
	"github.com/replaylab/replay/replaylib/replay"
	"github.com/replaylab/replay/replaylib/training"
)

// Options of a reproduction run.
type Options struct {
	Size    Size
	Dir     string // output directory (models/, report.md, metrics.json, figures/)
	Seed    uint64
	Retrain bool      // ignore trained models found in Dir
	Log     io.Writer // progress lines (nil: discard)
	Backend backends.Backend
}

// Stat is a metric over replay seeds.
type Stat struct {
	Mean   float64   `json:"mean"`
	SD     float64   `json:"sd"`
	Values []float64 `json:"values"`
}

func newStat(values []float64) Stat {
	s := Stat{Values: values}
	finite := 0
	for _, v := range values {
		s.Mean += v
		if !math.IsInf(v, 0) {
			finite++
		}
	}
	s.Mean /= float64(len(values))
	if len(values) > 1 && finite == len(values) {
		for _, v := range values {
			s.SD += (v - s.Mean) * (v - s.Mean)
		}
		s.SD = math.Sqrt(s.SD / float64(len(values)-1))
	}
	return s
}

// Variant is a replay setting and its metrics over seeds.
type Variant struct {
	Name         string                 `json:"name"`
	Model        string                 `json:"model"` // which trained model (see TaskResult.Training)
	Cell         model.CellParams       `json:"cell"`
	Noise        replay.NoiseConvention `json:"noise_convention"`
	W1           Stat                   `json:"w1"` // to training positions, environment units
	W2           Stat                   `json:"w2"`
	KL           Stat                   `json:"kde_kl"`                // KL(training ‖ replay) of kernel densities
	ReachMedian  Stat                   `json:"reach_median"`          // censored median steps to the target region
	ReachMean    Stat                   `json:"reach_restricted_mean"` // mean of min(τ, T_q) steps over chains
	ReachNever   Stat                   `json:"reach_never"`           // fraction of chains never reaching it
	PathLength   Stat                   `json:"path_length"`           // decoded distance per step
	Compression  Stat                   `json:"compression"`           // path length / active path length per step
	Coverage     Stat                   `json:"coverage"`              // fraction of grid cells visited
	Regions      Stat                   `json:"regions_visited"`       // distinct regions per chain
	IncAutocorr  Stat                   `json:"increment_autocorr"`
	MSDExponent  Stat                   `json:"msd_exponent"`
	IAT          Stat                   `json:"iat"`       // integrated autocorrelation time of x
	Inside       Stat                   `json:"inside"`    // fraction of decoded positions inside the environment
	Occupancy    []float64              `json:"occupancy"` // per region (+ none), first seed
	MSDLags      []int                  `json:"msd_lags"`
	MSD          []float64              `json:"msd"`      // first seed
	Autocorr     []float64              `json:"autocorr"` // increment autocorrelation at lags 1..len, first seed
	trajectories [][]datasets.Point
}

// TrainedModel is one training run of the sweep.
type TrainedModel struct {
	Name     string              `json:"name"`
	Alpha    float64             `json:"alpha"`
	MaskK    int                 `json:"mask_k"`
	Dir      string              `json:"dir"`
	History  []training.LogEntry `json:"history"`
	FinalErr float64             `json:"final_pos_err_rel"` // mean of the last quarter of the evaluations
	Seconds  float64             `json:"seconds"`
	run      *training.Run
}

// TaskResult gathers one task's training sweep and replay variants.
type TaskResult struct {
	Task              string          `json:"task"`
	EnvSize           float64         `json:"env_size"`
	Start             datasets.Point  `json:"replay_start"`
	Targets           []string        `json:"reach_targets"`
	StartMode         string          `json:"replay_start_mode"`
	ActivePathLength  float64         `json:"active_path_length"`
	Training          []*TrainedModel `json:"training"`
	Variants          []*Variant      `json:"variants"`
	Sweep             []*Variant      `json:"momentum_sweep"`
	RegionNames       []string        `json:"region_names"`
	TrainingOccupancy []float64       `json:"training_occupancy"`
	active            [][]datasets.Point
	grid              *metrics.Grid
	task              datasets.Task
	// behaviour, when set, holds paths that end at the replay start: replay then starts from the
	// network's own hidden state at their end (cached per model) rather than from encoding Start.
	behaviour   *datasets.Batch
	startStates map[string]*tensors.Tensor
}

// Result is a whole reproduction.
type Result struct {
	Size    Size          `json:"size"`
	Seed    uint64        `json:"seed"`
	Backend string        `json:"backend"`
	Seconds float64       `json:"seconds"`
	Tasks   []*TaskResult `json:"tasks"`
	Theory  TheoryResult  `json:"theory"`
	Claims  []Claim       `json:"claims"`
}

// Variant names.
const (
	VariantNoLeak     = "no leak (α=1)"
	VariantLeak       = "leak"
	VariantAdaptation = "adaptation"
	VariantMomentum   = "momentum"
	VariantBoth       = "adaptation+momentum"
	VariantUntrained  = "untrained"
	// Alternative forms the shared reference suggests trying (§7); not used by the claim checks.
	VariantAdaptationRate = "adaptation (rate-driven)"
	VariantMomentumSqrt   = "momentum (σ·√λv noise)"
)

// replayGeometry is where replay starts and which regions count as reached, per task.
func replayGeometry(task datasets.Task) (datasets.Point, []string) {
	switch t := task.(type) {
	case *datasets.Triangle:
		return datasets.Point{}, []string{"vertex B", "vertex C"} // start at vertex A
	case *datasets.TMaze:
		p := t.Params()
		return datasets.Point{X: -p.ArmLength, Y: p.StemLength + p.Track.Width/2}, []string{datasets.RegionRightArm}
	}
	lo, _ := task.Env().Bounds()
	return lo, nil
}

func logf(w io.Writer, format string, args ...any) {
	if w != nil {
		fmt.Fprintf(w, format+"\n", args...)
	}
}

// Run executes the whole pipeline.
func Run(ctx context.Context, opt Options) (*Result, error) {
	start := time.Now()
	res := &Result{Size: opt.Size, Seed: opt.Seed, Backend: opt.Backend.Name()}
	for i, name := range opt.Size.Tasks {
		logf(opt.Log, "== task %d/%d: %s", i+1, len(opt.Size.Tasks), name)
		tr, err := runTask(ctx, opt, name)
		if err != nil {
			return nil, fmt.Errorf("task %s: %w", name, err)
		}
		res.Tasks = append(res.Tasks, tr)
	}
	res.Theory = Theory()
	res.Claims = Evaluate(res)
	res.Seconds = time.Since(start).Seconds()
	return res, nil
}

func trainingConfig(opt Options, task string, alpha float64, k int) (training.Config, error) {
	cfg, err := training.DefaultConfig(task)
	if err != nil {
		return cfg, err
	}
	s := opt.Size
	cfg.Model.Hidden, cfg.Steps, cfg.BatchSize, cfg.SeqLen, cfg.MaskK = s.Hidden, s.TrainSteps, s.BatchSize, s.SeqLen, k
	cfg.Model.Cell.Alpha, cfg.Model.Cell.NoiseSD = alpha, s.NoiseSD
	cfg.WeightSeed, cfg.DataSeed, cfg.NoiseSeed = opt.Seed*10+1, opt.Seed*10+2, opt.Seed*10+3
	cfg.LogEvery = max(1, s.TrainSteps/30)
	cfg.CheckpointEvery = max(1, s.TrainSteps/5)
	return cfg, cfg.Validate()
}

func trainModel(ctx context.Context, opt Options, task string, alpha float64, k int) (*TrainedModel, error) {
	cfg, err := trainingConfig(opt, task, alpha, k)
	if err != nil {
		return nil, err
	}
	name := fmt.Sprintf("%s-alpha%g-k%d", task, alpha, k)
	dir := filepath.Join(opt.Dir, "models", name)
	if opt.Retrain {
		if err := os.RemoveAll(dir); err != nil {
			return nil, err
		}
	}
	run, err := training.Open(opt.Backend, cfg, dir)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	t0 := time.Now()
	if run.GlobalStep() >= cfg.Steps {
		logf(opt.Log, "   model %s: reusing trained checkpoint (%d steps)", name, run.GlobalStep())
	} else {
		logf(opt.Log, "   model %s: training %d → %d steps", name, run.GlobalStep(), cfg.Steps)
		run.Log = prefixWriter{opt.Log, "      "}
		if err := run.Train(ctx); err != nil {
			return nil, err
		}
	}
	m := &TrainedModel{Name: name, Alpha: alpha, MaskK: k, Dir: dir, History: run.History, Seconds: time.Since(t0).Seconds(), run: run}
	m.FinalErr = finalError(run.History)
	return m, nil
}

// finalError is the mean relative position error over the last quarter of the evaluations (at least
// one): single evaluations fluctuate by a factor of 2 from one to the next (noisy training batches).
func finalError(h []training.LogEntry) float64 {
	if len(h) == 0 {
		return math.NaN()
	}
	n := max(1, len(h)/4)
	sum := 0.0
	for _, e := range h[len(h)-n:] {
		sum += e.PosErrRel
	}
	return sum / float64(n)
}

// prefixWriter indents another writer's lines.
type prefixWriter struct {
	w      io.Writer
	prefix string
}

func (p prefixWriter) Write(b []byte) (int, error) {
	if p.w == nil {
		return len(b), nil
	}
	_, err := fmt.Fprintf(p.w, "%s%s", p.prefix, b)
	return len(b), err
}

func runTask(ctx context.Context, opt Options, name string) (*TaskResult, error) {
	s := opt.Size
	task, err := datasets.NewDefaultTask(name)
	if err != nil {
		return nil, err
	}
	start, targetNames := replayGeometry(task)
	env := task.Env()
	tr := &TaskResult{Task: name, EnvSize: env.Size(), Start: start, Targets: targetNames, task: task, RegionNames: env.RegionNames()}
	if tm, ok := task.(*datasets.TMaze); ok {
		// T-maze paths all start at the stem base, so the encoder never learned arm positions:
		// start replay from the network's state at the end of runs into the left arm instead.
		p := tm.Params()
		p.LeftProbability = 1
		left, err := datasets.NewTMaze(p)
		if err != nil {
			return nil, err
		}
		if tr.behaviour, err = datasets.NewBatch(left, s.Chains, 2*s.SeqLen, s.MaskKs[len(s.MaskKs)-1]); err != nil {
			return nil, err
		}
		datasets.Generate(left, tr.behaviour, rand.New(rand.NewPCG(opt.Seed, 78)))
		var end datasets.Point
		for _, path := range tr.behaviour.Paths() {
			end = end.Add(path[len(path)-1].Scale(1 / float64(s.Chains)))
		}
		tr.Start, tr.startStates = end, map[string]*tensors.Tensor{}
		tr.StartMode = "network state at the end of left-arm runs"
	} else {
		tr.StartMode = "encoded start position"
	}
	// Training sweep: α ∈ {1, leak} × k.
	var leaky, plain *TrainedModel
	maxK := s.MaskKs[len(s.MaskKs)-1]
	for _, k := range s.MaskKs {
		for _, alpha := range []float64{1, s.LeakAlpha} {
			m, err := trainModel(ctx, opt, name, alpha, k)
			if err != nil {
				return nil, err
			}
			tr.Training = append(tr.Training, m)
			if k == maxK && alpha == 1 {
				plain = m
			} else if k == maxK {
				leaky = m
			}
		}
	}
	// Active paths: the reference for W, occupancy and compression.
	batch, err := datasets.NewBatch(task, s.Chains, s.SeqLen, maxK)
	if err != nil {
		return nil, err
	}
	datasets.Generate(task, batch, rand.New(rand.NewPCG(opt.Seed, 77)))
	tr.active = batch.Paths()
	tr.ActivePathLength = metrics.PathLengthPerStep(tr.active)
	if tr.grid, err = metrics.NewGrid(env, env.Size()/25); err != nil {
		return nil, err
	}
	tr.TrainingOccupancy = metrics.Occupancy(metrics.Flatten(tr.active), env)

	base := leaky.run.Config.Model.Cell
	adapt := func(c *model.CellParams) { c.AdaptStrength, c.AdaptTau = s.AdaptStrength, s.AdaptTau }
	momentum := func(λ float64) func(*model.CellParams) { return func(c *model.CellParams) { c.Momentum = λ } }
	untrained, err := untrainedContext(leaky.run.Config.Model, opt.Seed)
	if err != nil {
		return nil, err
	}
	type spec struct {
		name    string
		m       *TrainedModel
		weights *mlctx.Context
		mod     func(*model.CellParams)
	}
	specs := []spec{
		{VariantNoLeak, plain, nil, nil},
		{VariantLeak, leaky, nil, nil},
		{VariantAdaptation, leaky, nil, adapt},
		{VariantMomentum, leaky, nil, momentum(s.Momentum)},
		{VariantBoth, leaky, nil, func(c *model.CellParams) { adapt(c); c.Momentum = s.Momentum }},
		{VariantUntrained, leaky, untrained, nil},
		{VariantAdaptationRate, leaky, nil, func(c *model.CellParams) { adapt(c); c.AdaptForm = model.AdaptRate }},
		{VariantMomentumSqrt, leaky, nil, momentum(s.Momentum)},
	}
	for _, sp := range specs {
		weights := sp.weights
		if weights == nil {
			weights = sp.m.run.Context()
		}
		cell := sp.m.run.Config.Model.Cell
		if sp.mod != nil {
			sp.mod(&cell)
		}
		noise := replay.NoiseFixed
		if sp.name == VariantMomentumSqrt {
			noise = replay.NoiseSqrtMomentum
		}
		v, err := replayVariant(ctx, opt, tr, sp.name, sp.m, weights, cell, noise)
		if err != nil {
			return nil, err
		}
		tr.Variants = append(tr.Variants, v)
	}
	for _, λ := range s.MomentumSweep {
		cell := base
		cell.Momentum = λ
		v, err := replayVariant(ctx, opt, tr, fmt.Sprintf("λv=%g", λ), leaky, leaky.run.Context(), cell, replay.NoiseFixed)
		if err != nil {
			return nil, err
		}
		tr.Sweep = append(tr.Sweep, v)
	}
	return tr, nil
}

// untrainedContext holds freshly initialised weights: the untrained-network baseline.
func untrainedContext(cfg model.Config, seed uint64) (*mlctx.Context, error) {
	ctx := mlctx.New()
	model.InitWeights(ctx, cfg, rand.New(rand.NewPCG(seed, 999)))
	return ctx, nil
}

// replayVariant replays one setting for every replay seed and measures it.
func replayVariant(ctx context.Context, opt Options, tr *TaskResult, name string, m *TrainedModel, weights *mlctx.Context,
	cell model.CellParams, noise replay.NoiseConvention) (*Variant, error) {
	s := opt.Size
	env := tr.task.Env()
	var targets []int
	for _, t := range tr.Targets {
		targets = append(targets, env.RegionIndex(t))
	}
	trainPts := metrics.Flatten(tr.active)
	v := &Variant{Name: name, Model: m.Name, Cell: cell, Noise: noise}
	cols := map[string][]float64{}
	add := func(k string, x float64) { cols[k] = append(cols[k], x) }
	t0 := time.Now()
	for seed := range s.ReplaySeeds {
		rc := replay.DefaultConfig(m.run.Config.Model.Cell)
		rc.Cell = cell
		rc.Cell.NoiseSD = replay.DefaultNoiseFactor * m.run.Config.Model.Cell.NoiseSD
		rc.Noise = noise
		rc.Chains, rc.Steps, rc.Seed = s.Chains, s.ReplaySteps, opt.Seed*1000+uint64(seed)+1
		rc.StepsPerCall = min(replay.DefaultStepsPerCall, s.ReplaySteps)
		eng, err := replay.New(opt.Backend, m.run.Config.Model, weights, tr.task)
		if err != nil {
			return nil, err
		}
		var traj [][]datasets.Point
		if tr.behaviour != nil && weights == m.run.Context() {
			h, ok := tr.startStates[m.Name]
			if !ok {
				times := make([]int, tr.behaviour.B)
				for i := range times {
					times[i] = tr.behaviour.T
				}
				if h, err = m.run.StatesAlong(tr.behaviour, times); err != nil {
					return nil, err
				}
				tr.startStates[m.Name] = h
			}
			traj, err = eng.Trajectories(ctx, rc, replay.Start{States: h})
		} else {
			// Encoded start positions (also for the untrained baseline, which has no behaviour states).
			starts := make([]datasets.Point, s.Chains)
			for i := range starts {
				starts[i] = tr.Start
			}
			traj, err = eng.Trajectories(ctx, rc, replay.Start{Positions: starts})
		}
		if err != nil {
			return nil, err
		}
		var pts []datasets.Point
		for _, path := range traj {
			pts = append(pts, path[1:]...)
		}
		rng := rand.New(rand.NewPCG(opt.Seed, uint64(seed)))
		n := min(metricsSubsample, len(pts), len(trainPts))
		w1, _, err := metrics.SubsampledWasserstein(pts, trainPts, 1, n, 1, rng)
		if err != nil {
			return nil, err
		}
		w2, _, _ := metrics.SubsampledWasserstein(pts, trainPts, 2, n, 1, rng)
		add("w1", w1)
		add("w2", w2)
		add("kl", metrics.KDEKL(trainPts, pts, tr.grid, 2*tr.grid.Cell))
		reach := metrics.ReachTimes(traj, env, targets...)
		add("reach", reach.Median)
		add("reachmean", reach.RestrictedMean)
		add("never", reach.FractionNever)
		add("length", metrics.PathLengthPerStep(traj))
		add("compression", metrics.PathLengthPerStep(traj)/tr.ActivePathLength)
		add("coverage", tr.grid.Coverage(pts))
		add("regions", metrics.RegionsVisited(traj, env))
		add("ac1", metrics.IncrementAutocorrelation(traj, 1))
		lags := metrics.LogLags(max(2, s.ReplaySteps/10), 8)
		add("msd", metrics.MSDExponent(traj, lags))
		add("iat", metrics.IntegratedAutocorrTime(metrics.Coordinate(traj, 0)))
		inside := 0
		for _, p := range pts {
			if env.Contains(p) {
				inside++
			}
		}
		add("inside", float64(inside)/float64(len(pts)))
		if seed == 0 {
			v.trajectories = traj
			v.Occupancy = metrics.Occupancy(pts, env)
			v.MSDLags, v.MSD = lags, metrics.MSD(traj, lags)
			for lag := 1; lag <= 10; lag++ {
				v.Autocorr = append(v.Autocorr, metrics.IncrementAutocorrelation(traj, lag))
			}
		}
	}
	v.W1, v.W2, v.KL = newStat(cols["w1"]), newStat(cols["w2"]), newStat(cols["kl"])
	v.ReachMedian, v.ReachNever, v.ReachMean = newStat(cols["reach"]), newStat(cols["never"]), newStat(cols["reachmean"])
	v.PathLength, v.Compression = newStat(cols["length"]), newStat(cols["compression"])
	v.Coverage, v.Regions = newStat(cols["coverage"]), newStat(cols["regions"])
	v.IncAutocorr, v.MSDExponent, v.IAT = newStat(cols["ac1"]), newStat(cols["msd"]), newStat(cols["iat"])
	v.Inside = newStat(cols["inside"])
	logf(opt.Log, "   replay %-22s W1 %.3f  reach: median %s, restricted mean %.0f, never %.0f%%  length/step %.4f  coverage %.2f  (%.0fs)",
		name, v.W1.Mean, fmtSteps(v.ReachMedian.Mean), v.ReachMean.Mean, 100*v.ReachNever.Mean, v.PathLength.Mean, v.Coverage.Mean, time.Since(t0).Seconds())
	return v, nil
}

// metricsSubsample is the number of points in each exact Wasserstein assignment.
const metricsSubsample = 400

func fmtSteps(x float64) string {
	if math.IsInf(x, 1) {
		return "never"
	}
	return fmt.Sprintf("%.0f steps", x)
}

// Trajectories are the first replay seed's decoded chains, [chain][step].
func (v *Variant) Trajectories() [][]datasets.Point { return v.trajectories }

// TaskOf returns the task the result was computed on.
func (tr *TaskResult) TaskOf() datasets.Task { return tr.task }

// Grid is the grid used for coverage and occupancy.
func (tr *TaskResult) Grid() *metrics.Grid { return tr.grid }

// ActivePaths are the reference (training-distribution) paths.
func (tr *TaskResult) ActivePaths() [][]datasets.Point { return tr.active }

// Variant returns the replay variant with the given name, or nil.
func (tr *TaskResult) Variant(name string) *Variant { return tr.variant(name) }

// Model returns the trained model of the sweep with the given α and k, or nil.
func (tr *TaskResult) Model(alpha float64, k int) *TrainedModel {
	for _, m := range tr.Training {
		if m.Alpha == alpha && m.MaskK == k {
			return m
		}
	}
	return nil
}

// Run is the model's training run (weights, config, task).
func (m *TrainedModel) Run() *training.Run { return m.run }
