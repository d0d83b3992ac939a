package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"path/filepath"

	"github.com/replaylab/replay/replaylib"
	"github.com/replaylab/replay/replaylib/model"
	"github.com/replaylab/replay/replaylib/settings"
	"github.com/replaylab/replay/replaylib/training"
)

// trainSettings are train's --set keys; ranges are checked by training.Config.Validate.
func trainSettings(cfg *training.Config) settings.Setters {
	anyInt := func(p *int) func(string) error { return settings.Int(p, math.MinInt) }
	return settings.Setters{
		"steps": anyInt(&cfg.Steps), "batch_size": anyInt(&cfg.BatchSize), "seq_len": anyInt(&cfg.SeqLen),
		"mask_k": anyInt(&cfg.MaskK), "learning_rate": settings.Float(&cfg.LearningRate), "hidden": anyInt(&cfg.Model.Hidden),
		"alpha": settings.Float(&cfg.Model.Cell.Alpha), "noise_sd": settings.Float(&cfg.Model.Cell.NoiseSD),
		"adapt_strength": settings.Float(&cfg.Model.Cell.AdaptStrength), "adapt_tau": settings.Float(&cfg.Model.Cell.AdaptTau),
		"momentum": settings.Float(&cfg.Model.Cell.Momentum), "weight_seed": settings.Uint(&cfg.WeightSeed),
		"data_seed": settings.Uint(&cfg.DataSeed), "noise_seed": settings.Uint(&cfg.NoiseSeed), "log_every": anyInt(&cfg.LogEvery),
		"checkpoint_every": anyInt(&cfg.CheckpointEvery), "eval_batch": anyInt(&cfg.EvalBatch),
		"adapt_form":     func(v string) error { cfg.Model.Cell.AdaptForm = model.AdaptForm(v); return nil },
		"adapt_slow_tau": settings.Float(&cfg.Model.Cell.AdaptSlowTau),
	}
}

func runTrain(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	task := fs.String("task", "triangle", "task: triangle, tmaze or placecells")
	out := fs.String("out", "", "run directory for checkpoints, config.json and history.json (required)")
	seed := fs.Uint64("seed", 0, "if set, derive weight, data and noise seeds from it")
	set := fs.String("set", "", "training hyperparameters \"key=value;…\" (see README)")
	progress := fs.Bool("progress", true, "show a progress bar")
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	if *out == "" {
		return usagef("--out: required (the run directory)")
	}
	cfg, err := training.DefaultConfig(*task)
	if err != nil {
		return usagef("--task: %v", err)
	}
	if *seed != 0 {
		cfg.WeightSeed, cfg.DataSeed, cfg.NoiseSeed = *seed*10+1, *seed*10+2, *seed*10+3
	}
	if err := trainSettings(&cfg).Apply(*set); err != nil {
		return usagef("%v", err)
	}
	if err := cfg.Validate(); err != nil {
		return usagef("%v", err)
	}
	run, err := openRun(*out, cfg, *out)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "train: %s, hidden %d, α=%g, k=%d, from step %d to %d, in %s\n", cfg.Task, cfg.Model.Hidden,
		cfg.Model.Cell.Alpha, cfg.MaskK, run.GlobalStep(), cfg.Steps, *out)
	run.Log, run.ProgressBar = stdout, *progress
	if err := run.Train(ctx); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("%v; rerun the same command to resume from it (%s)", err, *out)
		}
		return err
	}
	if n := len(run.History); n > 0 {
		e := run.History[n-1]
		fmt.Fprintf(stdout, "train: step %d, eval loss %.5f, position error %.4f (%.1f%% of size); %s\n", e.Step, e.EvalLoss,
			e.PosError, 100*e.PosErrRel, filepath.Join(*out, training.HistoryFile))
	}
	return nil
}

// openRun checks that out is writable, picks the backend and opens (or resumes) the run kept in dir.
func openRun(out string, cfg training.Config, dir string) (*training.Run, error) {
	if err := checkWritable(out); err != nil {
		return nil, err
	}
	backend, err := replaylib.NewBackend()
	if err != nil {
		return nil, err
	}
	return training.Open(backend, cfg, dir)
}
