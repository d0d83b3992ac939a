package training

import (
	"fmt"
	"math/rand/v2"
	"slices"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/replaylab/replay/datasets"
	"github.com/replaylab/replay/geom"
	"github.com/replaylab/replay/replaylib/model"
)

// Windowed training (Config.Horizon > SeqLen): every path of the batch is Horizon steps long and
// is seen in Horizon/SeqLen consecutive windows of SeqLen steps, one window per Adam step. The
// network's state at the end of a window is carried into the next one (a non-trainable variable
// of the context, saved with the checkpoints, so a resumed run continues mid-path), and the
// gradient stops at the window's start: truncated backpropagation through time. One window graph
// is compiled, whatever the horizon.
//
// The paths of a batch are staggered: path b starts its first horizon at window b·W/B (W windows
// per horizon, B paths), so that at every step about B/W paths begin afresh from an encoded
// observation and the others carry on, and no step sees only the start of paths. Path b's n-th
// horizon is drawn from its own generator (DataSeed, b, n), so the data of a step depends on the
// step alone.

// CarryScope is the context scope of the state carried between training windows.
const CarryScope = "carry"

// windowsPerPath is the number of windows of a path: Horizon/SeqLen, 1 without a horizon.
func (c Config) windowsPerPath() int {
	if c.Horizon <= c.SeqLen {
		return 1
	}
	return c.Horizon / c.SeqLen
}

// horizon is the length of a training path in steps.
func (c Config) horizon() int { return c.windowsPerPath() * c.SeqLen }

// windowed reports whether the run trains in windows with a carried state.
func (c Config) windowed() bool { return c.windowsPerPath() > 1 }

// pathPlace says where path b of the batch is at a step: which of its horizons (n), the window
// within it, and how many windows that horizon has (its first one may be shorter: it starts at
// the path's stagger offset).
type pathPlace struct{ horizon, window, windows int }

func placeOf(step, b, batch, w int) pathPlace {
	first := w - b*w/batch // windows of the path's first, staggered horizon
	if step < first {
		return pathPlace{horizon: 0, window: step, windows: first}
	}
	rest := step - first
	return pathPlace{horizon: 1 + rest/w, window: rest % w, windows: w}
}

// windowData yields one window per step for every path of the batch, with a reset flag per path
// (1 where the window starts a new horizon: the state is encoded from its first observation).
type windowData struct {
	task   datasets.Task
	batch  *datasets.Batch
	seed   uint64
	step   int
	w      int
	paths  [][]geom.Point // per path: the positions of its current horizon
	loaded []pathPlace    // per path: the horizon held in paths (windows = 0: none)
	reset  []float32
}

func newWindowData(task datasets.Task, cfg Config, step int) (*windowData, error) {
	batch, err := datasets.NewBatch(task, cfg.BatchSize, cfg.SeqLen, cfg.MaskK)
	if err != nil {
		return nil, err
	}
	d := &windowData{task: task, batch: batch, seed: cfg.DataSeed, step: step, w: cfg.windowsPerPath(),
		paths: make([][]geom.Point, cfg.BatchSize), loaded: make([]pathPlace, cfg.BatchSize),
		reset: make([]float32, cfg.BatchSize)}
	for b := range d.paths {
		d.paths[b] = make([]geom.Point, cfg.horizon()+1)
	}
	return d, nil
}

// windowStream separates the generators of windowed paths from those of whole-path batches.
const windowStream = 0x77696e646f77 // "window"

func (d *windowData) Name() string { return "windows of " + d.task.Name() }
func (d *windowData) Reset()       {}

// fill loads the window of step d.step into the batch and the reset flags.
func (d *windowData) fill() error {
	T := d.batch.T
	for b := range d.batch.B {
		pl := placeOf(d.step, b, d.batch.B, d.w)
		if d.loaded[b].windows == 0 || d.loaded[b].horizon != pl.horizon {
			path := d.paths[b][:pl.windows*T+1]
			d.task.Paths(path, rand.New(rand.NewPCG(d.seed^windowStream, uint64(b)<<40|uint64(pl.horizon))))
			d.loaded[b] = pl
		}
		if err := datasets.FillWindow(d.task, d.batch, b, d.paths[b][:pl.windows*T+1], pl.window*T); err != nil {
			return err
		}
		d.reset[b] = 0
		if pl.window == 0 {
			d.reset[b] = 1
		}
	}
	return nil
}

