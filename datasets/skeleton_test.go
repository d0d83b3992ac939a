package datasets

import (
	"math"
	"strings"
	"testing"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-12 }

// TestTMazeSkeleton: default T-maze, stem base S = (0, 0.1), junction J = (0, 1.1),
// arm ends L = (−0.5, 1.1) and R = (0.5, 1.1).
func TestTMazeSkeleton(t *testing.T) {
	env := mustTask(t, "tmaze").Env()
	sk := env.Skeleton()
	if len(sk) != 3 || sk[0] != (Segment{A: Point{X: 0, Y: 0.1}, B: Point{X: 0, Y: 1.1}}) || !near(sk[1].Length(), 0.5) || !near(sk[2].Length(), 0.5) {
		t.Fatalf("skeleton %v, want S–J, J–L, J–R", sk)
	}
	cases := []struct {
		p       Point
		seg     int
		s, dist float64
		end     string
	}{
		{Point{X: -0.3, Y: 1.12}, 1, 0.3, 0.02, RegionLeftArm},
		{Point{X: 0.3, Y: 1.08}, 2, 0.3, 0.02, RegionRightArm},
		{Point{X: 0.01, Y: 0.6}, 0, 0.5, 0.01, RegionStem},
		{Point{X: 0.02, Y: 1.0}, 0, 0.9, 0.02, RegionStem},                    // upper stem: still the stem, not the nearer arm end
		{Point{X: -0.7, Y: 1.5}, 1, 0.5, math.Hypot(0.2, 0.4), RegionLeftArm}, // a decoded position outside the maze
		{Point{X: 0, Y: 1.1}, 0, 1.0, 0, RegionStem},                          // the junction itself projects on the stem
	}
	for _, c := range cases {
		sp, d := env.Project(c.p)
		if sp.Segment != c.seg || !near(sp.S, c.s) || !near(d, c.dist) {
			t.Errorf("Project(%v) = %+v, %g; want segment %d, S %g, distance %g", c.p, sp, d, c.seg, c.s, c.dist)
		}
		if got := env.NearestEnd(c.p); got != c.end {
			t.Errorf("NearestEnd(%v) = %q, want %q", c.p, got, c.end)
		}
	}
	left, _ := env.Project(Point{X: -0.5, Y: 1.1})
	right, _ := env.Project(Point{X: 0.5, Y: 1.1})
	if got := env.Geodesic(left, right); !near(got, 2*0.5) {
		t.Errorf("left end to right end: %g, want 2 × arm length = 1", got)
	}
	inLeft, _ := env.Project(Point{X: -0.3, Y: 1.12})
	inRight, _ := env.Project(Point{X: 0.3, Y: 1.08})
	if got := env.Geodesic(inLeft, inRight); !near(got, 0.6) {
		t.Errorf("left arm 0.3 to right arm 0.3: %g, want 0.6", got)
	}
	stem, _ := env.Project(Point{X: 0.01, Y: 0.6})
	if got, back := env.Geodesic(stem, left), env.Geodesic(left, stem); !near(got, 1.0) || got != back {
		t.Errorf("mid-stem to left end: %g (back %g), want 0.5 + 0.5 = 1", got, back)
	}
	if got := env.Geodesic(inLeft, left); !near(got, 0.2) {
		t.Errorf("along the left arm: %g, want 0.2", got)
	}
	if p := env.SkeletonAt(SkeletonPoint{Segment: 1, S: 0.25}); p != (Point{X: -0.25, Y: 1.1}) {
		t.Errorf("SkeletonAt(left arm, 0.25) = %v, want (−0.25, 1.1)", p)
	}
}

