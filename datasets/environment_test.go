package datasets

import (
	"math"
	"strings"
	"testing"
)

func TestPolygonContainsAndArea(t *testing.T) {
	square := rect(0, 0, 2, 1)
	if got := square.Area(); got != 2 {
		t.Errorf("Area of 2×1 rectangle = %g, want 2", got)
	}
	for _, c := range []struct {
		p    Point
		want bool
	}{{Point{X: 1, Y: 0.5}, true}, {Point{X: 1.99, Y: 0.01}, true}, {Point{X: -0.1, Y: 0.5}, false}, {Point{X: 1, Y: 1.1}, false}, {Point{X: 3, Y: 0.5}, false}} {
		if got := square.Contains(c.p); got != c.want {
			t.Errorf("Contains(%v) = %v, want %v", c.p, got, c.want)
		}
	}
	// A concave "L": the notch is outside.
	ell := Polygon{{X: 0, Y: 0}, {X: 2, Y: 0}, {X: 2, Y: 1}, {X: 1, Y: 1}, {X: 1, Y: 2}, {X: 0, Y: 2}}
	if ell.Contains(Point{X: 1.5, Y: 1.5}) || !ell.Contains(Point{X: 0.5, Y: 1.5}) || !ell.Contains(Point{X: 1.5, Y: 0.5}) {
		t.Error("L-shaped polygon: wrong inside test at the notch")
	}
	if got := ell.Area(); got != 3 {
		t.Errorf("Area of L = %g, want 3", got)
	}
}

func TestEnvironmentHolesAndRegions(t *testing.T) {
	env, err := NewEnvironment("ring", rect(0, 0, 3, 3), []Polygon{rect(1, 1, 2, 2)},
		[]Region{{Name: "left", Area: rect(0, 0, 1, 3)}, {Name: "right", Area: rect(2, 0, 3, 3)}})
	if err != nil {
		t.Fatal(err)
	}
	if env.Contains(Point{X: 1.5, Y: 1.5}) {
		t.Error("point in the hole counted as inside")
	}
	if !env.Contains(Point{X: 1.5, Y: 0.5}) {
		t.Error("point in the ring counted as outside")
	}
	if got := env.Area(); got != 8 {
		t.Errorf("Area = %g, want 9 − 1 = 8", got)
	}
	if got := env.RegionOf(Point{X: 2.5, Y: 1}); got != 1 || env.Regions[got].Name != "right" {
		t.Errorf("RegionOf right point = %d, want 1", got)
	}
	if got := env.RegionOf(Point{X: 1.5, Y: 0.5}); got != -1 {
		t.Errorf("RegionOf bottom-middle = %d, want −1 (in no region)", got)
	}
	if env.RegionIndex("left") != 0 || env.RegionIndex("nowhere") != -1 || env.Size() != 3 {
		t.Error("RegionIndex or Size wrong")
	}
}

func TestEnvironmentRejectsBadPolygons(t *testing.T) {
	cases := []struct {
		name     string
		boundary Polygon
		regions  []Region
		field    string
	}{
		{"empty", Polygon{}, nil, "Boundary"},
		{"two vertices", Polygon{{X: 0, Y: 0}, {X: 1, Y: 1}}, nil, "Boundary"},
		{"collinear", Polygon{{X: 0, Y: 0}, {X: 1, Y: 1}, {X: 2, Y: 2}}, nil, "zero area"},
		{"NaN", Polygon{{X: 0, Y: 0}, {X: 1, Y: math.NaN()}, {X: 2, Y: 0}}, nil, "not finite"},
		{"unnamed region", rect(0, 0, 1, 1), []Region{{Name: "", Area: rect(0, 0, 1, 1)}}, "Regions[0].Name"},
		{"empty region", rect(0, 0, 1, 1), []Region{{Name: "r", Area: nil}}, "Regions[0]"},
	}
	for _, c := range cases {
		_, err := NewEnvironment("x", c.boundary, nil, c.regions)
		if err == nil || !strings.Contains(err.Error(), c.field) {
			t.Errorf("%s: error %v, want one naming %q", c.name, err, c.field)
		}
	}
}

func TestTrackRegionsPartitionTheTrack(t *testing.T) {
	// Every point of a fine grid inside a track environment lies in exactly one region,
	// and the regions' areas add up to the environment's area.
	for _, name := range []string{"triangle", "tmaze"} {
		task, err := NewDefaultTask(name)
		if err != nil {
			t.Fatal(err)
		}
		env := task.Env()
		total := 0.0
		for _, r := range env.Regions {
			total += r.Area.Area()
		}
		if math.Abs(total-env.Area()) > 1e-9 {
			t.Errorf("%s: regions cover area %g, environment %g", name, total, env.Area())
		}
		lo, hi := env.Bounds()
		const n = 200
		for i := range n {
			for j := range n {
				p := Point{X: lo.X + (hi.X-lo.X)*(float64(i)+0.5)/n, Y: lo.Y + (hi.Y-lo.Y)*(float64(j)+0.5)/n}
				if !env.Contains(p) {
					continue
				}
				count := 0
				for _, r := range env.Regions {
					if r.Area.Contains(p) {
						count++
					}
				}
				if count != 1 {
					t.Fatalf("%s: point %v inside the environment lies in %d regions", name, p, count)
				}
			}
		}
	}
}
