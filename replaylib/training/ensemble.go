package training

import (
	"bytes"
	stdctx "context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train"

	"github.com/replaylab/replay/datasets"
	"github.com/replaylab/replay/replaylib/model"
)

// An ensemble trains several runs of one configuration, differing only in their seeds (weights,
// data, noise), side by side in one compiled graph: the weights and Adam's moments get a leading
// network axis (model's ensemble layout), each network draws its noise from its own generator
// state and its batches from its own data stream, and the objective is the sum of the networks'
// losses, so that each network's gradient, Adam update, noise and data are those of the run
// trained alone. The runs evaluate, log and save themselves as they would alone (every LogEvery
// and CheckpointEvery steps, their own directories and checkpoints), so a run trained in an
// ensemble is resumed, replayed and read like any other; only the wall time in its history is
// the ensemble's.

// ErrNotEnsemble is returned by TrainEnsemble for runs it cannot train together; the error says why.
var ErrNotEnsemble = errors.New("the runs cannot be trained as one ensemble")

// ensembleScope holds the ensemble's per-network noise generator states, [M, RNGStateShape].
const ensembleScope = "ensemble"

// TrainEnsemble trains runs together in one graph until Config.Steps, with the result of training
// each alone (Run.Train) within float32 rounding: the same histories (but for the wall time, the
// ensemble's) and checkpoints. The runs must have equal Configs but for their seeds, stand at the
// same step and be writable; otherwise the error is ErrNotEnsemble, naming the reason. Windowed
// runs carry each network's state from window to window as they do alone. When ctx is cancelled every run saves a checkpoint
// at the current step and ctx's error is returned; a diverging network stops the ensemble with an
// error that names its directory (the caller may train the runs alone, which resume from their
// last checkpoints).
func TrainEnsemble(ctx stdctx.Context, runs []*Run) error {
	if err := canTrainTogether(runs); err != nil {
		return fmt.Errorf("%w: %v", ErrNotEnsemble, err)
	}
	if runs[0].GlobalStep() >= runs[0].Config.Steps {
		return nil
	}
	e, err := newEnsemble(runs)
	if err != nil {
		return err
	}
	return e.train(ctx)
}

// canTrainTogether says why runs cannot form an ensemble (nil if they can).
func canTrainTogether(runs []*Run) error {
	if err := sameConfig(runs); err != nil {
		return err
	}
	for i, r := range runs {
		if r.GlobalStep() != runs[0].GlobalStep() {
			return fmt.Errorf("run %d is at step %d, run 0 at %d", i, r.GlobalStep(), runs[0].GlobalStep())
		}
	}
	return nil
}

// sameConfig says why runs are not runs of one configuration, differing only in their seeds, on
// one backend, writable (nil if they are).
func sameConfig(runs []*Run) error {
	if len(runs) == 0 {
		return errors.New("no runs")
	}
	key := func(c Config) string {
		c.WeightSeed, c.DataSeed, c.NoiseSeed = 0, 0, 0
		b, _ := json.Marshal(c)
		return string(b)
	}
	first := runs[0]
	for i, r := range runs {
		switch {
		case r.readOnly:
			return fmt.Errorf("run %d (%s) is read-only", i, r.Dir)
		case r.backend != first.backend:
			return fmt.Errorf("run %d is on another backend", i)
		case key(r.Config) != key(first.Config):
			a, b := r.Config, first.Config
			a.WeightSeed, a.DataSeed, a.NoiseSeed = b.WeightSeed, b.DataSeed, b.NoiseSeed
			return fmt.Errorf("run %d differs from run 0 in more than its seeds: %v", i, configDiff(a, b))
		}
	}
	return nil
}

// ensemble is the compiled step of M runs and the runs themselves.
type ensemble struct {
	runs []*Run
	cfg  Config // runs[0]'s (all but the seeds are equal)
	ctx  *context.Context
	exec *context.Exec
	data []train.Dataset // each run's own stream: whole paths, or windows with reset flags
}

// skipVariable says which variables of a run are not part of training: GoMLX's trainer's
// bookkeeping and its moving-average metrics.
func skipVariable(scope string) bool {
	return strings.HasPrefix(scope, "/metrics") || strings.HasPrefix(scope, "/trainer")
}

// isRNG says whether a variable is a run's noise generator state.
func isRNG(v *context.Variable) bool {
	return v.Scope() == context.RootScope && v.Name() == context.RNGStateVariableName
}

