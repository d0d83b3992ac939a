package claims

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gomlx/gomlx/backends"

	"github.com/replaylab/replay/internal/atomicfile"
	"github.com/replaylab/replay/internal/dirlock"
	"github.com/replaylab/replay/internal/jsonsafe"
	"github.com/replaylab/replay/replaylib/training"
)

// Files and directories of a reproduction's output directory.
const (
	PlanFile = "plan.json" // the units of the run, written first
	UnitsDir = "units"     // one <unit ID>.json per finished unit
)

// Options of a reproduction run.
type Options struct {
	Size    Size             // the budget
	Dir     string           // output directory (plan.json, units/, models/, report.md, metrics.json, figures/)
	Seed    uint64           // the run's seed: every random choice derives from it (Seed)
	Retrain bool             // delete the trained networks and results of this run's units first
	Log     io.Writer        // progress lines (nil: none)
	Backend backends.Backend // the backend every network trains and replays on
	// Shard, when N > 0, runs only shard I of N (see Plan.Shard); once every unit is done, Merge
	// (the replay report command) makes the Result.
	Shard struct{ I, N int }
	// Only, when set, runs only the units of that kind: training first on every shard, then
	// replay (which needs every network of its task trained), as a cluster runs them.
	Only UnitKind
	// Progress, if set, is called as work advances: the fraction of this run's units done and an
	// estimate of the time left.
	Progress func(done float64, left time.Duration)
	// Workers is how many units run at once (0: DefaultWorkers). Every training unit of the run
	// finishes before its replay units start. The results do not depend on it.
	Workers int
	// Ensembles trains the networks of one training condition (they differ only in their seeds)
	// together as one ensemble (training.TrainEnsemble) instead of in turn with one compiled step
	// (training.TrainInTurn, the default: a worker runs a whole condition either way). Each step is
	// the lone network's within float32 rounding, but over a long training the rounding
	// differences grow (most in the networks without a leak), so the networks, and the verdicts
	// judged on them, are not those of a run that trains alone, as they are in turn, bit for bit;
	// docs/benchmarks.md has the measured differences and speed.
	Ensembles bool
}

// DefaultWorkers units run at once: on 2 CPU cores, XLA's CPU client leaves about a third of them
// idle on the quick size's small graphs, and the metrics are single-threaded Go; two units at once
// did 1.4× the work of one per unit of time (docs/benchmarks.md).
const DefaultWorkers = 2

type runner struct {
	opt   Options
	plan  Plan
	units []Unit // the units this run does
	mu    sync.Mutex
	tasks map[string]*taskSetup
	// progress accounting, under pmu
	pmu       sync.Mutex
	start     time.Time
	weights   map[string]float64 // unit ID → modelled cost (unitCost)
	inFlight  map[string]float64 // unit ID → fraction done, for the units running now
	doneCost  float64
	totalCost float64
	// per kind: modelled cost in all and done, and when its first unit started and its last ended
	kindTotal, kindDone map[UnitKind]float64
	kindStart, kindEnd  map[UnitKind]time.Time
	// running counts the units in progress in this process: a unit's measures share the cores
	// with the others (measureWorkers).
	running atomic.Int32
}

// measureWorkers is how many variants a replay unit measures at once: the cores shared among the
// units running now (all of them for the last unit of a run, one each when the workers fill the
// machine).
func (r *runner) measureWorkers() int {
	return max(1, runtime.GOMAXPROCS(0)/max(int(r.running.Load()), 1))
}

