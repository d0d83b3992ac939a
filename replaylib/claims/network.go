package claims

import (
	"fmt"
	"path/filepath"

	"github.com/gomlx/gomlx/backends"

	"github.com/replaylab/replay/replaylib/training"
)

// OpenNetwork opens network index (1 … Networks) of a task and α, trained at k = ∞ with the
// learning rate the reproduction chose, from a reproduction's output directory dir (the run of
// plan must have trained it). Notebooks use it to replay the report's networks.
func OpenNetwork(backend backends.Backend, dir string, plan Plan, task string, alpha float64, index int) (*training.Run, error) {
	r := &runner{opt: Options{Dir: dir, Backend: backend}, plan: plan}
	u := Unit{Kind: ReplayKind, Condition: Condition{Task: task, Alpha: alpha, MaskK: MaskNone}, Index: index}
	tu, _, err := r.chosenTraining(u)
	if err != nil {
		return nil, err
	}
	cfg, err := plan.trainingConfig(tu)
	if err != nil {
		return nil, err
	}
	run, err := training.Open(backend, cfg, filepath.Join(dir, ModelsDir, tu.ID))
	if err != nil {
		return nil, err
	}
	if run.GlobalStep() < cfg.Steps {
		return nil, fmt.Errorf("network %s is trained to step %d of %d", tu.ID, run.GlobalStep(), cfg.Steps)
	}
	return run, nil
}
