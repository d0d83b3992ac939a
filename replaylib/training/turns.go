package training

import (
	stdctx "context"
	"fmt"

	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// TrainInTurn trains runs of one configuration that differ only in their seeds one after another
// with one compiled training step, the first run's: for its turn, each later run's state (weights,
// Adam's moments, noise generator, step and, for windowed runs, the carried state) is loaded into
// the first run's context and trained there on the run's own data, and handed back to the run
// for its evaluations and checkpoints. The graph, the data and the noise are those of each run
// trained alone, so the numbers are too, bit for bit; what the runs share is the compilation of
// the step (seconds per run at the quick size, a good part of a short training). The first run's
// own state is restored at the end. Runs may stand at different steps (finished ones are skipped).
// A run's wall time in its history is its own turn's.
func TrainInTurn(ctx stdctx.Context, runs []*Run) error {
	if err := sameConfig(runs); err != nil {
		return fmt.Errorf("%w: %v", ErrNotEnsemble, err)
	}
	engine := runs[0]
	if err := engine.Train(ctx); err != nil {
		return err
	}
	own := context.New()
	if err := copyState(own, engine.ctx); err != nil {
		return err
	}
	for _, r := range runs[1:] {
		if r.GlobalStep() >= r.Config.Steps {
			continue
		}
		if err := copyState(engine.ctx, r.ctx); err != nil {
			return err
		}
		if err := r.trainWith(ctx, engine); err != nil {
			return fmt.Errorf("training %s: %w", r.Dir, err)
		}
	}
	return copyState(engine.ctx, own)
}

// takeState copies engine's training state into r's context (nothing when engine is r).
func (r *Run) takeState(engine *Run) error {
	if engine == r {
		return nil
	}
	return copyState(r.ctx, engine.ctx)
}

// copyState makes dst hold src's training state: every variable of src (but GoMLX's moving-average
// metrics) is copied into dst, created where dst lacks it; every variable of dst that src lacks
// (Adam's moments and step counters before src's first step) is set to zero, as a fresh run has
// them.
func copyState(dst, src *context.Context) error {
	for v := range dst.IterVariables() {
		if skipVariable(v.Scope()) || src.GetVariableByScopeAndName(v.Scope(), v.Name()) != nil {
			continue
		}
		if err := v.SetValue(tensors.FromShape(v.Shape())); err != nil {
			return err
		}
	}
	for v := range src.IterVariables() {
		if skipVariable(v.Scope()) {
			continue
		}
		value, err := v.Value()
		if err != nil {
			return err
		}
		clone, err := value.LocalClone()
		if err != nil {
			return err
		}
		if dv := dst.GetVariableByScopeAndName(v.Scope(), v.Name()); dv != nil {
			if err := dv.SetValue(clone); err != nil {
				return err
			}
			continue
		}
		dst.InAbsPath(v.Scope()).Checked(false).VariableWithValue(v.Name(), clone).SetTrainable(v.Trainable)
	}
	return nil
}
