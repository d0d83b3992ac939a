package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/replaylab/replay/replaylib"
	"github.com/replaylab/replay/replaylib/atomicfile"
	"github.com/replaylab/replay/replaylib/claims"
)

func runReproduce(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("reproduce", flag.ContinueOnError)
	out := fs.String("out", "results", "output directory (models/, report.md, metrics.json, figures/)")
	seed := fs.Uint64("seed", 1, "seed of weights, data, noise and replay")
	quick := fs.Bool("quick", false, "quick size: minutes on 2 CPU cores (the default)")
	full := fs.Bool("full", false, "paper size: for XLA on a GPU")
	size := fs.String("size", "", "size by name: quick, full or tiny (tiny is for tests)")
	set := fs.String("set", "", "overrides, \"key=value;key=value\"; keys: "+claims.SetKeys())
	retrain := fs.Bool("retrain", false, "retrain models even if trained checkpoints exist in --out")
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	name := "quick"
	switch {
	case *quick && *full:
		return usagef("--quick and --full: choose one")
	case *full:
		name = "full"
	}
	if *size != "" {
		if *quick || *full {
			return usagef("--size with --quick or --full: choose one")
		}
		name = *size
	}
	sz, err := claims.SizeByName(name)
	if err != nil {
		return usagef("--size: %v", err)
	}
	if err := sz.Set(*set); err != nil {
		return usagef("%v", err)
	}
	for _, t := range sz.Tasks {
		if t != "triangle" && t != "tmaze" {
			return usagef("--set tasks: %q, reproduce runs the 2D tasks triangle and tmaze", t)
		}
	}
	if err := checkWritable(*out); err != nil {
		return err
	}
	backend, err := replaylib.NewBackend()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "reproduce: size %s, seed %d, output %s\n", sz.Name, *seed, *out)
	res, err := claims.Run(ctx, claims.Options{Size: sz, Dir: *out, Seed: *seed, Retrain: *retrain, Log: stdout, Backend: backend})
	if err != nil {
		return err
	}
	figures, err := claims.WriteFigures(res, *out)
	if err != nil {
		return err
	}
	if err := claims.WriteReport(res, *out, figures); err != nil {
		return err
	}
	held := 0
	for _, c := range res.Claims {
		if c.Held {
			held++
		}
		fmt.Fprintf(stdout, "claim %d %-8s %-5v %s\n", c.ID, c.Task, c.Held, c.Title)
	}
	fmt.Fprintf(stdout, "reproduce: %d of %d claims held; %s, %s, %d figures in %s (%.0f s)\n", held, len(res.Claims),
		filepath.Join(*out, claims.ReportFile), filepath.Join(*out, claims.MetricsFile), len(figures), *out, res.Seconds)
	return nil
}

// checkWritable fails early, with one clear line, when dir cannot hold results.
func checkWritable(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("--out %s: %w", dir, err)
	}
	probe := filepath.Join(dir, ".write-probe")
	if err := atomicfile.Write(probe, []byte("ok")); err != nil {
		return fmt.Errorf("--out %s is not writable: %w", dir, err)
	}
	return os.Remove(probe)
}
