package plots

import (
	"bytes"
	"encoding/xml"
	"image/color"
	"image/png"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/recorder"

	"github.com/replaylab/replay/datasets"
	"github.com/replaylab/replay/geom"
	"github.com/replaylab/replay/replaylib/metrics"
)

func TestColor(t *testing.T) {
	seen := map[color.RGBA]bool{}
	for i := range NumColors {
		c := Color(i).(color.RGBA)
		if seen[c] {
			t.Errorf("Color(%d) = %v repeats", i, c)
		}
		seen[c] = true
		if Color(i+NumColors) != Color(i) || Color(i-NumColors) != Color(i) {
			t.Errorf("Color does not cycle at %d", i)
		}
	}
	if NumColors != 8 {
		t.Errorf("%d colours, want the 8 of Okabe–Ito", NumColors)
	}
	if Color(0) != (color.RGBA{0x00, 0x72, 0xB2, 0xFF}) || Color(NumColors-1) != (color.RGBA{0xF0, 0xE4, 0x42, 0xFF}) {
		t.Errorf("order: blue first, yellow last; got %v … %v", Color(0), Color(NumColors-1))
	}
}

func TestViridis(t *testing.T) {
	if Viridis(0) != (color.RGBA{0x44, 0x01, 0x54, 0xFF}) || Viridis(1) != (color.RGBA{0xFD, 0xE7, 0x25, 0xFF}) {
		t.Errorf("ends %v, %v", Viridis(0), Viridis(1))
	}
	prev := -1.0
	for i := range 101 {
		l := relativeLuminance(Viridis(float64(i) / 100))
		if l <= prev {
			t.Fatalf("luminance not increasing at %d: %g ≤ %g", i, l, prev)
		}
		prev = l
	}
	if Viridis(math.NaN()) != Viridis(0) || Viridis(2) != Viridis(1) {
		t.Error("out-of-range t not clamped")
	}
	if len(Palette().Colors()) != 256 {
		t.Error("Palette size")
	}
	if TextColorOn(Viridis(0)) != color.White || TextColorOn(Viridis(1)) != color.Black {
		t.Error("annotation colours on viridis ends")
	}
}

// tmaze returns the default T-maze environment.
func tmaze(t testing.TB) (*datasets.TMaze, *geom.Environment) {
	tm, err := datasets.NewTMaze(datasets.DefaultTMazeParams())
	if err != nil {
		t.Fatal(err)
	}
	return tm, tm.Env()
}

