package datasets

import (
	"fmt"
	"math/rand/v2"
)

// VelocityDim is the number of velocity channels at the start of every input vector.
const VelocityDim = 2

// Task generates paths of one kind in one environment.
type Task interface {
	// Name is a short identifier: "triangle", "tmaze" or "placecells".
	Name() string
	// Env is the environment every path stays inside.
	Env() *Environment
	// ObsDim is the size of the observation o_t (2 for position, N for place cells).
	ObsDim() int
	// Observe writes the observation of position p into dst (len ObsDim).
	Observe(p Point, dst []float32)
	// Decode maps an observation (or a network's readout of one) back to a position.
	Decode(obs []float32) Point
	// Paths fills pos (len (T+1)) with the positions of one path.
	Paths(pos []Point, rng *rand.Rand)
	// ReachTargets are the indices (into Env().Regions) of the regions whose entry counts as
	// reaching for a replay chain that starts at start: somewhere else in the task than its start.
	ReachTargets(start Point) []int
}

// PopulationTask is a task whose observations are the activities of a population of cells with
// place fields (the place-cell tasks) instead of a position: the observation's coordinates are
// the cells, a readout of them is decoded through the cells' centres, and its rows are rates to
// compare with the data's.
type PopulationTask interface {
	Task
	// Centres are the cells' field centres, one per observation coordinate.
	Centres() []Point
	// DecodesByCentreMean reports whether Decode is the activity-weighted mean of the centres
	// (a smooth function a graph can compute from probabilities), not a ranking of the cells.
	DecodesByCentreMean() bool
}

// Batch holds B paths of T steps in flat row-major slices, ready to become tensors.
type Batch struct {
	Task string // name of the task that made the batch (Task.Name)
	// B paths of T steps; masking difficulty K (observation every K+1 steps).
	B, T, K int
	// InputDim = VelocityDim + ObsDim; TargetDim = ObsDim.
	InputDim, TargetDim int
	Input               []float32 // [B, T, InputDim]: velocity x_t − x_{t−1}, then m_t·o_t.
	Target              []float32 // [B, T, TargetDim]: o_t for t = 1..T.
	Initial             []float32 // [B, TargetDim]: o_0.
	Position            []Point   // [B, T+1]: x_0..x_T.
	Region              []int     // [B, T+1]: region index of x_t, or −1.
}

// MaxBatchBytes bounds the memory of one batch (1 TiB): NewBatch refuses larger ones, and sizes
// whose products overflow an int, with an error instead of failing to allocate. Whether a batch
// fits the machine at hand is for the caller to check (BatchBytes estimates it).
const MaxBatchBytes = 1 << 40

// BatchBytes is the memory, in bytes, of a batch of b paths of t steps with obsDim observations:
// inputs, targets, initial observations, positions and regions (computed in float64: no overflow).
func BatchBytes(obsDim, b, t int) float64 {
	B, T, obs := float64(b), float64(t), float64(obsDim)
	return 4*B*T*(VelocityDim+2*obs) + 4*B*obs + B*(T+1)*(16+8)
}

// NewBatch allocates a batch of b paths with t steps and masking difficulty k for the task.
func NewBatch(task Task, b, t, k int) (*Batch, error) {
	if task == nil {
		return nil, fmt.Errorf("task: must not be nil")
	}
	if b < 1 {
		return nil, fmt.Errorf("batch size B=%d: must be ≥ 1", b)
	}
	if t < 1 {
		return nil, fmt.Errorf("steps T=%d: must be ≥ 1", t)
	}
	if k < 0 {
		return nil, fmt.Errorf("masking K=%d: must be ≥ 0 (observation every K+1 steps)", k)
	}
	obs := task.ObsDim()
	in := VelocityDim + obs
	if need := BatchBytes(obs, b, t); need > MaxBatchBytes {
		return nil, fmt.Errorf("batch of B=%d paths × T=%d steps × %d inputs: needs %.3g bytes, more than the %d a batch may hold",
			b, t, in, need, int64(MaxBatchBytes))
	}
	return &Batch{
		Task: task.Name(), B: b, T: t, K: k, InputDim: in, TargetDim: obs,
		Input:    make([]float32, b*t*in),
		Target:   make([]float32, b*t*obs),
		Initial:  make([]float32, b*obs),
		Position: make([]Point, b*(t+1)),
		Region:   make([]int, b*(t+1)),
	}, nil
}

