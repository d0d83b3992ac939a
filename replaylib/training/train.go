package training

import (
	stdctx "context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/gomlx/gomlx/backends"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/checkpoints"
	"github.com/gomlx/gomlx/pkg/ml/train"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"
	"github.com/gomlx/gomlx/ui/commandline"

	"github.com/replaylab/replay/datasets"
	"github.com/replaylab/replay/geom"
	"github.com/replaylab/replay/internal/atomicfile"
	"github.com/replaylab/replay/replaylib/model"
)

// Files a run keeps in its directory beside GoMLX's checkpoint files.
const (
	ConfigFile  = "config.json"
	HistoryFile = "history.json"
)

// LogEntry is one evaluation of the model during training, on a fixed noiseless evaluation batch.
type LogEntry struct {
	Step      int     `json:"step"`          // Adam steps taken (0 before training)
	TrainLoss float64 `json:"train_loss"`    // loss of the last training batch (noisy)
	EvalLoss  float64 `json:"eval_loss"`     // loss on the evaluation batch
	PosError  float64 `json:"pos_error"`     // mean decoded position error, environment units
	PosErrRel float64 `json:"pos_err_rel"`   // PosError / environment size
	LR        float64 `json:"learning_rate"` // learning rate of the last step
	Seconds   float64 `json:"seconds"`       // training wall time, added up over resumed sessions
}

// Run is a training run: a model, its optimizer state and its history, optionally kept in a directory.
type Run struct {
	Config  Config
	Dir     string     // "" for a run kept only in memory
	History []LogEntry // every evaluation so far, in step order (history.json)

	// What Train reports while it runs (all optional).
	Log         io.Writer      // one line per evaluation (every Config.LogEvery steps)
	OnEvaluate  func(LogEntry) // called after each evaluation, e.g. to update a live figure
	ProgressBar bool           // GoMLX's progress bar (a terminal bar, or an in-place bar in GoNB)

	// Warnings are what Open noticed and worked around (one line each): a checkpoint that could
	// not be read and was skipped, a history that could not be read.
	Warnings []string

	backend    backends.Backend
	readOnly   bool
	ctx        *context.Context
	task       datasets.Task
	trainer    *train.Trainer
	checkpoint *checkpoints.Handler
	evalExec   *context.Exec
	evalBatch  *datasets.Batch
	evalPaths  [][]geom.Point // windowed runs: the evaluation paths, Horizon steps each
	long       *longPaths     // windowed runs: the noiseless window, run from Go
	lastLoss   float64
	start      time.Time
}

// ErrConfigMismatch is returned when a directory holds a run with another Config.
var ErrConfigMismatch = errors.New("checkpoint config mismatch")

// Open starts a run, or resumes the one saved in dir (if dir is not empty and holds one). It writes
// config.json into dir; checkpoints are written by Save. A directory whose checkpoints were
// trained with another Config is refused (ErrConfigMismatch); a config.json without a readable
// checkpoint beside it (a first attempt that failed) is replaced.
func Open(backend backends.Backend, cfg Config, dir string) (*Run, error) {
	return open(backend, cfg, dir, false)
}

// OpenReadOnly opens the run saved in dir without writing anything there (for replaying a model
// in a read-only directory): its Config from config.json, its newest readable checkpoint. Train
// and Save fail on such a run.
func OpenReadOnly(backend backends.Backend, dir string) (*Run, error) {
	cfg, err := ReadConfig(dir)
	if err != nil {
		return nil, err
	}
	return open(backend, cfg, dir, true)
}

// ReadConfig reads and validates the config.json of a run directory; its errors name the file.
func ReadConfig(dir string) (Config, error) {
	path := filepath.Join(dir, ConfigFile)
	data, err := readRegular(path, maxCheckpointJSON)
	if err != nil {
		return Config{}, err
	}
	var cfg Config
	if err := json.Unmarshal(data, &cfg); err != nil {
		return Config{}, fmt.Errorf("%s: %w", path, err)
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, fmt.Errorf("%s: %w", path, err)
	}
	return cfg, nil
}

