package datasets

import (
	"slices"
	"strings"
	"testing"
)

// TestReachTargetsPerTask: where a replay chain must go to count as reaching, from starts at each
// place of each task: the other two vertices of the triangle, the other arm of the T-maze (both
// arms from the stem), the diagonally opposite quadrant of the arena.
func TestReachTargetsPerTask(t *testing.T) {
	task := func(name string) Task {
		tk, err := NewDefaultTask(name)
		if err != nil {
			t.Fatal(err)
		}
		return tk
	}
	names := func(tk Task, idx []int) string {
		var out []string
		for _, i := range idx {
			out = append(out, tk.Env().Regions[i].Name)
		}
		slices.Sort(out)
		return strings.Join(out, ", ")
	}

	tri := task("triangle")
	ends := tri.Env().Ends()
	if len(ends) != 3 {
		t.Fatalf("triangle: %d ends, want 3 vertices", len(ends))
	}
	for i, e := range ends {
		var want []string
		for j, o := range ends {
			if j != i {
				want = append(want, o.Name)
			}
		}
		slices.Sort(want)
		if got := names(tri, tri.ReachTargets(e.At)); got != strings.Join(want, ", ") {
			t.Errorf("triangle from %s: targets %q, want %q", e.Name, got, strings.Join(want, ", "))
		}
	}

	tm := task("tmaze")
	for _, e := range tm.Env().Ends() {
		want := map[string]string{
			RegionLeftArm:  RegionRightArm,
			RegionRightArm: RegionLeftArm,
			RegionStem:     RegionLeftArm + ", " + RegionRightArm,
		}[e.Name]
		if got := names(tm, tm.ReachTargets(e.At)); got != want {
			t.Errorf("T-maze from %s: targets %q, want %q", e.Name, got, want)
		}
	}

	arena := task("placecells")
	L := arena.Env().Size()
	for _, c := range []struct {
		x, y float64
		want string
	}{{0.1, 0.1, "north-east"}, {0.9, 0.1, "north-west"}, {0.1, 0.9, "south-east"}, {0.9, 0.9, "south-west"}} {
		if got := names(arena, arena.ReachTargets(Point{X: c.x * L, Y: c.y * L})); got != c.want {
			t.Errorf("arena from (%g, %g)·L: targets %q, want %q", c.x, c.y, got, c.want)
		}
	}
}
