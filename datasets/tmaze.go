package datasets

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// TMazeMode selects how T-maze paths move (a string so that it reads well in configs and logs).
type TMazeMode string

const (
	// TMazeAlternation (the default): each path is a window of a stationary walk on the T's
	// centreline that dwells at the ends, turns back, and at the junction mostly goes from one arm
	// into the other (rules in the package doc).
	TMazeAlternation TMazeMode = "alternation"
	// TMazeRuns makes each path run from the stem base through the junction to the end of one arm
	// and stay there, with its offset jitter, for the rest of the path (the task's first form).
	TMazeRuns TMazeMode = "runs"
)

// TMazeModes lists the modes NewTMaze accepts.
var TMazeModes = []TMazeMode{TMazeAlternation, TMazeRuns}

// TMazeParams configures the T-maze task: a vertical stem from y = 0 to StemLength, then a
// horizontal crossbar whose arms reach ArmLength beyond the stem's walls on either side.
// The centreline runs from the stem base S = (0, w/2) up to the junction J = (0, StemLength + w/2)
// and on to the arm ends L = (−ArmLength, J.y) and R = (ArmLength, J.y), w = Track.Width.
type TMazeParams struct {
	StemLength float64     // length of the stem, environment units; > Track.Width
	ArmLength  float64     // length of each arm beyond the stem's walls, environment units; > Track.Width
	Track      TrackParams // corridor width and motion
	// Mode is TMazeAlternation or TMazeRuns; "" means TMazeAlternation.
	Mode TMazeMode
	// LeftProbability, in [0, 1], is the chance of turning into the left arm at the junction
	// when coming up the stem (in both modes; 0.5: balanced).
	LeftProbability float64
	// AlternationProbability, in [0, 1], is the chance that the alternation walk, at the junction
	// coming back from an arm, goes into the other arm rather than down the stem.
	AlternationProbability float64
	// DwellSteps, a finite number ≥ 0, is the mean number of steps the alternation walk stays at an
	// end (S, L or R) after the step that reaches it, before it turns back; the number is geometric.
	DwellSteps float64
}

// Default T-maze geometry in environment units, and the alternation walk's choices.
const (
	DefaultStemLength      = 1.0
	DefaultArmLength       = 0.5
	DefaultLeftProbability = 0.5
	// DefaultAlternationProbability makes three of four junction passages from an arm go on into the
	// other arm, so the other arm, the reach target of replay, is the usual next place, while one in
	// four returns down the stem and keeps the stem visited (a third of the moving time).
	DefaultAlternationProbability = 0.75
	// DefaultDwellSteps is a short pause at the ends (mean 3 extra steps, 4 positions at the end
	// in all): the turn-around is visible without the path sitting still for long.
	DefaultDwellSteps = 3.0
)

// DefaultTMazeParams returns the default T-maze task: the alternation walk.
func DefaultTMazeParams() TMazeParams {
	return TMazeParams{StemLength: DefaultStemLength, ArmLength: DefaultArmLength,
		Track: DefaultTrackParams(), Mode: TMazeAlternation, LeftProbability: DefaultLeftProbability,
		AlternationProbability: DefaultAlternationProbability, DwellSteps: DefaultDwellSteps}
}

// Region names of the T-maze.
const (
	RegionStem     = "stem"
	RegionJunction = "junction"
	RegionLeftArm  = "left arm"
	RegionRightArm = "right arm"
)

// The T-maze's centreline edges, numbered as the segments of its skeleton; distances along an edge
// are measured from the junction J.
const (
	tmStem  = 0 // J → S
	tmLeft  = 1 // J → L
	tmRight = 2 // J → R
)

// TMaze is the T-maze task; see TMazeMode for its two kinds of path.
type TMaze struct {
	params      TMazeParams
	left, right polyline // TMazeRuns: S → J → L and S → J → R
	junction    Point
	edgeDir     [3]Point   // unit vector from J toward the end of each edge
	edgeLen     [3]float64 // length of each edge
	startWeight [3]float64 // cumulative stationary probability of being on or at the end of each edge
	leave       float64    // probability per step of leaving an end: 1 / (1 + DwellSteps)
	env         *Environment
}

