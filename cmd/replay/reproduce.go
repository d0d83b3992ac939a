package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/replaylab/replay/internal/atomicfile"
	"github.com/replaylab/replay/internal/settings"
	"github.com/replaylab/replay/internal/sysmem"
	"github.com/replaylab/replay/replaylib"
	"github.com/replaylab/replay/replaylib/claims"
	"github.com/replaylab/replay/replaylib/replay"
	"github.com/replaylab/replay/replaylib/training"
)

// reproduceSize is the size the flags choose (--quick, --full or --size by name; quick when none
// is given) with the --set overrides applied.
func reproduceSize(quick, full bool, size, set string) (claims.Size, error) {
	name := "quick"
	switch {
	case quick && full:
		return claims.Size{}, usagef("--quick and --full: choose one")
	case full:
		name = "full"
	}
	if size != "" {
		if quick || full {
			return claims.Size{}, usagef("--size with --quick or --full: choose one")
		}
		name = size
	}
	sz, err := claims.SizeByName(name)
	if err != nil {
		return claims.Size{}, usagef("--size: %v", err)
	}
	if err := sz.Set(set); err != nil {
		return claims.Size{}, settingsUsage("--set", err)
	}
	return sz, nil
}

func runReproduce(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("reproduce", flag.ContinueOnError)
	out := fs.String("out", "results", "output directory (plan.json, units/, models/, report.md, metrics.json, figures/)")
	seed := fs.Uint64("seed", 1, "seed of every random stream (weights, data, noise, replay, bootstrap)")
	quick := fs.Bool("quick", false, "the quick subset of the grid, what runs when no size is given: about 12 minutes on 2 CPU cores with XLA (= --size quick)")
	full := fs.Bool("full", false, "the whole grid at the paper's size: for XLA on a GPU (= --size full)")
	size := fs.String("size", "", "size by name: quick (the default), full or tiny (tiny is for tests); --quick and --full are its shorthands")
	set := fs.String("set", "", "overrides, \"key=value;key=value\"; keys: "+claims.SetKeys())
	retrain := fs.Bool("retrain", false, "redo this run's units (delete their trained networks and results first)")
	shard := fs.String("shard", "", "run only shard i of n (\"i/n\"): units i, i+n, … of each kind; merge with 'replay report'")
	only := fs.String("only", "", "run only the units of one kind: train, or replay (needs every network trained)")
	workers := fs.Int("workers", claims.DefaultWorkers, fmt.Sprintf("units run at once, in [1, %d] (the numbers do not depend on it)", maxWorkers))
	ensembles := fs.Bool("ensembles", false, "train the networks of a condition together as one ensemble instead of in turn with one compiled step: faster, each step equal within float32 rounding, but the networks drift apart from those trained alone over a long training (docs/benchmarks.md)")
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	sz, err := reproduceSize(*quick, *full, *size, *set)
	if err != nil {
		return err
	}
	largest, err := sizeFits(sz)
	if err != nil {
		return usagef("%v", err)
	}
	if *workers < 1 || *workers > maxWorkers {
		return usagef("--workers=%d: must be in [1, %d]", *workers, maxWorkers)
	}
	if budget, source := sysmem.Budget(); float64(*workers)*largest > budget {
		n := max(1, int(budget/largest))
		fmt.Fprintf(stdout, "reproduce: %d units at once instead of %d: each needs about %s of the %s of %s\n",
			n, *workers, sysmem.Format(largest), sysmem.Format(budget/0.9), source)
		*workers = n
	}
	if ensemble := ensembleBytes(sz); *ensembles && float64(*workers)*ensemble > budgetBytes() {
		fmt.Fprintf(stdout, "reproduce: training every network alone: an ensemble of %d networks needs about %s per worker\n",
			sz.Networks, sysmem.Format(ensemble))
		*ensembles = false
	}
	opt := claims.Options{Size: sz, Dir: *out, Seed: *seed, Retrain: *retrain, Log: stdout, Workers: *workers, Ensembles: *ensembles}
	if *shard != "" {
		if opt.Shard.I, opt.Shard.N, err = claims.ParseShard(*shard); err != nil {
			return usagef("--%v", err)
		}
	}
	switch *only {
	case "", string(claims.TrainKind), string(claims.ReplayKind):
		opt.Only = claims.UnitKind(*only)
	default:
		return usagef("--only %q: want train or replay", *only)
	}
	if err := checkWritable(*out); err != nil {
		return err
	}
	if opt.Backend, err = replaylib.NewBackend(); err != nil {
		return err
	}
	plan, _ := claims.NewPlan(sz, *seed)
	fmt.Fprintf(stdout, "reproduce: size %s, seed %d, %d units, output %s\n", sz.Name, *seed, len(plan.Units), *out)
	opt.Progress = progressLine(stderr) // progress is status, not output: stdout keeps what the run made
	res, err := claims.Run(ctx, opt)
	if pending, ok := errors.AsType[*claims.PendingError](err); ok {
		fmt.Fprintf(stdout, "reproduce: this run's units are done; %d units of the plan are left (other shards or --only); then: replay report --from %s\n", pending.Left, *out)
		return nil
	}
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("%v; rerun the same command to resume (finished units and checkpoints are kept in %s)", err, *out)
		}
		return err
	}
	return writeResult(res, *out, stdout)
}

