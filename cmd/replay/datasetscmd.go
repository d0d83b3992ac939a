package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"

	"github.com/replaylab/replay/datasets"
	"github.com/replaylab/replay/internal/atomicfile"
	"github.com/replaylab/replay/replaylib/metrics"
)

func runDatasets(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("datasets", flag.ContinueOnError)
	task := fs.String("task", "", "task to export (default: summarise every task)")
	n := fs.Int("n", 8, "number of paths")
	steps := fs.Int("steps", 50, "steps per path (T)")
	k := fs.Int("k", 9, "masking difficulty: observation every k+1 steps")
	seed := fs.Uint64("seed", 1, "seed")
	format := fs.String("format", "csv", "export format: csv or json")
	out := fs.String("out", "", "export file (default: standard output)")
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	if *format != "csv" && *format != "json" {
		return usagef("--format %q: want csv or json", *format)
	}
	names := datasets.TaskNames
	if *task != "" {
		names = []string{*task}
	}
	for _, name := range names {
		tk, err := datasets.NewDefaultTask(name)
		if err != nil {
			return usagef("--task: %v", err)
		}
		batch, err := datasets.NewBatch(tk, *n, *steps, *k)
		if err != nil {
			return usagef("%v", err)
		}
		if err := datasets.Generate(tk, batch, rand.New(rand.NewPCG(*seed, 0))); err != nil {
			return err
		}
		if *task == "" {
			paths := batch.Paths()
			env := tk.Env()
			fmt.Fprintf(stdout, "%-10s environment %s: size %.2f, area %.3f, regions %v; %d paths × %d steps: inputs %d, targets %d, mean step %.4f, occupancy %v\n",
				name, env.Name, env.Size(), env.Area(), env.RegionNames(), batch.B, batch.T, batch.InputDim, batch.TargetDim,
				metrics.PathLengthPerStep(paths), roundAll(metrics.Occupancy(metrics.Flatten(paths), env)))
			continue
		}
		var buf bytes.Buffer
		if *format == "csv" {
			err = batch.WriteCSV(&buf, tk.Env().RegionNames())
		} else {
			err = batch.WriteJSON(&buf, tk.Env().RegionNames())
		}
		if err != nil {
			return err
		}
		if *out == "" {
			_, err = stdout.Write(buf.Bytes())
			return err
		}
		return atomicfile.Write(*out, buf.Bytes())
	}
	return nil
}

func roundAll(x []float64) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = float64(int(v*100+0.5)) / 100
	}
	return out
}
