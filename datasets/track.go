package datasets

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// TrackParams drives an agent along a corridor's centreline (see the package doc).
// Speeds and lengths are in environment units per step.
type TrackParams struct {
	Width     float64 // Corridor width; positions stay within 0.4·Width of the centreline.
	MeanSpeed float64 // μ_s: mean advance along the centreline per step.
	SpeedSD   float64 // σ_s: stationary s.d. of the speed OU process.
	SpeedTau  float64 // τ_s: correlation time of the speed in steps (autocorrelation e^{−lag/τ_s}).
	OffsetSD  float64 // σ_o: stationary s.d. of each component of the lateral offset.
	OffsetTau float64 // τ_o: correlation time of the offset in steps.
	Stops     Stops   // pauses anywhere on the track (none by default)
}

// offsetRadiusFraction bounds the offset to this fraction of the corridor width, so that
// a position is always strictly inside the corridor (whose half-width is 0.5·Width).
const offsetRadiusFraction = 0.4

// minSpeedFraction keeps the OU speed at least this fraction of its mean, so the speed never
// reverses the agent: direction changes come only from the walks' explicit rules.
const minSpeedFraction = 0.1

func (p TrackParams) validate() error {
	switch {
	case !(p.Width > 0):
		return fmt.Errorf("Width=%g: must be > 0", p.Width)
	case !(p.MeanSpeed > 0):
		return fmt.Errorf("MeanSpeed=%g: must be > 0", p.MeanSpeed)
	case !(p.SpeedSD >= 0):
		return fmt.Errorf("SpeedSD=%g: must be ≥ 0", p.SpeedSD)
	case !(p.SpeedTau >= 1):
		return fmt.Errorf("SpeedTau=%g: must be ≥ 1 step", p.SpeedTau)
	case !(p.OffsetSD >= 0):
		return fmt.Errorf("OffsetSD=%g: must be ≥ 0", p.OffsetSD)
	case !(p.OffsetTau >= 1):
		return fmt.Errorf("OffsetTau=%g: must be ≥ 1 step", p.OffsetTau)
	}
	return p.Stops.Validate()
}

// ou is a discrete Ornstein–Uhlenbeck process with exact stationary statistics:
// x' = μ + ρ(x − μ) + σ√(1−ρ²) ξ, ρ = e^{−1/τ}.
type ou struct{ mean, rho, kick float64 }

func newOU(mean, sd, tau float64) ou {
	rho := math.Exp(-1 / tau)
	return ou{mean: mean, rho: rho, kick: sd * math.Sqrt(1-rho*rho)}
}

func (o ou) step(x float64, rng *rand.Rand) float64 {
	return o.mean + o.rho*(x-o.mean) + o.kick*rng.NormFloat64()
}

// polyline is a centreline: a sequence of vertices, open or closed, parametrised by arclength.
type polyline struct {
	vertices []Point
	cumLen   []float64 // cumLen[i] = arclength at vertices[i]; the last entry is the total length.
	closed   bool
}

func newPolyline(closed bool, vertices ...Point) polyline {
	pl := polyline{vertices: vertices, closed: closed}
	if closed {
		pl.vertices = append(append([]Point{}, vertices...), vertices[0])
	}
	pl.cumLen = make([]float64, len(pl.vertices))
	for i := 1; i < len(pl.vertices); i++ {
		pl.cumLen[i] = pl.cumLen[i-1] + pl.vertices[i].Sub(pl.vertices[i-1]).Norm()
	}
	return pl
}

func (pl polyline) length() float64 { return pl.cumLen[len(pl.cumLen)-1] }

// at returns the point at arclength s: wrapped for a closed line, clamped for an open one.
func (pl polyline) at(s float64) Point {
	L := pl.length()
	if pl.closed {
		s = math.Mod(s, L)
		if s < 0 {
			s += L
		}
	} else {
		s = math.Max(0, math.Min(s, L))
	}
	for i := 1; i < len(pl.vertices); i++ {
		if s <= pl.cumLen[i] {
			seg := pl.cumLen[i] - pl.cumLen[i-1]
			f := (s - pl.cumLen[i-1]) / seg
			return pl.vertices[i-1].Add(pl.vertices[i].Sub(pl.vertices[i-1]).Scale(f))
		}
	}
	return pl.vertices[len(pl.vertices)-1]
}

// trackMotion is the state shared by every walk along a corridor: the OU speed along the
// centreline and the OU lateral offset, clamped to a disc of radius offsetRadiusFraction·Width.
type trackMotion struct {
	speedOU, offOU ou
	rMax, minSpeed float64
	speed          float64 // the OU speed before the minSpeed clamp
	off            Point   // the lateral offset added to the centreline point
}

// newMotion starts the speed and the offset from their stationary distributions
// (one normal draw for the speed, then two for the offset).
func (p TrackParams) newMotion(rng *rand.Rand) trackMotion {
	m := trackMotion{
		speedOU:  newOU(p.MeanSpeed, p.SpeedSD, p.SpeedTau),
		offOU:    newOU(0, p.OffsetSD, p.OffsetTau),
		rMax:     offsetRadiusFraction * p.Width,
		minSpeed: minSpeedFraction * p.MeanSpeed,
	}
	m.speed = p.MeanSpeed + p.SpeedSD*rng.NormFloat64()
	m.off = m.clampOffset(Point{X: p.OffsetSD * rng.NormFloat64(), Y: p.OffsetSD * rng.NormFloat64()})
	return m
}

func (m *trackMotion) clampOffset(o Point) Point {
	if r := o.Norm(); r > m.rMax {
		return o.Scale(m.rMax / r)
	}
	return o
}

// step advances the speed and the offset by one step (three normal draws) and returns the
// distance to move along the centreline: the speed, clamped to at least minSpeed.
func (m *trackMotion) step(rng *rand.Rand) float64 {
	m.speed = m.speedOU.step(m.speed, rng)
	m.off = m.clampOffset(Point{X: m.offOU.step(m.off.X, rng), Y: m.offOU.step(m.off.Y, rng)})
	return math.Max(m.speed, m.minSpeed)
}

// walkTrace receives what a walk did at each step t = 1..T (index t−1); tests read it.
// Either slice may be nil.
type walkTrace struct {
	speeds []float64 // the clamped OU speed drawn at the step (also while dwelling at an end)
	dirs   []int8    // the direction of motion along the centreline (±1), 0 while dwelling
}

func (tr *walkTrace) record(t int, speed float64, dir int8) {
	if tr == nil {
		return
	}
	if tr.speeds != nil {
		tr.speeds[t-1] = speed
	}
	if tr.dirs != nil {
		tr.dirs[t-1] = dir
	}
}

// follow fills pos with a walk along line starting at arclength s0 in direction dir (±1).
// Before each move the direction flips with probability reversal (no draw when it is 0).
func (p TrackParams) follow(line polyline, s0, dir, reversal float64, pos []Point, trace *walkTrace, rng *rand.Rand) {
	m := p.newMotion(rng)
	s := s0
	pos[0] = line.at(s).Add(m.off)
	for t := 1; t < len(pos); t++ {
		used := m.step(rng)
		if reversal > 0 && rng.Float64() < reversal {
			dir = -dir
		}
		trace.record(t, used, int8(dir))
		s += dir * used
		pos[t] = line.at(s).Add(m.off)
	}
}