// maxWorkers bounds --workers: each running unit holds a network, its optimizer or its replay chains.
const maxWorkers = 64

// sizeFits checks that the largest network of a size trains, and its replays run, within this
// machine's memory (the names in errors are the --set keys), and returns the largest need of one
// unit in bytes.
func sizeFits(sz claims.Size) (largest float64, err error) {
	for _, task := range sz.Tasks {
		cfg, err := sizeTrainingConfig(sz, task)
		if err != nil {
			return 0, fmt.Errorf("tasks: %w", err)
		}
		if err := cfg.CheckFits(); err != nil {
			if task == "placecells" {
				err = errors.New(strings.Replace(err.Error(), "hidden=", "place_hidden=", 1))
			}
			return 0, err
		}
		largest = max(largest, cfg.MemoryBytes())
		est := replayBytes(cfg.Model, 0, 0, 0)
		budget, source := sysmem.Budget()
		for _, chains := range []struct {
			key string
			n   int
		}{{"chains", sz.Chains}, {"sweep_chains", sz.SweepChains}} {
			steps := max(sz.ReplaySteps, sz.SweepSteps)
			with := func(v int) float64 { return est(v, replay.DefaultStepsPerCall, steps) }
			if err := sysmem.Fit("replay", with(chains.n), budget, source, sysmem.Field{Name: chains.key, Value: chains.n, Min: 2, With: with}); err != nil {
				return 0, err
			}
			largest = max(largest, with(chains.n))
		}
	}
	return largest, nil
}

// sizeTrainingConfig is the training run of a size's network of task, as far as its memory goes:
// the task's default run with the size's hidden units (place cells: place_hidden and
// place_cells), batch and window.
func sizeTrainingConfig(sz claims.Size, task string) (training.Config, error) {
	hidden, cells := sz.Hidden, 0
	if task == "placecells" {
		hidden, cells = sz.PlaceHidden, sz.PlaceCells
	}
	cfg, err := training.DefaultConfigWith(task, cells)
	if err != nil {
		return cfg, err
	}
	cfg.Model.Hidden, cfg.BatchSize, cfg.SeqLen = hidden, sz.BatchSize, sz.SeqLen
	return cfg, nil
}

// ensembleBytes is the memory of training one condition's networks as one ensemble: Networks
// times the largest network's training memory.
func ensembleBytes(sz claims.Size) float64 {
	largest := 0.0
	for _, task := range sz.Tasks {
		cfg, err := sizeTrainingConfig(sz, task)
		if err != nil {
			continue // sizeFits has said why
		}
		largest = max(largest, cfg.MemoryBytes())
	}
	return float64(sz.Networks) * largest
}

// budgetBytes is the memory the run may use (sysmem.Budget).
func budgetBytes() float64 {
	b, _ := sysmem.Budget()
	return b
}

// writeResult writes figures, report.md and metrics.json and prints the verdicts.
func writeResult(res *claims.Result, out string, stdout io.Writer) error {
	figures, err := claims.WriteFigures(res, out)
	if err != nil {
		return err
	}
	if err := claims.WriteReport(res, out, figures); err != nil {
		return err
	}
	for _, c := range res.Claims {
		form := ""
		if c.Form != "" {
			form = " (" + c.Form + ")"
		}
		fmt.Fprintf(stdout, "claim %d%-12s %-10s %-12s %s\n", c.ID, form, c.Task, c.Verdict, c.Title)
	}
	held, rev, inc := res.Counts()
	fmt.Fprintf(stdout, "reproduce: %d held, %d reversed, %d inconclusive; %s, %s, %d figures in %s\n", held, rev, inc,
		filepath.Join(out, claims.ReportFile), filepath.Join(out, claims.MetricsFile), len(figures), out)
	return nil
}

