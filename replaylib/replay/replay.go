package replay

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/gomlx/gomlx/backends"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	mlctx "github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/replaylab/replay/datasets"
	"github.com/replaylab/replay/geom"
	"github.com/replaylab/replay/replaylib/model"
)

// NoiseConvention says how the replay noise scales with momentum.
type NoiseConvention string

const (
	// NoiseFixed uses σ_q as given for every λ_v.
	NoiseFixed NoiseConvention = "fixed"
	// NoiseSqrtMomentum uses σ_q·√λ_v: the underdamped-Langevin discretisation (noise √(2γη) with
	// λ_v ≙ γη), which keeps the sampled distribution's temperature as λ_v changes.
	NoiseSqrtMomentum NoiseConvention = "sqrt-momentum"
)

// Defaults (documented choices, docs/model.md).
const (
	DefaultChains       = 256
	DefaultSteps        = 1000
	DefaultStepsPerCall = 20
	// DefaultNoiseFactor sets σ_q = DefaultNoiseFactor · σ_train, the overdamped-Langevin reading of
	// a denoising network whose drift approximates σ²∇log p.
	DefaultNoiseFactor = math.Sqrt2
	// MaxChains and MaxSteps bound a replay's size (memory grows with chains × hidden units).
	MaxChains = 1 << 20
	MaxSteps  = 1 << 24
)

// Config is one replay run.
type Config struct {
	Chains       int              `json:"chains"`         // independent chains run side by side
	Steps        int              `json:"steps"`          // T_q: observed steps after the burn-in
	Burnin       int              `json:"burnin"`         // steps run before t = 0, not observed
	StepsPerCall int              `json:"steps_per_call"` // steps compiled into one executable call
	Cell         model.CellParams `json:"cell"`           // replay-time cell; Cell.NoiseSD is σ_q before the convention
	Noise        NoiseConvention  `json:"noise"`          // how σ_q scales with momentum (EffectiveNoise)
	Seed         uint64           `json:"seed"`           // noise seed: the same seed gives every variant the same ξ_t (common random numbers)
}

// DefaultConfig replays a model trained with cell parameters trained: the trained cell's leak,
// adaptation and momentum (none by default), σ_q = √2·σ_train, temperature-preserving noise under
// momentum, DefaultChains chains of DefaultSteps steps, no burn-in, seed 1.
func DefaultConfig(trained model.CellParams) Config {
	cell := trained
	cell.NoiseSD = DefaultNoiseFactor * trained.NoiseSD
	return Config{Chains: DefaultChains, Steps: DefaultSteps, StepsPerCall: DefaultStepsPerCall, Cell: cell,
		Noise: NoiseSqrtMomentum, Seed: 1}
}

// Validate returns an error naming the first field out of range.
func (c Config) Validate() error {
	switch {
	case c.Chains < 1 || c.Chains > MaxChains:
		return fmt.Errorf("chains=%d: must be in [1, %d]", c.Chains, MaxChains)
	case c.Steps < 1 || c.Steps > MaxSteps:
		return fmt.Errorf("steps=%d: must be in [1, %d]", c.Steps, MaxSteps)
	case c.Burnin < 0 || c.Burnin > MaxSteps:
		return fmt.Errorf("burnin=%d: must be in [0, %d]", c.Burnin, MaxSteps)
	case c.StepsPerCall < 1 || c.StepsPerCall > 1000:
		return fmt.Errorf("steps_per_call=%d: must be in [1, 1000]", c.StepsPerCall)
	case c.Noise != NoiseFixed && c.Noise != NoiseSqrtMomentum:
		return fmt.Errorf("noise=%q: must be %q or %q", c.Noise, NoiseFixed, NoiseSqrtMomentum)
	}
	return c.Cell.Validate()
}

