package training

import (
	"encoding/json"
	"fmt"

	"github.com/replaylab/replay/datasets"
	"github.com/replaylab/replay/internal/sysmem"
	"github.com/replaylab/replay/replaylib/model"
)

// Config is everything that determines a training run. Two runs with equal Configs give the same weights.
type Config struct {
	Task string `json:"task"` // datasets task name
	// PlaceCells overrides the number of place cells of the "placecells" task (0: its default).
	PlaceCells int `json:"place_cells,omitempty"`
	// Behaviour changes how the task's agent moves (stops, turn-backs, longer end dwells); its
	// fields are flat in the JSON and omitted when zero (the default task).
	datasets.Behaviour
	Model     model.Config `json:"model"`      // architecture and the cell's values; sizes must fit Task
	Steps     int          `json:"steps"`      // Adam steps
	BatchSize int          `json:"batch_size"` // B
	SeqLen    int          `json:"seq_len"`    // T, unrolled steps: the whole path, or one window of it
	// Horizon is the length of every training path in steps when it is longer than one window:
	// the path is seen in Horizon/SeqLen consecutive windows of SeqLen steps, the state carried
	// from window to window (truncated backpropagation through time; one compiled window, whatever
	// the horizon). 0 means SeqLen: one window per path. A multiple of SeqLen.
	Horizon      int     `json:"horizon,omitempty"`
	MaskK        int     `json:"mask_k"`        // observation every MaskK+1 steps
	LearningRate float64 `json:"learning_rate"` // Adam's initial learning rate, in (0, 1)
	// LRDecay shapes the learning rate over the run: constant, or a cosine from LearningRate down
	// to LearningRate·FinalLRFraction at step Steps.
	LRDecay LRDecay `json:"lr_decay"`
	// AdamEpsilon is Adam's ε (the denominator's floor); 0 means DefaultAdamEpsilon. A readout of
	// small targets (place-cell activities, about 1/cells each, by mean squared error) has gradients
	// near GoMLX's default and needs PyTorch's smaller one.
	AdamEpsilon     float64 `json:"adam_epsilon,omitempty"`
	FinalLRFraction float64 `json:"final_lr_fraction"` // in (0, 1]
	WeightSeed      uint64  `json:"weight_seed"`       // initial weights
	DataSeed        uint64  `json:"data_seed"`         // training and evaluation batches
	NoiseSeed       uint64  `json:"noise_seed"`        // hidden-state noise during training
	LogEvery        int     `json:"log_every"`         // evaluate loss and position error every LogEvery steps
	CheckpointEvery int     `json:"checkpoint_every"`  // save every CheckpointEvery steps (and at the end)
	EvalBatch       int     `json:"eval_batch"`        // paths in the fixed evaluation batch
	// StartLoss also trains the readout of h_0 = W_enc s_0 against s_0 (model.LossWithStart), so
	// that replay started from an encoded observation starts there.
	StartLoss bool `json:"start_loss"`
}

// LRDecay is the learning-rate schedule.
type LRDecay string

const (
	// LRConstant keeps the learning rate fixed.
	LRConstant LRDecay = "constant"
	// LRCosine lowers it as lr(s) = lr_f + (lr_0 − lr_f)·½(1 + cos(π s/Steps)): large steps early,
	// small ones to settle on a plateau at the end. The run's length is then part of its identity
	// (an extended run would follow another schedule), so Steps cannot change on resume.
	LRCosine LRDecay = "cosine"
)

// Training defaults, sized so the 2D tasks reach a decoded error below 5% of the environment in
// a few minutes on 2 cores with simplego (docs/benchmarks.md has the measured curves).
const (
	DefaultSteps           = 1500
	DefaultBatchSize       = 32
	DefaultSeqLen          = 50
	DefaultMaskK           = 9
	DefaultLearningRate    = 3e-3
	DefaultLogEvery        = 50
	DefaultCheckpointEvery = 250
	DefaultEvalBatch       = 64
	// DefaultFinalLRFraction ends the cosine schedule at 5 % of the initial learning rate.
	DefaultFinalLRFraction = 0.05
	// DefaultAdamEpsilon is GoMLX's Adam ε.
	DefaultAdamEpsilon = 1e-7
)

// NewTask builds the run's task: the named default task, with Behaviour and PlaceCells applied.
func (c Config) NewTask() (datasets.Task, error) {
	return datasets.NewTaskWith(c.Task, c.Behaviour, c.PlaceCells)
}

// DefaultConfig returns the default run for a task, its model sized from the task.
func DefaultConfig(taskName string) (Config, error) {
	return DefaultConfigWith(taskName, 0)
}

