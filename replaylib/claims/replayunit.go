package claims

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sync/atomic"
	"time"

	mlctx "github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/replaylab/replay/replaylib/metrics"
	"github.com/replaylab/replay/replaylib/model"
	"github.com/replaylab/replay/replaylib/replay"
	"github.com/replaylab/replay/replaylib/training"
)

// ReplayResult is one trained network replayed with every variant and measured.
type ReplayResult struct {
	Unit         Unit             `json:"unit"`            // the replay unit
	TrainUnit    string           `json:"train_unit"`      // the network's training unit
	LearningRate float64          `json:"learning_rate"`   // the rate chosen for its task and α
	Variants     []*VariantResult `json:"variants"`        // every variant: the core ones, then the sweeps
	Forms        []FormDynamics   `json:"forms,omitempty"` // leak networks only: each form × τ_a
	Hold         *HoldResult      `json:"hold,omitempty"`  // the hold test of the baseline cell
	Seconds      float64          `json:"seconds"`         // wall time of the unit
}

// checkUnit returns an error unless the result is unit id's, with every variant measured.
func (rr *ReplayResult) checkUnit(id string) error {
	if err := rr.Unit.is(id, ReplayKind); err != nil {
		return err
	}
	if len(rr.Variants) == 0 {
		return errors.New("an incomplete replay unit: no variants")
	}
	for i, v := range rr.Variants {
		if v == nil || v.Spec.Name == "" || v.Values == nil {
			return fmt.Errorf("an incomplete replay unit: variant %d has no name or no values", i)
		}
	}
	return nil
}

// Variant returns the result of the named variant, or nil.
func (rr *ReplayResult) Variant(name string) *VariantResult {
	for _, v := range rr.Variants {
		if v.Spec.Name == name {
			return v
		}
	}
	return nil
}

// chosenTraining returns the training unit a replay unit replays: its network index at the
// learning rate chosen for its task and α at k = ∞ (selectLR over every network of every rate).
func (r *runner) chosenTraining(u Unit) (Unit, float64, error) {
	c := u.Condition
	group := r.plan.trainUnits(c.Task, c.Alpha, MaskNone)
	var results []*TrainResult
	for _, tu := range group {
		tr, err := r.loadTrain(tu.ID)
		if err != nil {
			return Unit{}, 0, fmt.Errorf("replay unit %s needs training unit %s: %w", u.ID, tu.ID, err)
		}
		results = append(results, tr)
	}
	lr, err := selectLR(results)
	if err != nil {
		return Unit{}, 0, err
	}
	for _, tu := range group {
		if tu.Condition.LR == lr && tu.Index == u.Index {
			return tu, lr, nil
		}
	}
	return Unit{}, 0, fmt.Errorf("no training unit of network %d at learning rate %g", u.Index, lr)
}

// runReplayUnit replays the network of u with every variant.
func (r *runner) runReplayUnit(ctx context.Context, u Unit) (*ReplayResult, error) {
	t0 := time.Now()
	tu, lr, cfg, run, err := r.trainedNetwork(u)
	if err != nil {
		return nil, err
	}
	ts, err := r.taskSetup(cfg)
	if err != nil {
		return nil, err
	}
	s := r.plan.Size
	st, err := ts.starts(run, s.Chains, r.plan.Seed, u.Index)
	if err != nil {
		return nil, err
	}
	eng, err := replay.FromRun(run)
	if err != nil {
		return nil, err
	}
	untrained, err := r.untrainedEngine(cfg, ts, u)
	if err != nil {
		return nil, err
	}
	noiseSeed := Seed(r.plan.Seed, StreamReplayNoise, taskIndex(ts.name), uint64(u.Index))
	res := &ReplayResult{Unit: u, TrainUnit: tu.ID, LearningRate: lr}
	variants := s.variants(cfg.Model.Cell, u.Condition.Alpha != 1)
	outputs := 0
	if ts.rates != nil {
		outputs = ts.task.ObsDim()
	}
	// Progress in half variants: a variant's replay (done with its batch) and its measures.
	var halves atomic.Int64
	done := func(n int) { r.progress(u, float64(halves.Add(int64(n)))/float64(2*len(variants))) }
	// Every variant of one length and one network in one batch (model.MixedStep), as far as
	// batchBytes allows.
	for _, vs := range batchVariants(variants, outputs) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		e := eng
		if vs[0].Untrained {
			e = untrained
		}
		vrs, err := r.replayVariants(ctx, ts, e, vs, st, noiseSeed, u.Index, done)
		if err != nil {
			return nil, err
		}
		res.Variants = append(res.Variants, vrs...)
	}
	baseline := res.Variant(VariantBaseline)
	if res.Hold, err = holdTest(ctx, eng, ts, st, baseline.Spec.Cell); err != nil {
		return nil, err
	}
	for key, x := range res.Hold.values() {
		baseline.Values[key] = x
	}
	if u.Condition.Alpha != 1 && !s.GateOnly {
		if res.Forms, err = r.formDynamics(ctx, run, ts, st, res); err != nil {
			return nil, err
		}
	}
	res.Seconds = elapsed(t0)
	base := res.Variant(VariantBaseline).Values
	r.logf("   %s: %d variants in %.0f s; baseline W1/floor %.2f, inside %.2f, R̂ %.2f, reached %.2f; hold drift %.3f u at 50 steps, %d fixed points",
		u.ID, len(res.Variants), res.Seconds, base[metrics.KeyW1Ratio], base[metrics.KeyInside], base[metrics.KeyRHatMax], base[metrics.KeyReachFraction],
		base[metrics.KeyHoldDrift50], len(res.Hold.FixedPoints))
	return res, nil
}

// trainedNetwork opens the network replay unit u replays (its task's and α's, at the learning rate
// chosen for them), which must be trained to its last step.
func (r *runner) trainedNetwork(u Unit) (tu Unit, lr float64, cfg training.Config, run *training.Run, err error) {
	if tu, lr, err = r.chosenTraining(u); err != nil {
		return
	}
	if cfg, err = r.plan.trainingConfig(tu); err != nil {
		return
	}
	if run, err = training.Open(r.opt.Backend, cfg, filepath.Join(r.opt.Dir, ModelsDir, tu.ID)); err != nil {
		return
	}
	if run.GlobalStep() < cfg.Steps {
		err = fmt.Errorf("network %s is trained to step %d of %d: run its training unit first", tu.ID, run.GlobalStep(), cfg.Steps)
	}
	return
}

// untrainedEngine replays an untrained network of the same architecture as unit u's (the
// untrained control), its weights drawn from the unit's own stream.
func (r *runner) untrainedEngine(cfg training.Config, ts *taskSetup, u Unit) (*replay.Engine, error) {
	weights := mlctx.New()
	model.InitWeights(weights, cfg.Model, rand.New(rand.NewPCG(Seed(r.plan.Seed, StreamUntrained, taskIndex(ts.name), uint64(u.Index)), 1)))
	return replay.New(r.opt.Backend, cfg.Model, weights, ts.task)
}
