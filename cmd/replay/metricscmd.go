package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/replaylab/replay/datasets"
	"github.com/replaylab/replay/geom"
	"github.com/replaylab/replay/internal/jsonsafe"
	"github.com/replaylab/replay/internal/sysmem"
	"github.com/replaylab/replay/replaylib/claims"
	"github.com/replaylab/replay/replaylib/metrics"
	"github.com/replaylab/replay/replaylib/replay"
)

// readTrajectories reads a trajectories.csv (chain,t,x,y rows) into traj[chain][t], within the
// memory this machine holds.
func readTrajectories(ctx context.Context, path string) ([][]geom.Point, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	budget, _ := sysmem.Budget()
	return parseTrajectories(ctx, f, path, int(budget/bytesPerPoint))
}

// bytesPerPoint is what a point read costs at most: its 16 bytes, the slices' growth and the
// copies the measures make.
const bytesPerPoint = 64

// maxCSVLine bounds a line of trajectories.csv (a row is a few dozen bytes).
const maxCSVLine = 1 << 12

// parseTrajectories reads chain,t,x,y rows into traj[chain][t]. Every row needs an integer chain
// in [0, replay.MaxChains), an integer t ≥ 0 that goes up by one along its chain, and finite x and
// y; chains must be numbered 0 … n−1 without gaps and have equal numbers of rows; at most
// maxPoints rows. Errors name the input
// and the row; ctx stops a long read.
func parseTrajectories(ctx context.Context, in io.Reader, name string, maxPoints int) ([][]geom.Point, error) {
	r := csv.NewReader(&lineLimit{r: bufio.NewReader(in), max: maxCSVLine})
	r.ReuseRecord = true
	r.FieldsPerRecord = 4
	header, err := r.Read()
	if err != nil || header[0] != "chain" || header[1] != "t" || header[2] != "x" || header[3] != "y" {
		if err == nil || err == io.EOF {
			err = errors.New("want a header chain,t,x,y")
		}
		return nil, fmt.Errorf("%s: line 1: %s", name, oneLine(err.Error()))
	}
	var traj [][]geom.Point
	var lastT []int
	points := 0
	for row := 2; ; row++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %s", name, oneLine(err.Error()))
		}
		if row%(1<<16) == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		c, err1 := strconv.Atoi(rec[0])
		t, err2 := strconv.Atoi(rec[1])
		x, err3 := strconv.ParseFloat(rec[2], 64)
		y, err4 := strconv.ParseFloat(rec[3], 64)
		switch {
		case err1 != nil || err2 != nil || err3 != nil || err4 != nil:
			return nil, fmt.Errorf("%s: row %d is not chain,t,x,y (integers, then numbers)", name, row)
		case c < 0 || c >= replay.MaxChains:
			return nil, fmt.Errorf("%s: row %d: chain %d: must be in [0, %d)", name, row, c, replay.MaxChains)
		case !finite(x) || !finite(y):
			return nil, fmt.Errorf("%s: row %d: position (%s, %s) is not finite", name, row, rec[2], rec[3])
		case t < 0:
			return nil, fmt.Errorf("%s: row %d: t=%d: must be ≥ 0", name, row, t)
		case points >= maxPoints:
			return nil, fmt.Errorf("%s: more than %d rows: more than this machine's memory holds", name, maxPoints)
		}
		for len(traj) <= c {
			traj = append(traj, nil)
			lastT = append(lastT, -1)
		}
		if t <= lastT[c] {
			return nil, fmt.Errorf("%s: row %d: chain %d has t=%d after t=%d (t must increase along a chain)", name, row, c, t, lastT[c])
		}
		if lastT[c] >= 0 && t != lastT[c]+1 {
			return nil, fmt.Errorf("%s: row %d: chain %d jumps from t=%d to t=%d (steps must be consecutive: the measures count rows as steps)", name, row, c, lastT[c], t)
		}
		lastT[c] = t
		traj[c] = append(traj[c], geom.Point{X: x, Y: y})
		points++
	}
	if points == 0 {
		return nil, fmt.Errorf("%s: no rows after the header", name)
	}
	for c, ch := range traj {
		if len(ch) == 0 {
			return nil, fmt.Errorf("%s: chain %d has no rows (chains are numbered 0 … %d)", name, c, len(traj)-1)
		}
		if len(ch) != len(traj[0]) {
			return nil, fmt.Errorf("%s: chain %d has %d steps, chain 0 has %d (the measures compare chains step by step: give every chain the same steps)", name, c, len(ch), len(traj[0]))
		}
	}
	if len(traj[0]) < 2 {
		return nil, fmt.Errorf("%s: every chain has a single row (t = 0): the measures need at least 2 steps per chain", name)
	}
	return traj, nil
}