// progressLine prints the overall progress and the time left at most every 10 seconds.
func progressLine(w io.Writer) func(float64, time.Duration) {
	var last time.Time
	return func(done float64, left time.Duration) {
		if time.Since(last) < 10*time.Second && done < 1 {
			return
		}
		last = time.Now()
		eta := "estimating"
		if done > 0.02 {
			eta = "about " + left.Round(time.Second).String() + " left"
		}
		fmt.Fprintf(w, "progress: %.0f%% (%s)\n", 100*done, eta)
	}
}

// runReport merges the units of one or more output directories (shards) into one report.
func runReport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	from := fs.String("from", "", "comma-separated output directories holding plan.json and units/ (required)")
	out := fs.String("out", "", "where to write report.md, metrics.json and figures (default: the first --from)")
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	if *from == "" {
		return usagef("--from: required (directories of 'replay reproduce' runs or shards)")
	}
	dirs := strings.Split(*from, ",")
	if *out != "" {
		if err := checkWritable(*out); err != nil {
			return err
		}
	}
	plan, err := readPlan(dirs[0])
	if err != nil {
		return err
	}
	want, _ := json.Marshal(plan)
	for _, d := range dirs[1:] { // every directory must be a shard of the same run, not silently skipped
		other, err := readPlan(d)
		if err != nil {
			return err
		}
		if got, _ := json.Marshal(other); string(got) != string(want) {
			return usagef("--from %s: its plan.json is another run's than %s's (size or seed differ): merge shards of one run", d, dirs[0])
		}
	}
	if *out == "" {
		*out = dirs[0]
	}
	left, err := claims.Pending(dirs[0], plan, dirs[1:]...)
	if err != nil {
		return err
	}
	if len(left) > 0 {
		return fmt.Errorf("%d of %d units are not done (first: %s); run the missing shards or 'replay status %s'", len(left), len(plan.Units), left[0].ID, dirs[0])
	}
	if err := checkWritable(*out); err != nil {
		return err
	}
	res, err := claims.Merge(plan, dirs)
	if err != nil {
		return err
	}
	if *out != dirs[0] {
		if err := atomicfile.WriteJSON(filepath.Join(*out, claims.PlanFile), plan); err != nil {
			return err
		}
	}
	return writeResult(res, *out, stdout)
}

// runStatus lists the units of a run: done, running (locked by a live process), failed or left.
func runStatus(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("status", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stderr, "usage: replay status DIR (an output directory of 'replay reproduce')")
			return err
		}
		return usagef("%v", err)
	}
	if fs.NArg() != 1 {
		return usagef("usage: replay status DIR")
	}
	if err := settings.CheckText(fs.Arg(0)); err != nil {
		return usagef("DIR: %v", err)
	}
	dir := fs.Arg(0)
	plan, err := readPlan(dir)
	if err != nil {
		return err
	}
	st, err := claims.Status(dir, plan)
	if err != nil {
		return err
	}
	counts := map[claims.UnitState]int{}
	for _, u := range st {
		counts[u.State]++
	}
	for _, u := range st {
		if u.State != claims.StateDone {
			fmt.Fprintf(stdout, "%-8s %s\n", u.State, u.Unit.ID)
		}
	}
	fmt.Fprintf(stdout, "status: %d units: %d done, %d running, %d left\n", len(st), counts[claims.StateDone], counts[claims.StateRunning], counts[claims.StateLeft])
	return nil
}

func readPlan(dir string) (claims.Plan, error) {
	var plan claims.Plan
	raw, err := os.ReadFile(filepath.Join(dir, claims.PlanFile))
	if errors.Is(err, os.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		return plan, usagef("%s: not the output of 'replay reproduce' (no %s)", dir, claims.PlanFile)
	}
	if err != nil {
		return plan, fmt.Errorf("%s: not the output of 'replay reproduce' (%w)", dir, err)
	}
	if err := json.Unmarshal(raw, &plan); err != nil {
		return plan, fmt.Errorf("%s: %w", filepath.Join(dir, claims.PlanFile), err)
	}
	return plan, nil
}

// checkWritable fails early, with one clear line, when dir cannot hold results.
func checkWritable(dir string) error {
	if st, err := os.Lstat(dir); err == nil && st.Mode()&os.ModeSymlink != 0 {
		if _, err := os.Stat(dir); err != nil {
			target, _ := os.Readlink(dir)
			return fmt.Errorf("--out %s: a symbolic link to %s, which does not exist (create it, or give another --out)", dir, target)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("--out %s: %w", dir, err)
	}
	// A probe file of its own: shards started at the same moment share the directory.
	probe, err := os.CreateTemp(dir, ".write-probe-*")
	if err != nil {
		return fmt.Errorf("--out %s is not writable: %w", dir, err)
	}
	probe.Close()
	return os.Remove(probe.Name())
}
