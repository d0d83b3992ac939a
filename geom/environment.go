package geom

import (
	"fmt"
	"math"
)

// Point is a position in the plane, in environment units (metres for the arena).
type Point struct{ X, Y float64 }

// Add returns p + q.
func (p Point) Add(q Point) Point { return Point{p.X + q.X, p.Y + q.Y} }

// Sub returns p − q.
func (p Point) Sub(q Point) Point { return Point{p.X - q.X, p.Y - q.Y} }

// Scale returns s·p.
func (p Point) Scale(s float64) Point { return Point{s * p.X, s * p.Y} }

// Norm returns the Euclidean length of p.
func (p Point) Norm() float64 { return math.Hypot(p.X, p.Y) }

// Polygon is a simple closed polygon given by its vertices in order (the last vertex joins the first).
type Polygon []Point

// Validate returns an error if the polygon has fewer than 3 vertices, non-finite coordinates or zero
// area; field names the polygon in the message.
func (poly Polygon) Validate(field string) error {
	if len(poly) < 3 {
		return fmt.Errorf("%s: polygon needs at least 3 vertices, got %d", field, len(poly))
	}
	for i, p := range poly {
		if math.IsNaN(p.X) || math.IsNaN(p.Y) || math.IsInf(p.X, 0) || math.IsInf(p.Y, 0) {
			return fmt.Errorf("%s: vertex %d is not finite: %v", field, i, p)
		}
	}
	if poly.Area() == 0 {
		return fmt.Errorf("%s: polygon has zero area", field)
	}
	return nil
}

// Contains reports whether p lies inside the polygon (even–odd rule; points on an edge may go either way).
func (poly Polygon) Contains(p Point) bool {
	inside := false
	n := len(poly)
	for i, j := 0, n-1; i < n; j, i = i, i+1 {
		a, b := poly[i], poly[j]
		if (a.Y > p.Y) != (b.Y > p.Y) {
			xCross := a.X + (p.Y-a.Y)*(b.X-a.X)/(b.Y-a.Y)
			if p.X < xCross {
				inside = !inside
			}
		}
	}
	return inside
}

// Area returns the absolute area of the polygon (shoelace formula).
func (poly Polygon) Area() float64 {
	s := 0.0
	n := len(poly)
	for i := range n {
		a, b := poly[i], poly[(i+1)%n]
		s += a.X*b.Y - b.X*a.Y
	}
	return math.Abs(s) / 2
}

// Bounds returns the lower-left and upper-right corners of the polygon's bounding box.
func (poly Polygon) Bounds() (lo, hi Point) {
	lo = Point{math.Inf(1), math.Inf(1)}
	hi = Point{math.Inf(-1), math.Inf(-1)}
	for _, p := range poly {
		lo.X, lo.Y = math.Min(lo.X, p.X), math.Min(lo.Y, p.Y)
		hi.X, hi.Y = math.Max(hi.X, p.X), math.Max(hi.Y, p.Y)
	}
	return lo, hi
}

// Region is a named part of an environment, such as "left arm" or "vertex A".
type Region struct {
	Name string  // e.g. "left arm" or "vertex A" (RegionIndex finds the first of a name)
	Area Polygon // the part of the plane the region covers
}

// Environment is a 2D polygon, possibly with holes, with named regions and, for tracks, a
// skeleton: the centreline as line segments (see SetSkeleton).
type Environment struct {
	Name     string    // e.g. "triangle", "tmaze", "arena"
	Boundary Polygon   // the outer wall
	Holes    []Polygon // inner walls: points inside a hole are outside the environment
	Regions  []Region  // named parts, indexed by RegionOf and RegionIndex
	skel     *skeleton
}

// NewEnvironment validates its parts (every polygon, and a name for every region) and returns an
// environment without a skeleton (see SetSkeleton).
func NewEnvironment(name string, boundary Polygon, holes []Polygon, regions []Region) (*Environment, error) {
	if err := boundary.Validate("Boundary"); err != nil {
		return nil, err
	}
	for i, h := range holes {
		if err := h.Validate(fmt.Sprintf("Holes[%d]", i)); err != nil {
			return nil, err
		}
	}
	for i, r := range regions {
		if r.Name == "" {
			return nil, fmt.Errorf("Regions[%d].Name: must not be empty", i)
		}
		if err := r.Area.Validate(fmt.Sprintf("Regions[%d] (%s)", i, r.Name)); err != nil {
			return nil, err
		}
	}
	return &Environment{Name: name, Boundary: boundary, Holes: holes, Regions: regions}, nil
}

// Contains reports whether p lies inside the boundary and outside every hole.
func (env *Environment) Contains(p Point) bool {
	if !env.Boundary.Contains(p) {
		return false
	}
	for _, h := range env.Holes {
		if h.Contains(p) {
			return false
		}
	}
	return true
}

// RegionOf returns the index of the first region that contains p, or −1 if none does.
func (env *Environment) RegionOf(p Point) int {
	for i, r := range env.Regions {
		if r.Area.Contains(p) {
			return i
		}
	}
	return -1
}

// RegionIndex returns the index of the region with the given name, or −1.
func (env *Environment) RegionIndex(name string) int {
	for i, r := range env.Regions {
		if r.Name == name {
			return i
		}
	}
	return -1
}

// RegionNames lists the region names in index order.
func (env *Environment) RegionNames() []string {
	names := make([]string, len(env.Regions))
	for i, r := range env.Regions {
		names[i] = r.Name
	}
	return names
}

// Bounds returns the bounding box of the environment.
func (env *Environment) Bounds() (lo, hi Point) { return env.Boundary.Bounds() }

// Size returns the larger side of the bounding box, in environment units: the scale against which
// position errors are judged.
func (env *Environment) Size() float64 {
	lo, hi := env.Bounds()
	return math.Max(hi.X-lo.X, hi.Y-lo.Y)
}

// Area returns the area inside the boundary and outside the holes.
func (env *Environment) Area() float64 {
	a := env.Boundary.Area()
	for _, h := range env.Holes {
		a -= h.Area()
	}
	return a
}

// Rect is the axis-aligned rectangle [x0, x1] × [y0, y1] as a counter-clockwise polygon.
func Rect(x0, y0, x1, y1 float64) Polygon {
	return Polygon{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}}
}