// Observed reports whether the observation is given to the network at step t (1..T) under masking k.
func Observed(t, k int) bool { return t%(k+1) == 0 }

// Generate fills the batch with fresh paths of the task drawn from rng. It allocates nothing. It
// returns an error if the batch was made for another task (name or observation size).
func Generate(task Task, batch *Batch, rng *rand.Rand) error {
	if task.Name() != batch.Task || task.ObsDim() != batch.TargetDim {
		return fmt.Errorf("batch: made for task %q with %d targets, not %q with %d",
			batch.Task, batch.TargetDim, task.Name(), task.ObsDim())
	}
	for b := range batch.B {
		task.Paths(batch.Path(b), rng)
		batch.fill(task, b, 0)
	}
	return nil
}

// fill computes path b's regions, inputs, targets and initial observation from its positions,
// masking the observation by the time since its path began, from + t at step t.
func (batch *Batch) fill(task Task, b, from int) {
	env := task.Env()
	T, in, obs := batch.T, batch.InputDim, batch.TargetDim
	pos := batch.Path(b)
	for t, p := range pos {
		batch.Region[b*(T+1)+t] = env.RegionOf(p)
	}
	task.Observe(pos[0], batch.Initial[b*obs:(b+1)*obs])
	for t := 1; t <= T; t++ {
		row := batch.Input[(b*T+t-1)*in : (b*T+t)*in]
		row[0] = float32(pos[t].X - pos[t-1].X)
		row[1] = float32(pos[t].Y - pos[t-1].Y)
		target := batch.Target[(b*T+t-1)*obs : (b*T+t)*obs]
		task.Observe(pos[t], target)
		if Observed(from+t, batch.K) {
			copy(row[VelocityDim:], target)
		} else {
			clear(row[VelocityDim:])
		}
	}
}

// FillWindow fills path b of the batch with the window of batch.T steps of a longer path that
// begins at step `from` of it: positions path[from … from+T], their velocities and targets, the
// observation masked by the time since the long path began (from + t), and as Initial the
// observation at `from` (what an encoder sees when the window starts the path, from = 0). It
// allocates nothing.
func FillWindow(task Task, batch *Batch, b int, path []Point, from int) error {
	if task.Name() != batch.Task || task.ObsDim() != batch.TargetDim {
		return fmt.Errorf("batch: made for task %q with %d targets, not %q with %d",
			batch.Task, batch.TargetDim, task.Name(), task.ObsDim())
	}
	if b < 0 || b >= batch.B {
		return fmt.Errorf("window: path %d outside [0, %d)", b, batch.B)
	}
	if from < 0 || from+batch.T >= len(path) {
		return fmt.Errorf("window: steps %d … %d outside a path of %d positions", from, from+batch.T, len(path))
	}
	copy(batch.Path(b), path[from:from+batch.T+1])
	batch.fill(task, b, from)
	return nil
}

// Path returns the positions x_0..x_T of path b (a view, not a copy).
func (batch *Batch) Path(b int) []Point {
	return batch.Position[b*(batch.T+1) : (b+1)*(batch.T+1)]
}

// Paths returns the positions of every path, paths[b][t] = x_t of path b (views, not copies).
func (batch *Batch) Paths() [][]Point {
	paths := make([][]Point, batch.B)
	for b := range paths {
		paths[b] = batch.Path(b)
	}
	return paths
}
