package datasets

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// TriangleParams configures the triangular-track task.
type TriangleParams struct {
	Side  float64     // Side length of the equilateral centreline triangle, environment units.
	Track TrackParams // Corridor width (< the centreline's inradius Side/(2√3)) and motion.
	// BothDirections lets half of the paths start clockwise; otherwise all start counter-clockwise.
	BothDirections bool
	// ReversalRate is the probability per step that the agent turns around on the track,
	// in [0, 1]: runs between reversals last a geometric number of steps with mean 1/ReversalRate.
	// The default 0 keeps the agent running round the loop in one direction, as in the paper's
	// triangle task. With ReversalRate > 0, set BothDirections too for a stationary start.
	ReversalRate float64
	// VertexRegionLength is how far along the outer wall, from each outer corner, a vertex region
	// reaches (environment units, below half the outer side); 0 means DefaultVertexRegionShare of
	// the outer side.
	VertexRegionLength float64
}

// Default triangle geometry (environment units) and motion (units per step).
const (
	DefaultTriangleSide      = 1.0
	DefaultTrackWidth        = 0.2
	DefaultTrackMeanSpeed    = 0.03 // 50 steps cover half the triangle loop, the whole T-maze.
	DefaultTrackSpeedSD      = 0.3 * DefaultTrackMeanSpeed
	DefaultTrackSpeedTau     = 10.0
	DefaultTrackOffsetSD     = 0.03
	DefaultTrackOffsetTau    = 10.0
	DefaultVertexRegionShare = 0.22 // vertex region length as a fraction of the outer side
	DefaultReversalRate      = 0.0  // triangle paths never turn around unless asked to
)

// DefaultTrackParams returns the corridor motion shared by the triangle and T-maze defaults.
func DefaultTrackParams() TrackParams {
	return TrackParams{
		Width: DefaultTrackWidth, MeanSpeed: DefaultTrackMeanSpeed, SpeedSD: DefaultTrackSpeedSD,
		SpeedTau: DefaultTrackSpeedTau, OffsetSD: DefaultTrackOffsetSD, OffsetTau: DefaultTrackOffsetTau,
	}
}

// DefaultTriangleParams returns the default triangle task.
func DefaultTriangleParams() TriangleParams {
	return TriangleParams{Side: DefaultTriangleSide, Track: DefaultTrackParams(), BothDirections: true,
		ReversalRate: DefaultReversalRate}
}

// Triangle is the triangular-track task: loops along an equilateral triangle with vertices A, B, C.
type Triangle struct {
	params TriangleParams
	line   polyline
	env    *Environment
}

