package datasets

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
)

// PlaceCellParams configures the arena task: RatInABox-like motion in a square and Gaussian place cells.
type PlaceCellParams struct {
	ArenaSize float64 // Side of the square arena [0, ArenaSize]², metres.
	Dt        float64 // Time step, seconds.

	MeanSpeed         float64 // Mean running speed, m/s (speed is Rayleigh distributed).
	SpeedCoherence    float64 // Correlation time of the speed, s.
	RotationSD        float64 // Stationary s.d. of the rotational velocity, rad/s.
	RotationCoherence float64 // Correlation time of the rotational velocity, s.
	WallRepelDistance float64 // Walls start to turn the agent away within this distance, m.
	WallRepelStrength float64 // 1 cancels motion toward a wall at contact; 0 disables repulsion.

	NumCells   int        // Number of place cells.
	CellWidth  float64    // σ of the Gaussian tuning curves, m.
	Softmax    bool       // Normalise the population vector with a softmax over −‖x−c‖²/2σ².
	Decoding   DecodeMode // How Decode reads a position from activity.
	DecodeTopK int        // With DecodeTopCells: the mean centre of this many most active cells.
	CellSeed   uint64     // Seed of the place-cell centres (uniform in the arena).

	Stops Stops // pauses anywhere in the arena (none by default)

	// Motion chooses the agent's motion model: MotionOU (the default, also when empty) or
	// MotionRayleighSteps (the predecessor paper's generator, used by the "arena" task).
	Motion Motion
	// SpeedScale is the Rayleigh scale b of MotionRayleighSteps' speed, drawn afresh every step,
	// m/s (mean b·√(π/2)). Unused by MotionOU, whose speed has mean MeanSpeed.
	SpeedScale float64
	// WallSlowFactor multiplies MotionRayleighSteps' speed on a step that starts within
	// WallRepelDistance of a wall and heads toward it (that step also turns the heading parallel to
	// the wall). Unused by MotionOU, whose walls repel with WallRepelStrength.
	WallSlowFactor float64
}

// Motion names how the arena's agent moves.
type Motion string

const (
	// MotionOU is RatInABox-like: speed and rotational velocity are Ornstein–Uhlenbeck processes
	// (correlation times SpeedCoherence, RotationCoherence), the speed mapped to a Rayleigh
	// distribution of mean MeanSpeed; walls repel, and a step that would cross one is reflected.
	MotionOU Motion = "ou"
	// MotionRayleighSteps is the predecessor paper's generator (Krishna et al., ICLR 2024, after
	// Sorscher et al.): each step's speed is a fresh Rayleigh(SpeedScale) draw; the heading turns
	// by Dt·N(0, RotationSD²) per step; on a step that starts within WallRepelDistance of the
	// nearest wall heading toward it (|angle to its normal| < π/2), the speed is multiplied by
	// WallSlowFactor and the heading turned by sign(a)(π/2 − |a|), a the angle to the wall's
	// outward normal, so that it runs along the wall. Unlike the original, a step that would still
	// cross a wall is reflected, so every position lies in the arena.
	MotionRayleighSteps Motion = "rayleigh-steps"
)

// DecodeMode says how a place-cell population vector is read back as a position.
type DecodeMode string

const (
	// DecodePopulation is the population vector Σ_i r_i c_i / Σ_i r_i (negative activity counted as
	// 0): smooth in the activity, so a decoded replay moves continuously. Near the walls it is
	// pulled inward (no cells outside), by about the cell width.
	DecodePopulation DecodeMode = "population"
	// DecodeTopCells is the mean centre of the DecodeTopK most active cells: unbiased at the walls,
	// but it jumps between cell centres as the ranking of nearly equal cells flickers.
	DecodeTopCells DecodeMode = "top-cells"
)