func (d *windowData) Yield() (any, []*tensors.Tensor, []*tensors.Tensor, error) {
	if err := d.fill(); err != nil {
		return nil, nil, nil, err
	}
	d.step++
	in := append(batchInputs(d.batch), targetTensor(d.batch), tensors.FromFlatDataAndDimensions(append([]float32(nil), d.reset...), len(d.reset)))
	return nil, in, nil, nil
}

// startState is the state a window starts from: for paths with reset set (> ½), the state
// encoded from initial [B, ObsDim]; for the others, carried (its gradient stopped).
func startState(w model.Weights, form model.Form, initial, reset *Node, carried model.State) model.State {
	fresh := form.InitialState(w, initial)
	isReset := GreaterThan(reset, Scalar(reset.Graph(), reset.DType(), 0.5))
	pick := func(a, b *Node) *Node {
		if a == nil {
			return nil
		}
		return Where(isReset, a, StopGradient(b))
	}
	return model.State{H: pick(fresh.H, carried.H), A: pick(fresh.A, carried.A), V: pick(fresh.V, carried.V), HBar: pick(fresh.HBar, carried.HBar)}
}

// carryVariables returns the context variables holding the carried state of the form (zero
// until the first window sets them), non-trainable, of the given dimensions ([B, N], or an
// ensemble's [M, B, N]).
func carryVariables(ctx *context.Context, form model.Form, dims ...int) (h, a, v, hbar *context.Variable) {
	scope := ctx.In(CarryScope).Checked(false)
	get := func(name string) *context.Variable {
		return scope.VariableWithValue(name, tensors.FromShape(shapes.Make(model.DType, dims...))).SetTrainable(false)
	}
	h = get("h")
	if form.Adapt != "" {
		a = get("a")
	}
	if form.Adapt == model.AdaptRelative {
		hbar = get("hbar")
	}
	if form.Momentum {
		v = get("v")
	}
	return h, a, v, hbar
}

// windowLoss is the objective of one window: the readout loss of its steps and, with StartLoss,
// the start readout's loss of the paths that start here,
//
//	(T·L_window + mean_b(r_b·ℓ0_b)) / (T + mean_b(r_b)),
//
// which is model.LossWithStart when every path starts (r_b = 1) and the window's loss when none does.
// For an ensemble (weights with a network axis; out [M, B, T, Out], reset [M, B]) it is each
// network's objective, [M].
func windowLoss(cfg Config, w model.Weights, out, targets, initial, reset *Node) *Node {
	ensemble := w.EnsembleSize() > 0
	var l *Node
	if ensemble {
		l = model.EnsembleLoss(cfg.Model, out, targets)
	} else {
		l = model.Loss(cfg.Model, out, targets)
	}
	if !cfg.StartLoss {
		return l
	}
	T := float64(out.Shape().Dimensions[out.Rank()-2])
	y0 := model.Readout(w, w.Encode(initial))
	l0 := model.LossPerRow(cfg.Model, y0, initial) // [B], or [M, B]
	if ensemble {
		return Div(Add(MulScalar(l, T), ReduceMean(Mul(reset, l0), 1)), AddScalar(ReduceMean(reset, 1), T))
	}
	frac := ReduceAllMean(reset)
	return Div(Add(MulScalar(l, T), ReduceAllMean(Mul(reset, l0))), AddScalar(frac, T))
}

// trainWindow is the model function of windowed training: inputs [B, T, In], initial [B, Obs],
// targets [B, T, Out], reset [B].
func trainWindow(cfg Config, ctx *context.Context, inputs []*Node) *Node {
	g := inputs[0].Graph()
	dims := inputs[0].Shape().Dimensions // [B, T, In]
	xi := model.StandardNormal(ctx, g, dims[1], dims[0], cfg.Model.Hidden)
	return windowObjective(cfg, ctx, model.GetWeights(ctx, g, cfg.Model), inputs, xi)
}