// EffectiveNoise is the σ used in the cell after the noise convention: Cell.NoiseSD·√λ_v under
// NoiseSqrtMomentum, Cell.NoiseSD under NoiseFixed.
func (c Config) EffectiveNoise() float64 {
	if c.Noise == NoiseSqrtMomentum {
		return c.Cell.NoiseSD * math.Sqrt(c.Cell.Momentum)
	}
	return c.Cell.NoiseSD
}

// Observer receives the decoded positions of all chains after step t (t = 0 is the start state,
// or the state after the burn-in). The slice is reused between calls: copy what you keep.
type Observer func(t int, positions []geom.Point) error

// OutputObserver receives the readouts of all chains after step t, [Chains, OutputDim] row-major:
// the positions themselves on the 2D tasks; on place-cell tasks softmax(y) for a cross-entropy
// readout (logits), the readout itself (activities) for a mean-squared-error one.
// The slice is reused between calls.
type OutputObserver func(t int, outputs []float32) error

// Start says where the chains start.
type Start struct {
	// Positions are encoded with h_0 = W_enc o(x_0) (one per chain), or
	Positions []geom.Point
	// States are given hidden states h [Chains, N] (e.g. the network's own states along held-out
	// paths, training.Run.StatesAlong).
	States *tensors.Tensor
}

// Trained is what a replay needs of a trained model; *training.Run satisfies it.
type Trained interface {
	Backend() backends.Backend // the backend to compile and run on
	ModelConfig() model.Config // the architecture
	Context() *mlctx.Context   // the weights, under scope model.Scope
	Task() datasets.Task       // encodes start positions and decodes outputs
}

// Engine replays one network. Executables are compiled once per structure (which states the cell
// values need: adaptation of a given form when b_a ≠ 0, momentum when λv ≠ 1), number of chains,
// steps per call and outputs, and reused: cell values, noise convention, seed, burn-in and number
// of steps are graph inputs or loop bounds, so changing them never recompiles (at most one
// compile when a value crosses b_a = 0 or λv = 1).
type Engine struct {
	model   model.Config
	task    datasets.Task
	backend backends.Backend
	ctx     *mlctx.Context
	execs   map[execKey]*mlctx.Exec
	encode  *mlctx.Exec
	centres *tensors.Tensor // place-cell centres [Out, 2] for population-vector decoding, or nil
	// hostDecode: the graph returns the readouts and the task decodes them here (place cells
	// decoded by their top cells, or read out by mean squared error).
	hostDecode bool
	pos        []geom.Point
	flat       []float32
	outputs    []float32
}

type execKey struct {
	form    model.Form // the cell's structure (unused when mixed)
	mixed   bool       // per-chain cells (model.MixedStep)
	chains  int
	k       int
	outputs bool
}

// New prepares an engine on the weights in weights (scope model.Scope), decoding with task. The
// weights are copied into the engine's own context.
func New(backend backends.Backend, modelCfg model.Config, weights *mlctx.Context, task datasets.Task) (*Engine, error) {
	if err := modelCfg.Validate(); err != nil {
		return nil, err
	}
	if task.ObsDim() != modelCfg.ObsDim {
		return nil, fmt.Errorf("task %s has %d observations, model %d", task.Name(), task.ObsDim(), modelCfg.ObsDim)
	}
	ctx, err := model.CopyWeights(weights)
	if err != nil {
		return nil, err
	}
	e := &Engine{model: modelCfg, task: task, backend: backend, ctx: ctx, execs: map[execKey]*mlctx.Exec{}}
	if hostDecoded(task, modelCfg) {
		if modelCfg.OutputDim != task.ObsDim() {
			return nil, fmt.Errorf("task %s decodes %d place cells, the model reads out %d", task.Name(), task.ObsDim(), modelCfg.OutputDim)
		}
		e.hostDecode = true
	} else if pc, ok := task.(datasets.PopulationTask); ok && modelCfg.Readout == model.ReadoutCrossEntropy {
		c := pc.Centres()
		flat := make([]float32, 0, 2*len(c))
		for _, p := range c {
			flat = append(flat, float32(p.X), float32(p.Y))
		}
		e.centres = tensors.FromFlatDataAndDimensions(flat, len(c), 2)
	} else if modelCfg.OutputDim != 2 {
		return nil, fmt.Errorf("task %s: cannot decode %d outputs (want 2 positions, or place cells)", task.Name(), modelCfg.OutputDim)
	}
	e.encode, err = mlctx.NewExec(backend, ctx.Reuse(), func(ctx *mlctx.Context, s0 *Node) *Node {
		return model.MatMul2(s0, model.GetWeights(ctx, s0.Graph(), modelCfg).Enc)
	})
	return e, err
}