// Defaults of the PlaceCellParams fields (DefaultX for field X, in its units; DefaultRotationSDDeg
// for RotationSD, in degrees rather than radians per second): RatInABox's motion (1 m box, dt 0.05 s,
// 0.08 m/s, 120°/s) and the softmax place cells of the predecessor paper's model (Krishna et al., ICLR 2024) (σ = 0.2 m in a 2.2 m box,
// scaled here to 0.1 m in 1 m). DefaultDecodeTopK applies only to DecodeTopCells; the default
// decoding is DecodePopulation.
const (
	DefaultArenaSize         = 1.0
	DefaultDt                = 0.05
	DefaultMeanSpeed         = 0.08
	DefaultSpeedCoherence    = 0.7
	DefaultRotationSDDeg     = 120.0
	DefaultRotationCoherence = 0.08
	DefaultWallRepelDistance = 0.1
	DefaultWallRepelStrength = 1.0
	DefaultNumCells          = 256
	DefaultCellWidth         = 0.1
	DefaultDecodeTopK        = 3
	DefaultCellSeed          = 1
)

// The predecessor paper's arena (Krishna et al., ICLR 2024): a 2.2 m box, dt 0.02 s, per-step
// Rayleigh speeds of scale 0.26π m/s, turns of s.d. 11.52 rad/s, a 3 cm wall region where the agent
// slows to a quarter and turns along the wall, 512 softmax place cells of σ = 0.2 m decoded as the
// mean centre of the 3 most active. ArenaParams returns it.
const (
	ArenaSize           = 2.2
	ArenaDt             = 0.02
	ArenaSpeedScale     = 0.26 * math.Pi
	ArenaRotationSD     = 11.52
	ArenaWallRegion     = 0.03
	ArenaWallSlowFactor = 0.25
	ArenaNumCells       = 512
	ArenaCellWidth      = 0.2
)

// ArenaParams returns the "arena" task: the predecessor paper's arena, place cells and decoding.
func ArenaParams() PlaceCellParams {
	p := DefaultPlaceCellParams()
	p.ArenaSize, p.Dt, p.Motion = ArenaSize, ArenaDt, MotionRayleighSteps
	p.SpeedScale, p.RotationSD = ArenaSpeedScale, ArenaRotationSD
	p.WallRepelDistance, p.WallSlowFactor = ArenaWallRegion, ArenaWallSlowFactor
	p.NumCells, p.CellWidth, p.Softmax = ArenaNumCells, ArenaCellWidth, true
	p.Decoding, p.DecodeTopK = DecodeTopCells, 3
	return p
}

// NewArena builds the "arena" task from params (ArenaParams, possibly changed): a PlaceCells task
// named "arena".
func NewArena(params PlaceCellParams) (*PlaceCells, error) {
	pc, err := NewPlaceCells(params)
	if err != nil {
		return nil, err
	}
	pc.name = "arena"
	return pc, nil
}

// DefaultPlaceCellParams returns the default arena task.
func DefaultPlaceCellParams() PlaceCellParams {
	return PlaceCellParams{
		ArenaSize: DefaultArenaSize, Dt: DefaultDt, MeanSpeed: DefaultMeanSpeed,
		SpeedCoherence: DefaultSpeedCoherence, RotationSD: DefaultRotationSDDeg * math.Pi / 180,
		RotationCoherence: DefaultRotationCoherence, WallRepelDistance: DefaultWallRepelDistance,
		WallRepelStrength: DefaultWallRepelStrength, NumCells: DefaultNumCells, CellWidth: DefaultCellWidth,
		Softmax: true, Decoding: DecodePopulation, DecodeTopK: DefaultDecodeTopK, CellSeed: DefaultCellSeed,
	}
}

// PlaceCells is the arena task with a place-cell population as observation and target.
type PlaceCells struct {
	name    string // "placecells", or "arena" (NewArena)
	params  PlaceCellParams
	centres []Point
	env     *Environment
}

