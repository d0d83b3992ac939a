package training_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"

	"github.com/replaylab/replay/replaylib"
	"github.com/replaylab/replay/replaylib/training"
)

// Train into a directory, stop part-way (as a killed job or a cancelled notebook cell would), and
// reopen the directory: the run resumes from its last checkpoint and ends with the same weights an
// uninterrupted run gives.
func ExampleRun_Train_resume() {
	dir, err := os.MkdirTemp("", "replay-example-")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	backend := replaylib.MustBackend()

	cfg, _ := training.DefaultConfig("triangle")
	cfg.Model.Hidden, cfg.Steps, cfg.SeqLen, cfg.EvalBatch = 16, 40, 10, 8 // small, for the example
	cfg.LogEvery, cfg.CheckpointEvery = 10, 10

	run, err := training.Open(backend, cfg, dir)
	if err != nil {
		panic(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	run.OnEvaluate = func(e training.LogEntry) {
		if e.Step >= 20 {
			stop() // interrupt: training stops after the step under way and saves a checkpoint
		}
	}
	err = run.Train(ctx)
	fmt.Println("interrupted:", errors.Is(err, context.Canceled), "at step", run.GlobalStep())

	resumed, err := training.Open(backend, cfg, dir) // same Config, same directory
	if err != nil {
		panic(err)
	}
	fmt.Println("resumes at step", resumed.GlobalStep())
	if err := resumed.Train(context.Background()); err != nil {
		panic(err)
	}
	fmt.Println("finished at step", resumed.GlobalStep())

	cfg.Steps = 50 // another Config for the same directory is refused
	_, err = training.Open(backend, cfg, dir)
	fmt.Println("other config refused:", errors.Is(err, training.ErrConfigMismatch))
	// Output:
	// interrupted: true at step 21
	// resumes at step 21
	// finished at step 40
	// other config refused: true
}

// Train three networks of one configuration, differing only in their seeds, as one ensemble, and
// the first of them alone: the ensemble's member ends where the lone run does.
func ExampleTrainEnsemble() {
	backend := replaylib.MustBackend()
	cfg, _ := training.DefaultConfig("triangle")
	cfg.Model.Hidden, cfg.Steps, cfg.SeqLen, cfg.EvalBatch, cfg.LogEvery = 16, 30, 10, 8, 10 // small, for the example

	var runs []*training.Run
	for m := range uint64(3) {
		c := cfg
		c.WeightSeed, c.DataSeed, c.NoiseSeed = 1+m, 10+m, 100+m
		run, err := training.Open(backend, c, "") // "" keeps the run in memory
		if err != nil {
			panic(err)
		}
		runs = append(runs, run)
	}
	if err := training.TrainEnsemble(context.Background(), runs); err != nil {
		panic(err)
	}
	alone, _ := training.Open(backend, runs[0].Config, "")
	if err := alone.Train(context.Background()); err != nil {
		panic(err)
	}
	a, b := runs[0].History[len(runs[0].History)-1], alone.History[len(alone.History)-1]
	fmt.Println("ensemble at step", runs[0].GlobalStep(), runs[1].GlobalStep(), runs[2].GlobalStep())
	fmt.Println("same loss as alone (1e-5):", math.Abs(a.EvalLoss-b.EvalLoss) <= 1e-5*b.EvalLoss)
	fmt.Println("networks differ:", a.EvalLoss != runs[1].History[len(runs[1].History)-1].EvalLoss)
	// Output:
	// ensemble at step 30 30 30
	// same loss as alone (1e-5): true
	// networks differ: true
}