// windowObjective runs one window from the carried state (or, for paths whose reset is set, from
// the encoded observation), carries the final state into the context's carry variables and
// returns windowLoss. w are one network's weights (inputs [B, T, In], reset [B]) or an
// ensemble's (inputs [M, B, T, In], reset [M, B]); xi is the window's noise.
func windowObjective(cfg Config, ctx *context.Context, w model.Weights, inputs []*Node, xi *Node) *Node {
	g := inputs[0].Graph()
	dims := inputs[0].Shape().Dimensions
	state := append(slices.Clone(dims[:len(dims)-2]), cfg.Model.Hidden) // [B, N] or [M, B, N]
	form := cfg.Model.Cell.MinimalForm()
	vh, va, vv, vbar := carryVariables(ctx, form, state...)
	value := func(v *context.Variable) *Node {
		if v == nil {
			return nil
		}
		return v.ValueGraph(g)
	}
	start := startState(w, form, inputs[1], inputs[3], model.State{H: value(vh), A: value(va), V: value(vv), HBar: value(vbar)})
	var out *Node
	var final model.State
	if w.EnsembleSize() > 0 {
		out, _, final = model.ForwardEnsembleFrom(ctx, cfg.Model, cfg.Model.Cell, inputs[0], start, xi)
	} else {
		out, _, final = model.ForwardFrom(ctx, cfg.Model, cfg.Model.Cell, inputs[0], start, xi)
	}
	for _, p := range []struct {
		v *context.Variable
		x *Node
	}{{vh, final.H}, {va, final.A}, {vv, final.V}, {vbar, final.HBar}} {
		if p.v != nil {
			p.v.SetValueGraph(StopGradient(p.x))
		}
	}
	return windowLoss(cfg, w, out, inputs[2], inputs[1], inputs[3])
}

// longPaths is a noiseless evaluation of paths longer than one window: the network runs window by
// window, its state carried in Go between calls of one compiled window.
type longPaths struct {
	exec *context.Exec
	cfg  Config
}

// newLongPaths compiles the noiseless window for batches of b paths: inputs [b, T, In], initial,
// targets, reset [b] and the carried state h, a, v, h̄ [b, N] (zero where the form lacks one);
// outputs the window's loss, the readouts [b, T, Out], the hidden states [b, T, N] and the state
// after the window.
func newLongPaths(r *Run) (*longPaths, error) {
	cfg := r.Config
	exec, err := context.NewExec(r.backend, r.ctx.Reuse(), func(ctx *context.Context, in []*Node) []*Node {
		w := model.GetWeights(ctx, in[0].Graph(), cfg.Model)
		form := cfg.Model.Cell.MinimalForm()
		carried := model.State{H: in[4]}
		if form.Adapt != "" {
			carried.A = in[5]
		}
		if form.Momentum {
			carried.V = in[6]
		}
		if form.Adapt == model.AdaptRelative {
			carried.HBar = in[7]
		}
		start := startState(w, form, in[1], in[3], carried)
		out, hidden, final := model.ForwardFrom(ctx, cfg.Model, cfg.Model.Cell, in[0], start, nil)
		next := []*Node{final.H, final.A, final.V, final.HBar}
		for i, x := range next {
			if x == nil {
				next[i] = in[4+i]
			}
		}
		return append([]*Node{windowLoss(cfg, w, out, in[2], in[1], in[3]), out, hidden}, next...)
	})
	if err != nil {
		return nil, err
	}
	return &longPaths{exec: exec, cfg: cfg}, nil
}

// windowResult is what run hands to its visitor for each window.
type windowResult struct {
	window  int       // 0, 1, …
	loss    float64   // the window's objective
	outputs []float32 // [B, T, Out]
	hidden  []float32 // [B, T, N]
	batch   *datasets.Batch
}