// NewPlaceCells validates params, draws the cell centres and builds the task.
func NewPlaceCells(params PlaceCellParams) (*PlaceCells, error) {
	p := params
	positive := []struct {
		name  string
		value float64
	}{{"ArenaSize", p.ArenaSize}, {"Dt", p.Dt}, {"MeanSpeed", p.MeanSpeed}, {"SpeedCoherence", p.SpeedCoherence},
		{"RotationCoherence", p.RotationCoherence}, {"CellWidth", p.CellWidth}}
	for _, f := range positive {
		if !(f.value > 0) || math.IsInf(f.value, 0) {
			return nil, fmt.Errorf("%s=%g: must be a finite number > 0", f.name, f.value)
		}
	}
	switch {
	case !(p.RotationSD >= 0):
		return nil, fmt.Errorf("RotationSD=%g: must be ≥ 0", p.RotationSD)
	case !(p.WallRepelDistance >= 0 && p.WallRepelDistance < p.ArenaSize/2):
		return nil, fmt.Errorf("WallRepelDistance=%g: must be in [0, %g)", p.WallRepelDistance, p.ArenaSize/2)
	case !(p.WallRepelStrength >= 0 && p.WallRepelStrength <= 1):
		return nil, fmt.Errorf("WallRepelStrength=%g: must be in [0, 1]", p.WallRepelStrength)
	case p.NumCells < 1:
		return nil, fmt.Errorf("NumCells=%d: must be ≥ 1", p.NumCells)
	case p.Decoding != DecodePopulation && p.Decoding != DecodeTopCells:
		return nil, fmt.Errorf("Decoding=%q: must be %q or %q", p.Decoding, DecodePopulation, DecodeTopCells)
	case p.DecodeTopK < 1 || p.DecodeTopK > p.NumCells:
		return nil, fmt.Errorf("DecodeTopK=%d: must be in [1, NumCells=%d]", p.DecodeTopK, p.NumCells)
	case p.Motion != "" && p.Motion != MotionOU && p.Motion != MotionRayleighSteps:
		return nil, fmt.Errorf("Motion=%q: must be %q or %q", p.Motion, MotionOU, MotionRayleighSteps)
	case p.Motion == MotionRayleighSteps && !(p.SpeedScale > 0 && p.SpeedScale*p.Dt < p.ArenaSize/4):
		return nil, fmt.Errorf("SpeedScale=%g: must be in (0, %g) m/s (a mean step under an eighth of the arena)", p.SpeedScale, p.ArenaSize/4/p.Dt)
	case p.Motion == MotionRayleighSteps && !(p.WallSlowFactor >= 0 && p.WallSlowFactor <= 1):
		return nil, fmt.Errorf("WallSlowFactor=%g: must be in [0, 1]", p.WallSlowFactor)
	}
	if err := p.Stops.Validate(); err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(p.CellSeed, 0x9e3779b97f4a7c15))
	centres := make([]Point, p.NumCells)
	for i := range centres {
		centres[i] = Point{X: rng.Float64() * p.ArenaSize, Y: rng.Float64() * p.ArenaSize}
	}
	L, hL := p.ArenaSize, p.ArenaSize/2
	regions := []Region{
		{Name: "south-west", Area: rect(0, 0, hL, hL)}, {Name: "south-east", Area: rect(hL, 0, L, hL)},
		{Name: "north-west", Area: rect(0, hL, hL, L)}, {Name: "north-east", Area: rect(hL, hL, L, L)},
	}
	env, err := NewEnvironment("arena", rect(0, 0, L, L), nil, regions)
	if err != nil {
		return nil, err
	}
	return &PlaceCells{name: "placecells", params: p, centres: centres, env: env}, nil
}

// Name returns "placecells", or "arena" for a task made by NewArena.
func (pc *PlaceCells) Name() string { return pc.name }

// Env returns the square arena, split into four quadrant regions.
func (pc *PlaceCells) Env() *Environment { return pc.env }

// Params returns the task's parameters.
func (pc *PlaceCells) Params() PlaceCellParams { return pc.params }

// Centres returns the place-cell centres (shared, do not modify).
func (pc *PlaceCells) Centres() []Point { return pc.centres }

// ObsDim is the number of place cells.
func (pc *PlaceCells) ObsDim() int { return pc.params.NumCells }

// Observe writes the population vector of position p into dst.
func (pc *PlaceCells) Observe(p Point, dst []float32) {
	inv := 1 / (2 * pc.params.CellWidth * pc.params.CellWidth)
	if !pc.params.Softmax {
		for i, c := range pc.centres {
			d := p.Sub(c)
			dst[i] = float32(math.Exp(-(d.X*d.X + d.Y*d.Y) * inv))
		}
		return
	}
	// Softmax over logits −‖x−c‖²/2σ², shifted by the largest logit for stability.
	maxLogit := math.Inf(-1)
	for _, c := range pc.centres {
		d := p.Sub(c)
		maxLogit = math.Max(maxLogit, -(d.X*d.X+d.Y*d.Y)*inv)
	}
	sum := 0.0
	for i, c := range pc.centres {
		d := p.Sub(c)
		e := math.Exp(-(d.X*d.X+d.Y*d.Y)*inv - maxLogit)
		dst[i] = float32(e)
		sum += e
	}
	for i := range dst {
		dst[i] = float32(float64(dst[i]) / sum)
	}
}