// newEnsemble stacks the runs' variables (weights and, for resumed runs, Adam's moments) along a
// leading network axis, takes the shared scalars (steps, learning rate) from the first run, and
// compiles the ensemble's step.
func newEnsemble(runs []*Run) (*ensemble, error) {
	e := &ensemble{runs: runs, cfg: runs[0].Config, ctx: context.New()}
	for v := range runs[0].ctx.IterVariables() {
		if skipVariable(v.Scope()) {
			continue
		}
		values := make([]*tensors.Tensor, len(runs))
		for i, r := range runs {
			mv := r.ctx.GetVariableByScopeAndName(v.Scope(), v.Name())
			if mv == nil || !mv.Shape().Equal(v.Shape()) {
				return nil, fmt.Errorf("ensemble: run %d (%s) lacks %s/%s of shape %s", i, r.Dir, v.Scope(), v.Name(), v.Shape())
			}
			var err error
			if values[i], err = mv.Value(); err != nil {
				return nil, err
			}
		}
		scope, name, trainable := v.Scope(), v.Name(), v.Scope() == "/"+model.Scope
		var value *tensors.Tensor
		switch {
		case isRNG(v):
			scope, name = "/"+ensembleScope, context.RNGStateVariableName
			value = stackTensors(values)
		case v.Shape().IsScalar(): // global steps, the learning rate: shared
			var err error
			if value, err = values[0].LocalClone(); err != nil {
				return nil, err
			}
		default:
			value = stackTensors(values)
		}
		e.ctx.InAbsPath(scope).Checked(false).VariableWithValue(name, value).SetTrainable(trainable)
	}
	if e.ctx.GetVariableByScopeAndName("/"+ensembleScope, context.RNGStateVariableName) == nil {
		return nil, errors.New("ensemble: the runs have no noise generator state")
	}
	for _, r := range runs {
		if r.Config.windowed() {
			d, err := newWindowData(r.task, r.Config, r.GlobalStep())
			if err != nil {
				return nil, err
			}
			e.data = append(e.data, d)
			continue
		}
		batch, err := datasets.NewBatch(r.task, r.Config.BatchSize, r.Config.SeqLen, r.Config.MaskK)
		if err != nil {
			return nil, err
		}
		e.data = append(e.data, &onlineData{task: r.task, batch: batch, seed: r.Config.DataSeed, step: r.GlobalStep()})
	}
	var err error
	e.exec, err = context.NewExec(runs[0].backend, e.ctx, e.step)
	return e, err
}

// step is the graph of one Adam step of every network: inputs [M, B, T, In], initial
// observations [M, B, Obs] and targets [M, B, T, Out] (and, for windowed runs, the reset flags
// [M, B]) give the networks' losses [M].
func (e *ensemble) step(ctx *context.Context, in []*Node) *Node {
	cfg := e.cfg
	g := in[0].Graph()
	scheduleLearningRate(ctx, g, cfg)
	dims := in[0].Shape().Dimensions // [M, B, T, In]
	M, B, T := dims[0], dims[1], dims[2]
	rng := ctx.GetVariableByScopeAndName("/"+ensembleScope, context.RNGStateVariableName)
	states := rng.ValueGraph(g)
	next, xi := make([]*Node, M), make([]*Node, M)
	for m := range M { // each network's noise from its own generator, as when it trains alone
		next[m], xi[m] = model.StandardNormalFrom(Reshape(Slice(states, AxisElem(m)), RNGStateShape.Dimensions...), T, B, cfg.Model.Hidden)
	}
	rng.SetValueGraph(Stack(next, 0))
	var losses *Node
	switch {
	case cfg.windowed(): // in[3] is the reset flags [M, B]
		losses = windowObjective(cfg, ctx, model.GetEnsembleWeights(ctx, g, cfg.Model, M), in, Stack(xi, 1))
	default:
		out, _ := model.ForwardEnsemble(ctx, cfg.Model, cfg.Model.Cell, in[0], in[1], Stack(xi, 1))
		losses = model.EnsembleLoss(cfg.Model, out, in[2])
		if cfg.StartLoss {
			losses = model.EnsembleLossWithStart(cfg.Model, out, in[2], model.EnsembleStartReadout(ctx, cfg.Model, in[1]), in[1])
		}
	}
	newOptimizer(cfg).UpdateGraph(ctx, g, ReduceSum(losses))
	return losses
}