func open(backend backends.Backend, cfg Config, dir string, readOnly bool) (*Run, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if err := cfg.CheckFits(); err != nil {
		return nil, err
	}
	task, err := cfg.NewTask()
	if err != nil {
		return nil, err
	}
	r := &Run{Config: cfg, Dir: dir, backend: backend, ctx: context.New(), task: task, readOnly: readOnly && dir != ""}
	resumed := false
	if dir != "" {
		if resumed, err = r.openDir(); err != nil {
			return nil, err
		}
	}
	if !resumed {
		model.InitWeights(r.ctx, cfg.Model, rand.New(rand.NewPCG(cfg.WeightSeed, 0x5eed)))
		bias, err := meanTargetBias(task, cfg)
		if err != nil {
			return nil, err
		}
		if err := model.SetOutputBias(r.ctx, bias); err != nil {
			return nil, err
		}
		if err := r.ctx.SetRNGStateFromSeed(int64(cfg.NoiseSeed)); err != nil {
			return nil, err
		}
	}
	optimizer := newOptimizer(cfg)
	// loss is the training objective: every step's readout, and the start state's with StartLoss.
	loss := func(ctx *context.Context, out, targets, initial *Node) *Node {
		if !cfg.StartLoss {
			return model.Loss(cfg.Model, out, targets)
		}
		return model.LossWithStart(cfg.Model, out, targets, model.StartReadout(ctx, cfg.Model, initial), initial)
	}
	// The loss needs the context (for the start readout), so the model function adds it (GoMLX's
	// train.AddLoss) and the trainer gets no separate loss function; targets arrive as a third input.
	modelFn := func(ctx *context.Context, _ any, inputs []*Node) []*Node {
		scheduleLearningRate(ctx, inputs[0].Graph(), cfg)
		dims := inputs[0].Shape().Dimensions // [B, T, In]
		xi := model.StandardNormal(ctx, inputs[0].Graph(), dims[1], dims[0], cfg.Model.Hidden)
		out, _ := model.Forward(ctx, cfg.Model, cfg.Model.Cell, inputs[0], inputs[1], xi)
		train.AddLoss(ctx, loss(ctx, out, inputs[2], inputs[1]))
		return []*Node{out}
	}
	if cfg.windowed() {
		modelFn = func(ctx *context.Context, _ any, inputs []*Node) []*Node {
			scheduleLearningRate(ctx, inputs[0].Graph(), cfg)
			train.AddLoss(ctx, trainWindow(cfg, ctx, inputs))
			return nil
		}
	}
	r.trainer = train.NewTrainer(backend, r.ctx, modelFn, nil, optimizer, nil, nil)
	r.evalExec, err = context.NewExec(backend, r.ctx.Reuse(), func(ctx *context.Context, inputs, initial, targets *Node) (*Node, *Node) {
		out, _ := model.Forward(ctx, cfg.Model, cfg.Model.Cell, inputs, initial, nil)
		return loss(ctx, out, targets, initial), out
	})
	if err != nil {
		return nil, err
	}
	if cfg.windowed() {
		return r, r.openLongEvaluation()
	}
	if r.evalBatch, err = datasets.NewBatch(task, cfg.EvalBatch, cfg.SeqLen, cfg.MaskK); err != nil {
		return nil, err
	}
	// The evaluation batch has its own seed stream, disjoint from the training batches' steps.
	if err := datasets.Generate(task, r.evalBatch, rand.New(rand.NewPCG(cfg.DataSeed, math.MaxUint64))); err != nil {
		return nil, err
	}
	return r, nil
}

// newOptimizer is the run's Adam (an ensemble's too: each network's update is its own).
func newOptimizer(cfg Config) optimizers.Interface {
	eps := cfg.AdamEpsilon
	if eps == 0 {
		eps = DefaultAdamEpsilon
	}
	return optimizers.Adam().LearningRate(cfg.LearningRate).Epsilon(eps).Done()
}

// scheduleLearningRate sets Adam's learning-rate variable for the current step (cosine decay).
func scheduleLearningRate(ctx *context.Context, g *Graph, cfg Config) {
	if cfg.LRDecay != LRCosine || cfg.Steps == 0 {
		return
	}
	// The global step before this step's increment: 0 at the first step.
	step := ConvertDType(optimizers.GetGlobalStepVar(ctx).ValueGraph(g), model.DType)
	frac := MinScalar(DivScalar(step, float64(cfg.Steps)), 1)
	lr0, lrf := cfg.LearningRate, cfg.LearningRate*cfg.FinalLRFraction
	cos := MulScalar(OnePlus(Cos(MulScalar(frac, math.Pi))), 0.5*(lr0-lrf))
	optimizers.LearningRateVar(ctx, model.DType, lr0).SetValueGraph(AddScalar(cos, lrf))
}