// FromRun is New on a trained run's backend, model, weights and task.
func FromRun(run Trained) (*Engine, error) {
	return New(run.Backend(), run.ModelConfig(), run.Context(), run.Task())
}

// positions decodes readouts y [..., Out] to positions [..., 2] in the graph: y itself on the 2D
// tasks, the population vector Σ_i softmax(y)_i c_i over the place-cell centres c_i otherwise.
// It also returns what an OutputObserver sees (y, or softmax(y)).
func (e *Engine) positions(y, centres *Node) (pos, out *Node) {
	if e.hostDecode {
		// The readouts themselves, decoded by copyPositions.
		if e.model.Readout == model.ReadoutCrossEntropy {
			return y, Softmax(y, -1)
		}
		return y, y
	}
	if centres == nil {
		return y, y
	}
	p := Softmax(y, -1)
	dims := p.Shape().Dimensions
	flat := Reshape(p, -1, dims[len(dims)-1])
	pos = Reshape(model.MatMul2(flat, centres), append(dims[:len(dims)-1:len(dims)-1], 2)...)
	return pos, p
}

// exec returns the k-step executable for key: inputs h, a, v, h̄ [C, N], the cell values
// ([model.NumParams], or [C, model.NumChainValues] for a mixed batch), the noise ξ [k, C, N] (and
// the centres); outputs the new state and positions [C, k, 2] (and the readouts [C, k, Out] when
// key.outputs).
func (e *Engine) exec(key execKey) (*mlctx.Exec, error) {
	if ex, ok := e.execs[key]; ok {
		return ex, nil
	}
	ex, err := mlctx.NewExec(e.backend, e.ctx, func(ctx *mlctx.Context, in []*Node) []*Node {
		g := in[0].Graph()
		w := model.GetWeights(ctx.Reuse(), g, e.model)
		C, N := in[0].Shape().Dimensions[0], e.model.Hidden
		xi := in[5]
		// Zero input: the drive is the bias alone, broadcast once for all steps.
		drive := BroadcastToDims(ExpandAxes(w.Bias, 0), C, N)
		var s model.State
		var step func(s model.State, xi *Node) model.State
		if key.mixed {
			// Every state exists; each chain's flags pick its own form's equations.
			s = model.State{H: in[0], A: in[1], V: in[2], HBar: in[3]}
			params := model.MixedParamsFrom(in[4], N)
			step = func(s model.State, xi *Node) model.State { return model.MixedStep(w, params, s, drive, xi) }
		} else {
			s = model.State{H: in[0]}
			if key.form.Adapt != "" {
				s.A = in[1]
			}
			if key.form.Adapt == model.AdaptRelative {
				s.HBar = in[3]
			}
			if key.form.Momentum {
				s.V = in[2]
			}
			params := model.ParamsFrom(in[4])
			step = func(s model.State, xi *Node) model.State { return key.form.Step(w, params, s, drive, xi) }
		}
		hs := make([]*Node, key.k)
		for t := range key.k {
			s = step(s, Reshape(Slice(xi, AxisElem(t)), C, N))
			hs[t] = s.H
		}
		var centres *Node
		if len(in) > 6 {
			centres = in[6]
		}
		pos, y := e.positions(model.Readout(w, Stack(hs, 1)), centres)
		// States the form does not have pass through unchanged (zero, or h̄ = h_0).
		for i, st := range []**Node{&s.A, &s.V, &s.HBar} {
			if *st == nil {
				*st = in[1+i]
			}
		}
		out := []*Node{s.H, s.A, s.V, s.HBar, pos}
		if key.outputs {
			out = append(out, y)
		}
		return out
	})
	if err != nil {
		return nil, err
	}
	e.execs[key] = ex
	return ex, nil
}

