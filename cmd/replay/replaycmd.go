package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/replaylab/replay/datasets"
	"github.com/replaylab/replay/internal/atomicfile"
	"github.com/replaylab/replay/replaylib/model"
	"github.com/replaylab/replay/replaylib/replay"
	"github.com/replaylab/replay/replaylib/settings"
	"github.com/replaylab/replay/replaylib/training"
)

func runReplay(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("replay", flag.ContinueOnError)
	modelDir := fs.String("model", "", "run directory written by 'replay train' (required)")
	out := fs.String("out", "", "output directory (default: MODEL/replay)")
	set := fs.String("set", "", "replay settings \"key=value;…\": chains, steps, burnin, steps_per_call, seed, noise_sd, noise (fixed|sqrt-momentum), alpha, adapt_strength, adapt_tau, adapt_form, adapt_slow_tau, momentum")
	startX := fs.Float64("x", 0, "start position x (with --y; default: starts of fresh task paths)")
	startY := fs.Float64("y", 0, "start position y")
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	if *modelDir == "" {
		return usagef("--model: required (a run directory from 'replay train')")
	}
	if *out == "" {
		*out = filepath.Join(*modelDir, "replay")
	}
	data, err := os.ReadFile(filepath.Join(*modelDir, training.ConfigFile))
	if err != nil {
		return fmt.Errorf("--model %s: not a training run (%w)", *modelDir, err)
	}
	var cfg training.Config
	if err := json.Unmarshal(data, &cfg); err != nil {
		return fmt.Errorf("--model %s: %w", *modelDir, err)
	}
	rc := replay.DefaultConfig(cfg.Model.Cell)
	noise := string(rc.Noise)
	s := settings.Setters{
		"chains": settings.Int(&rc.Chains, 1), "steps": settings.Int(&rc.Steps, 1), "steps_per_call": settings.Int(&rc.StepsPerCall, 1),
		"burnin": settings.Int(&rc.Burnin, 0), "adapt_slow_tau": settings.Float(&rc.Cell.AdaptSlowTau),
		"seed": settings.Uint(&rc.Seed), "noise_sd": settings.Float(&rc.Cell.NoiseSD), "alpha": settings.Float(&rc.Cell.Alpha),
		"adapt_strength": settings.Float(&rc.Cell.AdaptStrength), "adapt_tau": settings.Float(&rc.Cell.AdaptTau),
		"momentum":   settings.Float(&rc.Cell.Momentum),
		"adapt_form": func(v string) error { rc.Cell.AdaptForm = model.AdaptForm(v); return nil },
		"noise":      func(v string) error { noise = v; return nil },
	}
	if err := s.Apply(*set); err != nil {
		return usagef("%v", err)
	}
	rc.Noise = replay.NoiseConvention(noise)
	if err := rc.Validate(); err != nil {
		return usagef("%v", err)
	}
	run, err := openRun(*out, cfg, *modelDir)
	if err != nil {
		return err
	}
	if run.GlobalStep() == 0 {
		return fmt.Errorf("--model %s: holds no trained checkpoint", *modelDir)
	}
	eng, err := replay.FromRun(run)
	if err != nil {
		return err
	}
	starts := replay.StartPositions(run.Task(), rc.Chains, rc.Seed)
	visited := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { visited[f.Name] = true })
	if visited["x"] || visited["y"] {
		for i := range starts {
			starts[i] = datasets.Point{X: *startX, Y: *startY}
		}
	}
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	w.WriteString("chain,t,x,y\n")
	var line []byte
	err = eng.Run(ctx, rc, replay.Start{Positions: starts}, func(t int, pos []datasets.Point) error {
		for c, p := range pos {
			line = strconv.AppendInt(line[:0], int64(c), 10)
			line = append(line, ',')
			line = strconv.AppendInt(line, int64(t), 10)
			line = append(line, ',')
			line = strconv.AppendFloat(line, p.X, 'g', 7, 64)
			line = append(line, ',')
			line = strconv.AppendFloat(line, p.Y, 'g', 7, 64)
			line = append(line, '\n')
			w.Write(line)
		}
		if t%max(1, rc.Steps/10) == 0 {
			fmt.Fprintf(stdout, "replay: step %d/%d\n", t, rc.Steps)
		}
		return nil
	})
	if err != nil {
		return err
	}
	w.Flush()
	trajPath := filepath.Join(*out, "trajectories.csv")
	if err := atomicfile.Write(trajPath, buf.Bytes()); err != nil {
		return err
	}
	if err := atomicfile.WriteJSON(filepath.Join(*out, "replay-config.json"), struct {
		Task   string        `json:"task"`
		Replay replay.Config `json:"replay"`
	}{cfg.Task, rc}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "replay: %d chains × %d steps of %s → %s (measure with: replay metrics --task %s --traj %s)\n",
		rc.Chains, rc.Steps, cfg.Task, trajPath, cfg.Task, trajPath)
	return nil
}
