package claims

import (
	"context"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"time"

	"github.com/replaylab/replay/datasets"
	"github.com/replaylab/replay/replaylib/metrics"
	"github.com/replaylab/replay/replaylib/training"
)

// ModelsDir holds the trained networks, one directory per training unit (models/<unit ID>, the ID
// a hash of the configuration and seed), reused by any later run or notebook that asks for the
// same configuration.
const ModelsDir = "models"

// trainingConfig is the training run of a training unit.
func (p Plan) trainingConfig(u Unit) (training.Config, error) {
	s, c := p.Size, u.Condition
	placeCells := 0
	if c.Task == "placecells" {
		placeCells = s.PlaceCells
	}
	cfg, err := training.DefaultConfigWith(c.Task, placeCells)
	if err != nil {
		return cfg, err
	}
	cfg.Model.Hidden, cfg.Steps = s.Hidden, s.TrainSteps
	if c.Task == "placecells" {
		cfg.Model.Hidden, cfg.Steps = s.PlaceHidden, s.PlaceSteps
	}
	cfg.BatchSize, cfg.SeqLen, cfg.MaskK, cfg.LearningRate = s.BatchSize, s.SeqLen, c.MaskK, c.LR
	cfg.LRDecay = training.LRCosine
	cfg.Model.Cell.Alpha, cfg.Model.Cell.NoiseSD = c.Alpha, s.NoiseSD
	cfg.Horizon = s.Horizon
	cfg.Stops = datasets.Stops{Rate: s.StopRate, Steps: s.StopSteps}
	switch c.Task {
	case "triangle":
		cfg.ReversalRate = s.ReversalRate
	case "tmaze":
		cfg.EndDwellSteps = s.EndDwellSteps
	}
	// The same seeds for every condition of network m: conditions differ only in what they vary.
	t := taskIndex(c.Task)
	cfg.WeightSeed = Seed(p.Seed, StreamWeights, t, uint64(u.Index))
	cfg.DataSeed = Seed(p.Seed, StreamTrainData, t, uint64(u.Index))
	cfg.NoiseSeed = Seed(p.Seed, StreamTrainNoise, t, uint64(u.Index))
	cfg.LogEvery = max(1, cfg.Steps/40)
	cfg.CheckpointEvery = max(1, cfg.Steps/4)
	return cfg, cfg.Validate()
}

// TrainResult is a trained network: its configuration and its learning curve, summarised.
type TrainResult struct {
	Unit    Unit                `json:"unit"`    // the training unit
	Config  training.Config     `json:"config"`  // the run it trained
	Dir     string              `json:"dir"`     // relative to the output directory
	History []training.LogEntry `json:"history"` // the learning curve
	// Values holds the catalog's training metrics: final_error, error_auc, steps_to_error,
	// plateau_change, train_seconds (a metric the curve is too short for is absent).
	Values map[string]float64 `json:"values"`
}

// checkUnit returns an error unless the result is unit id's, with its training metrics.
func (t *TrainResult) checkUnit(id string) error {
	if err := t.Unit.is(id, TrainKind); err != nil {
		return err
	}
	if t.Values == nil {
		return errors.New("an incomplete training unit: no metrics")
	}
	return nil
}

// errorThreshold is the decoded error (fraction of the environment size) of steps_to_error.
const errorThreshold = 0.10

// runTrainUnit trains (or resumes, or reuses) the network of u.
func (r *runner) runTrainUnit(ctx context.Context, u Unit) (*TrainResult, error) {
	run, cfg, err := r.openTrainUnit(u)
	if err != nil {
		return nil, err
	}
	if run.GlobalStep() < cfg.Steps {
		if err := run.Train(ctx); err != nil {
			return nil, err
		}
	}
	return r.trainResult(u, cfg, run), nil
}

