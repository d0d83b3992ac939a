package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"github.com/replaylab/replay/replaylib"
	"github.com/replaylab/replay/replaylib/model"
	"github.com/replaylab/replay/replaylib/training"
)

func trainSettings(cfg *training.Config) settings {
	return settings{
		"steps": setInt(&cfg.Steps), "batch_size": setInt(&cfg.BatchSize), "seq_len": setInt(&cfg.SeqLen),
		"mask_k": setInt(&cfg.MaskK), "learning_rate": setFloat(&cfg.LearningRate), "hidden": setInt(&cfg.Model.Hidden),
		"alpha": setFloat(&cfg.Model.Cell.Alpha), "noise_sd": setFloat(&cfg.Model.Cell.NoiseSD),
		"adapt_strength": setFloat(&cfg.Model.Cell.AdaptStrength), "adapt_tau": setFloat(&cfg.Model.Cell.AdaptTau),
		"momentum": setFloat(&cfg.Model.Cell.Momentum), "weight_seed": setUint(&cfg.WeightSeed),
		"data_seed": setUint(&cfg.DataSeed), "noise_seed": setUint(&cfg.NoiseSeed), "log_every": setInt(&cfg.LogEvery),
		"checkpoint_every": setInt(&cfg.CheckpointEvery), "eval_batch": setInt(&cfg.EvalBatch),
		"adapt_drive": func(v string) error { cfg.Model.Cell.AdaptDrive = model.AdaptDrive(v); return nil },
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
	if err := trainSettings(&cfg).apply(*set); err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return usagef("%v", err)
	}
	if err := checkWritable(*out); err != nil {
		return err
	}
	backend, err := replaylib.NewBackend()
	if err != nil {
		return err
	}
	run, err := training.Open(backend, cfg, *out)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "train: %s, hidden %d, α=%g, k=%d, from step %d to %d, in %s\n", cfg.Task, cfg.Model.Hidden,
		cfg.Model.Cell.Alpha, cfg.MaskK, run.GlobalStep(), cfg.Steps, *out)
	if err := run.TrainContext(ctx, stdout, *progress); err != nil {
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
