package geom

import (
	"fmt"
	"math"
)

// Segment is a straight piece of a track's centreline, from A to B.
type Segment struct{ A, B Point }

// Length returns ‖B − A‖.
func (s Segment) Length() float64 { return s.B.Sub(s.A).Norm() }

// At returns the point at arclength u from A, u clamped to [0, Length].
func (s Segment) At(u float64) Point {
	l := s.Length()
	if l == 0 {
		return s.A
	}
	u = math.Max(0, math.Min(u, l))
	return s.A.Add(s.B.Sub(s.A).Scale(u / l))
}

// project returns the arclength from A of the point of s nearest to p, and the distance to it;
// l is s.Length() (computed once per skeleton).
func (s Segment) project(p Point, l float64) (u, dist float64) {
	d := s.B.Sub(s.A)
	q := p.Sub(s.A)
	u = math.Max(0, math.Min((q.X*d.X+q.Y*d.Y)/l, l))
	return u, p.Sub(s.A.Add(d.Scale(u / l))).Norm()
}

// End names a node of a skeleton after the environment region around it: a dead end of a
// T-maze arm or stem, or a corner of the triangle.
type End struct {
	Name string // the name of one of the environment's regions, e.g. RegionLeftArm or "vertex A"
	At   Point  // an endpoint of one of the skeleton's segments
}

// SkeletonPoint is a point on a skeleton: the index of a segment and the arclength S from its A end.
type SkeletonPoint struct {
	Segment int     // index into Skeleton()
	S       float64 // arclength from the segment's A end, environment units
}

// skeleton is an environment's centreline with its graph: segments join where they share endpoints.
type skeleton struct {
	segments []Segment
	lengths  []float64 // each segment's Length()
	ends     []End
	nodes    []Point
	segNodes [][2]int  // node index of each segment's A and B
	endNode  []int     // node index of each end
	dist     []float64 // shortest path lengths between nodes, [i·len(nodes) + j]; +Inf if unconnected
}

// skeletonNodeTolerance, times max(1, environment size), is how close two segment endpoints must be
// to count as the same node of the skeleton graph.
const skeletonNodeTolerance = 1e-9

// SetSkeleton gives the environment its centreline, the line segments along the middle of the track,
// and names its ends (nodes of the centreline, each named after the region around it). Segments that
// share an endpoint are joined; segments touching elsewhere are not. Nil segments remove the skeleton.
// The triangle and T-maze tasks set theirs; the arena has none.
func (env *Environment) SetSkeleton(segments []Segment, ends []End) error {
	if len(segments) == 0 {
		if len(ends) > 0 {
			return fmt.Errorf("Ends: %d ends given without a skeleton", len(ends))
		}
		env.skel = nil
		return nil
	}
	tol := skeletonNodeTolerance * math.Max(1, env.Size())
	sk := &skeleton{segments: append([]Segment(nil), segments...), ends: append([]End(nil), ends...)}
	for _, s := range sk.segments {
		sk.lengths = append(sk.lengths, s.Length())
	}
	node := func(p Point) int {
		for i, q := range sk.nodes {
			if p.Sub(q).Norm() <= tol {
				return i
			}
		}
		return -1
	}
	for i, s := range segments {
		for _, p := range []Point{s.A, s.B} {
			if !finite(p) {
				return fmt.Errorf("Segments[%d]: endpoint %v is not finite", i, p)
			}
		}
		if !(s.Length() > tol) {
			return fmt.Errorf("Segments[%d]: length %g, must be > %g", i, s.Length(), tol)
		}
		var pair [2]int
		for k, p := range []Point{s.A, s.B} {
			if pair[k] = node(p); pair[k] < 0 {
				sk.nodes = append(sk.nodes, p)
				pair[k] = len(sk.nodes) - 1
			}
		}
		sk.segNodes = append(sk.segNodes, pair)
	}
	for i, e := range ends {
		if env.RegionIndex(e.Name) < 0 {
			return fmt.Errorf("Ends[%d].Name=%q: must be one of the regions %v", i, e.Name, env.RegionNames())
		}
		n := node(e.At)
		if n < 0 {
			return fmt.Errorf("Ends[%d].At=%v: must be an endpoint of a segment", i, e.At)
		}
		sk.endNode = append(sk.endNode, n)
	}
	// Floyd–Warshall on the (tiny) node graph.
	n := len(sk.nodes)
	sk.dist = make([]float64, n*n)
	for i := range sk.dist {
		sk.dist[i] = math.Inf(1)
	}
	for i := range n {
		sk.dist[i*n+i] = 0
	}
	for i, s := range segments {
		a, b := sk.segNodes[i][0], sk.segNodes[i][1]
		l := math.Min(sk.dist[a*n+b], s.Length())
		sk.dist[a*n+b], sk.dist[b*n+a] = l, l
	}
	for k := range n {
		for i := range n {
			for j := range n {
				if d := sk.dist[i*n+k] + sk.dist[k*n+j]; d < sk.dist[i*n+j] {
					sk.dist[i*n+j] = d
				}
			}
		}
	}
	env.skel = sk
	return nil
}

func finite(p Point) bool {
	return !math.IsNaN(p.X) && !math.IsNaN(p.Y) && !math.IsInf(p.X, 0) && !math.IsInf(p.Y, 0)
}