// meanTargetBias is the output bias that predicts the mean target of a sample of paths: the mean
// itself for MSE, its logarithm for cross-entropy (softmax of log p is p).
func meanTargetBias(task datasets.Task, cfg Config) ([]float32, error) {
	batch, err := datasets.NewBatch(task, 64, cfg.SeqLen, cfg.MaskK)
	if err != nil {
		return nil, err
	}
	if err := datasets.Generate(task, batch, rand.New(rand.NewPCG(cfg.DataSeed, math.MaxUint64-1))); err != nil {
		return nil, err
	}
	d := batch.TargetDim
	mean := make([]float64, d)
	for i, v := range batch.Target {
		mean[i%d] += float64(v)
	}
	bias := make([]float32, d)
	for i := range mean {
		m := mean[i] / float64(len(batch.Target)/d)
		if cfg.Model.Readout == model.ReadoutCrossEntropy {
			m = math.Log(math.Max(m, 1e-8))
		}
		bias[i] = float32(m)
	}
	return bias, nil
}

// openDir loads the newest readable checkpoint of r.Dir, checks that it and config.json belong to
// r.Config, and (unless read-only) clears what an interrupted save left, writes config.json and
// prepares saving. It reports whether a checkpoint was loaded.
func (r *Run) openDir() (resumed bool, err error) {
	cfgPath := filepath.Join(r.Dir, ConfigFile)
	if !r.readOnly {
		if err := os.MkdirAll(r.Dir, 0o755); err != nil {
			return false, fmt.Errorf("run directory %s: %w", r.Dir, err)
		}
		if err := prepareDir(r.Dir); err != nil {
			return false, err
		}
		if n, err := atomicfile.CleanStale(r.Dir, atomicfile.StaleAge); err == nil && n > 0 {
			r.warnf("removed %d temporary file(s) a killed run left in %s", n, r.Dir)
		}
	}
	base, meta, err := r.loadNewest(r.readOnly)
	if err != nil {
		return false, err
	}
	if base != "" {
		if !r.readOnly {
			// config.json binds the directory only when a checkpoint was trained with it.
			saved, err := ReadConfig(r.Dir)
			switch {
			case errors.Is(err, os.ErrNotExist):
			case err != nil:
				return false, fmt.Errorf("%w; %s holds checkpoints: restore the file or use another directory", err, r.Dir)
			case !sameRun(saved, r.Config):
				return false, fmt.Errorf("%w: %s was written for another run (differs in %v); use another directory or remove it",
					ErrConfigMismatch, cfgPath, configDiff(saved, r.Config))
			}
		}
		if err := r.checkLoaded(base, meta); err != nil {
			return false, err
		}
		r.loadHistory()
	}
	if r.readOnly {
		return base != "", nil
	}
	if err := atomicfile.WriteJSON(cfgPath, r.Config); err != nil {
		return false, err
	}
	if base == "" {
		// A fresh start: a history left by an attempt without a checkpoint describes nothing.
		if err := os.Remove(filepath.Join(r.Dir, HistoryFile)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return false, err
		}
	}
	return base != "", r.newSaver()
}

// loadHistory reads history.json, keeping the entries up to the loaded step (a history is written
// before its checkpoint, so it may run ahead of it). An unreadable history is a warning: the
// curve then restarts here.
func (r *Run) loadHistory() {
	path := filepath.Join(r.Dir, HistoryFile)
	data, err := readRegular(path, maxCheckpointJSON)
	if errors.Is(err, os.ErrNotExist) {
		return
	}
	if err == nil {
		err = json.Unmarshal(data, &r.History)
	}
	if err != nil {
		r.History = nil
		if r.readOnly {
			r.warnf("%s is unreadable (%s): the training history is not shown", path, oneLine(err.Error()))
		} else {
			r.warnf("%s is unreadable (%s): the training history restarts at step %d", path, oneLine(err.Error()), r.GlobalStep())
		}
		return
	}
	step := r.GlobalStep()
	r.History = slices.DeleteFunc(r.History, func(e LogEntry) bool { return e.Step > step })
}

