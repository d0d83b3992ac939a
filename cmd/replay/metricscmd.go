package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"strconv"

	"github.com/replaylab/replay/datasets"
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

func finite(x float64) any {
	if math.IsInf(x, 0) || math.IsNaN(x) {
		return nil
	}
	return x
}

func runMetrics(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("metrics", flag.ContinueOnError)
	task := fs.String("task", "triangle", "task whose environment and training paths to compare with")
	trajPath := fs.String("traj", "", "trajectories.csv written by 'replay replay' (required)")
	target := fs.String("target", "", "region name for reach times (default: none)")
	seed := fs.Uint64("seed", 1, "seed of the training paths and subsamples")
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	if *trajPath == "" {
		return usagef("--traj: required")
	}
	tk, err := datasets.NewDefaultTask(*task)
	if err != nil {
		return usagef("--task: %v", err)
	}
	env := tk.Env()
	traj, err := readTrajectories(*trajPath)
	if err != nil {
		return err
	}
	batch, _ := datasets.NewBatch(tk, 256, 100, 100)
	rng := rand.New(rand.NewPCG(*seed, 5))
	datasets.Generate(tk, batch, rng)
	active := batch.Paths()
	pts := metrics.Flatten(traj)
	trainPts := metrics.Flatten(active)
	n := min(400, len(pts), len(trainPts))
	w1, _, err := metrics.SubsampledWasserstein(pts, trainPts, 1, n, 1, rng)
	if err != nil {
		return err
	}
	grid, _ := metrics.NewGrid(env, env.Size()/25)
	out := map[string]any{
		"chains": len(traj), "w1": finite(w1), "path_length": finite(metrics.PathLengthPerStep(traj)),
		"compression":        finite(metrics.Compression(traj, active)),
		"coverage":           finite(grid.Coverage(pts)),
		"regions_visited":    finite(metrics.RegionsVisited(traj, env)),
		"increment_autocorr": finite(metrics.IncrementAutocorrelation(traj, 1)),
		"msd_exponent":       finite(metrics.MSDExponent(traj, metrics.LogLags(100, 8))),
		"iat_x":              finite(metrics.IntegratedAutocorrTime(metrics.Coordinate(traj, 0))),
		"occupancy":          metrics.Occupancy(pts, env), "region_names": append(env.RegionNames(), "none"),
	}
	if *target != "" {
		r := env.RegionIndex(*target)
		if r < 0 {
			return usagef("--target %q: not a region of %s (%v)", *target, *task, env.RegionNames())
		}
		s := metrics.ReachTimes(traj, env, r)
		out["reach_median"], out["reach_never"] = finite(s.Median), s.FractionNever
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
