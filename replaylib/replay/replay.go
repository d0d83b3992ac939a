package replay

import (
	"context"
	"fmt"
	"math"

	"github.com/gomlx/gomlx/backends"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	mlctx "github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/replaylab/replay/datasets"
	"github.com/replaylab/replay/replaylib/model"
)

// NoiseConvention says how the replay noise scales with momentum.
type NoiseConvention string

const (
	// NoiseFixed uses σ_q as given for every λ_v.
	NoiseFixed NoiseConvention = "fixed"
	// NoiseSqrtMomentum uses σ_q·√λ_v (underdamped Langevin: √(2γη) with λ_v ≙ γη).
	NoiseSqrtMomentum NoiseConvention = "sqrt-momentum"
)

// Defaults (choices; shared reference §4).
const (
	DefaultChains       = 256
	DefaultSteps        = 1000
	DefaultStepsPerCall = 20
	// DefaultNoiseFactor: σ_q = DefaultNoiseFactor · σ_train.
	DefaultNoiseFactor = math.Sqrt2
)

// Config is one replay run.
type Config struct {
	Chains       int              `json:"chains"`
	Steps        int              `json:"steps"`          // T_q
	StepsPerCall int              `json:"steps_per_call"` // steps compiled into one executable
	Cell         model.CellParams `json:"cell"`           // replay-time cell; Cell.NoiseSD is σ_q before the convention
	Noise        NoiseConvention  `json:"noise"`
	Seed         uint64           `json:"seed"`
}

// DefaultConfig replays a model trained with cell parameters trained: same leak, no adaptation or
// momentum, σ_q = √2·σ_train.
func DefaultConfig(trained model.CellParams) Config {
	cell := trained
	cell.NoiseSD = DefaultNoiseFactor * trained.NoiseSD
	return Config{Chains: DefaultChains, Steps: DefaultSteps, StepsPerCall: DefaultStepsPerCall, Cell: cell,
		Noise: NoiseFixed, Seed: 1}
}

// Validate returns an error naming the first field out of range.
func (c Config) Validate() error {
	switch {
	case c.Chains < 1:
		return fmt.Errorf("chains=%d: must be ≥ 1", c.Chains)
	case c.Steps < 1:
		return fmt.Errorf("steps=%d: must be ≥ 1", c.Steps)
	case c.StepsPerCall < 1 || c.StepsPerCall > 1000:
		return fmt.Errorf("steps_per_call=%d: must be in [1, 1000]", c.StepsPerCall)
	case c.Noise != NoiseFixed && c.Noise != NoiseSqrtMomentum:
		return fmt.Errorf("noise=%q: must be %q or %q", c.Noise, NoiseFixed, NoiseSqrtMomentum)
	}
	return c.Cell.Validate()
}

// EffectiveNoise is the σ used in the cell after the noise convention.
func (c Config) EffectiveNoise() float64 {
	if c.Noise == NoiseSqrtMomentum {
		return c.Cell.NoiseSD * math.Sqrt(c.Cell.Momentum)
	}
	return c.Cell.NoiseSD
}

// Observer receives the decoded positions of all chains after step t (t = 0 is the start state).
// The slice is reused between calls: copy what you keep.
type Observer func(t int, positions []datasets.Point) error

// Engine replays one network with one Config.
type Engine struct {
	cfg      Config
	model    model.Config
	task     datasets.Task
	backend  backends.Backend
	ctx      *mlctx.Context
	exec     *mlctx.Exec
	encode   *mlctx.Exec
	readout  *mlctx.Exec
	cell     model.CellParams
	outputs  []float32
	decoded  []datasets.Point
	observed []float32
}

