package datasets

import (
	"fmt"
	"math/rand/v2"
)

// TMazeParams configures the T-maze task: a vertical stem from y = 0 to StemLength, then a
// horizontal crossbar whose arms reach ArmLength beyond the stem's walls on either side.
type TMazeParams struct {
	StemLength float64
	ArmLength  float64
	Track      TrackParams
	// LeftProbability is the chance that a path turns into the left arm (0.5: balanced).
	LeftProbability float64
}

// Default T-maze geometry in environment units.
const (
	DefaultStemLength      = 1.0
	DefaultArmLength       = 0.5
	DefaultLeftProbability = 0.5
)

// DefaultTMazeParams returns the default T-maze task.
func DefaultTMazeParams() TMazeParams {
	return TMazeParams{StemLength: DefaultStemLength, ArmLength: DefaultArmLength,
		Track: DefaultTrackParams(), LeftProbability: DefaultLeftProbability}
}

// Region names of the T-maze.
const (
	RegionStem     = "stem"
	RegionJunction = "junction"
	RegionLeftArm  = "left arm"
	RegionRightArm = "right arm"
)

// TMaze is the T-maze task: from the stem base to the junction, then to the end of one arm,
// where the agent stays (with its offset jitter) for the rest of the path.
type TMaze struct {
	params      TMazeParams
	left, right polyline
	env         *Environment
}

// NewTMaze validates params and builds the task.
func NewTMaze(params TMazeParams) (*TMaze, error) {
	if err := params.Track.validate(); err != nil {
		return nil, err
	}
	w := params.Track.Width
	switch {
	case !(params.StemLength > w):
		return nil, fmt.Errorf("StemLength=%g: must be > Track.Width=%g", params.StemLength, w)
	case !(params.ArmLength > w):
		return nil, fmt.Errorf("ArmLength=%g: must be > Track.Width=%g", params.ArmLength, w)
	case !(params.LeftProbability >= 0 && params.LeftProbability <= 1):
		return nil, fmt.Errorf("LeftProbability=%g: must be in [0, 1]", params.LeftProbability)
	}
	h, ls, la := w/2, params.StemLength, params.ArmLength
	boundary := Polygon{{-h, 0}, {h, 0}, {h, ls}, {h + la, ls}, {h + la, ls + w}, {-h - la, ls + w}, {-h - la, ls}, {-h, ls}}
	regions := []Region{
		{RegionStem, rect(-h, 0, h, ls)},
		{RegionJunction, rect(-h, ls, h, ls+w)},
		{RegionLeftArm, rect(-h-la, ls, -h, ls+w)},
		{RegionRightArm, rect(h, ls, h+la, ls+w)},
	}
	env, err := NewEnvironment("tmaze", boundary, nil, regions)
	if err != nil {
		return nil, err
	}
	start, junction := Point{0, h}, Point{0, ls + h}
	leftEnd, rightEnd := Point{-la, ls + h}, Point{la, ls + h}
	err = env.SetSkeleton(
		[]Segment{{start, junction}, {junction, leftEnd}, {junction, rightEnd}},
		[]End{{RegionStem, start}, {RegionLeftArm, leftEnd}, {RegionRightArm, rightEnd}})
	if err != nil {
		return nil, err
	}
	return &TMaze{
		params: params,
		left:   newPolyline(false, start, junction, Point{-la, ls + h}),
		right:  newPolyline(false, start, junction, Point{la, ls + h}),
		env:    env,
	}, nil
}

// Name returns "tmaze".
func (tm *TMaze) Name() string { return "tmaze" }

// Env returns the T-shaped environment.
func (tm *TMaze) Env() *Environment { return tm.env }

// Params returns the task's parameters.
func (tm *TMaze) Params() TMazeParams { return tm.params }

// ObsDim is 2: the observation is the position.
func (tm *TMaze) ObsDim() int { return 2 }

// Observe writes p into dst.
func (tm *TMaze) Observe(p Point, dst []float32) { observePosition(p, dst) }

// Decode reads a position from a 2D observation.
func (tm *TMaze) Decode(obs []float32) Point { return Point{float64(obs[0]), float64(obs[1])} }

// Paths fills pos with a run from the stem base into the left or right arm.
func (tm *TMaze) Paths(pos []Point, rng *rand.Rand) { tm.walk(pos, nil, rng) }

func (tm *TMaze) walk(pos []Point, trace *walkTrace, rng *rand.Rand) (left bool) {
	line := tm.right
	if left = rng.Float64() < tm.params.LeftProbability; left {
		line = tm.left
	}
	tm.params.Track.follow(line, 0, 1, 0, pos, trace, rng)
	return left
}