// DefaultConfigWith is DefaultConfig with placeCells place cells (0: the task's default).
func DefaultConfigWith(taskName string, placeCells int) (Config, error) {
	task, err := Config{Task: taskName, PlaceCells: placeCells}.NewTask()
	if err != nil {
		return Config{}, err
	}
	m := model.Config{
		Hidden: model.DefaultHidden, InputDim: datasets.VelocityDim + task.ObsDim(), ObsDim: task.ObsDim(),
		OutputDim: task.ObsDim(), Readout: model.ReadoutMSE, Cell: model.DefaultCellParams(),
	}
	if taskName == "placecells" {
		m.Readout = model.ReadoutCrossEntropy
		m.Hidden = 256
	}
	if taskName == "arena" {
		return arenaConfig(m, placeCells), nil
	}
	return Config{
		Task: taskName, PlaceCells: placeCells, Model: m, Steps: DefaultSteps, BatchSize: DefaultBatchSize, SeqLen: DefaultSeqLen,
		MaskK: DefaultMaskK, LearningRate: DefaultLearningRate, LRDecay: LRCosine, FinalLRFraction: DefaultFinalLRFraction,
		WeightSeed: 1, DataSeed: 2, NoiseSeed: 3,
		LogEvery: DefaultLogEvery, CheckpointEvery: DefaultCheckpointEvery, EvalBatch: DefaultEvalBatch,
		StartLoss: true,
	}, nil
}

// The predecessor paper's training (Krishna et al., ICLR 2024), the "arena" task's defaults: N = 512
// ReLU units with leak dt/τ = 0.2 and recurrent noise of variance 1e-4, 200 fresh paths of 100
// steps per Adam step, 2,500 steps at a constant learning rate of 1e-3, the place-cell code given
// only at the start (through the encoder) and a linear readout of the place-cell activities trained
// by mean squared error.
const (
	ArenaHidden       = 512
	ArenaAlpha        = 0.2
	ArenaNoiseSD      = 0.01
	ArenaBatchSize    = 200
	ArenaSeqLen       = 100
	ArenaSteps        = 2500
	ArenaLearningRate = 1e-3
	// ArenaAdamEpsilon is PyTorch's Adam ε, which the predecessor's code uses: with GoMLX's 1e-7 the
	// mean-squared-error readout of 512 place cells (gradients near 1e-7) does not leave the
	// constant mean activity in 1,500 steps (position error 53 % of the arena's size at N = 128).
	ArenaAdamEpsilon = 1e-8
	// ArenaMaskK never shows the observation after the start (k beyond any path).
	ArenaMaskK = MaxMaskK
)

// arenaConfig is the "arena" task's default run: the predecessor paper's recipe. Its h_0 is trained
// only through the paths that follow it (StartLoss off), as there. Its noise is Gaussian; the
// predecessor's code draws uniform noise on [0, σ) (mean σ/2), which is not copied.
func arenaConfig(m model.Config, placeCells int) Config {
	m.Readout, m.Hidden = model.ReadoutMSE, ArenaHidden
	m.Cell.Alpha, m.Cell.NoiseSD = ArenaAlpha, ArenaNoiseSD
	return Config{
		Task: "arena", PlaceCells: placeCells, Model: m, Steps: ArenaSteps, BatchSize: ArenaBatchSize, SeqLen: ArenaSeqLen,
		MaskK: ArenaMaskK, LearningRate: ArenaLearningRate, LRDecay: LRConstant, FinalLRFraction: 1, AdamEpsilon: ArenaAdamEpsilon,
		WeightSeed: 1, DataSeed: 2, NoiseSeed: 3,
		LogEvery: DefaultLogEvery, CheckpointEvery: DefaultCheckpointEvery, EvalBatch: DefaultEvalBatch,
	}
}

// Validate returns an error naming the first field out of its allowed range.
func (c Config) Validate() error {
	task, err := c.NewTask()
	if err != nil {
		return err
	}
	if err := c.Model.Validate(); err != nil {
		return fmt.Errorf("model: %w", err)
	}
	want := datasets.VelocityDim + task.ObsDim()
	switch {
	case c.Model.InputDim != want:
		return fmt.Errorf("model.input_dim=%d: task %s needs %d", c.Model.InputDim, c.Task, want)
	case c.Model.ObsDim != task.ObsDim() || c.Model.OutputDim != task.ObsDim():
		return fmt.Errorf("model.obs_dim/output_dim=%d/%d: task %s needs %d", c.Model.ObsDim, c.Model.OutputDim, c.Task, task.ObsDim())
	case c.Model.Hidden > MaxHidden:
		return fmt.Errorf("hidden=%d: must be in [1, %d]", c.Model.Hidden, MaxHidden)
	case c.Steps < 0 || c.Steps > MaxSteps:
		return fmt.Errorf("steps=%d: must be in [0, %d]", c.Steps, MaxSteps)
	case c.BatchSize < 1 || c.BatchSize > MaxBatch:
		return fmt.Errorf("batch_size=%d: must be in [1, %d]", c.BatchSize, MaxBatch)
	case c.SeqLen < 1 || c.SeqLen > MaxSeqLen:
		return fmt.Errorf("seq_len=%d: must be in [1, %d]", c.SeqLen, MaxSeqLen)
	case c.Horizon != 0 && (c.Horizon < c.SeqLen || c.Horizon > MaxHorizon || c.Horizon%c.SeqLen != 0):
		return fmt.Errorf("horizon=%d: must be 0 or a multiple of seq_len=%d in [%d, %d]", c.Horizon, c.SeqLen, c.SeqLen, MaxHorizon)
	case c.MaskK < 0 || c.MaskK > MaxMaskK:
		return fmt.Errorf("mask_k=%d: must be in [0, %d]", c.MaskK, MaxMaskK)
	case !(c.LearningRate > 0 && c.LearningRate < 1):
		return fmt.Errorf("learning_rate=%g: must be in (0, 1)", c.LearningRate)
	case c.LRDecay != LRConstant && c.LRDecay != LRCosine:
		return fmt.Errorf("lr_decay=%q: must be %q or %q", c.LRDecay, LRConstant, LRCosine)
	case !(c.AdamEpsilon >= 0 && c.AdamEpsilon < 1):
		return fmt.Errorf("adam_epsilon=%g: must be in [0, 1) (0: the default %g)", c.AdamEpsilon, DefaultAdamEpsilon)
	case !(c.FinalLRFraction > 0 && c.FinalLRFraction <= 1):
		return fmt.Errorf("final_lr_fraction=%g: must be in (0, 1]", c.FinalLRFraction)
	case c.LogEvery < 1:
		return fmt.Errorf("log_every=%d: must be ≥ 1", c.LogEvery)
	case c.CheckpointEvery < 1:
		return fmt.Errorf("checkpoint_every=%d: must be ≥ 1", c.CheckpointEvery)
	case c.EvalBatch < 1 || c.EvalBatch > MaxBatch:
		return fmt.Errorf("eval_batch=%d: must be in [1, %d]", c.EvalBatch, MaxBatch)
	}
	return nil
}

