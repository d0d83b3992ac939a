package replaylib_test

import (
	"context"
	"fmt"

	"github.com/replaylab/replay/replaylib"
	"github.com/replaylab/replay/replaylib/metrics"
	"github.com/replaylab/replay/replaylib/replay"
	"github.com/replaylab/replay/replaylib/training"
)

// Train a small leaky T-maze model, replay it with momentum and measure the replay.
func Example() {
	backend := replaylib.MustBackend() // XLA if a PJRT plugin is installed, else pure Go
	cfg, _ := training.DefaultConfig("tmaze")
	cfg.Model.Hidden, cfg.Steps, cfg.SeqLen, cfg.EvalBatch = 32, 100, 20, 16 // small, for the example
	cfg.Model.Cell.Alpha = 0.2                                               // leak
	run, err := training.Open(backend, cfg, "")                              // pass a directory to keep and resume checkpoints
	if err != nil {
		panic(err)
	}
	if err := run.Train(context.Background()); err != nil {
		panic(err)
	}
	first, last := run.History[0], run.History[len(run.History)-1]
	fmt.Println("loss fell:", last.EvalLoss < first.EvalLoss/5)

	rc := replay.DefaultConfig(cfg.Model.Cell)
	rc.Chains, rc.Steps = 64, 200
	rc.Cell.Momentum = 0.7          // replay with momentum
	eng, err := replay.FromRun(run) // compiles once; any cell values replay on it
	if err != nil {
		panic(err)
	}
	start := replay.Start{Positions: replay.StartPositions(run.Task(), rc.Chains, 1)}
	traj, err := eng.Trajectories(context.Background(), rc, start)
	if err != nil {
		panic(err)
	}
	fmt.Println("chains × positions:", len(traj), "×", len(traj[0]))
	fmt.Println("moves:", metrics.PathLengthPerStep(traj) > 0)
	// Output:
	// loss fell: true
	// chains × positions: 64 × 201
	// moves: true
}