// Decode reads a position from activity obs (len NumCells: firing rates or probabilities, not
// logits) as Params().Decoding says: the population vector, or the mean centre of the top cells.
func (pc *PlaceCells) Decode(obs []float32) Point {
	if pc.params.Decoding == DecodePopulation {
		var m Point
		total := 0.0
		for i, v := range obs {
			if v > 0 {
				m = m.Add(pc.centres[i].Scale(float64(v)))
				total += float64(v)
			}
		}
		if total == 0 {
			return Point{X: pc.params.ArenaSize / 2, Y: pc.params.ArenaSize / 2}
		}
		return m.Scale(1 / total)
	}
	k := pc.params.DecodeTopK
	var top [16]int
	idx := top[:0]
	if k > len(top) {
		idx = make([]int, 0, k)
	}
	// Insertion into a small sorted list: O(N·k), no allocation for k ≤ 16.
	for i, v := range obs {
		if len(idx) == k && v <= obs[idx[k-1]] {
			continue
		}
		j := sort.Search(len(idx), func(j int) bool { return obs[idx[j]] < v })
		if len(idx) < k {
			idx = append(idx, 0)
		}
		copy(idx[j+1:], idx[j:len(idx)-1])
		idx[j] = i
	}
	var m Point
	for _, i := range idx {
		m = m.Add(pc.centres[i])
	}
	return m.Scale(1 / float64(len(idx)))
}

// DecodesByCentreMean reports whether Decode is the population vector (DecodePopulation), the
// activity-weighted mean of the centres, rather than the centre of the top cells.
func (pc *PlaceCells) DecodesByCentreMean() bool { return pc.params.Decoding == DecodePopulation }

// Paths fills pos with a foraging path started uniformly in the arena (heading uniform), moving as
// Motion says and stopping as Stops says.
func (pc *PlaceCells) Paths(pos []Point, rng *rand.Rand) {
	withStops(pc.params.Stops, pos, rng, pc.walkPlain)
}

func (pc *PlaceCells) walkPlain(pos []Point, rng *rand.Rand) {
	if pc.params.Motion == MotionRayleighSteps {
		pc.walkRayleighSteps(pos, rng)
		return
	}
	pc.walk(pos, nil, rng)
}

// walkRayleighSteps is MotionRayleighSteps: the predecessor paper's generator, reflected at the walls.
func (pc *PlaceCells) walkRayleighSteps(pos []Point, rng *rand.Rand) {
	p := pc.params
	L := p.ArenaSize
	x := pc.uniformStart(rng)
	theta := rng.Float64() * 2 * math.Pi
	pos[0] = x
	for t := 1; t < len(pos); t++ {
		// Rayleigh(b) by inversion: b·√(−2 ln(1−u)), u ∈ [0, 1).
		speed := p.SpeedScale * math.Sqrt(-2*math.Log1p(-rng.Float64()))
		turn := 0.0
		// The nearest wall (east, north, west, south, as the original orders them) and the
		// heading's angle a to its outward normal, in (−π, π].
		dists := [4]float64{L - x.X, L - x.Y, x.X, x.Y}
		w := 0
		for i := 1; i < 4; i++ {
			if dists[i] < dists[w] {
				w = i
			}
		}
		a := math.Mod(theta-float64(w)*math.Pi/2+math.Pi, 2*math.Pi)
		if a < 0 {
			a += 2 * math.Pi
		}
		a -= math.Pi
		if dists[w] < p.WallRepelDistance && math.Abs(a) < math.Pi/2 {
			speed *= p.WallSlowFactor
			turn = math.Copysign(math.Pi/2-math.Abs(a), a)
		}
		turn += p.Dt * p.RotationSD * rng.NormFloat64()
		next := x.Add(Point{X: math.Cos(theta), Y: math.Sin(theta)}.Scale(speed * p.Dt))
		x, theta = pc.reflectAtWalls(next, theta+turn)
		pos[t] = x
	}
}

