package claims

import (
	"github.com/gomlx/gomlx/backends"

	"github.com/replaylab/replay/replaylib/training"
)

// NetworkID names one trained network of a reproduction: its task, its α and its index m
// (1 … Networks), trained at k = ∞ with the learning rate the reproduction chose for them.
type NetworkID struct {
	Task  string
	Alpha float64
	Index int
}

// OpenNetwork opens network id from a reproduction's output directory dir (the run of plan must
// have trained it). Notebooks use it to replay the report's networks.
func OpenNetwork(backend backends.Backend, dir string, plan Plan, id NetworkID) (*training.Run, error) {
	r := &runner{opt: Options{Dir: dir, Backend: backend}, plan: plan}
	u := Unit{Kind: ReplayKind, Condition: Condition{Task: id.Task, Alpha: id.Alpha, MaskK: MaskNone}, Index: id.Index}
	_, _, _, run, err := r.trainedNetwork(u)
	if err != nil {
		return nil, err
	}
	return run, nil
}
