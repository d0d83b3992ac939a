package plots

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/replaylab/replay/geom"
)

// outlineColor is the colour of the environment's outline.
var outlineColor = color.Gray{Y: 50}

// envLabels are the axis labels of environment figures (environment units).
const envX, envY = "x (u)", "y (u)"

// newEnvPlot returns a plot for an environment figure.
func newEnvPlot(title string) *plot.Plot {
	return newPlot(title, envX, envY)
}

// finishEnv adds the environment's holes (filled with the background, covering the data
// under them when cover is set) and outline on top of p's data, and fixes the equal-aspect
// view of the environment.
func finishEnv(p *plot.Plot, env *geom.Environment, cover bool) {
	if cover && len(env.Holes) > 0 {
		f := &fill{color: color.White, noRange: true}
		for _, h := range env.Holes {
			f.rings = append(f.rings, polygonXYs(h))
		}
		p.Add(f)
	}
	sty := draw.LineStyle{Color: outlineColor, Width: vg.Points(1.2)}
	for _, poly := range append([]geom.Polygon{env.Boundary}, env.Holes...) {
		ring := polygonXYs(poly)
		p.Add(&plotter.Line{XYs: append(ring, ring[0]), LineStyle: sty})
	}
	lo, hi := env.Bounds()
	pad := 0.05 * env.Size()
	setEqualAspect(p, lo.X-pad, hi.X+pad, lo.Y-pad, hi.Y+pad)
}

func polygonXYs(poly geom.Polygon) plotter.XYs {
	xys := make(plotter.XYs, len(poly))
	for i, v := range poly {
		xys[i] = plotter.XY{X: v.X, Y: v.Y}
	}
	return xys
}

// Trajectories draws the first maxChains chains of traj (all when maxChains exceeds their
// number) over the environment, chain c in Color(c) (cycling), each marked at its first point
// by a dot drawn over all lines and explained in a legend. Points with a non-finite
// coordinate break the chain's line.
func Trajectories(title string, env *geom.Environment, traj [][]geom.Point, maxChains int) (*plot.Plot, error) {
	p := newEnvPlot(title)
	var starts []plot.Plotter // drawn after every line, so that no chain hides another's start
	for c := range max(0, min(maxChains, len(traj))) {
		sty := draw.LineStyle{Color: withAlpha(Color(c), 0.8), Width: vg.Points(0.9)}
		chain := traj[c]
		for i, r := range runs(len(chain), func(k int) bool { return finite(chain[k].X) && finite(chain[k].Y) }) {
			var xys plotter.XYs
			for _, q := range chain[r[0]:r[1]] {
				xys = append(xys, plotter.XY{X: q.X, Y: q.Y})
			}
			if len(xys) > 1 {
				p.Add(&plotter.Line{XYs: xys, LineStyle: sty})
			}
			if i == 0 {
				starts = append(starts, &plotter.Scatter{XYs: xys[:1], GlyphStyle: startGlyph(Color(c))})
			}
		}
	}
	p.Add(starts...)
	finishEnv(p, env, false)
	leg := NewLegend()
	AttachLegend(p, leg)
	leg.Add("start", &plotter.Scatter{GlyphStyle: startGlyph(color.Gray{Y: 60})})
	return p, nil
}

// startGlyph marks the start of a chain: a dot with a white rim, visible over lines.
func startGlyph(c color.Color) draw.GlyphStyle {
	return draw.GlyphStyle{Color: c, Shape: rimmedCircle{}, Radius: vg.Points(2.6)}
}

// rimmedCircle is a filled circle with a thin white rim.
type rimmedCircle struct{}

// DrawGlyph implements draw.GlyphDrawer.
func (rimmedCircle) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	var rim vg.Path
	rim.Move(vg.Point{X: pt.X + sty.Radius + 0.6, Y: pt.Y})
	rim.Arc(pt, sty.Radius+0.6, 0, 2*math.Pi)
	rim.Close()
	c.SetColor(color.White)
	c.Fill(rim)
	c.SetColor(sty.Color) // CircleGlyph fills in the current colour
	draw.CircleGlyph{}.DrawGlyph(c, sty, pt)
}