// configDiff lists the JSON fields (dotted paths into nested objects, e.g. model.readout) in
// which two configs differ, leaving out those sameRun ignores.
func configDiff(a, b Config) []string {
	var ma, mb map[string]any
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	json.Unmarshal(ja, &ma)
	json.Unmarshal(jb, &mb)
	var diff []string
	var walk func(prefix string, x, y map[string]any)
	walk = func(prefix string, x, y map[string]any) {
		for k, va := range x {
			if prefix == "" && (k == "log_every" || k == "checkpoint_every" || k == "steps" && a.LRDecay == LRConstant && b.LRDecay == LRConstant) {
				continue
			}
			if sa, ok := va.(map[string]any); ok {
				if sb, ok := y[k].(map[string]any); ok {
					walk(prefix+k+".", sa, sb)
					continue
				}
			}
			vx, _ := json.Marshal(va)
			vy, _ := json.Marshal(y[k])
			if string(vx) != string(vy) {
				diff = append(diff, prefix+k)
			}
		}
	}
	walk("", ma, mb)
	slices.Sort(diff)
	return diff
}

// GlobalStep is the number of Adam steps taken so far.
func (r *Run) GlobalStep() int { return int(optimizers.GetGlobalStep(r.ctx)) }

// Context holds the weights (scope model.Scope), Adam's state and the noise generator.
func (r *Run) Context() *context.Context { return r.ctx }

// Task is the run's task.
func (r *Run) Task() datasets.Task { return r.task }

// Backend is the run's backend.
func (r *Run) Backend() backends.Backend { return r.backend }

// onlineData yields a fresh batch per step, drawn from (DataSeed, step).
type onlineData struct {
	task  datasets.Task
	batch *datasets.Batch
	seed  uint64
	step  int
}

func (d *onlineData) Name() string { return "online " + d.task.Name() }
func (d *onlineData) Reset()       {}
func (d *onlineData) Yield() (any, []*tensors.Tensor, []*tensors.Tensor, error) {
	if err := datasets.Generate(d.task, d.batch, rand.New(rand.NewPCG(d.seed, uint64(d.step)))); err != nil {
		return nil, nil, nil, err
	}
	d.step++
	// Targets travel as a third input: the loss is added by the model function (see Open).
	return nil, append(batchInputs(d.batch), targetTensor(d.batch)), nil, nil
}

func batchInputs(b *datasets.Batch) []*tensors.Tensor {
	return []*tensors.Tensor{
		tensors.FromFlatDataAndDimensions(b.Input, b.B, b.T, b.InputDim),
		tensors.FromFlatDataAndDimensions(b.Initial, b.B, b.TargetDim),
	}
}

func targetTensor(b *datasets.Batch) *tensors.Tensor {
	return tensors.FromFlatDataAndDimensions(b.Target, b.B, b.T, b.TargetDim)
}

// Train runs Adam steps until Config.Steps, evaluating every LogEvery steps (reported through
// Log, OnEvaluate and the progress bar) and saving every CheckpointEvery steps and at the end.
// A non-finite loss stops training with an error that names the step. When ctx is cancelled it
// saves a checkpoint at the current step (so that reopening the directory resumes there) and
// returns ctx's error.
func (r *Run) Train(ctx stdctx.Context) error { return r.trainWith(ctx, r) }