// New prepares an engine on the weights in weights (scope model.Scope), for decoding with task.
// The weights are copied into the engine's own context, whose noise generator is seeded with cfg.Seed.
func New(backend backends.Backend, modelCfg model.Config, weights *mlctx.Context, task datasets.Task, cfg Config) (*Engine, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if task.ObsDim() != modelCfg.ObsDim {
		return nil, fmt.Errorf("task %s has %d observations, model %d", task.Name(), task.ObsDim(), modelCfg.ObsDim)
	}
	ctx, err := model.CopyWeights(weights)
	if err != nil {
		return nil, err
	}
	if err := ctx.SetRNGStateFromSeed(int64(cfg.Seed)); err != nil {
		return nil, err
	}
	e := &Engine{cfg: cfg, model: modelCfg, task: task, backend: backend, ctx: ctx, cell: cfg.Cell}
	e.cell.NoiseSD = cfg.EffectiveNoise()
	e.exec, err = mlctx.NewExec(backend, ctx, e.kSteps)
	if err != nil {
		return nil, err
	}
	e.encode, err = mlctx.NewExec(backend, ctx.Reuse(), func(ctx *mlctx.Context, s0 *Node) []*Node {
		w := model.GetWeights(ctx, s0.Graph(), modelCfg)
		h := model.MatMul2(s0, w.Enc)
		return []*Node{h, model.Readout(w, h)}
	})
	if err != nil {
		return nil, err
	}
	e.readout, err = mlctx.NewExec(backend, ctx.Reuse(), func(ctx *mlctx.Context, h *Node) *Node {
		return model.Readout(model.GetWeights(ctx, h.Graph(), modelCfg), h)
	})
	return e, err
}

// kSteps advances the state StepsPerCall steps with zero input and returns the new state and the
// readouts [C, k, Out]. Inputs: h, a, v [C, N].
func (e *Engine) kSteps(ctx *mlctx.Context, in []*Node) []*Node {
	g := in[0].Graph()
	w := model.GetWeights(ctx.Reuse(), g, e.model)
	C, N, k := in[0].Shape().Dimensions[0], e.model.Hidden, e.cfg.StepsPerCall
	s := model.State{H: in[0]}
	if e.cell.Adapting() {
		s.A = in[1]
	}
	if e.cell.HasMomentum() {
		s.V = in[2]
	}
	// Zero input: the drive is the bias alone, broadcast once for all steps.
	drive := BroadcastToDims(ExpandAxes(w.Bias, 0), C, N)
	var noise *Node
	if e.cell.NoiseSD > 0 {
		noise = MulScalar(ctx.RandomNormal(g, shapes.Make(model.DType, k, C, N)), e.cell.NoiseSD)
	}
	hs := make([]*Node, k)
	for t := range k {
		var xi *Node
		if noise != nil {
			xi = Reshape(Slice(noise, AxisElem(t)), C, N)
		}
		s = e.cell.Step(w, s, drive, xi)
		hs[t] = s.H
	}
	y := model.Readout(w, Stack(hs, 1))
	out := []*Node{s.H, in[1], in[2], y}
	if s.A != nil {
		out[1] = s.A
	}
	if s.V != nil {
		out[2] = s.V
	}
	return out
}

// StartPositions draws n start positions: the first positions x_0 of fresh task paths from seed.
func StartPositions(task datasets.Task, n int, seed uint64) []datasets.Point {
	batch, _ := datasets.NewBatch(task, n, 1, 0)
	datasets.Generate(task, batch, newRNG(seed))
	starts := make([]datasets.Point, n)
	for i := range starts {
		starts[i] = batch.Path(i)[0]
	}
	return starts
}

// Run replays from the given start positions (len = Chains), calling observe for t = 0 … Steps.
// It stops early, with the context's error, if ctx is cancelled.
func (e *Engine) Run(ctx context.Context, starts []datasets.Point, observe Observer) error {
	C := e.cfg.Chains
	if len(starts) != C {
		return fmt.Errorf("starts: %d positions for %d chains", len(starts), C)
	}
	obsDim := e.task.ObsDim()
	obs := make([]float32, C*obsDim)
	for i, p := range starts {
		e.task.Observe(p, obs[i*obsDim:(i+1)*obsDim])
	}
	out, err := e.encode.Exec(tensors.FromFlatDataAndDimensions(obs, C, obsDim))
	if err != nil {
		return err
	}
	return e.run(ctx, out[0], out[1], observe)
}