// Occupancy draws each grid cell's share of the points that fall on the grid over the environment
// (OccupancyMap, unit "fraction of points per cell"); points off the grid are not counted.
func Occupancy(title string, env *geom.Environment, grid *geom.Grid, points []geom.Point) (*plot.Plot, error) {
	counts := grid.Counts(points)
	total := 0.0
	for _, c := range counts {
		total += c
	}
	for i := range counts {
		counts[i] /= math.Max(total, 1)
	}
	return OccupancyMap(title, env, grid, counts, "fraction of points per cell")
}

// OccupancyCounts draws per-cell counts (row-major like Grid.Counts: cell (ix, iy) at
// iy·NX + ix) over the environment (OccupancyMap, unit "points per cell").
func OccupancyCounts(title string, env *geom.Environment, grid *geom.Grid, counts []float64) (*plot.Plot, error) {
	return OccupancyMap(title, env, grid, counts, "points per cell")
}

// OccupancyMap draws one value per grid cell (row-major like Grid.Counts) over the
// environment on the viridis scale, from 0 (or the smallest value, if negative) to the
// largest, with a colour bar labelled unit. Only cells whose centre is inside the environment
// (Grid.Inside) and whose value is finite are coloured, each clipped to the boundary; the
// environment's holes and outline are drawn over them.
func OccupancyMap(title string, env *geom.Environment, grid *geom.Grid, values []float64, unit string) (*plot.Plot, error) {
	if n := grid.NX * grid.NY; len(values) != n {
		return nil, fmt.Errorf("plots: %q: %d values for a %d × %d grid (%d cells)", title, len(values), grid.NX, grid.NY, n)
	}
	lo, hi := colorRange(func(yield func(float64) bool) {
		if !yield(0) {
			return
		}
		for i, v := range values {
			if grid.Inside(i) && !yield(v) {
				return
			}
		}
	}, 0, 0)
	p := newEnvPlot(title)
	cs := &cells{edge: draw.LineStyle{Width: vg.Points(0.4)}}
	for iy := range grid.NY {
		for ix := range grid.NX {
			i := iy*grid.NX + ix
			if !grid.Inside(i) || !finite(values[i]) {
				continue
			}
			x0, y0 := grid.Lo.X+float64(ix)*grid.Cell, grid.Lo.Y+float64(iy)*grid.Cell
			ring := clipToRect(env.Boundary, x0, y0, x0+grid.Cell, y0+grid.Cell)
			if len(ring) < 3 {
				continue
			}
			cs.cells = append(cs.cells, cell{ring: ring, color: colorAt(values[i], lo, hi)})
		}
	}
	p.Add(cs)
	finishEnv(p, env, true)
	p.Add(newColorBar(p, lo, hi, unit))
	return p, nil
}

// clipToRect returns the part of poly inside the rectangle [x0, x1] × [y0, y1]
// (Sutherland–Hodgman: the rectangle is convex, poly may be concave; a result in several
// pieces is joined along the rectangle's edges, which fills correctly).
func clipToRect(poly geom.Polygon, x0, y0, x1, y1 float64) plotter.XYs {
	pts := polygonXYs(poly)
	edges := []struct {
		in    func(plotter.XY) bool
		cross func(a, b plotter.XY) plotter.XY
	}{
		{func(q plotter.XY) bool { return q.X >= x0 }, func(a, b plotter.XY) plotter.XY { return atX(a, b, x0) }},
		{func(q plotter.XY) bool { return q.X <= x1 }, func(a, b plotter.XY) plotter.XY { return atX(a, b, x1) }},
		{func(q plotter.XY) bool { return q.Y >= y0 }, func(a, b plotter.XY) plotter.XY { return atY(a, b, y0) }},
		{func(q plotter.XY) bool { return q.Y <= y1 }, func(a, b plotter.XY) plotter.XY { return atY(a, b, y1) }},
	}
	for _, e := range edges {
		if len(pts) == 0 {
			break
		}
		var out plotter.XYs
		prev := pts[len(pts)-1]
		for _, q := range pts {
			switch {
			case e.in(q) && !e.in(prev):
				out = append(out, e.cross(prev, q), q)
			case e.in(q):
				out = append(out, q)
			case e.in(prev):
				out = append(out, e.cross(prev, q))
			}
			prev = q
		}
		pts = out
	}
	return pts
}