// TestTriangleSkeleton: side 1, A = (0, 0), B = (1, 0), C = (½, √3/2); segments AB, BC, CA.
func TestTriangleSkeleton(t *testing.T) {
	env := mustTask(t, "triangle").Env()
	if sk := env.Skeleton(); len(sk) != 3 || sk[0].A != (Point{X: 0, Y: 0}) || sk[2].B != (Point{X: 0, Y: 0}) {
		t.Fatalf("skeleton %v, want the loop A→B→C→A", sk)
	}
	c := Point{X: 0.5, Y: math.Sqrt(3) / 2}
	nearA, _ := env.Project(Point{X: 0.1, Y: -0.02})          // AB at 0.1 from A
	onCA, _ := env.Project(Point{X: 0.1 * c.X, Y: 0.1 * c.Y}) // CA at 0.1 from A (0.9 from C)
	if nearA.Segment != 0 || !near(nearA.S, 0.1) || onCA.Segment != 2 || math.Abs(onCA.S-0.9) > 1e-12 {
		t.Fatalf("projections %+v, %+v; want AB 0.1 and CA 0.9", nearA, onCA)
	}
	if got := env.Geodesic(nearA, onCA); math.Abs(got-0.2) > 1e-12 {
		t.Errorf("across vertex A: %g, want 0.2 (not 2.8 the long way)", got)
	}
	onBC := SkeletonPoint{Segment: 1, S: 0.8} // 0.2 before C
	// Via B: 0.9 + 0.8 = 1.7; via A and C: 0.1 + 1 + 0.2 = 1.3.
	if got := env.Geodesic(nearA, onBC); math.Abs(got-1.3) > 1e-12 {
		t.Errorf("AB 0.1 to BC 0.8: %g, want 1.3 (the shorter way, through A and C)", got)
	}
	for _, c := range []struct {
		p    Point
		want string
	}{{Point{X: 0.1, Y: -0.02}, "vertex A"}, {Point{X: 0.8, Y: 0.05}, "vertex B"}, {Point{X: 0.5, Y: 0.8}, "vertex C"}, {Point{X: 0.8, Y: 0.3}, "vertex B"}} {
		if got := env.NearestEnd(c.p); got != c.want {
			t.Errorf("NearestEnd(%v) = %q, want %q", c.p, got, c.want)
		}
	}
}

func TestSkeletonWithoutTrackAndValidation(t *testing.T) {
	arena := mustTask(t, "placecells").Env()
	if sp, d := arena.Project(Point{X: 0.5, Y: 0.5}); arena.Skeleton() != nil || sp.Segment != -1 || !math.IsInf(d, 1) || arena.NearestEnd(Point{}) != "" {
		t.Errorf("arena: skeleton %v, projection %+v at %g; want none", arena.Skeleton(), sp, d)
	}
	env, _ := NewEnvironment("two bars", rect(0, 0, 5, 1), nil, []Region{{Name: "west", Area: rect(0, 0, 2, 1)}, {Name: "east", Area: rect(2, 0, 5, 1)}})
	bars := []Segment{{A: Point{X: 0, Y: 0.5}, B: Point{X: 1, Y: 0.5}}, {A: Point{X: 3, Y: 0.5}, B: Point{X: 4, Y: 0.5}}}
	if err := env.SetSkeleton(bars, []End{{Name: "west", At: Point{X: 0, Y: 0.5}}, {Name: "east", At: Point{X: 4, Y: 0.5}}}); err != nil {
		t.Fatal(err)
	}
	if d := env.Geodesic(SkeletonPoint{Segment: 0, S: 0.5}, SkeletonPoint{Segment: 1, S: 0.5}); !math.IsInf(d, 1) {
		t.Errorf("unconnected segments: geodesic %g, want +Inf", d)
	}
	if got := env.NearestEnd(Point{X: 3.2, Y: 0.7}); got != "east" {
		t.Errorf("NearestEnd on the east bar = %q", got)
	}
	for _, c := range []struct {
		segs  []Segment
		ends  []End
		field string
	}{
		{[]Segment{bars[0], {A: Point{X: 1, Y: 0.5}, B: Point{X: 1, Y: 0.5}}}, nil, "Segments[1]"},
		{[]Segment{{A: Point{X: 0, Y: math.NaN()}, B: Point{X: 1, Y: 0}}}, nil, "Segments[0]"},
		{bars, []End{{Name: "north", At: Point{X: 0, Y: 0.5}}}, "Ends[0].Name"},
		{bars, []End{{Name: "west", At: Point{X: 0.5, Y: 0.5}}}, "Ends[0].At"},
		{nil, []End{{Name: "west", At: Point{X: 0, Y: 0.5}}}, "Ends"},
	} {
		if err := env.SetSkeleton(c.segs, c.ends); err == nil || !strings.Contains(err.Error(), c.field) {
			t.Errorf("SetSkeleton: error %v, want one naming %q", err, c.field)
		}
	}
}
