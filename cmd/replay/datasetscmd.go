package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"

	"github.com/replaylab/replay/datasets"
	"github.com/replaylab/replay/internal/atomicfile"
	"github.com/replaylab/replay/internal/sysmem"
	"github.com/replaylab/replay/replaylib/metrics"
	"github.com/replaylab/replay/replaylib/training"
)

// Bounds of datasets' sizes (whether they fit the machine is checked against its memory and disk).
const (
	maxDatasetPaths = 1 << 30
	maxDatasetSteps = 1 << 20
	// csvPart is the number of paths generated and written at a time by a CSV export.
	csvPart = 1024
)

func runDatasets(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("datasets", flag.ContinueOnError)
	task := fs.String("task", "", "task to export (default: summarise every task)")
	n := fs.Int("n", 8, fmt.Sprintf("number of paths (1 … %d)", maxDatasetPaths))
	steps := fs.Int("steps", 50, fmt.Sprintf("steps per path, T (1 … %d)", maxDatasetSteps))
	k := fs.Int("k", 9, fmt.Sprintf("masking difficulty: observation every k+1 steps (0 … %d)", training.MaxMaskK))
	seed := fs.Uint64("seed", 1, "seed")
	format := fs.String("format", "csv", "export format: csv or json")
	out := fs.String("out", "", "export file (default: standard output)")
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	switch {
	case *format != "csv" && *format != "json":
		return usagef("--format %q: want csv or json", *format)
	case *n < 1 || *n > maxDatasetPaths:
		return usagef("--n %d: want an integer in [1, %d]", *n, maxDatasetPaths)
	case *steps < 1 || *steps > maxDatasetSteps:
		return usagef("--steps %d: want an integer in [1, %d]", *steps, maxDatasetSteps)
	case *k < 0 || *k > training.MaxMaskK:
		return usagef("--k %d: want an integer in [0, %d]", *k, training.MaxMaskK)
	}
	names := datasets.TaskNames
	if *task != "" {
		names = []string{*task}
	}
	tasks := make([]datasets.Task, len(names))
	for i, name := range names {
		tk, err := datasets.NewDefaultTask(name)
		if err != nil {
			return usagef("--task: %v", err)
		}
		tasks[i] = tk
	}
	if err := datasetsFit(tasks, *task == "", *format, *n, *steps, *out); err != nil {
		return usagef("%v", err)
	}
	a := datasetsArgs{n: *n, steps: *steps, k: *k, seed: *seed, format: *format, out: *out}
	if *task == "" {
		return summariseTasks(ctx, a, names, tasks, stdout)
	}
	return exportTask(ctx, a, tasks[0], stdout)
}

// datasetsArgs are the datasets command's checked flags: paths, steps, masking k, seed, and for an
// export its format and file.
type datasetsArgs struct {
	n, steps, k int
	seed        uint64
	format, out string
}

// summariseTasks prints one line per task: its environment and the statistics of --n paths.
func summariseTasks(ctx context.Context, a datasetsArgs, names []string, tasks []datasets.Task, stdout io.Writer) error {
	for i, tk := range tasks {
		if err := ctx.Err(); err != nil {
			return err
		}
		batch, err := datasets.NewBatch(tk, a.n, a.steps, a.k)
		if err != nil {
			return usagef("%v", err)
		}
		if err := datasets.Generate(tk, batch, rand.New(rand.NewPCG(a.seed, 0))); err != nil {
			return err
		}
		paths := batch.Paths()
		env := tk.Env()
		fmt.Fprintf(stdout, "%-10s environment %s: size %.2f, area %.3f, regions %v; %d paths × %d steps: inputs %d, targets %d, mean step %.4f, occupancy %v\n",
			names[i], env.Name, env.Size(), env.Area(), env.RegionNames(), batch.B, batch.T, batch.InputDim, batch.TargetDim,
			metrics.PathLengthPerStep(paths), roundAll(metrics.Occupancy(metrics.Flatten(paths), env)))
	}
	return nil
}

