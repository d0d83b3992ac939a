package datasets

import (
	"fmt"
	"math/rand/v2"
)

// Stops are pauses of the agent anywhere in the environment: at each step a moving agent stops
// with probability Rate, and a stopped one stays put for a geometric number of steps with mean
// Steps (it moves on with probability 1/Steps at each step). While stopped its position does not
// change, so the network's velocity input is exactly zero: the input replay gets.
//
// The stop schedule is a two-state Markov chain, started in its stationary state, so a path
// starts stopped with probability StoppedFraction. It is drawn from its own generator, seeded by
// one draw of the path's: the agent's motion between stops is the task's ordinary path, only
// interrupted.
type Stops struct {
	Rate  float64 `json:"stop_rate,omitempty"`  // probability per moving step that a stop begins, in [0, 1)
	Steps float64 `json:"stop_steps,omitempty"` // mean length of a stop in steps, ≥ 1 when Rate > 0
}

// Active reports whether the agent ever stops.
func (s Stops) Active() bool { return s.Rate > 0 }

// Validate returns an error naming the first field out of its allowed range.
func (s Stops) Validate() error {
	switch {
	case !(s.Rate >= 0 && s.Rate < 1):
		return fmt.Errorf("stop_rate=%g: must be in [0, 1) (probability per step)", s.Rate)
	case s.Rate > 0 && !(s.Steps >= 1 && s.Steps <= MaxStopSteps):
		return fmt.Errorf("stop_steps=%g: must be in [1, %g] steps when stop_rate > 0", s.Steps, float64(MaxStopSteps))
	case s.Rate == 0 && !(s.Steps == 0 || s.Steps >= 1 && s.Steps <= MaxStopSteps):
		return fmt.Errorf("stop_steps=%g: must be 0 or in [1, %g] steps", s.Steps, float64(MaxStopSteps))
	}
	return nil
}

// MaxStopSteps bounds the mean stop length.
const MaxStopSteps = 1e6

// StoppedFraction is the stationary fraction of steps the agent is stopped, r·m/(1 + r·m)
// (r = Rate, m = Steps).
func (s Stops) StoppedFraction() float64 {
	if !s.Active() {
		return 0
	}
	return s.Rate * s.Steps / (1 + s.Rate*s.Steps)
}

// stopSchedule draws whether each step t = 1, 2, … is stopped, from its own PCG (no allocation).
type stopSchedule struct {
	pcg     rand.PCG
	stopped bool
	first   bool
	s       Stops
}

func newStopSchedule(s Stops, seed uint64) stopSchedule {
	return stopSchedule{pcg: *rand.NewPCG(seed, 0x5709), first: true, s: s}
}

func (st *stopSchedule) uniform() float64 { return float64(st.pcg.Uint64()>>11) / (1 << 53) }

// next reports whether the next step is stopped.
func (st *stopSchedule) next() bool {
	switch {
	case st.first:
		st.first = false
		st.stopped = st.uniform() < st.s.StoppedFraction()
	case st.stopped:
		st.stopped = st.uniform() >= 1/st.s.Steps
	default:
		st.stopped = st.uniform() < st.s.Rate
	}
	return st.stopped
}

// plan draws the stop schedule's seed from rng and returns it with the number of moving steps
// among the len(pos)−1 steps of a path: the caller fills pos[len(pos)−1−moving:] with an ordinary
// path of that many steps and calls expand.
func (s Stops) plan(pos []Point, rng *rand.Rand) (seed uint64, moving int) {
	seed = rng.Uint64()
	st := newStopSchedule(s, seed)
	for range len(pos) - 1 {
		if !st.next() {
			moving++
		}
	}
	return seed, moving
}

// expand turns the ordinary path of `moving` steps held at the end of pos into the path with
// stops, in place: a stopped step repeats the previous position, a moving step takes the next
// position of the ordinary path. The read index never falls behind the write index, so nothing
// is overwritten before it is read.
func (s Stops) expand(pos []Point, seed uint64, moving int) {
	T := len(pos) - 1
	st := newStopSchedule(s, seed)
	j := T - moving
	pos[0] = pos[j]
	for t := 1; t <= T; t++ {
		if st.next() {
			pos[t] = pos[t-1]
			continue
		}
		j++
		pos[t] = pos[j]
	}
}

// withStops fills pos by walk, interrupted by stops when s is active (walk alone otherwise).
func withStops(s Stops, pos []Point, rng *rand.Rand, walk func(pos []Point, rng *rand.Rand)) {
	if !s.Active() {
		walk(pos, rng)
		return
	}
	seed, moving := s.plan(pos, rng)
	walk(pos[len(pos)-1-moving:], rng)
	s.expand(pos, seed, moving)
}