// trainWith is Train with the steps taken by engine's compiled step on engine's context, into
// which r's state has been loaded (see TrainInTurn); r keeps its data, history, evaluations and
// checkpoints, its state handed back from engine before each evaluation and save. engine is r
// for a run trained on its own.
func (r *Run) trainWith(ctx stdctx.Context, engine *Run) error {
	if r.readOnly {
		return fmt.Errorf("training %s: the run was opened read-only", r.Dir)
	}
	start := r.GlobalStep()
	if start >= r.Config.Steps {
		return nil
	}
	// Seconds in the history add up over resumed runs: the clock continues from the last entry.
	r.start = time.Now()
	if n := len(r.History); n > 0 {
		r.start = r.start.Add(-time.Duration(r.History[n-1].Seconds * float64(time.Second)))
	}
	if start == 0 && len(r.History) == 0 {
		entry, err := r.Evaluate()
		if err != nil {
			return err
		}
		r.History = append(r.History, entry)
	}
	batch, err := datasets.NewBatch(r.task, r.Config.BatchSize, r.Config.SeqLen, r.Config.MaskK)
	if err != nil {
		return err
	}
	var ds train.Dataset = &onlineData{task: r.task, batch: batch, seed: r.Config.DataSeed, step: start}
	if r.Config.windowed() {
		if ds, err = newWindowData(r.task, r.Config, start); err != nil {
			return err
		}
	}
	save := func() error {
		if err := r.takeState(engine); err != nil {
			return err
		}
		return r.Save()
	}
	loop := train.NewLoop(engine.trainer)
	if r.ProgressBar {
		commandline.AttachProgressBar(loop)
	}
	// stop is the error that ended the loop from the hook, returned as it is (GoMLX wraps it in
	// the loop's and the hook's names).
	var stop error
	loop.OnStep("finite-loss", 0, func(loop *train.Loop, metrics []*tensors.Tensor) error {
		if err := ctx.Err(); err != nil {
			if serr := save(); serr != nil {
				return serr
			}
			stop = fmt.Errorf("training stopped at step %d (checkpoint saved): %w", r.GlobalStep(), err)
			return stop
		}
		loss := toFloat(metrics[0])
		first := math.NaN() // the untrained network's loss, once evaluated
		if len(r.History) > 0 {
			first = r.History[0].EvalLoss
		}
		if diverged(loss, first) {
			stop = fmt.Errorf("training diverged at step %d: loss = %g (try a smaller learning_rate or noise_sd)", engine.GlobalStep(), loss)
			return stop
		}
		r.lastLoss = loss
		step := engine.GlobalStep()
		evaluate := step%r.Config.LogEvery == 0 || step == r.Config.Steps
		checkpoint := step%r.Config.CheckpointEvery == 0 && step != r.Config.Steps
		if evaluate || checkpoint {
			if err := r.takeState(engine); err != nil {
				return err
			}
		}
		if evaluate {
			if err := r.evaluateAndReport(); err != nil {
				return err
			}
		}
		if checkpoint {
			return r.Save()
		}
		return nil
	})
	if _, err := loop.RunToGlobalStep(ds, r.Config.Steps); err != nil {
		if stop != nil {
			return stop
		}
		return err
	}
	return r.Save() // the last step evaluated: r holds its state
}

// evaluateAndReport evaluates the run, appends the entry to its history and reports it (OnEvaluate,
// one line to Log), as training does every LogEvery steps.
func (r *Run) evaluateAndReport() error {
	entry, err := r.Evaluate()
	if err != nil {
		return err
	}
	r.History = append(r.History, entry)
	if r.OnEvaluate != nil {
		r.OnEvaluate(entry)
	}
	if r.Log != nil {
		fmt.Fprintf(r.Log, "step %5d  train loss %.5f  eval loss %.5f  position error %.4f (%.1f%% of size)  %.0fs\n",
			entry.Step, entry.TrainLoss, entry.EvalLoss, entry.PosError, 100*entry.PosErrRel, entry.Seconds)
	}
	return nil
}

// divergedFactor: a training loss this many times the untrained network's evaluation loss (the
// history's first entry) is divergence, even while it is finite.
const divergedFactor = 1e6

// diverged reports whether a training loss means divergence: not finite, or above divergedFactor
// times the untrained network's loss first (when that is known: not NaN).
func diverged(loss, first float64) bool {
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return true
	}
	return !math.IsNaN(first) && loss > divergedFactor*math.Max(first, 1e-6)
}

func toFloat(t *tensors.Tensor) float64 {
	switch v := t.Value().(type) {
	case float32:
		return float64(v)
	case float64:
		return v
	}
	return math.NaN()
}

// Evaluate computes the noiseless loss and decoded position error on the fixed evaluation batch.
func (r *Run) Evaluate() (LogEntry, error) {
	if r.Config.windowed() {
		return r.evaluateLong()
	}
	b := r.evalBatch
	in := batchInputs(b)
	out, err := r.evalExec.Exec(in[0], in[1], targetTensor(b))
	if err != nil {
		return LogEntry{}, err
	}
	sum := r.positionErrorSum(b, tensors.MustCopyFlatData[float32](out[1]))
	return r.logEntry(toFloat(out[0]), sum/float64(b.B*b.T)), nil
}

// positionErrorSum is the summed decoded position error of the readouts [B, T, Out] of a batch's
// steps 1…T (cross-entropy readouts are logits: softmax first).
func (r *Run) positionErrorSum(b *datasets.Batch, outputs []float32) float64 {
	sum := 0.0
	for i := range b.B {
		for t := 1; t <= b.T; t++ {
			row := outputs[(i*b.T+t-1)*b.TargetDim : (i*b.T+t)*b.TargetDim]
			if r.Config.Model.Readout == model.ReadoutCrossEntropy {
				model.SoftmaxInPlace(row) // the task decodes activity, the readout gives logits
			}
			sum += r.task.Decode(row).Sub(b.Position[i*(b.T+1)+t]).Norm()
		}
	}
	return sum
}