// exportTask writes --n paths of tk as CSV (part by part) or JSON to --out, atomically, or to stdout.
func exportTask(ctx context.Context, a datasetsArgs, tk datasets.Task, stdout io.Writer) error {
	w := stdout
	var file *atomicfile.File
	if a.out != "" {
		f, err := atomicfile.Create(a.out)
		if err != nil {
			return fmt.Errorf("--out: %w", err)
		}
		defer f.Abort()
		file, w = f, f
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	rng := rand.New(rand.NewPCG(a.seed, 0))
	if a.format == "json" {
		batch, err := datasets.NewBatch(tk, a.n, a.steps, a.k)
		if err != nil {
			return usagef("%v", err)
		}
		if err := datasets.Generate(tk, batch, rng); err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := batch.WriteJSON(bw, tk.Env().RegionNames()); err != nil {
			return err
		}
	} else {
		// The paths of one rng drawn part by part are those of the whole batch: write them as
		// they come, so that the export never has to fit in memory.
		for first := 0; first < a.n; first += csvPart {
			if err := ctx.Err(); err != nil {
				return err
			}
			part, err := datasets.NewBatch(tk, min(csvPart, a.n-first), a.steps, a.k)
			if err != nil {
				return usagef("%v", err)
			}
			if err := datasets.Generate(tk, part, rng); err != nil {
				return err
			}
			if first == 0 {
				if err := part.WriteCSVHeader(bw); err != nil {
					return err
				}
			}
			if err := part.WriteCSVRows(bw, tk.Env().RegionNames(), first); err != nil {
				return err
			}
		}
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if file != nil {
		return file.Commit()
	}
	return nil
}

// datasetsFit checks a datasets command's memory (a summary holds every path of a task, a JSON
// export the whole batch and its text, a CSV export one part at a time) and, for a file, its disk.
func datasetsFit(tasks []datasets.Task, summary bool, format string, n, steps int, out string) error {
	obs := 0
	for _, tk := range tasks {
		obs = max(obs, tk.ObsDim())
	}
	in := float64(datasets.VelocityDim + obs)
	memory := func(n, steps int) float64 {
		N, T := float64(n), float64(steps)
		switch {
		case summary:
			return datasets.BatchBytes(obs, n, steps) + 2*16*N*(T+1) + 64<<20
		case format == "json":
			return datasets.BatchBytes(obs, n, steps) + 2*jsonBytes(N, T, in, float64(obs)) + 64<<20
		}
		return 2*datasets.BatchBytes(obs, min(n, csvPart), steps) + 64<<20
	}
	fields := func(est func(n, steps int) float64) []sysmem.Field {
		return []sysmem.Field{
			{Name: "--n", Value: n, Min: 1, With: func(v int) float64 { return est(v, steps) }},
			{Name: "--steps", Value: steps, Min: 1, With: func(v int) float64 { return est(n, v) }},
		}
	}
	budget, source := sysmem.Budget()
	if err := sysmem.Fit("generating the paths", memory(n, steps), budget, source, fields(memory)...); err != nil {
		return err
	}
	if summary || out == "" {
		return nil
	}
	disk := func(n, steps int) float64 {
		if format == "json" {
			return jsonBytes(float64(n), float64(steps), in, float64(obs))
		}
		return float64(n) * float64(steps+1) * datasets.CSVRowBytes(obs)
	}
	if free, ok := sysmem.DiskFree(out); ok {
		return sysmem.FitDisk("writing the export", disk(n, steps), float64(free), out, fields(disk)...)
	}
	return nil
}

// jsonBytes estimates the text of a JSON export (about 12 characters a number).
func jsonBytes(n, steps, in, obs float64) float64 {
	return 12 * n * (steps*(in+obs) + obs + 3*(steps+1))
}

func roundAll(x []float64) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = float64(int(v*100+0.5)) / 100
	}
	return out
}