// Fixed bounds of Validate, beyond any run a machine can hold; whether a run fits the machine at
// hand is CheckFits's question.
const (
	MaxHidden = 1 << 16
	MaxBatch  = 1 << 24
	// MaxSeqLen bounds the unrolled steps: the training graph holds every one of them.
	MaxSeqLen = 10_000
	// MaxHorizon bounds a windowed path: its positions are held in memory per path of the batch.
	MaxHorizon = 1 << 20
	MaxSteps   = 1 << 40
	// MaxMaskK is far beyond any sequence (k ≥ seq_len means only s₀ is observed).
	MaxMaskK = 1 << 30
)

// MemoryBytes estimates the memory a run needs at its largest: the unrolled training graph
// (every step's states for the backward pass, the noise, the outputs), the weights with their
// gradients and Adam's moments, the evaluation graph and the host batches.
func (c Config) MemoryBytes() float64 {
	H, B, T, E := float64(c.Model.Hidden), float64(c.BatchSize), float64(c.SeqLen), float64(c.EvalBatch)
	in, obs, out := float64(c.Model.InputDim), float64(c.Model.ObsDim), float64(c.Model.OutputDim)
	params := H*H + in*H + H + obs*H + H*out + out
	const f32 = 4
	weights := 8 * f32 * params                  // value, gradient, Adam's m and v, the executables' copies
	train := f32 * B * T * (12*H + 4*out + 2*in) // states and gradients of every unrolled step
	eval := f32 * E * T * (6*H + 4*out + 2*in)   // forward only
	host := 3 * f32 * (B + E + 64) * (T + 1) * (in + 2*obs + 6)
	long := 16 * (B + E) * float64(c.horizon()+1) // positions of the windowed paths (2 float64 each)
	return weights + train + eval + host + long + overheadBytes
}

// overheadBytes is what a run needs whatever its size (the runtime, the backend, compiled code).
const overheadBytes = 256 << 20

// CheckFits returns an error naming the size setting to lower when the run's memory estimate
// exceeds what this machine holds (sysmem.Budget).
func (c Config) CheckFits() error {
	budget, source := sysmem.Budget()
	with := func(set func(*Config, int)) func(int) float64 {
		return func(v int) float64 {
			d := c
			set(&d, v)
			return d.MemoryBytes()
		}
	}
	return sysmem.Fit("training", c.MemoryBytes(), budget, source,
		sysmem.Field{Name: "batch_size", Value: c.BatchSize, Min: 1, With: with(func(d *Config, v int) { d.BatchSize = v })},
		sysmem.Field{Name: "seq_len", Value: c.SeqLen, Min: 1, With: with(func(d *Config, v int) { d.SeqLen = v })},
		sysmem.Field{Name: "hidden", Value: c.Model.Hidden, Min: 1, With: with(func(d *Config, v int) { d.Model.Hidden = v })},
		sysmem.Field{Name: "eval_batch", Value: c.EvalBatch, Min: 1, With: with(func(d *Config, v int) { d.EvalBatch = v })},
	)
}

// sameRun reports whether two configs describe the same run, ignoring how often it logs and saves
// and, with a constant learning rate, how long it runs (such a finished run may be extended).
func sameRun(a, b Config) bool {
	if a.LRDecay == LRConstant && b.LRDecay == LRConstant {
		a.Steps, b.Steps = 0, 0
	}
	a.LogEvery, a.CheckpointEvery = 0, 0
	b.LogEvery, b.CheckpointEvery = 0, 0
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}