// figures returns one figure of every kind, with NaN values, single series and single points.
func figures(t testing.TB) map[string]*plot.Plot {
	nan := math.NaN()
	figs := map[string]*plot.Plot{}
	add := func(name string, p *plot.Plot, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		figs[name] = p
	}
	x := []float64{1, 2, 3, 4, 5}
	p, err := Lines(Axes{Title: "lines", X: "step", Y: "error"}, []Series{
		{Name: "with band", X: x, Y: []float64{5, 4, nan, 2, 1}, Lo: []float64{4, 3, 2, nan, 0.5}, Hi: []float64{6, 5, 4, 3, 2}},
		{Name: "inf & single", X: x, Y: []float64{math.Inf(1), 3, math.Inf(-1), 1, nan}},
	}, LineOptions{Markers: true})
	add("lines-nan", p, err)
	p, err = Lines(Axes{Title: "log", X: "step", Y: "error"}, []Series{{Name: "only", X: x, Y: []float64{100, 10, 0, -1, 0.01}}}, LineOptions{LogX: true, LogY: true})
	add("lines-log-single", p, err)
	p, err = Lines(Axes{Title: "empty log", X: "x", Y: "y"}, []Series{{Name: "nothing", X: []float64{0, -1}, Y: []float64{nan, 0}}}, LineOptions{LogY: true, LogX: true})
	add("lines-log-empty", p, err)
	p, err = Bars(Axes{Title: "bars", Y: "steps"}, []Bar{{"a", 1, 0.8, 1.1}, {"b", 2, 1.5, 2.9}, {"missing", nan, nan, nan}})
	add("bars", p, err)
	p, err = Bars(Axes{Title: "bars without intervals", Y: "steps"}, []Bar{{"one", -1, nan, nan}})
	add("bars-single", p, err)
	p, err = Heatmap(Axes{Title: "heat", X: "b_a", Y: "λ_v"}, []float64{0, 0.5, 1}, []float64{1, 0.4}, [][]float64{{1, nan, 3}, {4, 5, 6}}, HeatmapOptions{Format: "%.1f", Unit: "u"})
	add("heatmap", p, err)
	p, err = Heatmap(Axes{Title: "all NaN", X: "x", Y: "y"}, []float64{1}, []float64{2}, [][]float64{{nan}}, HeatmapOptions{})
	add("heatmap-nan", p, err)
	p, err = KaplanMeier("km", []Series{
		{Name: "a", X: []float64{3, 7, 12}, Y: []float64{0.8, 0.5, 0.2}, Lo: []float64{0.6, 0.3, 0.05}, Hi: []float64{0.95, 0.7, 0.4}},
		{Name: "b", X: []float64{5}, Y: []float64{0.9}},
	})
	add("km", p, err)
	tm, env := tmaze(t)
	rng := rand.New(rand.NewPCG(1, 2))
	traj := make([][]geom.Point, 3)
	for c := range traj {
		traj[c] = make([]geom.Point, 60)
		tm.Paths(traj[c], rng)
	}
	traj[1][10] = geom.Point{X: nan, Y: 0}
	p, err = Trajectories("trajectories", env, traj, 5)
	add("trajectories", p, err)
	grid, err := geom.NewGrid(env, 0.05)
	if err != nil {
		t.Fatal(err)
	}
	p, err = Occupancy("occupancy", env, grid, metrics.Flatten(traj))
	add("occupancy", p, err)
	counts := grid.Counts(metrics.Flatten(traj))
	counts[0] = nan
	p, err = OccupancyCounts("counts", env, grid, counts)
	add("occupancy-counts", p, err)
	p, err = Occupancy("no points", env, grid, nil)
	add("occupancy-empty", p, err)
	p, err = Quiver("quiver", env, Arrows{At: []geom.Point{{X: 0, Y: 0.5}}, Vec: []geom.Point{{X: 0, Y: 1}}, Scale: 0.2, Color: Color(1)})
	add("quiver", p, err)
	return figs
}

// checkSVG parses s as XML to the end.
func checkSVG(t *testing.T, name, s string) {
	t.Helper()
	if !strings.Contains(s, "<svg") {
		t.Errorf("%s: no <svg> element", name)
	}
	d := xml.NewDecoder(strings.NewReader(s))
	for {
		_, err := d.Token()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Errorf("%s: SVG is not valid XML: %v", name, err)
			return
		}
	}
}

func TestFiguresRender(t *testing.T) {
	wantW, wantH := Pixels(Width, Height)
	if wantW != 750 || wantH != 540 {
		t.Fatalf("Pixels(Width, Height) = %d × %d, want 750 × 540", wantW, wantH)
	}
	for name, p := range figures(t) {
		data, err := PNG(p, Width, Height)
		if err != nil {
			t.Errorf("%s: PNG: %v", name, err)
			continue
		}
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Errorf("%s: PNG decode: %v", name, err)
			continue
		}
		if b := img.Bounds(); b.Dx() != wantW || b.Dy() != wantH {
			t.Errorf("%s: PNG %d × %d, want %d × %d", name, b.Dx(), b.Dy(), wantW, wantH)
		}
		svg, err := SVG(p, Width, Height)
		if err != nil {
			t.Errorf("%s: SVG: %v", name, err)
			continue
		}
		checkSVG(t, name, svg)
		if !strings.Contains(svg, "font-family:'Liberation Sans',Arial,Helvetica,sans-serif;") || strings.Contains(svg, "font-family:Liberation Sans;") {
			t.Errorf("%s: SVG text lacks the metric-compatible fallback fonts", name)
		}
		if !strings.Contains(svg, `width="360pt"`) || !strings.Contains(svg, `height="259.2pt"`) {
			t.Errorf("%s: SVG size not 5in × 3.6in", name)
		}
	}
}