// Run executes a reproduction (or one shard of it): it writes plan.json, then every unit not yet
// done in opt.Dir, each to units/<ID>.json atomically, and returns the result when every unit of
// the plan is done (a *PendingError, ErrUnitsPending, when other shards still have work). It writes no report
// (WriteReport, WriteFigures). A unit that fails is logged and the others still run; the error
// then names the first failure.
func Run(ctx context.Context, opt Options) (*Result, error) {
	plan, err := NewPlan(opt.Size, opt.Seed)
	if err != nil {
		return nil, err
	}
	r := &runner{opt: opt, plan: plan, tasks: map[string]*taskSetup{}, start: time.Now()}
	if err := os.MkdirAll(filepath.Join(opt.Dir, UnitsDir, locksDir), 0o755); err != nil {
		return nil, err
	}
	for _, d := range []string{opt.Dir, filepath.Join(opt.Dir, UnitsDir)} { // what a killed run left
		if n, err := atomicfile.CleanStale(d, atomicfile.StaleAge); err == nil && n > 0 {
			r.logf("removed %d temporary file(s) a killed run left in %s", n, d)
		}
	}
	if err := r.writePlan(); err != nil {
		return nil, err
	}
	// A copy: filtering by kind below must not rewrite the plan, which replay units read to find
	// their networks' training units.
	r.units = slices.Clone(plan.Units)
	if opt.Shard.N > 0 {
		if r.units, err = plan.Shard(opt.Shard.I, opt.Shard.N); err != nil {
			return nil, err
		}
	}
	if opt.Only != "" {
		if opt.Only != TrainKind && opt.Only != ReplayKind {
			return nil, fmt.Errorf("only %q: want %q or %q", opt.Only, TrainKind, ReplayKind)
		}
		r.units = slices.DeleteFunc(r.units, func(u Unit) bool { return u.Kind != opt.Only })
	}
	if opt.Retrain {
		for _, u := range r.units {
			os.Remove(unitPath(opt.Dir, u.ID))
			if u.Kind == TrainKind {
				if err := os.RemoveAll(filepath.Join(opt.Dir, ModelsDir, u.ID)); err != nil {
					return nil, err
				}
			}
		}
	}
	r.planCosts()
	var failed []error
	for _, kind := range []UnitKind{TrainKind, ReplayKind} { // replay needs its task's networks
		var batch []Unit
		for _, u := range r.units {
			if u.Kind == kind {
				batch = append(batch, u)
			}
		}
		// Longest first, so that short units fill the gaps at the end instead of one long
		// unit running alone while the other workers idle. Units' results do not depend on
		// their order (each has its own seeds).
		slices.SortStableFunc(batch, func(a, b Unit) int { return cmp.Compare(r.weights[b.ID], r.weights[a.ID]) })
		r.startKind(kind)
		errs, err := r.runPool(ctx, r.jobs(batch))
		r.endKind(kind)
		if err != nil {
			return nil, err
		}
		failed = append(failed, errs...)
	}
	if len(failed) > 0 {
		return nil, fmt.Errorf("%d of %d units failed (the others are kept; rerun to retry them); the first: %w", len(failed), len(r.units), failed[0])
	}
	left, err := Pending(opt.Dir, plan)
	if err != nil {
		return nil, err
	}
	if len(left) > 0 {
		return nil, &PendingError{Left: len(left)}
	}
	return Merge(plan, []string{opt.Dir})
}

// ErrUnitsPending is what Run returns (as a *PendingError) when this run's units are done but
// other units of the plan are not (other shards, or another kind under Options.Only): not a
// failure; merge once they are (Merge, 'replay report').
var ErrUnitsPending = errors.New("units of the plan are not done yet")

// PendingError says how many units of the plan are left; it is ErrUnitsPending.
type PendingError struct {
	Left int
}

func (e *PendingError) Error() string {
	return fmt.Sprintf("%d %s (other shards, or another kind of unit); merge once they are", e.Left, ErrUnitsPending)
}

func (e *PendingError) Is(target error) bool { return target == ErrUnitsPending }