// rayleighFromNormal maps a standard normal z to a Rayleigh variate with the given mean,
// through the normal CDF and the Rayleigh quantile, so an OU process on z yields Rayleigh speeds.
func rayleighFromNormal(z, mean float64) float64 {
	u := 0.5 * math.Erfc(-z/math.Sqrt2)
	scale := mean / math.Sqrt(math.Pi/2)
	return scale * math.Sqrt(-2*math.Log1p(-math.Min(u, 1-1e-12)))
}

func (pc *PlaceCells) walk(pos []Point, speeds []float64, rng *rand.Rand) {
	p := pc.params
	speedOU := newOU(0, 1, p.SpeedCoherence/p.Dt)
	rotOU := newOU(0, p.RotationSD, p.RotationCoherence/p.Dt)
	z := rng.NormFloat64()
	omega := p.RotationSD * rng.NormFloat64()
	theta := rng.Float64() * 2 * math.Pi
	x := pc.uniformStart(rng)
	pos[0] = x
	for t := 1; t < len(pos); t++ {
		z = speedOU.step(z, rng)
		omega = rotOU.step(omega, rng)
		theta += omega * p.Dt
		speed := rayleighFromNormal(z, p.MeanSpeed)
		v := Point{X: speed * math.Cos(theta), Y: speed * math.Sin(theta)}
		v = pc.repel(x, v)
		theta = math.Atan2(v.Y, v.X)
		x, theta = pc.reflectAtWalls(x.Add(v.Scale(p.Dt)), theta)
		if speeds != nil {
			speeds[t-1] = speed
		}
		pos[t] = x
	}
}

// wallMargin keeps positions this fraction of the arena's size inside its walls.
const wallMargin = 1e-6

// uniformStart draws a start uniformly in the arena, a wall margin inside it.
func (pc *PlaceCells) uniformStart(rng *rand.Rand) Point {
	L := pc.params.ArenaSize
	m := wallMargin * L
	return Point{X: m + rng.Float64()*(L-2*m), Y: m + rng.Float64()*(L-2*m)}
}

// reflectAtWalls folds a step's end point next back into the arena (a wall margin inside it),
// mirroring the heading theta with each wall it crossed.
func (pc *PlaceCells) reflectAtWalls(next Point, theta float64) (Point, float64) {
	L := pc.params.ArenaSize
	lo, hi := wallMargin*L, L-wallMargin*L
	if next.X < lo || next.X > hi {
		next.X = reflect(next.X, lo, hi)
		theta = math.Pi - theta
	}
	if next.Y < lo || next.Y > hi {
		next.Y = reflect(next.Y, lo, hi)
		theta = -theta
	}
	return next, theta
}

// repel removes part of the velocity component toward each wall closer than WallRepelDistance,
// linearly more the closer the wall: all of it at contact when WallRepelStrength = 1.
func (pc *PlaceCells) repel(x, v Point) Point {
	d, s, L := pc.params.WallRepelDistance, pc.params.WallRepelStrength, pc.params.ArenaSize
	if d == 0 || s == 0 {
		return v
	}
	gain := func(dist float64) float64 { return s * math.Max(0, 1-dist/d) }
	if v.X < 0 {
		v.X *= 1 - gain(x.X)
	} else {
		v.X *= 1 - gain(L-x.X)
	}
	if v.Y < 0 {
		v.Y *= 1 - gain(x.Y)
	} else {
		v.Y *= 1 - gain(L-x.Y)
	}
	return v
}

// reflect folds x back into [lo, hi] by mirroring at the bounds.
func reflect(x, lo, hi float64) float64 {
	for x < lo || x > hi {
		if x < lo {
			x = 2*lo - x
		} else {
			x = 2*hi - x
		}
	}
	return x
}

// ReachTargets is the quadrant diagonally opposite the start's (quadrants are listed south-west,
// south-east, north-west, north-east, so 3 − r is opposite r); from outside the arena, the first.
func (pc *PlaceCells) ReachTargets(start Point) []int {
	env := pc.Env()
	if r := env.RegionOf(start); r >= 0 && len(env.Regions) == 4 {
		return []int{3 - r}
	}
	return []int{0}
}

var _ PopulationTask = (*PlaceCells)(nil)