// NewTMaze validates params and builds the task.
func NewTMaze(params TMazeParams) (*TMaze, error) {
	if err := params.Track.validate(); err != nil {
		return nil, err
	}
	if params.Mode == "" {
		params.Mode = TMazeAlternation
	}
	w := params.Track.Width
	switch {
	case !(params.StemLength > w):
		return nil, fmt.Errorf("StemLength=%g: must be > Track.Width=%g", params.StemLength, w)
	case !(params.ArmLength > w):
		return nil, fmt.Errorf("ArmLength=%g: must be > Track.Width=%g", params.ArmLength, w)
	case params.Mode != TMazeAlternation && params.Mode != TMazeRuns:
		return nil, fmt.Errorf("Mode=%q: must be one of %q", params.Mode, TMazeModes)
	case !(params.LeftProbability >= 0 && params.LeftProbability <= 1):
		return nil, fmt.Errorf("LeftProbability=%g: must be in [0, 1]", params.LeftProbability)
	case !(params.AlternationProbability >= 0 && params.AlternationProbability <= 1):
		return nil, fmt.Errorf("AlternationProbability=%g: must be in [0, 1]", params.AlternationProbability)
	case !(params.DwellSteps >= 0) || math.IsInf(params.DwellSteps, 1):
		return nil, fmt.Errorf("DwellSteps=%g: must be a finite number ≥ 0 (mean steps at an end)", params.DwellSteps)
	}
	h, ls, la := w/2, params.StemLength, params.ArmLength
	boundary := Polygon{{X: -h, Y: 0}, {X: h, Y: 0}, {X: h, Y: ls}, {X: h + la, Y: ls}, {X: h + la, Y: ls + w}, {X: -h - la, Y: ls + w}, {X: -h - la, Y: ls}, {X: -h, Y: ls}}
	regions := []Region{
		{Name: RegionStem, Area: rect(-h, 0, h, ls)},
		{Name: RegionJunction, Area: rect(-h, ls, h, ls+w)},
		{Name: RegionLeftArm, Area: rect(-h-la, ls, -h, ls+w)},
		{Name: RegionRightArm, Area: rect(h, ls, h+la, ls+w)},
	}
	env, err := NewEnvironment("tmaze", boundary, nil, regions)
	if err != nil {
		return nil, err
	}
	start, junction := Point{X: 0, Y: h}, Point{X: 0, Y: ls + h}
	leftEnd, rightEnd := Point{X: -la, Y: ls + h}, Point{X: la, Y: ls + h}
	err = env.SetSkeleton(
		[]Segment{{A: start, B: junction}, {A: junction, B: leftEnd}, {A: junction, B: rightEnd}},
		[]End{{Name: RegionStem, At: start}, {Name: RegionLeftArm, At: leftEnd}, {Name: RegionRightArm, At: rightEnd}})
	if err != nil {
		return nil, err
	}
	tm := &TMaze{
		params:   params,
		left:     newPolyline(false, start, junction, leftEnd),
		right:    newPolyline(false, start, junction, rightEnd),
		junction: junction,
		edgeDir:  [3]Point{{X: 0, Y: -1}, {X: -1, Y: 0}, {X: 1, Y: 0}},
		edgeLen:  [3]float64{ls, la, la},
		leave:    1 / (1 + params.DwellSteps),
		env:      env,
	}
	// Stationary start (package doc): edge e carries n_e visits to its end per unit time, each
	// taking visitSteps(e) steps.
	rates := params.visitRates()
	total := 0.0
	for e := range 3 {
		total += rates[e] * tm.visitSteps(e)
		tm.startWeight[e] = total
	}
	for e := range 3 {
		tm.startWeight[e] /= total
	}
	return tm, nil
}

// visitRates returns the relative rates (n_S, n_L, n_R) at which the alternation walk visits the
// ends S, L, R, from the junction balance n_L = p·n_S + a·n_R, n_R = (1−p)·n_S + a·n_L,
// n_S = (1−a)(n_L + n_R), with p = LeftProbability and a = AlternationProbability.
func (p TMazeParams) visitRates() [3]float64 {
	a, l := p.AlternationProbability, p.LeftProbability
	return [3]float64{1 - a*a, l + a*(1-l), (1 - l) + a*l}
}

// visitPhases returns the mean numbers of positions of one visit to the end of edge e: on the way
// out (ℓ/μ), at the end (1 + D: the step that arrives, then the dwell) and on the way back
// (ℓ/μ − ½: the first step back leaves from the end itself, so on average half a step is missing).
func (tm *TMaze) visitPhases(e int) (out, end, in float64) {
	out = tm.edgeLen[e] / tm.params.Track.MeanSpeed
	return out, 1 + tm.params.DwellSteps, math.Max(0, out-0.5)
}

// visitSteps is the mean number of positions of one visit to the end of edge e.
func (tm *TMaze) visitSteps(e int) float64 {
	out, end, in := tm.visitPhases(e)
	return out + end + in
}

// ExpectedArmAlternationRate returns the fraction of consecutive arm visits of the alternation walk
// that are in different arms: with x = a + (1−a)(1−p) the chance that a visit to the left arm is
// followed by one to the right arm and y = a + (1−a)·p the reverse, the arm sequence is a two-state
// Markov chain that alternates at the rate 2xy / (x + y) (= x when p = ½).
func (p TMazeParams) ExpectedArmAlternationRate() float64 {
	a, l := p.AlternationProbability, p.LeftProbability
	x, y := a+(1-a)*(1-l), a+(1-a)*l
	return 2 * x * y / (x + y)
}

// Name returns "tmaze".
func (tm *TMaze) Name() string { return "tmaze" }

// Env returns the T-shaped environment.
func (tm *TMaze) Env() *Environment { return tm.env }

// Params returns the task's parameters, defaults filled in.
func (tm *TMaze) Params() TMazeParams { return tm.params }

// ObsDim is 2: the observation is the position.
func (tm *TMaze) ObsDim() int { return 2 }

// Observe writes p into dst.
func (tm *TMaze) Observe(p Point, dst []float32) { observePosition(p, dst) }