// runPool runs jobs (units run together, see jobs), opt.Workers at a time, in the order of the
// list. It returns the failures of units (each also logged), or the context's error once the run
// is cancelled.
func (r *runner) runPool(ctx context.Context, jobs [][]Unit) (failed []error, err error) {
	workers := r.opt.Workers
	if workers <= 0 {
		workers = DefaultWorkers
	}
	next := make(chan []Unit)
	var (
		mu        sync.Mutex
		cancelled error
		wg        sync.WaitGroup
	)
	for range min(workers, max(len(jobs), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for job := range next {
				errs := r.runJob(ctx, job)
				mu.Lock()
				for i, err := range errs {
					u := job[i]
					switch {
					case err == nil:
					case ctx.Err() != nil || errors.Is(err, context.Canceled):
						if cancelled == nil {
							cancelled = err
						}
					default:
						r.logf("unit %s failed: %v", u.ID, err)
						failed = append(failed, fmt.Errorf("unit %s: %w", u.ID, err))
					}
				}
				mu.Unlock()
				for _, u := range job {
					r.finish(u)
				}
			}
		}()
	}
feed:
	for _, job := range jobs {
		select {
		case next <- job:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if cancelled == nil {
		cancelled = ctx.Err()
	}
	if cancelled != nil {
		return nil, cancelled
	}
	return failed, nil
}

// runJob runs the units of a job: one unit, or the training units of one condition as an
// ensemble. It returns one error per unit (nil: done).
func (r *runner) runJob(ctx context.Context, job []Unit) []error {
	if len(job) > 1 {
		return r.runTrainCondition(ctx, job)
	}
	return []error{r.runUnit(ctx, job[0])}
}

// runUnit runs u unless its result exists, holding the unit's lock so that concurrent shards
// never run one unit twice.
func (r *runner) runUnit(ctx context.Context, u Unit) error {
	path := unitPath(r.opt.Dir, u.ID)
	if done(path) {
		return nil
	}
	lock, err := dirlock.Acquire(lockPath(r.opt.Dir, u.ID), dirlock.Options{Wait: true})
	if err != nil {
		return err
	}
	defer lock.Release()
	if done(path) { // another process finished it while we waited
		return nil
	}
	r.running.Add(1)
	defer r.running.Add(-1)
	r.logf("== %s (%s %s, α=%g, k=%s, network %d)", u.ID, u.Kind, u.Condition.Task, u.Condition.Alpha, MaskName(u.Condition.MaskK), u.Index)
	var result any
	switch u.Kind {
	case TrainKind:
		result, err = r.runTrainUnit(ctx, u)
	case ReplayKind:
		result, err = r.runReplayUnit(ctx, u)
	default:
		err = fmt.Errorf("unknown unit kind %q", u.Kind)
	}
	if err != nil {
		return err
	}
	return r.writeUnit(u, result)
}

// writeUnit writes a unit's result, atomically: the unit is done.
func (r *runner) writeUnit(u Unit, result any) error {
	raw, err := jsonsafe.MarshalIndent(result, "", " ")
	if err != nil {
		return err
	}
	return atomicfile.Write(unitPath(r.opt.Dir, u.ID), raw)
}

func unitPath(dir, id string) string { return filepath.Join(dir, UnitsDir, id+".json") }

// lockPath is the lock a process holds while it runs a unit.
func lockPath(dir, id string) string { return filepath.Join(dir, UnitsDir, locksDir, id+".lock") }

// locksDir holds the unit locks, apart from the results.
const locksDir = ".locks"

// done reports whether a unit result file exists and parses.
func done(path string) bool {
	raw, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	var probe struct {
		Unit Unit `json:"unit"`
	}
	return json.Unmarshal(raw, &probe) == nil && probe.Unit.ID != ""
}

// Pending lists the units of plan whose results are in neither dir nor any of more. Its error is
// always nil.
func Pending(dir string, plan Plan, more ...string) ([]Unit, error) {
	dirs := append([]string{dir}, more...)
	var left []Unit
	for _, u := range plan.Units {
		found := false
		for _, d := range dirs {
			if done(unitPath(d, u.ID)) {
				found = true
				break
			}
		}
		if !found {
			left = append(left, u)
		}
	}
	return left, nil
}

// writePlan writes plan.json, or checks that the one there is this plan.
func (r *runner) writePlan() error {
	path := filepath.Join(r.opt.Dir, PlanFile)
	if raw, err := os.ReadFile(path); err == nil {
		var old Plan
		if json.Unmarshal(raw, &old) == nil && samePlan(old, r.plan) {
			return nil
		}
		if len(old.Units) > 0 && old.Seed != r.plan.Seed {
			return fmt.Errorf("%s holds a run of seed %d, this one is seed %d: use another output directory, or seed %d to go on with it",
				r.opt.Dir, old.Seed, r.plan.Seed, old.Seed)
		}
		// Another size was run here at the same seed: its unit files stay (their IDs differ, and
		// units the two share are reused); the plan is replaced.
	}
	return atomicfile.WriteJSON(path, r.plan)
}

func samePlan(a, b Plan) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

// loadTrain reads a finished training unit.
func (r *runner) loadTrain(id string) (*TrainResult, error) {
	return loadUnit[TrainResult]([]string{r.opt.Dir}, id)
}

func loadUnit[T any](dirs []string, id string) (*T, error) {
	var lastErr error
	for _, d := range dirs {
		raw, err := os.ReadFile(unitPath(d, id))
		if err != nil {
			lastErr = err
			continue
		}
		var v T
		if err := jsonsafe.Unmarshal(raw, &v); err != nil { // a value written as null (not measured) reads as NaN
			return nil, fmt.Errorf("%s: %w (delete it to redo the unit)", unitPath(d, id), err)
		}
		if c, ok := any(&v).(interface{ checkUnit(id string) error }); ok {
			if err := c.checkUnit(id); err != nil {
				return nil, fmt.Errorf("%s: %w (delete it to redo the unit)", unitPath(d, id), err)
			}
		}
		return &v, nil
	}
	return nil, fmt.Errorf("unit %s is not done: %w", id, lastErr)
}

// taskSetup is cached per task (it is the same for every network).
func (r *runner) taskSetup(cfg training.Config) (*taskSetup, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if ts, ok := r.tasks[cfg.Task]; ok {
		return ts, nil
	}
	ts, err := newTaskSetup(cfg, r.plan.Seed)
	if err != nil {
		return nil, err
	}
	r.tasks[cfg.Task] = ts
	return ts, nil
}

func (r *runner) logf(format string, args ...any) {
	if r.opt.Log != nil {
		fmt.Fprintf(r.opt.Log, format+"\n", args...)
	}
}

// planCosts gives every unit of this run a rough relative cost (training steps × hidden², and a
// fixed share per replay variant) so that progress and the time estimate are meaningful.
func (r *runner) planCosts() {
	r.weights = map[string]float64{}
	r.kindTotal, r.kindDone = map[UnitKind]float64{}, map[UnitKind]float64{}
	r.kindStart, r.kindEnd = map[UnitKind]time.Time{}, map[UnitKind]time.Time{}
	for _, u := range r.units {
		w := r.plan.unitCost(u)
		if done(unitPath(r.opt.Dir, u.ID)) {
			w = 0
		}
		r.weights[u.ID] = w
		r.totalCost += w
		r.kindTotal[u.Kind] += w
	}
}

// startKind and endKind mark the start and end of the run's units of one kind (they run one kind
// after the other).
func (r *runner) startKind(k UnitKind) {
	r.pmu.Lock()
	defer r.pmu.Unlock()
	r.kindStart[k] = time.Now()
}

func (r *runner) endKind(k UnitKind) {
	r.pmu.Lock()
	defer r.pmu.Unlock()
	r.kindEnd[k] = time.Now()
}

// progress reports that unit u is a fraction frac done.
func (r *runner) progress(u Unit, frac float64) {
	r.pmu.Lock()
	defer r.pmu.Unlock()
	if r.inFlight == nil {
		r.inFlight = map[string]float64{}
	}
	r.inFlight[u.ID] = frac
	r.report()
}

// finish counts unit u as done.
func (r *runner) finish(u Unit) {
	r.pmu.Lock()
	defer r.pmu.Unlock()
	delete(r.inFlight, u.ID)
	r.doneCost += r.weights[u.ID]
	r.kindDone[u.Kind] += r.weights[u.ID]
	r.report()
}

// report calls opt.Progress with the share of the run's cost done (the units finished and the
// done parts of those running); r.pmu is held.
func (r *runner) report() {
	if r.opt.Progress == nil || r.totalCost == 0 {
		return
	}
	cost := r.doneCost
	kindDone := map[UnitKind]float64{}
	for k, d := range r.kindDone {
		kindDone[k] = d
	}
	for id, frac := range r.inFlight {
		cost += frac * r.weights[id]
		kindDone[unitKindOf(id)] += frac * r.weights[id]
	}
	var kinds []etaKind
	for _, k := range []UnitKind{TrainKind, ReplayKind} {
		ek := etaKind{total: r.kindTotal[k], done: kindDone[k]}
		if start, ok := r.kindStart[k]; ok {
			end, ended := r.kindEnd[k]
			if !ended {
				end = time.Now()
			}
			ek.elapsed = end.Sub(start)
		}
		kinds = append(kinds, ek)
	}
	r.opt.Progress(cost/r.totalCost, timeLeft(kinds))
}

// prefixWriter indents another writer's lines.
type prefixWriter struct {
	w      io.Writer
	prefix string
}

func (p prefixWriter) Write(b []byte) (int, error) {
	if p.w == nil {
		return len(b), nil
	}
	_, err := fmt.Fprintf(p.w, "%s%s", p.prefix, b)
	return len(b), err
}

// unitKindOf is the kind of a unit from its ID ("<kind>-…").
func unitKindOf(id string) UnitKind {
	if strings.HasPrefix(id, string(ReplayKind)+"-") {
		return ReplayKind
	}
	return TrainKind
}