// RunFromStates replays from given hidden states h [Chains, N] (e.g. the network's own states at the
// end of behaviour paths, see training.Run.FinalStates) instead of encoded observations; adaptation
// and momentum start at zero.
func (e *Engine) RunFromStates(ctx context.Context, h *tensors.Tensor, observe Observer) error {
	if dims := h.Shape().Dimensions; len(dims) != 2 || dims[0] != e.cfg.Chains || dims[1] != e.model.Hidden {
		return fmt.Errorf("states: shape %v, want [%d, %d] (chains, hidden)", dims, e.cfg.Chains, e.model.Hidden)
	}
	y, err := e.readout.Exec(h)
	if err != nil {
		return err
	}
	return e.run(ctx, h, y[0], observe)
}

// run observes the start (readout y0 of h) and advances all chains Steps steps.
func (e *Engine) run(ctx context.Context, h, y0 *tensors.Tensor, observe Observer) error {
	C := e.cfg.Chains
	e.decodeInto(y0, 1)
	if err := observe(0, e.decoded[:C]); err != nil {
		return err
	}
	zeros := func() *tensors.Tensor { return tensors.FromShape(h.Shape()) }
	a, v := zeros(), zeros()
	k := e.cfg.StepsPerCall
	for done := 0; done < e.cfg.Steps; done += k {
		if err := ctx.Err(); err != nil {
			return err
		}
		res, err := e.exec.Exec(h, a, v)
		if err != nil {
			return err
		}
		h, a, v = res[0], res[1], res[2]
		e.decodeInto(res[3], k)
		for t := 0; t < k && done+t < e.cfg.Steps; t++ {
			if err := observe(done+t+1, e.decoded[t*C:(t+1)*C]); err != nil {
				return err
			}
		}
		res[3].FinalizeAll()
	}
	return nil
}

// decodeInto decodes readouts [C, k, Out] into e.decoded laid out [k][C].
func (e *Engine) decodeInto(y *tensors.Tensor, k int) {
	C, out := e.cfg.Chains, e.model.OutputDim
	if cap(e.outputs) < C*k*out {
		e.outputs = make([]float32, C*k*out)
	}
	e.outputs = e.outputs[:C*k*out]
	y.MustConstFlatData(func(flat any) { copy(e.outputs, flat.([]float32)) })
	if cap(e.decoded) < C*k {
		e.decoded = make([]datasets.Point, C*k)
	}
	e.decoded = e.decoded[:C*k]
	for c := range C {
		for t := range k {
			row := e.outputs[(c*k+t)*out : (c*k+t+1)*out]
			e.decoded[t*C+c] = e.task.Decode(row)
		}
	}
}

// Trajectories runs the engine from encoded start positions and keeps every decoded position:
// result[c][t], t = 0 … Steps.
func (e *Engine) Trajectories(ctx context.Context, starts []datasets.Point) ([][]datasets.Point, error) {
	traj, keep := e.collector()
	return traj, e.Run(ctx, starts, keep)
}

// TrajectoriesFromStates is Trajectories starting from hidden states (see RunFromStates).
func (e *Engine) TrajectoriesFromStates(ctx context.Context, h *tensors.Tensor) ([][]datasets.Point, error) {
	traj, keep := e.collector()
	return traj, e.RunFromStates(ctx, h, keep)
}

// collector returns per-chain trajectories and the observer that fills them.
func (e *Engine) collector() ([][]datasets.Point, Observer) {
	traj := make([][]datasets.Point, e.cfg.Chains)
	for c := range traj {
		traj[c] = make([]datasets.Point, 0, e.cfg.Steps+1)
	}
	return traj, func(_ int, pos []datasets.Point) error {
		for c, p := range pos {
			traj[c] = append(traj[c], p)
		}
		return nil
	}
}
