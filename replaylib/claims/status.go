package claims

import (
	"errors"
	"os"

	"github.com/replaylab/replay/internal/dirlock"
)

// UnitState is where a unit of a run stands.
type UnitState string

// The states of a unit.
const (
	StateDone    UnitState = "done"    // its result file is written
	StateRunning UnitState = "running" // a live process holds its lock
	StateLeft    UnitState = "left"    // not started, or stopped (a failed or killed unit is left: rerun it)
)

// UnitStatus is a unit and its state.
type UnitStatus struct {
	Unit  Unit      `json:"unit"`
	State UnitState `json:"state"`
}

// Status reports the state of every unit of plan in dir.
func Status(dir string, plan Plan) ([]UnitStatus, error) {
	out := make([]UnitStatus, 0, len(plan.Units))
	for _, u := range plan.Units {
		path := unitPath(dir, u.ID)
		st := UnitStatus{Unit: u, State: StateLeft}
		switch {
		case done(path):
			st.State = StateDone
		default:
			if _, err := os.Stat(lockPath(dir, u.ID)); err == nil {
				l, err := dirlock.Acquire(lockPath(dir, u.ID), dirlock.Options{})
				if errors.Is(err, dirlock.ErrLocked) {
					st.State = StateRunning
				} else if err == nil {
					l.Release()
				}
			}
		}
		out = append(out, st)
	}
	return out, nil
}