// StartPositions draws n start positions: the first positions x_0 of fresh task paths from seed.
func StartPositions(task datasets.Task, n int, seed uint64) []geom.Point {
	batch, err := datasets.NewBatch(task, n, 1, 0)
	if err != nil {
		panic(err) // n ≥ 1 is the caller's contract
	}
	if err := datasets.Generate(task, batch, newRNG(seed)); err != nil {
		panic(err)
	}
	starts := make([]geom.Point, n)
	for i := range starts {
		starts[i] = batch.Path(i)[0]
	}
	return starts
}

// Run replays cfg from start, calling observe for t = 0 … cfg.Steps (after cfg.Burnin unobserved
// steps). It stops early, with the context's error, if ctx is cancelled.
func (e *Engine) Run(ctx context.Context, cfg Config, start Start, observe Observer) error {
	return e.RunWithOutputs(ctx, cfg, start, observe, nil)
}

// RunWithOutputs is Run that also hands every step's readouts to outputs.
func (e *Engine) RunWithOutputs(ctx context.Context, cfg Config, start Start, observe Observer, outputs OutputObserver) error {
	var obs BatchObserver
	if observe != nil {
		obs = func(_, t int, pos []geom.Point) error { return observe(t, pos) }
	}
	var outs BatchOutputObserver
	if outputs != nil {
		outs = func(_, t int, y []float32) error { return outputs(t, y) }
	}
	return e.RunBatch(ctx, []Member{{Config: cfg, Start: start}}, obs, outs)
}

// startState returns h_0 [Chains, N] for start.
func (e *Engine) startState(cfg Config, start Start) (*tensors.Tensor, error) {
	C := cfg.Chains
	switch {
	case start.States != nil && start.Positions != nil:
		return nil, fmt.Errorf("start: give positions or states, not both")
	case start.States != nil:
		if dims := start.States.Shape().Dimensions; len(dims) != 2 || dims[0] != C || dims[1] != e.model.Hidden {
			return nil, fmt.Errorf("start states: shape %v, want [%d, %d] (chains, hidden)", dims, C, e.model.Hidden)
		}
		return start.States, nil
	case len(start.Positions) != C:
		return nil, fmt.Errorf("start: %d positions for %d chains", len(start.Positions), C)
	}
	obsDim := e.task.ObsDim()
	obs := make([]float32, C*obsDim)
	for i, p := range start.Positions {
		if math.IsNaN(p.X) || math.IsNaN(p.Y) || math.IsInf(p.X, 0) || math.IsInf(p.Y, 0) {
			return nil, fmt.Errorf("start position %d is not finite: %v", i, p)
		}
		e.task.Observe(p, obs[i*obsDim:(i+1)*obsDim])
	}
	return e.encode.Exec1(tensors.FromFlatDataAndDimensions(obs, C, obsDim))
}

// RunBatch replays every member side by side: their chains are stacked into one batch and every
// StepsPerCall steps are one call of one compiled graph, whose cell values and forms (α, b_a,
// τ_a, τ_s, λ_v, σ, adaptation form, momentum) are per-chain inputs (model.MixedStep). Each chain
// computes exactly what it computes when its member is run alone (Run), and its noise is the same:
// it depends on its member's seed, its index within the member and the step only, so members with
// one seed share their noise (common random numbers), and it is drawn once for them.
//
// The members must share Steps, Burnin and StepsPerCall; their chains, cells, noise conventions,
// seeds and starts may differ. observe and outputs receive each member's chains for every observed
// step, t = 0 … Steps, members in order. It stops early, with the context's error, if ctx is
// cancelled, and at the first member that diverges.