// lineLimit fails a read once a line grows beyond max bytes (the CSV reader would hold it whole),
// naming the line.
type lineLimit struct {
	r      *bufio.Reader
	max    int
	line   int // bytes of the current line so far
	number int // lines ended so far
}

func (l *lineLimit) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	for i, b := range p[:n] {
		if b == '\n' {
			l.line = 0
			l.number++
			continue
		}
		if l.line++; l.line > l.max {
			return i, fmt.Errorf("line %d: longer than %d bytes (a row is chain,t,x,y)", l.number+1, l.max)
		}
	}
	return n, err
}

func runMetrics(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("metrics", flag.ContinueOnError)
	task := fs.String("task", "", "task whose environment and training paths to compare with: triangle, tmaze or placecells (default: the task recorded in replay-config.json beside --traj, else triangle)")
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
	if st, err := os.Stat(*trajPath); err != nil || st.IsDir() {
		return usagef("--traj %s: not a file", *trajPath)
	}
	recorded, err := recordedTask(*trajPath)
	if err != nil {
		return err
	}
	switch {
	case *task == "" && recorded != "":
		*task = recorded
	case *task == "":
		*task = "triangle"
	case recorded != "" && *task != recorded:
		return usagef("--task %s: the replay beside --traj was of %s (%s); leave --task out or give %s", *task, recorded,
			filepath.Join(filepath.Dir(*trajPath), replayConfigFile), recorded)
	}
	if _, err := datasets.NewDefaultTask(*task); err != nil {
		return usagef("--task: %v", err)
	}
	traj, err := readTrajectories(ctx, *trajPath)
	if err != nil {
		return err
	}
	// Some measures do not check ctx in their inner loops (and grow with the square of the
	// chains' length): an interrupt returns at once and leaves them behind.
	values, err := interruptible(ctx, func() (map[string]float64, error) {
		return claims.Measure(ctx, traj, claims.MeasureOptions{Task: *task, Seed: *seed})
	})
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
		data, err := jsonsafe.MarshalIndent(out, "", "  ")
		if err != nil {
			return err
		}
		_, err = stdout.Write(append(data, '\n'))
		return err
	}
	fmt.Fprintf(stdout, "%d chains of %s replay (%s)\n", len(traj), *task, *trajPath)
	for _, d := range metrics.Catalog {
		if v, ok := values[d.Key]; ok {
			fmt.Fprintf(stdout, "%-40s %10s %s\n", d.Name, d.Fmt(v), d.Unit)
		}
	}
	return nil
}

// replayConfigFile is what 'replay replay' writes beside trajectories.csv: the task, the model and the
// replay's configuration.
const replayConfigFile = "replay-config.json"

// recordedTask returns the task of the replay-config.json beside trajPath, "" when there is none.
func recordedTask(trajPath string) (string, error) {
	path := filepath.Join(filepath.Dir(trajPath), replayConfigFile)
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	var rc struct {
		Task string `json:"task"`
	}
	if err := json.Unmarshal(raw, &rc); err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	return rc.Task, nil
}
