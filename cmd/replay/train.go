package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"path/filepath"

	"github.com/replaylab/replay/internal/settings"
	"github.com/replaylab/replay/replaylib"
	"github.com/replaylab/replay/replaylib/claims"
	"github.com/replaylab/replay/replaylib/model"
	"github.com/replaylab/replay/replaylib/training"
)

// trainSettings are train's --set keys; integers are range-checked here, the rest by
// training.Config.Validate and CheckFits.
func trainSettings(cfg *training.Config) settings.Setters {
	return settings.Setters{
		"steps":            settings.IntRange(&cfg.Steps, 0, training.MaxSteps),
		"batch_size":       settings.IntRange(&cfg.BatchSize, 1, training.MaxBatch),
		"seq_len":          settings.IntRange(&cfg.SeqLen, 1, training.MaxSeqLen),
		"horizon":          settings.IntRange(&cfg.Horizon, 0, training.MaxHorizon),
		"stop_rate":        settings.Float(&cfg.Stops.Rate),
		"stop_steps":       settings.Float(&cfg.Stops.Steps),
		"reversal_rate":    settings.Float(&cfg.ReversalRate),
		"end_dwell_steps":  settings.Float(&cfg.EndDwellSteps),
		"mask_k":           settings.IntRange(&cfg.MaskK, 0, training.MaxMaskK),
		"learning_rate":    settings.Float(&cfg.LearningRate),
		"adam_epsilon":     settings.Float(&cfg.AdamEpsilon),
		"hidden":           settings.IntRange(&cfg.Model.Hidden, 1, training.MaxHidden),
		"alpha":            settings.Float(&cfg.Model.Cell.Alpha),
		"noise_sd":         settings.Float(&cfg.Model.Cell.NoiseSD),
		"adapt_strength":   settings.Float(&cfg.Model.Cell.AdaptStrength),
		"adapt_tau":        settings.Float(&cfg.Model.Cell.AdaptTau),
		"momentum":         settings.Float(&cfg.Model.Cell.Momentum),
		"weight_seed":      settings.Uint(&cfg.WeightSeed),
		"data_seed":        settings.Uint(&cfg.DataSeed),
		"noise_seed":       settings.Uint(&cfg.NoiseSeed),
		"log_every":        settings.Int(&cfg.LogEvery, 1),
		"checkpoint_every": settings.Int(&cfg.CheckpointEvery, 1),
		"eval_batch":       settings.IntRange(&cfg.EvalBatch, 1, training.MaxBatch),
		"adapt_form":       func(v string) error { cfg.Model.Cell.AdaptForm = model.AdaptForm(v); return nil },
		"adapt_slow_tau":   settings.Float(&cfg.Model.Cell.AdaptSlowTau),
	}
}

// maxTrainSeed keeps the seeds derived from --seed (10·seed + 1…3) from wrapping around.
const maxTrainSeed = (math.MaxUint64 - 3) / 10

func runTrain(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	task := fs.String("task", "triangle", "task: triangle, tmaze or placecells")
	out := fs.String("out", "", "run directory for checkpoints, config.json and history.json (required; one train at a time)")
	seed := fs.Uint64("seed", 0, fmt.Sprintf("if set (1 … %d), derive weight, data and noise seeds from it", uint64(maxTrainSeed)))
	set := fs.String("set", "", fmt.Sprintf("training hyperparameters \"key=value;…\": %s. mask_k defaults to %d (the observation every %d steps); the reproduction trains the networks it replays at mask_k=%d (the observation at t = 0 only)",
		trainSettings(&training.Config{}).Keys(), training.DefaultMaskK, training.DefaultMaskK+1, claims.MaskNone))
	progress := fs.Bool("progress", true, "show a progress bar")
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	if *out == "" {
		return usagef("--out: required (the run directory)")
	}
	if *seed > maxTrainSeed {
		return usagef("--seed %d: want an integer in [0, %d]", *seed, uint64(maxTrainSeed))
	}
	cfg, err := training.DefaultConfig(*task)
	if err != nil {
		return usagef("--task: %v", err)
	}
	if *seed != 0 {
		cfg.WeightSeed, cfg.DataSeed, cfg.NoiseSeed = *seed*10+1, *seed*10+2, *seed*10+3
	}
	if err := trainSettings(&cfg).Apply(*set); err != nil {
		return settingsUsage("--set", err)
	}
	if err := cfg.Validate(); err != nil {
		return usagef("%v", err)
	}
	if err := cfg.CheckFits(); err != nil {
		return usagef("%v", err)
	}
	if err := checkWritable(*out); err != nil {
		return err
	}
	lock, err := lockDir(*out, "--out")
	if err != nil {
		return err
	}
	defer lock.Release()
	backend, err := replaylib.NewBackend()
	if err != nil {
		return err
	}
	run, err := training.Open(backend, cfg, *out)
	if err != nil {
		return err
	}
	for _, w := range run.Warnings {
		fmt.Fprintf(stderr, "replay train: warning: %s\n", w)
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