// train runs the ensemble's steps, evaluating and saving the runs as Run.Train would.
func (e *ensemble) train(ctx stdctx.Context) error {
	start := e.runs[0].GlobalStep()
	now := time.Now()
	for _, r := range e.runs {
		r.start = now
		if n := len(r.History); n > 0 {
			r.start = now.Add(-time.Duration(r.History[n-1].Seconds * float64(time.Second)))
		}
		if start == 0 && len(r.History) == 0 {
			entry, err := r.Evaluate()
			if err != nil {
				return err
			}
			r.History = append(r.History, entry)
		}
	}
	for step := start; step < e.cfg.Steps; {
		if err := ctx.Err(); err != nil {
			if serr := e.save(); serr != nil {
				return serr
			}
			return fmt.Errorf("training stopped at step %d (checkpoints saved): %w", step, err)
		}
		losses, err := e.runStep()
		if err != nil {
			return err
		}
		step++
		for m, r := range e.runs {
			first := r.History[0].EvalLoss
			if diverged(losses[m], first) {
				return fmt.Errorf("training %s diverged at step %d: loss = %g (try a smaller learning_rate or noise_sd)", r.Dir, step, losses[m])
			}
			r.lastLoss = losses[m]
		}
		evaluate := step%e.cfg.LogEvery == 0 || step == e.cfg.Steps
		save := step%e.cfg.CheckpointEvery == 0 && step != e.cfg.Steps
		if evaluate || save {
			if err := e.toRuns(); err != nil {
				return err
			}
		}
		if evaluate {
			if err := e.evaluate(); err != nil {
				return err
			}
		}
		if save {
			if err := e.saveRuns(); err != nil {
				return err
			}
		}
	}
	return e.saveRuns() // the last step evaluated: the runs hold its state
}

// runStep draws every network's batch and runs one step; it returns the networks' losses.
func (e *ensemble) runStep() ([]float64, error) {
	var parts [][]*tensors.Tensor // per input (inputs, initial, targets and, windowed, reset), per network
	for _, d := range e.data {
		_, in, _, err := d.Yield()
		if err != nil {
			return nil, err
		}
		if parts == nil {
			parts = make([][]*tensors.Tensor, len(in))
		}
		for i := range parts {
			parts[i] = append(parts[i], in[i])
		}
	}
	args := make([]any, len(parts))
	for i, p := range parts {
		args[i] = stackTensors(p)
	}
	out, err := e.exec.Exec(args...)
	if err != nil {
		return nil, err
	}
	f32 := tensors.MustCopyFlatData[float32](out[0])
	losses := make([]float64, len(f32))
	for i, v := range f32 {
		losses[i] = float64(v)
	}
	return losses, nil
}

// evaluate has every run evaluate and report itself, as Run.Train does every LogEvery steps.
func (e *ensemble) evaluate() error {
	for _, r := range e.runs {
		if err := r.evaluateAndReport(); err != nil {
			return err
		}
	}
	return nil
}

// save hands the ensemble's state to the runs and has each save its history and a checkpoint.
func (e *ensemble) save() error {
	if err := e.toRuns(); err != nil {
		return err
	}
	return e.saveRuns()
}

// saveRuns has each run save its history and a checkpoint of the state toRuns last handed it.
func (e *ensemble) saveRuns() error {
	for _, r := range e.runs {
		if err := r.Save(); err != nil {
			return err
		}
	}
	return nil
}

// toRuns writes the ensemble's variables into the runs' contexts: network m's slice of every
// stacked variable, its generator state, and the shared scalars, under the names a run trained
// alone has (Adam's moments are created in a run that has not been trained alone before).
func (e *ensemble) toRuns() error {
	M := len(e.runs)
	for v := range e.ctx.IterVariables() {
		if skipVariable(v.Scope()) {
			continue
		}
		value, err := v.Value()
		if err != nil {
			return err
		}
		scope, name := v.Scope(), v.Name()
		if scope == "/"+ensembleScope {
			scope = context.RootScope
		}
		for m, r := range e.runs {
			var t *tensors.Tensor
			if v.Shape().IsScalar() { // shared
				if t, err = value.LocalClone(); err != nil {
					return err
				}
			} else {
				t = unstackTensor(value, m, M)
			}
			if mv := r.ctx.GetVariableByScopeAndName(scope, name); mv != nil {
				if err := mv.SetValue(t); err != nil {
					return err
				}
				continue
			}
			r.ctx.InAbsPath(scope).Checked(false).VariableWithValue(name, t).SetTrainable(v.Trainable)
		}
	}
	return nil
}

// stackTensors lays tensors of one shape side by side along a new leading axis.
func stackTensors(ts []*tensors.Tensor) *tensors.Tensor {
	var buf bytes.Buffer
	for _, t := range ts {
		t.ConstBytes(func(b []byte) { buf.Write(b) })
	}
	s := ts[0].Shape()
	out := tensors.FromShape(shapes.Make(s.DType, append([]int{len(ts)}, s.Dimensions...)...))
	out.MutableBytes(func(b []byte) { copy(b, buf.Bytes()) })
	return out
}

// unstackTensor is the m-th of M tensors stacked along the leading axis of t.
func unstackTensor(t *tensors.Tensor, m, M int) *tensors.Tensor {
	s := t.Shape()
	if s.IsScalar() {
		return nil
	}
	out := tensors.FromShape(shapes.Make(s.DType, s.Dimensions[1:]...))
	t.ConstBytes(func(b []byte) {
		n := len(b) / M
		out.MutableBytes(func(o []byte) { copy(o, b[m*n:(m+1)*n]) })
	})
	return out
}