func atX(a, b plotter.XY, x float64) plotter.XY {
	return plotter.XY{X: x, Y: a.Y + (x-a.X)*(b.Y-a.Y)/(b.X-a.X)}
}

func atY(a, b plotter.XY, y float64) plotter.XY {
	return plotter.XY{X: a.X + (y-a.Y)*(b.X-a.X)/(b.Y-a.Y), Y: y}
}

// Arrows are a Quiver's arrows: from At[i] to At[i] + Scale·Vec[i], drawn in Color.
type Arrows struct {
	At, Vec []geom.Point
	Scale   float64 // the vectors' drawn length per unit; must be positive
	Color   color.Color
}

// Quiver draws arrows over the environment, each ending in a dot.
func Quiver(title string, env *geom.Environment, arrows Arrows) (*plot.Plot, error) {
	if len(arrows.Vec) != len(arrows.At) {
		return nil, fmt.Errorf("plots: Quiver %q: %d positions but %d vectors", title, len(arrows.At), len(arrows.Vec))
	}
	if !(arrows.Scale > 0) || !finite(arrows.Scale) {
		return nil, fmt.Errorf("plots: Quiver %q: scale %g, want a finite number > 0", title, arrows.Scale)
	}
	col := arrows.Color
	if col == nil {
		col = color.Black
	}
	p := newEnvPlot(title)
	sty := draw.LineStyle{Color: col, Width: vg.Points(0.8)}
	for i, a := range arrows.At {
		b := a.Add(arrows.Vec[i].Scale(arrows.Scale))
		if !finite(a.X) || !finite(a.Y) || !finite(b.X) || !finite(b.Y) {
			continue
		}
		p.Add(&plotter.Line{XYs: plotter.XYs{{X: a.X, Y: a.Y}, {X: b.X, Y: b.Y}}, LineStyle: sty})
		p.Add(&plotter.Scatter{XYs: plotter.XYs{{X: b.X, Y: b.Y}}, GlyphStyle: draw.GlyphStyle{Color: col, Radius: vg.Points(1.2), Shape: draw.CircleGlyph{}}})
	}
	finishEnv(p, env, false)
	return p, nil
}

// Hold is what noiseless replay does from a set of starts: where each start ends (After[i] for
// Starts[i]) and the fixed points the chains settle in, each with its share of chains (Weights).
type Hold struct {
	Starts, After []geom.Point
	FixedPoints   []geom.Point
	Weights       []float64
}

// HoldField draws a Hold: an arrow from each start to where it ends (Quiver, in col), and the fixed
// points, each a black dot whose area grows with its share of chains, explained in a legend.
func HoldField(title string, env *geom.Environment, hold Hold, col color.Color) (*plot.Plot, error) {
	if len(hold.Weights) != len(hold.FixedPoints) {
		return nil, fmt.Errorf("plots: HoldField %q: %d fixed points but %d weights", title, len(hold.FixedPoints), len(hold.Weights))
	}
	vec := make([]geom.Point, len(hold.Starts))
	if len(hold.After) != len(hold.Starts) {
		return nil, fmt.Errorf("plots: HoldField %q: %d starts but %d end points", title, len(hold.Starts), len(hold.After))
	}
	for i := range hold.Starts {
		vec[i] = hold.After[i].Sub(hold.Starts[i])
	}
	p, err := Quiver(title, env, Arrows{At: hold.Starts, Vec: vec, Scale: 1, Color: col})
	if err != nil {
		return nil, err
	}
	total := 0.0
	for _, w := range hold.Weights {
		total += w
	}
	for i, a := range hold.FixedPoints {
		r := 2.5 + 6*math.Sqrt(hold.Weights[i]/math.Max(total, 1e-12))
		p.Add(&plotter.Scatter{XYs: plotter.XYs{{X: a.X, Y: a.Y}}, GlyphStyle: draw.GlyphStyle{Color: color.Black, Shape: rimmedCircle{}, Radius: vg.Points(r)}})
	}
	leg := NewLegend()
	AttachLegend(p, leg)
	leg.Add("fixed point (area: share of chains)", &plotter.Scatter{GlyphStyle: draw.GlyphStyle{Color: color.Black, Shape: rimmedCircle{}, Radius: vg.Points(3)}})
	return p, nil
}
