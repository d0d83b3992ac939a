package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/replaylab/replay/datasets"
	"github.com/replaylab/replay/replaylib/claims"
	"github.com/replaylab/replay/replaylib/metrics"
)

// readTrajectories reads chain,t,x,y rows into traj[chain][t].
func readTrajectories(path string) ([][]datasets.Point, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	rows, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(rows) < 2 || len(rows[0]) != 4 || rows[0][0] != "chain" {
		return nil, fmt.Errorf("%s: want a header chain,t,x,y and rows", path)
	}
	var traj [][]datasets.Point
	for i, row := range rows[1:] {
		c, err1 := strconv.Atoi(row[0])
		x, err2 := strconv.ParseFloat(row[2], 64)
		y, err3 := strconv.ParseFloat(row[3], 64)
		if err1 != nil || err2 != nil || err3 != nil || c < 0 {
			return nil, fmt.Errorf("%s: row %d is not chain,t,x,y", path, i+2)
		}
		for len(traj) <= c {
			traj = append(traj, nil)
		}
		traj[c] = append(traj[c], datasets.Point{X: x, Y: y})
	}
	return traj, nil
}

func runMetrics(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("metrics", flag.ContinueOnError)
	task := fs.String("task", "triangle", "task whose environment and training paths to compare with: triangle, tmaze or placecells")
	trajPath := fs.String("traj", "", "trajectories.csv written by 'replay replay' (required unless --describe)")
	seed := fs.Uint64("seed", 1, "seed of the reference training paths and the subsamples")
	format := fs.String("format", "text", "text (one line per metric) or json")
	describe := fs.Bool("describe", false, "print what each metric is and how it is judged (Markdown), and exit")
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	if *describe {
		_, err := io.WriteString(stdout, metrics.CatalogMarkdown())
		return err
	}
	if *trajPath == "" {
		return usagef("--traj: required (a trajectories.csv from 'replay replay')")
	}
	if *format != "text" && *format != "json" {
		return usagef("--format %q: want text or json", *format)
	}
	if _, err := datasets.NewDefaultTask(*task); err != nil {
		return usagef("--task: %v", err)
	}
	traj, err := readTrajectories(*trajPath)
	if err != nil {
		return err
	}
	values, err := claims.Measure(ctx, *task, 0, traj, *seed)
	if err != nil {
		return fmt.Errorf("%s: %w", *trajPath, err)
	}
	if *format == "json" {
		out := map[string]any{"task": *task, "chains": len(traj)}
		for _, d := range metrics.Catalog {
			if v, ok := values[d.Key]; ok {
				out[d.Key] = v
			}
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	fmt.Fprintf(stdout, "%d chains of %s replay (%s)\n", len(traj), *task, *trajPath)
	for _, d := range metrics.Catalog {
		if v, ok := values[d.Key]; ok {
			fmt.Fprintf(stdout, "%-40s %10s %s\n", d.Name, d.Fmt(v), d.Unit)
		}
	}
	return nil
}