// NewTriangle validates params and builds the task.
func NewTriangle(params TriangleParams) (*Triangle, error) {
	if !(params.Side > 0) {
		return nil, fmt.Errorf("Side=%g: must be > 0", params.Side)
	}
	if err := params.Track.validate(); err != nil {
		return nil, err
	}
	if !(params.ReversalRate >= 0 && params.ReversalRate <= 1) {
		return nil, fmt.Errorf("ReversalRate=%g: must be in [0, 1] (probability per step)", params.ReversalRate)
	}
	inradius := params.Side / (2 * math.Sqrt(3))
	if params.Track.Width >= inradius {
		return nil, fmt.Errorf("Track.Width=%g: must be < %g (the inradius of a triangle of side %g)",
			params.Track.Width, inradius, params.Side)
	}
	// Centreline vertices A, B, C counter-clockwise around the centroid.
	h := params.Side * math.Sqrt(3) / 2
	center := []Point{{X: 0, Y: 0}, {X: params.Side, Y: 0}, {X: params.Side / 2, Y: h}}
	centroid := Point{X: params.Side / 2, Y: h / 3}
	scaled := func(f float64) Polygon {
		poly := make(Polygon, 3)
		for i, v := range center {
			poly[i] = centroid.Add(v.Sub(centroid).Scale(f))
		}
		return poly
	}
	half := params.Track.Width / 2
	outer := scaled((inradius + half) / inradius)
	inner := scaled((inradius - half) / inradius)
	q := params.VertexRegionLength
	outerSide := outer[1].Sub(outer[0]).Norm()
	if q == 0 {
		q = DefaultVertexRegionShare * outerSide
	}
	if !(q > 0 && q < outerSide/2) {
		return nil, fmt.Errorf("VertexRegionLength=%g: must be in (0, %g)", q, outerSide/2)
	}
	params.VertexRegionLength = q
	names := []string{"A", "B", "C"}
	along := func(i, j int) Point { // point on the outer wall at distance q from corner i toward corner j
		d := outer[j].Sub(outer[i])
		return outer[i].Add(d.Scale(q / d.Norm()))
	}
	var regions []Region
	for i := range 3 {
		j, k := (i+1)%3, (i+2)%3
		regions = append(regions, Region{Name: "vertex " + names[i], Area: Polygon{outer[i], along(i, j), inner[i], along(i, k)}})
	}
	for i := range 3 {
		j := (i + 1) % 3
		regions = append(regions, Region{Name: "edge " + names[i] + names[j], Area: Polygon{along(i, j), along(j, i), inner[j], inner[i]}})
	}
	env, err := NewEnvironment("triangle", outer, []Polygon{inner}, regions)
	if err != nil {
		return nil, err
	}
	var skeleton []Segment
	var ends []End
	for i := range 3 {
		skeleton = append(skeleton, Segment{A: center[i], B: center[(i+1)%3]})
		ends = append(ends, End{Name: "vertex " + names[i], At: center[i]})
	}
	if err := env.SetSkeleton(skeleton, ends); err != nil {
		return nil, err
	}
	return &Triangle{params: params, line: newPolyline(true, center...), env: env}, nil
}

// Name returns "triangle".
func (tr *Triangle) Name() string { return "triangle" }

// Env returns the track environment: the outer triangle minus the inner one.
func (tr *Triangle) Env() *Environment { return tr.env }

// Params returns the task's parameters, defaults filled in.
func (tr *Triangle) Params() TriangleParams { return tr.params }

// ObsDim is 2: the observation is the position.
func (tr *Triangle) ObsDim() int { return 2 }

// Observe writes p into dst.
func (tr *Triangle) Observe(p Point, dst []float32) { observePosition(p, dst) }

// Decode reads a position from a 2D observation.
func (tr *Triangle) Decode(obs []float32) Point { return Point{X: float64(obs[0]), Y: float64(obs[1])} }

// Paths fills pos with a traversal starting at a uniformly random point of the loop,
// turning around with probability ReversalRate per step and stopping as Track.Stops says.
func (tr *Triangle) Paths(pos []Point, rng *rand.Rand) {
	withStops(tr.params.Track.Stops, pos, rng, tr.walkPlain)
}

func (tr *Triangle) walkPlain(pos []Point, rng *rand.Rand) { tr.walk(pos, nil, rng) }

func (tr *Triangle) walk(pos []Point, trace *walkTrace, rng *rand.Rand) {
	dir := 1.0
	if tr.params.BothDirections && rng.IntN(2) == 1 {
		dir = -1
	}
	tr.params.Track.follow(tr.line, rng.Float64()*tr.line.length(), dir, tr.params.ReversalRate, pos, trace, rng)
}

func observePosition(p Point, dst []float32) {
	dst[0], dst[1] = float32(p.X), float32(p.Y)
}

// ReachTargets are the vertices other than the one nearest start.
func (tr *Triangle) ReachTargets(start Point) []int {
	env := tr.Env()
	from := env.NearestEnd(start)
	var out []int
	for _, e := range env.Ends() {
		if e.Name != from {
			out = append(out, env.RegionIndex(e.Name))
		}
	}
	return out
}