func (e *Engine) RunBatch(ctx context.Context, members []Member, observe BatchObserver, outputs BatchOutputObserver) error {
	b, err := e.newBatch(members)
	if err != nil {
		return err
	}
	h, params := b.h, b.params
	cfg := members[0].Config // steps, burn-in and steps per call are shared
	C, k := b.chains, cfg.StepsPerCall
	ex, err := e.exec(execKey{form: b.form, mixed: b.mixed, chains: C, k: k, outputs: outputs != nil})
	if err != nil {
		return err
	}
	zeros := func() *tensors.Tensor { return tensors.FromShape(h.Shape()) }
	hbar, err := h.LocalClone()
	if err != nil {
		return err
	}
	a, v := zeros(), zeros()
	// The noise of the next call is drawn while the current one runs.
	draw := func() chan *tensors.Tensor {
		ch := make(chan *tensors.Tensor, 1)
		go func() {
			xi := tensors.FromShape(shapes.Make(model.DType, k, C, e.model.Hidden))
			xi.MustMutableFlatData(func(flat any) { b.noise.fill(flat.([]float32), k) })
			ch <- xi
		}()
		return ch
	}
	next := draw()
	args := func(xi *tensors.Tensor) []any {
		in := []any{h, a, v, hbar, params, xi}
		if e.centres != nil {
			in = append(in, e.centres)
		}
		return in
	}
	total := cfg.Burnin + cfg.Steps // steps to run after the start state
	// t = 0 is the start state itself unless there is a burn-in.
	if cfg.Burnin == 0 {
		if err := e.observeStart(b, h, observe, outputs); err != nil {
			return err
		}
	}
	for done := 0; done < total; done += k {
		if err := ctx.Err(); err != nil {
			return err
		}
		xi := <-next
		if done+k < total {
			next = draw()
		}
		res, err := ex.Exec(args(xi)...)
		xi.FinalizeAll()
		if err != nil {
			return err
		}
		h, a, v, hbar = res[0], res[1], res[2], res[3]
		pos := e.copyPositions(res[4], C, k)
		var outs []float32
		if outputs != nil {
			outs = e.copyOutputs(res[5])
		}
		for t := 0; t < k && done+t < total; t++ {
			step := done + t + 1 - cfg.Burnin // observed index
			if step < 0 {
				continue
			}
			if err := b.observe(step, done+t+1, pos[t*C:(t+1)*C], observe); err != nil {
				return err
			}
			if outputs != nil {
				if e.outputs, err = b.observeOutputs(step, outs, k, t, e.model.OutputDim, e.outputs, outputs); err != nil {
					return err
				}
			}
		}
		for _, r := range res[4:] {
			r.FinalizeAll()
		}
	}
	return nil
}

// observeStart reports the start state as t = 0 (decoding it with a one-step-free readout).
func (e *Engine) observeStart(b *batch, h *tensors.Tensor, observe BatchObserver, outputs BatchOutputObserver) error {
	C := h.Shape().Dimensions[0]
	key := execKey{chains: C, k: 0}
	ex, ok := e.execs[key]
	if !ok {
		var err error
		ex, err = mlctx.NewExec(e.backend, e.ctx.Reuse(), func(ctx *mlctx.Context, in []*Node) []*Node {
			w := model.GetWeights(ctx, in[0].Graph(), e.model)
			var centres *Node
			if len(in) > 1 {
				centres = in[1]
			}
			pos, y := e.positions(model.Readout(w, in[0]), centres)
			return []*Node{pos, y}
		})
		if err != nil {
			return err
		}
		e.execs[key] = ex
	}
	in := []any{h}
	if e.centres != nil {
		in = append(in, e.centres)
	}
	res, err := ex.Exec(in...)
	if err != nil {
		return err
	}
	if err := b.observe(0, 0, e.copyPositions(res[0], C, 1), observe); err != nil {
		return err
	}
	if outputs == nil {
		return nil
	}
	e.outputs, err = b.observeOutputs(0, e.copyOutputs(res[1]), 1, 0, e.model.OutputDim, e.outputs, outputs)
	return err
}