// Skeleton returns the track's centreline as line segments (shared, do not modify), or nil for an
// environment without a track, such as the arena. Metrics project decoded positions on it to measure
// progress along the track. Triangle: the three edges A→B, B→C, C→A of the centreline loop;
// T-maze: stem base→junction, junction→left end, junction→right end.
func (env *Environment) Skeleton() []Segment {
	if env.skel == nil {
		return nil
	}
	return env.skel.segments
}

// Ends returns the named ends of the skeleton (shared, do not modify): the stem base and the two
// arm ends of the T-maze (RegionStem, RegionLeftArm, RegionRightArm), the corners of the triangle
// ("vertex A", "vertex B", "vertex C"). Nil without a skeleton.
func (env *Environment) Ends() []End {
	if env.skel == nil {
		return nil
	}
	return env.skel.ends
}

// Project returns the point of the skeleton nearest to p and its distance from p. Ties go to the
// segment with the lower index (the T-maze junction itself projects on the stem). p need not lie
// inside the environment. Without a skeleton it returns Segment −1 and distance +Inf.
func (env *Environment) Project(p Point) (SkeletonPoint, float64) {
	best, bestDist := SkeletonPoint{Segment: -1}, math.Inf(1)
	if env.skel == nil {
		return best, bestDist
	}
	for i, s := range env.skel.segments {
		if u, d := s.project(p, env.skel.lengths[i]); d < bestDist {
			best, bestDist = SkeletonPoint{Segment: i, S: u}, d
		}
	}
	return best, bestDist
}

// SkeletonAt returns the position of a skeleton point (S clamped to its segment).
// It panics if the segment index is out of range.
func (env *Environment) SkeletonAt(sp SkeletonPoint) Point {
	return env.Skeleton()[sp.Segment].At(sp.S)
}

// Geodesic returns the length of the shortest path from a to b along the skeleton: along the
// segment if both lie on the same one, otherwise through the segments' endpoints and the shortest
// path between them in the graph of segments joined at shared endpoints. It is +Inf if the two
// points lie on unconnected parts. S is clamped to the segment; an index out of range, or an
// environment without a skeleton, panics.
func (env *Environment) Geodesic(a, b SkeletonPoint) float64 {
	sk := env.skel
	if sk == nil {
		panic("geom: Geodesic on an environment without a skeleton")
	}
	la, lb := sk.lengths[a.Segment], sk.lengths[b.Segment]
	sa, sb := math.Max(0, math.Min(a.S, la)), math.Max(0, math.Min(b.S, lb))
	if a.Segment == b.Segment {
		return math.Abs(sa - sb) // a straight line: no path through the graph is shorter
	}
	n := len(sk.nodes)
	toA := [2]float64{sa, la - sa} // from a to its segment's A and B nodes
	toB := [2]float64{sb, lb - sb}
	best := math.Inf(1)
	for i, na := range sk.segNodes[a.Segment] {
		for j, nb := range sk.segNodes[b.Segment] {
			best = math.Min(best, toA[i]+sk.dist[na*n+nb]+toB[j])
		}
	}
	return best
}

// NearestEnd returns the name of the end region of the stretch of track nearest to p, so callers
// can pick reach targets such as "the other arm" or "any vertex but the start's". p is projected on
// the skeleton; if the segment it lands on has named ends among its endpoints, the answer is the
// nearer of them along the segment, otherwise the end nearest along the skeleton. On the T-maze this
// is the part of the maze p is in (RegionStem, RegionLeftArm or RegionRightArm; the junction itself
// counts as stem), on the triangle the nearest corner ("vertex A", "vertex B" or "vertex C").
// It returns "" for an environment without a skeleton or ends.
func (env *Environment) NearestEnd(p Point) string {
	sk := env.skel
	if sk == nil || len(sk.ends) == 0 {
		return ""
	}
	sp, _ := env.Project(p)
	return env.NearestEndAt(sp)
}

// NearestEndAt is NearestEnd for a point already projected on the skeleton (Project). It
// returns "" for an environment without a skeleton or ends; a segment index out of range panics.
func (env *Environment) NearestEndAt(sp SkeletonPoint) string {
	sk := env.skel
	if sk == nil || len(sk.ends) == 0 {
		return ""
	}
	nodes := sk.segNodes[sp.Segment]
	along := [2]float64{sp.S, sk.lengths[sp.Segment] - sp.S}
	best, bestDist := -1, math.Inf(1)
	for e, n := range sk.endNode {
		for k := range 2 {
			if nodes[k] == n && along[k] < bestDist {
				best, bestDist = e, along[k]
			}
		}
	}
	if best >= 0 {
		return sk.ends[best].Name
	}
	for e, n := range sk.endNode {
		if d := env.Geodesic(sp, env.nodePoint(n)); d < bestDist {
			best, bestDist = e, d
		}
	}
	if best < 0 {
		return ""
	}
	return sk.ends[best].Name
}

// nodePoint returns a skeleton point at graph node n.
func (env *Environment) nodePoint(n int) SkeletonPoint {
	for i, pair := range env.skel.segNodes {
		if pair[0] == n {
			return SkeletonPoint{Segment: i, S: 0}
		}
		if pair[1] == n {
			return SkeletonPoint{Segment: i, S: env.skel.segments[i].Length()}
		}
	}
	panic("geom: skeleton node without a segment")
}
