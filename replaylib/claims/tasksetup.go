package claims

import (
	"fmt"
	"math/rand/v2"

	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/replaylab/replay/datasets"
	"github.com/replaylab/replay/geom"
	"github.com/replaylab/replay/replaylib/metrics"
	"github.com/replaylab/replay/replaylib/training"
)

// The replay protocol's fixed numbers (docs/claims.md gives the reasons).
const (
	// referencePaths paths of the task's training distribution make the positions replay is
	// compared with (and as many again, disjoint, the W1 floor).
	referencePaths = 256
	// w1Points and w1Repeats: the exact W1 is averaged over w1Repeats subsamples of w1Points points
	// (sweepW1Repeats for the sweeps' variants); the data-vs-data floor, once per task, over
	// w1Repeats pairs of disjoint training subsamples of the same size.
	w1Points       = 400
	w1Repeats      = 5
	sweepW1Repeats = 2
	// gridCells: occupancy and coverage use square cells of side (environment size)/gridCells.
	gridCells = 25
	// displacementLag is the macroscopic lag (steps) of the net displacement.
	displacementLag = 50
	// residualMinCount: drift-field cells with fewer steps are left out of the residual test.
	residualMinCount = 20
	// rateEvery: place-cell rates are kept every rateEvery steps for the rate-space distance.
	rateEvery = 10
	// slicedProjections: random directions of the sliced W1 in rate space.
	slicedProjections = 64
)

// taskSetup is what every replay of a task is measured against.
type taskSetup struct {
	name  string
	task  datasets.Task
	env   *geom.Environment
	grid  *geom.Grid
	train []geom.Point // reference positions
	floor []geom.Point // a disjoint sample of the same size
	rates [][]float64  // place cells: reference population vectors (else nil)
	// floorW1 is W1 between two disjoint samples of training positions (w1Points each, mean of
	// w1Repeats): what a perfect sampler would score.
	floorW1 float64
}

// newTaskSetup draws the task's reference and floor positions and place-cell rates (paths of SeqLen
// steps of the task's own agent: cfg's Behaviour is ignored, so that networks trained with stops or
// turn-backs are judged against the same positions as the others).
func newTaskSetup(cfg training.Config, run uint64) (*taskSetup, error) {
	cfg.Behaviour = datasets.Behaviour{} // replay is judged against the task's own agent, whatever the training recipe
	task, err := cfg.NewTask()
	if err != nil {
		return nil, err
	}
	env := task.Env()
	grid, err := geom.NewGrid(env, env.Size()/gridCells)
	if err != nil {
		return nil, err
	}
	ts := &taskSetup{name: cfg.Task, task: task, env: env, grid: grid}
	sample := func(s Stream) ([]geom.Point, *datasets.Batch, error) {
		b, err := datasets.NewBatch(task, referencePaths, cfg.SeqLen, MaskNone)
		if err != nil {
			return nil, nil, err
		}
		if err := datasets.Generate(task, b, RNG(run, s, taskIndex(cfg.Task))); err != nil {
			return nil, nil, err
		}
		return metrics.Flatten(b.Paths()), b, nil
	}
	var ref *datasets.Batch
	if ts.train, ref, err = sample(StreamReference); err != nil {
		return nil, err
	}
	if ts.floor, _, err = sample(StreamFloor); err != nil {
		return nil, err
	}
	if ts.floorW1, _, err = metrics.SubsampledWasserstein(ts.floor, ts.train, 1, w1Points, w1Repeats, RNG(run, StreamFloor, taskIndex(cfg.Task), 1)); err != nil {
		return nil, err
	}
	if _, ok := task.(datasets.PopulationTask); ok {
		d := ref.TargetDim
		for i := 0; i < len(ref.Target); i += d * rateEvery {
			row := make([]float64, d)
			for j := range row {
				row[j] = float64(ref.Target[i+j])
			}
			ts.rates = append(ts.rates, row)
		}
	}
	return ts, nil
}

// place is where p is for dwell times: the nearest end of the track (from sp, p projected on the
// skeleton, ts.project), or the environment region (the arena's quadrant).
func (ts *taskSetup) place(p geom.Point, sp geom.SkeletonPoint) string {
	if len(ts.env.Ends()) > 0 {
		return ts.env.NearestEndAt(sp)
	}
	return ts.region(p)
}

// project returns every position of traj projected on the task's skeleton, or nil without one.
func (ts *taskSetup) project(traj [][]geom.Point) [][]geom.SkeletonPoint {
	if len(ts.env.Skeleton()) == 0 {
		return nil
	}
	out := make([][]geom.SkeletonPoint, len(traj))
	for c, path := range traj {
		out[c] = make([]geom.SkeletonPoint, len(path))
		for t, p := range path {
			out[c][t], _ = ts.env.Project(p)
		}
	}
	return out
}

// region names the environment region p is in, or "outside".
func (ts *taskSetup) region(p geom.Point) string {
	if r := ts.env.RegionOf(p); r >= 0 {
		return ts.env.Regions[r].Name
	}
	return "outside"
}

// starts are where a network's chains begin: its own hidden states at random times of held-out
// paths (so chains start from where behaviour puts the network, across the whole task), with the
// true positions at those times.
type starts struct {
	states    *tensors.Tensor
	positions []geom.Point
}

// starts draws one held-out path of the task's own agent per chain, of max(SeqLen, Horizon) steps, a
// uniform time along it, and the network's noiseless state there (run.StatesAlong): where replay begins.
func (ts *taskSetup) starts(run *training.Run, chains int, seed uint64, network int) (*starts, error) {
	cfg := run.Config
	T := max(cfg.SeqLen, cfg.Horizon) // a windowed network starts anywhere along its long paths
	b, err := datasets.NewBatch(ts.task, chains, T, MaskNone)
	if err != nil {
		return nil, err
	}
	t := taskIndex(ts.name)
	if err := datasets.Generate(ts.task, b, RNG(seed, StreamHeldOut, t, uint64(network))); err != nil {
		return nil, err
	}
	rng := RNG(seed, StreamStartTimes, t, uint64(network))
	times := make([]int, chains)
	st := &starts{positions: make([]geom.Point, chains)}
	for c := range times {
		times[c] = 1 + rng.IntN(T)
		st.positions[c] = b.Path(c)[times[c]]
	}
	if st.states, err = run.StatesAlong(b, times); err != nil {
		return nil, err
	}
	return st, nil
}

// first returns the first n chains' starts.
func (st *starts) first(n int) (*starts, error) {
	if n >= len(st.positions) {
		return st, nil
	}
	flat := tensors.MustCopyFlatData[float32](st.states)
	hidden := st.states.Shape().Dimensions[1]
	return &starts{
		states:    tensors.FromFlatDataAndDimensions(flat[:n*hidden], n, hidden),
		positions: st.positions[:n],
	}, nil
}

// subsampleRNG is the generator of W1 subsamples for one network and variant.
func subsampleRNG(seed uint64, task string, network int, variant string) *rand.Rand {
	h := uint64(0)
	for _, c := range variant {
		h = h*131 + uint64(c)
	}
	return RNG(seed, StreamSubsample, taskIndex(task), uint64(network), h)
}

func checkStarts(st *starts, chains int) error {
	if len(st.positions) != chains {
		return fmt.Errorf("replay starts: %d for %d chains", len(st.positions), chains)
	}
	return nil
}