// checkFinite stops a replay whose states blew up, naming the step.
func checkFinite(pos []geom.Point, step int) error {
	for c, p := range pos {
		if math.IsNaN(p.X) || math.IsNaN(p.Y) || math.IsInf(p.X, 0) || math.IsInf(p.Y, 0) {
			return fmt.Errorf("replay diverged at step %d: chain %d decodes to %v (try a smaller noise_sd, adapt_strength or a larger momentum λv)", step, c, p)
		}
	}
	return nil
}

// copyPositions copies the graph's positions [C, k, 2] (with hostDecode, decodes its readouts
// [C, k, Out]) into e.pos laid out [k][C].
func (e *Engine) copyPositions(t *tensors.Tensor, C, k int) []geom.Point {
	width := 2
	if e.hostDecode {
		width = e.model.OutputDim
	}
	e.flat = slices.Grow(e.flat[:0], C*k*width)[:C*k*width]
	t.MustConstFlatData(func(flat any) { copy(e.flat, flat.([]float32)) })
	e.pos = slices.Grow(e.pos[:0], C*k)[:C*k]
	for c := range C {
		for s := range k {
			row := e.flat[(c*k+s)*width : (c*k+s+1)*width]
			if e.hostDecode {
				e.pos[s*C+c] = e.decodeRow(row)
			} else {
				e.pos[s*C+c] = geom.Point{X: float64(row[0]), Y: float64(row[1])}
			}
		}
	}
	return e.pos
}

// copyOutputs returns the flat readouts of t (a fresh slice).
func (e *Engine) copyOutputs(t *tensors.Tensor) []float32 {
	return tensors.MustCopyFlatData[float32](t)
}

// Trajectories runs cfg and keeps every decoded position: result[c][t], t = 0 … cfg.Steps.
func (e *Engine) Trajectories(ctx context.Context, cfg Config, start Start) ([][]geom.Point, error) {
	traj := make([][]geom.Point, cfg.Chains)
	for c := range traj {
		traj[c] = make([]geom.Point, 0, cfg.Steps+1)
	}
	err := e.Run(ctx, cfg, start, func(_ int, pos []geom.Point) error {
		for c, p := range pos {
			traj[c] = append(traj[c], p)
		}
		return nil
	})
	return traj, err
}

// hostDecoded reports whether the task decodes the model's readouts on the host: place cells
// decoded by their most active cells (not a smooth function in the graph) or read out by mean
// squared error (activities, not logits).
func hostDecoded(task datasets.Task, cfg model.Config) bool {
	pop, ok := task.(datasets.PopulationTask)
	return ok && (!pop.DecodesByCentreMean() || cfg.Readout == model.ReadoutMSE)
}

// decodeRow decodes one readout row with the task, in place (softmax first for a cross-entropy
// readout, whose outputs are logits). A non-finite row decodes to NaN: a ranking of NaNs would
// still name cells, and the replay must stop as diverged instead.
func (e *Engine) decodeRow(row []float32) geom.Point {
	if !allFinite(row) {
		return geom.Point{X: math.NaN(), Y: math.NaN()}
	}
	if e.model.Readout == model.ReadoutCrossEntropy {
		model.SoftmaxInPlace(row)
	}
	return e.task.Decode(row)
}

func allFinite(x []float32) bool {
	for _, v := range x {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return false
		}
	}
	return true
}