// openTrainUnit opens (or resumes) the training run of u, reporting to the runner's log and progress.
func (r *runner) openTrainUnit(u Unit) (*training.Run, training.Config, error) {
	cfg, err := r.plan.trainingConfig(u)
	if err != nil {
		return nil, cfg, err
	}
	run, err := training.Open(r.opt.Backend, cfg, filepath.Join(r.opt.Dir, ModelsDir, u.ID))
	if err != nil {
		return nil, cfg, err
	}
	run.Log = prefixWriter{r.opt.Log, fmt.Sprintf("      %s α=%g #%d: ", u.Condition.Task, u.Condition.Alpha, u.Index)} // units may run side by side
	run.OnEvaluate = func(e training.LogEntry) {
		r.progress(u, float64(e.Step)/float64(cfg.Steps))
	}
	return run, cfg, nil
}

// trainResult is the result of u's trained run.
func (r *runner) trainResult(u Unit, cfg training.Config, run *training.Run) *TrainResult {
	res := &TrainResult{Unit: u, Config: cfg, Dir: filepath.Join(ModelsDir, u.ID), History: run.History}
	res.Values = summarizeTraining(run.History, cfg.Steps)
	r.logf("   %s: error %.2f%% of size (late change %+.2f), %.0f s", u.ID, 100*res.Values[metrics.KeyFinalError],
		res.Values[metrics.KeyPlateauChange], res.Values[metrics.KeyTrainSeconds])
	return res
}

// summarizeTraining computes the training metrics of the catalog from a learning curve.
func summarizeTraining(h []training.LogEntry, steps int) map[string]float64 {
	v := map[string]float64{}
	if len(h) == 0 {
		return v
	}
	tenth := func(from, to float64) float64 { // mean error of evaluations with step in (from, to]·steps
		sum, n := 0.0, 0
		for _, e := range h {
			f := float64(e.Step) / float64(max(steps, 1))
			if f > from && f <= to {
				sum += e.PosErrRel
				n++
			}
		}
		if n == 0 {
			return math.NaN()
		}
		return sum / float64(n)
	}
	v[metrics.KeyFinalError] = tenth(0.9, 1)
	prev := tenth(0.8, 0.9)
	v[metrics.KeyPlateauChange] = (v[metrics.KeyFinalError] - prev) / prev
	area := 0.0
	for i := 1; i < len(h); i++ {
		area += 0.5 * (h[i].PosErrRel + h[i-1].PosErrRel) * float64(h[i].Step-h[i-1].Step)
	}
	v[metrics.KeyErrorAUC] = area / float64(max(1, h[len(h)-1].Step-h[0].Step))
	v[metrics.KeyStepsToError] = float64(steps)
	for _, e := range h {
		if e.PosErrRel < errorThreshold {
			v[metrics.KeyStepsToError] = float64(e.Step)
			break
		}
	}
	v[metrics.KeyTrainSeconds] = h[len(h)-1].Seconds
	for k, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			delete(v, k) // not measured (too few evaluations)
		}
	}
	return v
}

// selectLR picks, for one (task, α, k), the learning rate whose networks reach the lowest mean
// final error (ties: the smaller rate). It needs every network of every rate.
func selectLR(results []*TrainResult) (float64, error) {
	byLR := map[float64][]float64{}
	for _, r := range results {
		byLR[r.Unit.Condition.LR] = append(byLR[r.Unit.Condition.LR], r.Values[metrics.KeyFinalError])
	}
	best, bestErr := 0.0, math.Inf(1)
	for lr, errs := range byLR {
		mean := 0.0
		for _, e := range errs {
			mean += e
		}
		mean /= float64(len(errs))
		if mean < bestErr || mean == bestErr && lr < best {
			best, bestErr = lr, mean
		}
	}
	if math.IsInf(bestErr, 1) {
		return 0, fmt.Errorf("no trained network to choose a learning rate from")
	}
	return best, nil
}

// elapsed formats a duration in seconds.
func elapsed(t time.Time) float64 { return time.Since(t).Seconds() }