func TestSave(t *testing.T) {
	figs := figures(t)
	dir := t.TempDir()
	paths, err := Save(figs["trajectories"], filepath.Join(dir, "traj"), 4*vg.Inch, 4*vg.Inch)
	if err != nil || len(paths) != 2 || filepath.Ext(paths[0]) != ".png" || filepath.Ext(paths[1]) != ".svg" {
		t.Fatalf("Save: %v %v", paths, err)
	}
	data, _ := os.ReadFile(paths[0])
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil || img.Bounds().Dx() != 600 || img.Bounds().Dy() != 600 {
		t.Fatalf("saved PNG: %v, %v", err, img.Bounds())
	}
	svg, _ := os.ReadFile(paths[1])
	checkSVG(t, "saved", string(svg))
	if !strings.Contains(string(svg), "y (u)") {
		t.Error("SVG lacks the y-axis label")
	}
	// Tiles: 2 rows, the second short; blank places allowed.
	paths, err = SaveTiles([][]*plot.Plot{{figs["lines-nan"], figs["heatmap"]}, {nil, figs["occupancy"]}, {figs["km"]}}, filepath.Join(dir, "tiles"), 3*vg.Inch, 2*vg.Inch)
	if err != nil {
		t.Fatal(err)
	}
	data, _ = os.ReadFile(paths[0])
	img, err = png.Decode(bytes.NewReader(data))
	if err != nil || img.Bounds().Dx() != 900 || img.Bounds().Dy() != 900 {
		t.Fatalf("tiles PNG: %v, %v (want 900 × 900)", err, img.Bounds())
	}
	svg, _ = os.ReadFile(paths[1])
	checkSVG(t, "tiles", string(svg))
	if _, err := SaveTiles([][]*plot.Plot{{nil}}, filepath.Join(dir, "none"), Width, Height); err == nil {
		t.Error("SaveTiles without panels: no error")
	}
	if _, err := Save(figs["km"], filepath.Join(dir, "zero"), 0, Height); err == nil {
		t.Error("Save with zero width: no error")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 4 {
		t.Errorf("dir holds %d files, want the 4 written (no temporary left over)", len(entries))
	}
}

func TestErrors(t *testing.T) {
	x := []float64{0, 1}
	_, err := Heatmap(Axes{Title: "h", X: "x", Y: "y"}, x, x, [][]float64{{1, 2}, {3}}, HeatmapOptions{})
	if err == nil || !strings.Contains(err.Error(), "ragged") || !strings.Contains(err.Error(), "row 1 has 1 values") {
		t.Errorf("ragged z: %v", err)
	}
	if _, err := Heatmap(Axes{Title: "h", X: "x", Y: "y"}, x, x, [][]float64{{1, 2}}, HeatmapOptions{}); err == nil || !strings.Contains(err.Error(), "1 rows") {
		t.Errorf("z short of rows: %v", err)
	}
	if _, err := Heatmap(Axes{Title: "h", X: "x", Y: "y"}, nil, x, nil, HeatmapOptions{}); err == nil {
		t.Error("empty xs: no error")
	}
	if _, err := Lines(Axes{Title: "l", X: "x", Y: "y"}, []Series{{X: x, Y: x[:1]}}, LineOptions{}); err == nil {
		t.Error("Lines with len(Y) ≠ len(X): no error")
	}
	if _, err := Lines(Axes{Title: "l", X: "x", Y: "y"}, []Series{{X: x, Y: x, Lo: x}}, LineOptions{}); err == nil {
		t.Error("Lines with Lo but no Hi: no error")
	}
	if _, err := Bars(Axes{Title: "b", Y: "y"}, nil); err == nil || !strings.Contains(err.Error(), "no bars") {
		t.Errorf("Bars without bars: %v", err)
	}
	_, env := tmaze(t)
	grid, _ := geom.NewGrid(env, 0.1)
	if _, err := OccupancyCounts("o", env, grid, []float64{1}); err == nil {
		t.Error("OccupancyCounts with too few counts: no error")
	}
	one := []geom.Point{{X: 0, Y: 0.5}}
	for _, scale := range []float64{0, -1, math.Inf(1), math.NaN()} {
		if _, err := Quiver("q", env, Arrows{At: one, Vec: one, Scale: scale}); err == nil || !strings.Contains(err.Error(), "scale") {
			t.Errorf("Quiver with scale %g: %v", scale, err)
		}
	}
	if _, err := HoldField("h", env, Hold{Starts: one, After: nil}, Color(0)); err == nil || !strings.Contains(err.Error(), "1 starts but 0 end points") {
		t.Errorf("HoldField with a start but no end: %v", err)
	}
	if _, err := Frontier(Axes{Title: "f"}, []FrontierPoint{{Label: "a", X: 1, Y: 1}}, Thresholds{X: math.NaN(), Y: 1}); err == nil || !strings.Contains(err.Error(), "thresholds") {
		t.Errorf("Frontier with a NaN threshold: %v", err)
	}
}

func TestStepSeries(t *testing.T) {
	s := StepSeries("km", []float64{2, 5}, []float64{0.5, 0.25})
	wantX := []float64{0, 2, 2, 5, 5}
	wantY := []float64{1, 1, 0.5, 0.5, 0.25}
	if s.Name != "km" || !equal(s.X, wantX) || !equal(s.Y, wantY) {
		t.Errorf("StepSeries = %v %v, want %v %v", s.X, s.Y, wantX, wantY)
	}
	s = StepSeries("", []float64{0, 4}, []float64{0.9, 0.3})
	if !equal(s.X, []float64{0, 0, 4, 4}) || !equal(s.Y, []float64{0.9, 0.9, 0.9, 0.3}) {
		t.Errorf("StepSeries from 0 = %v %v", s.X, s.Y)
	}
	if s := StepSeries("", []float64{1}, nil); s.X != nil {
		t.Error("mismatched lengths: want an empty series")
	}
}

func equal(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// recorded draws p at w × h onto a recorder and returns its actions with the data area.
func recorded(p *plot.Plot, w, h vg.Length) (*recorder.Canvas, draw.Canvas, draw.Canvas) {
	rec := &recorder.Canvas{}
	c := draw.Canvas{Canvas: rec, Rectangle: vg.Rectangle{Max: vg.Point{X: w, Y: h}}}
	Draw(p, c)
	return rec, c, DataArea(p, c)
}

func inside(r vg.Rectangle, q vg.Point, tol vg.Length) bool {
	return q.X >= r.Min.X-tol && q.X <= r.Max.X+tol && q.Y >= r.Min.Y-tol && q.Y <= r.Max.Y+tol
}

// TestLegendOutsideData checks the legend rule on drawn output: every legend text starts right
// of the data area, inside the figure and below the title; every stroke in a series colour
// (a curve or a legend thumbnail) lies either in the data area or in the legend's box, and the
// two do not meet.
func TestLegendOutsideData(t *testing.T) {
	var series []Series
	names := []string{"leak, no momentum", "adaptation+momentum/relative", "baseline"}
	for i, n := range names {
		s := Series{Name: n}
		for k := range 50 {
			x := float64(k * 40)
			y := (3 - float64(i)) * math.Exp(-x/800)
			s.X, s.Y, s.Lo, s.Hi = append(s.X, x), append(s.Y, y), append(s.Lo, 0.8*y), append(s.Hi, 1.2*y)
		}
		series = append(series, s)
	}
	p, err := Lines(Axes{Title: "training", X: "step", Y: "error"}, series, LineOptions{LogY: true})
	if err != nil {
		t.Fatal(err)
	}
	above := map[bool]bool{}
	for _, size := range [][2]vg.Length{{Width, Height}, {3 * vg.Inch, 2.5 * vg.Inch}, {8 * vg.Inch, 3 * vg.Inch}} {
		rec, fig, data := recorded(p, size[0], size[1])
		box := LegendOf(p).Box(data)
		titleBottom := Inset(fig).Max.Y - p.Title.TextStyle.Height(p.Title.Text) - p.Title.Padding
		if overlap(box, data.Rectangle) || !inside(fig.Rectangle, box.Min, 0.01) || !inside(fig.Rectangle, box.Max, 0.01) || box.Max.Y > titleBottom {
			t.Errorf("%v: legend box %v meets the data area %v, leaves the figure %v or reaches the title (bottom %v)", size, box, data.Rectangle, fig.Rectangle, titleBottom)
		}
		if data.Max.X-data.Min.X < 0.4*(fig.Max.X-fig.Min.X) || data.Max.Y-data.Min.Y < 0.35*(fig.Max.Y-fig.Min.Y) {
			t.Errorf("%v: data area only %v × %v", size, data.Max.X-data.Min.X, data.Max.Y-data.Min.Y)
		}
		above[LegendOf(p).above] = true
		found := map[string]bool{}
		var cur color.Color
		for _, a := range rec.Actions {
			switch a := a.(type) {
			case *recorder.SetColor:
				cur = a.Color
			case *recorder.FillString:
				for _, n := range names {
					if a.String == n {
						found[n] = true
						face := font.DefaultCache.Lookup(a.Font, a.Size)
						end := a.Point.X + face.Width(a.String)
						if !inside(box, a.Point, 1) || end > fig.Max.X {
							t.Errorf("%v: legend text %q from %v to x = %v, outside the legend box %v", size, n, a.Point, end, box)
						}
					}
				}
			case *recorder.Stroke:
				if !isSeriesColor(cur, len(names)) {
					continue
				}
				for _, comp := range a.Path {
					if comp.Type == vg.MoveComp || comp.Type == vg.LineComp {
						if !inside(data.Rectangle, comp.Pos, 1) && !inside(box, comp.Pos, 1) {
							t.Fatalf("%v: stroke in a series colour at %v, neither in the data area %v nor in the legend %v", size, comp.Pos, data.Rectangle, box)
						}
					}
				}
			}
		}
		if len(found) != len(names) {
			t.Errorf("%v: legend texts drawn: %v", size, found)
		}
	}
	if !above[true] || !above[false] {
		t.Errorf("legend placements used: %v; want both right (wide figures) and above (narrow ones)", above)
	}
}

func overlap(a, b vg.Rectangle) bool {
	return a.Min.X < b.Max.X && b.Min.X < a.Max.X && a.Min.Y < b.Max.Y && b.Min.Y < a.Max.Y
}

func isSeriesColor(c color.Color, n int) bool {
	if c == nil {
		return false
	}
	r, g, b, _ := c.RGBA()
	for i := range n {
		R, G, B, _ := Color(i).RGBA()
		if r == R && g == G && b == B {
			return true
		}
	}
	return false
}

// TestColorBarOutsideData checks that a heat map's colour bar is drawn right of its cells.
func TestColorBarOutsideData(t *testing.T) {
	p, err := Heatmap(Axes{Title: "h", X: "x", Y: "y"}, []float64{0, 1}, []float64{0, 1}, [][]float64{{1, 2}, {3, 4}}, HeatmapOptions{Format: "%.1f", Unit: "unit"})
	if err != nil {
		t.Fatal(err)
	}
	rec, _, data := recorded(p, Width, Height)
	seen := 0
	for q, str := range drawnText(rec) {
		if str == "unit" || str == "4" {
			seen++
			if q.X < data.Max.X+LegendGap {
				t.Errorf("colour-bar text %q at x = %v, over the data (right edge %v)", str, q.X, data.Max.X)
			}
		}
	}
	if seen != 2 {
		t.Errorf("found %d of the colour bar's texts", seen)
	}
}

// drawnText yields the anchor point, in figure coordinates, and text of every string drawn,
// undoing the rotation of turned text.
func drawnText(rec *recorder.Canvas) func(yield func(vg.Point, string) bool) {
	return func(yield func(vg.Point, string) bool) {
		angle, stack := 0.0, []float64{}
		for _, a := range rec.Actions {
			switch a := a.(type) {
			case *recorder.Push:
				stack = append(stack, angle)
			case *recorder.Pop:
				angle, stack = stack[len(stack)-1], stack[:len(stack)-1]
			case *recorder.Rotate:
				angle += a.Angle
			case *recorder.FillString:
				sin, cos := math.Sincos(angle)
				q := vg.Point{X: a.Point.X*vg.Length(cos) - a.Point.Y*vg.Length(sin), Y: a.Point.X*vg.Length(sin) + a.Point.Y*vg.Length(cos)}
				if !yield(q, a.String) {
					return
				}
			}
		}
	}
}

// TestEqualAspect checks that environment figures keep one unit equally long on both axes
// whatever the figure's shape.
func TestEqualAspect(t *testing.T) {
	_, env := tmaze(t)
	p, err := Trajectories("t", env, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	lo, hi := env.Bounds()
	for _, size := range [][2]vg.Length{{Width, Height}, {3 * vg.Inch, 6 * vg.Inch}, {9 * vg.Inch, 2 * vg.Inch}} {
		_, _, data := recorded(p, size[0], size[1])
		ux := (p.X.Max - p.X.Min) / float64(data.Max.X-data.Min.X)
		uy := (p.Y.Max - p.Y.Min) / float64(data.Max.Y-data.Min.Y)
		if math.Abs(ux/uy-1) > 0.01 {
			t.Errorf("%v: %g u/pt across, %g u/pt up", size, ux, uy)
		}
		if p.X.Min > lo.X || p.X.Max < hi.X || p.Y.Min > lo.Y || p.Y.Max < hi.Y {
			t.Errorf("%v: view [%g, %g] × [%g, %g] cuts the environment", size, p.X.Min, p.X.Max, p.Y.Min, p.Y.Max)
		}
	}
}

// TestYLabel checks that a y label too long for the data area's height is written on two
// lines, centred on the data area (also on a log axis), and that the plot keeps its label.
func TestYLabel(t *testing.T) {
	long := "restricted mean reach time over all chains (steps)"
	p, err := Lines(Axes{Title: "t", X: "x", Y: long}, []Series{{X: []float64{1, 2}, Y: []float64{0.01, 1}}}, LineOptions{LogY: true})
	if err != nil {
		t.Fatal(err)
	}
	rec, _, data := recorded(p, Width, 2*vg.Inch)
	var parts []string
	face := font.DefaultCache.Lookup(p.Y.Label.TextStyle.Font, p.Y.Label.TextStyle.Font.Size)
	for q, s := range drawnText(rec) {
		if len(s) > 3 && strings.Contains(long, s) {
			parts = append(parts, s)
			mid := q.Y + face.Width(s)/2
			if centre := (data.Min.Y + data.Max.Y) / 2; math.Abs(float64(mid-centre)) > 1 {
				t.Errorf("label line %q centred at y = %v, data area's centre %v", s, mid, centre)
			}
		}
	}
	if len(parts) != 2 || parts[0]+" "+parts[1] != long {
		t.Errorf("label drawn as %q, want two lines of %q", parts, long)
	}
	if p.Y.Label.Text != long {
		t.Errorf("plot's label changed to %q", p.Y.Label.Text)
	}
}