// Decode reads a position from a 2D observation.
func (tm *TMaze) Decode(obs []float32) Point { return Point{X: float64(obs[0]), Y: float64(obs[1])} }

// Paths fills pos with a path of the task's mode: a window of the alternation walk, or a run from
// the stem base into the left or right arm; stopping as Track.Stops says.
func (tm *TMaze) Paths(pos []Point, rng *rand.Rand) {
	withStops(tm.params.Track.Stops, pos, rng, tm.walkPlain)
}

func (tm *TMaze) walkPlain(pos []Point, rng *rand.Rand) { tm.walk(pos, nil, rng) }

func (tm *TMaze) walk(pos []Point, trace *walkTrace, rng *rand.Rand) {
	if tm.params.Mode == TMazeRuns {
		tm.run(pos, trace, rng)
		return
	}
	tm.alternate(pos, trace, rng)
}

// run is the TMazeRuns path; it reports whether it went left.
func (tm *TMaze) run(pos []Point, trace *walkTrace, rng *rand.Rand) (left bool) {
	line := tm.right
	if left = rng.Float64() < tm.params.LeftProbability; left {
		line = tm.left
	}
	tm.params.Track.follow(line, 0, 1, 0, pos, trace, rng)
	return left
}

// tmazeWalker is the state of the alternation walk: on edge `edge` at distance u from the
// junction, moving outward (dir +1), inward (dir −1), or dwelling at the edge's end (dir 0).
type tmazeWalker struct {
	edge int
	u    float64
	dir  int8
}

// start draws the walker from the (approximately) stationary distribution of the package doc:
// an edge with probability ∝ n_e·visitSteps(e), then a uniform phase of one visit to its end
// (visitPhases): outward at u uniform on [0, ℓ), dwelling at the end, or inward at u uniform
// on [0, ℓ − μ/2).
func (tm *TMaze) start(rng *rand.Rand) tmazeWalker {
	r := rng.Float64()
	e := 0
	for e < 2 && r >= tm.startWeight[e] {
		e++
	}
	mu, l := tm.params.Track.MeanSpeed, tm.edgeLen[e]
	out, end, in := tm.visitPhases(e)
	v := rng.Float64() * (out + end + in)
	switch {
	case v < out:
		return tmazeWalker{edge: e, u: v * mu, dir: 1}
	case v < out+end:
		return tmazeWalker{edge: e, u: l, dir: 0}
	default:
		return tmazeWalker{edge: e, u: (v - out - end) * mu, dir: -1}
	}
}

// move advances the walker by d along the centreline. Reaching an end stops it there, dwelling
// (the rest of d is dropped); reaching the junction from edge e it takes the next edge by
// tm.choose and carries on with the rest of d.
func (tm *TMaze) move(w *tmazeWalker, d float64, rng *rand.Rand) {
	for {
		if w.dir > 0 {
			if l := tm.edgeLen[w.edge]; w.u+d >= l {
				w.u, w.dir = l, 0
			} else {
				w.u += d
			}
			return
		}
		if w.u > d {
			w.u -= d
			return
		}
		d -= w.u
		w.edge, w.u, w.dir = tm.choose(w.edge, rng), 0, 1
	}
}

// choose returns the edge taken at the junction by a walker arriving along edge from: from the
// stem, the left arm with probability LeftProbability; from an arm, the other arm with probability
// AlternationProbability, else the stem. One uniform draw.
func (tm *TMaze) choose(from int, rng *rand.Rand) int {
	r := rng.Float64()
	switch {
	case from == tmStem && r < tm.params.LeftProbability:
		return tmLeft
	case from == tmStem:
		return tmRight
	case r < tm.params.AlternationProbability:
		return tmLeft + tmRight - from
	}
	return tmStem
}

func (tm *TMaze) point(w tmazeWalker) Point {
	return tm.junction.Add(tm.edgeDir[w.edge].Scale(w.u))
}

// alternate fills pos with a window of the alternation walk.
func (tm *TMaze) alternate(pos []Point, trace *walkTrace, rng *rand.Rand) {
	w := tm.start(rng)
	m := tm.params.Track.newMotion(rng)
	pos[0] = tm.point(w).Add(m.off)
	for t := 1; t < len(pos); t++ {
		d := m.step(rng)
		if w.dir == 0 && (tm.leave >= 1 || rng.Float64() < tm.leave) {
			w.dir = -1 // turn back
		}
		trace.record(t, d, w.dir) // +1 out, −1 in (at the step's start), 0 dwelling
		if w.dir != 0 {
			tm.move(&w, d, rng)
		}
		pos[t] = tm.point(w).Add(m.off)
	}
}

// ReachTargets are the arm the start is not in, or both arms from the stem.
func (tm *TMaze) ReachTargets(start Point) []int {
	env := tm.Env()
	left, right := env.RegionIndex(RegionLeftArm), env.RegionIndex(RegionRightArm)
	switch env.NearestEnd(start) {
	case RegionLeftArm:
		return []int{right}
	case RegionRightArm:
		return []int{left}
	}
	return []int{left, right}
}