// logEntry completes an evaluation's entry: the step, the last training loss, the learning rate
// and the wall time.
func (r *Run) logEntry(evalLoss, posErr float64) LogEntry {
	lr := r.Config.LearningRate
	if v := r.ctx.GetVariableByScopeAndName(r.ctx.In(optimizers.Scope).Scope(), optimizers.ParamLearningRate); v != nil {
		if val, err := v.Value(); err == nil {
			lr = toFloat(val)
		}
	}
	return LogEntry{Step: r.GlobalStep(), TrainLoss: r.lastLoss, EvalLoss: evalLoss, PosError: posErr, LR: lr,
		PosErrRel: posErr / r.task.Env().Size(), Seconds: time.Since(r.start).Seconds()}
}

// Save writes the history and then a checkpoint (no-op for a run without a directory). The
// checkpoint appears in the directory complete or not at all, even if the process is killed
// while saving; the history is written first, so that it never lags behind the newest checkpoint
// (entries beyond the checkpoint a run resumes from are dropped on resume).
func (r *Run) Save() error {
	if r.readOnly {
		return fmt.Errorf("saving %s: the run was opened read-only", r.Dir)
	}
	if r.checkpoint == nil {
		return nil
	}
	// GoMLX's trainer keeps its moving-average metrics in per-instance variables: not part of the run.
	var metricVars []*context.Variable
	for v := range r.ctx.IterVariables() {
		if strings.HasPrefix(v.Scope(), "/metrics") {
			metricVars = append(metricVars, v)
		}
	}
	r.checkpoint.ExcludeVarsFromSaving(metricVars...)
	if err := atomicfile.WriteJSON(filepath.Join(r.Dir, HistoryFile), r.History); err != nil {
		return err
	}
	if err := r.saveCheckpoint(); err != nil {
		return fmt.Errorf("saving checkpoint in %s: %w", r.Dir, err)
	}
	return nil
}

// Network returns the run's model for stepwise use (it shares the run's weights).
func (r *Run) Network() (*model.Network, error) {
	return model.NewNetwork(r.backend, r.Config.Model, r.ctx)
}

// StatesAlong runs the trained network noiselessly over the batch's inputs (as in training) and
// returns its hidden state h_{t_b} after step times[b] (1 ≤ t_b ≤ T) of each path b, [B, N]:
// where the network "is" at those moments, a start for replay (replay.Start.States). With every
// t_b = T these are the states at the end of the paths.
func (r *Run) StatesAlong(batch *datasets.Batch, times []int) (*tensors.Tensor, error) {
	if len(times) != batch.B {
		return nil, fmt.Errorf("states along paths: %d times for %d paths", len(times), batch.B)
	}
	for b, t := range times {
		if t < 1 || t > batch.T {
			return nil, fmt.Errorf("states along paths: time %d of path %d is outside [1, %d]", t, b, batch.T)
		}
	}
	if batch.T > r.Config.SeqLen {
		if batch.T%r.Config.SeqLen != 0 {
			return nil, fmt.Errorf("states along paths: %d steps, want at most seq_len=%d or a multiple of it", batch.T, r.Config.SeqLen)
		}
		return r.statesAlongLong(batch, times)
	}
	pick := make([]float32, batch.B*batch.T)
	for b, t := range times {
		pick[b*batch.T+t-1] = 1
	}
	in := batchInputs(batch)
	out, err := context.ExecOnce(r.backend, r.ctx.Reuse(), func(ctx *context.Context, inputs, initial, pick *Node) *Node {
		_, hidden := model.Forward(ctx, r.Config.Model, r.Config.Model.Cell, inputs, initial, nil)
		return ReduceSum(Mul(hidden, ExpandAxes(pick, -1)), 1) // [B, N]
	}, in[0], in[1], tensors.FromFlatDataAndDimensions(pick, batch.B, batch.T))
	if err != nil {
		return nil, fmt.Errorf("states along paths: %w", err)
	}
	return out, nil
}

// ModelConfig is the run's architecture (for replay.FromRun).
func (r *Run) ModelConfig() model.Config { return r.Config.Model }