// run evaluates the long paths (each len(paths[b]) = windows·T + 1 positions) window by window.
func (lp *longPaths) run(task datasets.Task, paths [][]geom.Point, visit func(windowResult) error) error {
	cfg := lp.cfg
	T := cfg.SeqLen
	B := len(paths)
	if B == 0 || (len(paths[0])-1)%T != 0 {
		return fmt.Errorf("long paths: %d paths of %d positions, want windows of %d steps", B, len(paths[0]), T)
	}
	windows := (len(paths[0]) - 1) / T
	batch, err := datasets.NewBatch(task, B, T, cfg.MaskK)
	if err != nil {
		return err
	}
	zeros := func() *tensors.Tensor { return tensors.FromShape(shapes.Make(model.DType, B, cfg.Model.Hidden)) }
	state := []*tensors.Tensor{zeros(), zeros(), zeros(), zeros()}
	reset := make([]float32, B)
	for i := range reset {
		reset[i] = 1
	}
	for win := range windows {
		for b, p := range paths {
			if len(p) != windows*T+1 {
				return fmt.Errorf("long paths: path %d has %d positions, path 0 %d", b, len(p), len(paths[0]))
			}
			if err := datasets.FillWindow(task, batch, b, p, win*T); err != nil {
				return err
			}
		}
		if win == 1 {
			clear(reset)
		}
		in := batchInputs(batch)
		args := []any{in[0], in[1], targetTensor(batch), tensors.FromFlatDataAndDimensions(append([]float32(nil), reset...), B)}
		for _, s := range state {
			args = append(args, s)
		}
		out, err := lp.exec.Exec(args...)
		if err != nil {
			return err
		}
		state = out[3:7]
		res := windowResult{window: win, loss: toFloat(out[0]), outputs: tensors.MustCopyFlatData[float32](out[1]),
			hidden: tensors.MustCopyFlatData[float32](out[2]), batch: batch}
		if err := visit(res); err != nil {
			return err
		}
	}
	return nil
}

// evalStream draws the evaluation paths of a windowed run, disjoint from its training paths.
const evalStream = 0x6576616c // "eval"

// openLongEvaluation prepares a windowed run's evaluation: EvalBatch fixed paths of Horizon steps
// and the compiled noiseless window.
func (r *Run) openLongEvaluation() error {
	cfg := r.Config
	rng := rand.New(rand.NewPCG(cfg.DataSeed^evalStream, 0))
	r.evalPaths = make([][]geom.Point, cfg.EvalBatch)
	for b := range r.evalPaths {
		r.evalPaths[b] = make([]geom.Point, cfg.horizon()+1)
		r.task.Paths(r.evalPaths[b], rng)
	}
	var err error
	r.long, err = newLongPaths(r)
	return err
}

// evaluateLong is Evaluate for a windowed run: the noiseless network runs along the whole
// evaluation paths, window after window; the loss is the mean of the windows' objectives and the
// position error the mean over every step of every path.
func (r *Run) evaluateLong() (LogEntry, error) {
	loss, sum, n := 0.0, 0.0, 0
	windows := 0
	err := r.long.run(r.task, r.evalPaths, func(w windowResult) error {
		loss += w.loss
		windows++
		sum += r.positionErrorSum(w.batch, w.outputs)
		n += w.batch.B * w.batch.T
		return nil
	})
	if err != nil {
		return LogEntry{}, err
	}
	return r.logEntry(loss/float64(windows), sum/float64(n)), nil
}

// statesAlongLong is StatesAlong for paths longer than one window (batch.T a multiple of SeqLen).
func (r *Run) statesAlongLong(batch *datasets.Batch, times []int) (*tensors.Tensor, error) {
	if r.long == nil {
		var err error
		if r.long, err = newLongPaths(r); err != nil {
			return nil, err
		}
	}
	N, T := r.Config.Model.Hidden, r.Config.SeqLen
	out := make([]float32, batch.B*N)
	err := r.long.run(r.task, batch.Paths(), func(w windowResult) error {
		for b, t := range times {
			if i := t - 1 - w.window*T; i >= 0 && i < T {
				copy(out[b*N:(b+1)*N], w.hidden[(b*T+i)*N:(b*T+i+1)*N])
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("states along paths: %w", err)
	}
	return tensors.FromFlatDataAndDimensions(out, batch.B, N), nil
}
