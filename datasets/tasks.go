package datasets

import (
	"fmt"
	"slices"
)

// TaskNames lists the tasks NewDefaultTask knows.
// "arena" is the predecessor paper's arena (ArenaParams), a side task: the reproduction's claims
// are judged on the first three.
var TaskNames = []string{"triangle", "tmaze", "placecells", "arena"}

// NewDefaultTask returns the named task with its default parameters.
func NewDefaultTask(name string) (Task, error) {
	switch name {
	case "triangle":
		return NewTriangle(DefaultTriangleParams())
	case "tmaze":
		return NewTMaze(DefaultTMazeParams())
	case "placecells":
		return NewPlaceCells(DefaultPlaceCellParams())
	case "arena":
		return NewArena(ArenaParams())
	}
	return nil, fmt.Errorf("task %q: unknown, want one of %v", name, slices.Clone(TaskNames))
}

// Behaviour changes how the agent of a default task moves, for training that teaches a network to
// hold still: stops on every task, turn-backs on the triangle, longer pauses at the T-maze's ends.
// The zero value leaves the default task as it is. Its fields are flat in JSON (stop_rate,
// stop_steps, reversal_rate, end_dwell_steps), each omitted when zero.
type Behaviour struct {
	Stops // stops anywhere (stop_rate, stop_steps)
	// ReversalRate is the triangle's probability per step of turning back (TriangleParams.ReversalRate).
	ReversalRate float64 `json:"reversal_rate,omitempty"`
	// EndDwellSteps is the T-maze's mean number of extra steps at an end (TMazeParams.DwellSteps);
	// 0 keeps the default, DefaultDwellSteps.
	EndDwellSteps float64 `json:"end_dwell_steps,omitempty"`
}

// NewTaskWith returns the named task with its default parameters changed by b and, on the
// "placecells" or "arena" task, placeCells place cells (0: the default number). A field of b that the task
// does not have (reversal_rate off the triangle, end_dwell_steps off the T-maze) is an error.
func NewTaskWith(name string, b Behaviour, placeCells int) (Task, error) {
	if err := b.Stops.Validate(); err != nil {
		return nil, err
	}
	if b.ReversalRate != 0 && name != "triangle" {
		return nil, fmt.Errorf("reversal_rate=%g: only the triangle task turns back, not %s", b.ReversalRate, name)
	}
	if b.EndDwellSteps != 0 && name != "tmaze" {
		return nil, fmt.Errorf("end_dwell_steps=%g: only the tmaze task dwells at its ends, not %s", b.EndDwellSteps, name)
	}
	if placeCells != 0 && name != "placecells" && name != "arena" {
		return nil, fmt.Errorf("place_cells=%d: only for the placecells and arena tasks, not %s", placeCells, name)
	}
	switch name {
	case "triangle":
		p := DefaultTriangleParams()
		p.Track.Stops = b.Stops
		if !(b.ReversalRate >= 0 && b.ReversalRate <= 1) {
			return nil, fmt.Errorf("reversal_rate=%g: must be in [0, 1] (probability per step)", b.ReversalRate)
		}
		p.ReversalRate = b.ReversalRate
		return NewTriangle(p)
	case "tmaze":
		p := DefaultTMazeParams()
		p.Track.Stops = b.Stops
		if b.EndDwellSteps != 0 {
			if !(b.EndDwellSteps > 0 && b.EndDwellSteps <= MaxStopSteps) {
				return nil, fmt.Errorf("end_dwell_steps=%g: must be in (0, %g] (0: the default %g)", b.EndDwellSteps, float64(MaxStopSteps), DefaultDwellSteps)
			}
			p.DwellSteps = b.EndDwellSteps
		}
		return NewTMaze(p)
	case "placecells", "arena":
		p, build := DefaultPlaceCellParams(), NewPlaceCells
		if name == "arena" {
			p, build = ArenaParams(), NewArena
		}
		p.Stops = b.Stops
		if placeCells != 0 {
			if placeCells < 1 || placeCells > MaxPlaceCells {
				return nil, fmt.Errorf("place_cells=%d: must be in [1, %d]", placeCells, MaxPlaceCells)
			}
			p.NumCells = placeCells
		}
		return build(p)
	}
	return nil, fmt.Errorf("task %q: unknown, want one of %v", name, slices.Clone(TaskNames))
}

// MaxPlaceCells bounds the number of place cells of NewTaskWith (a network's readout is N × cells).
const MaxPlaceCells = 1 << 14
