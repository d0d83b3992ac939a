package plots

import (
	"fmt"
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// HeatmapOptions are Heatmap's options.
type HeatmapOptions struct {
	// Format is the fmt verb that writes each cell's value in the cell, e.g. "%.3f"; "" writes
	// nothing.
	Format string
	// Unit labels the colour bar.
	Unit string
	// Lo and Hi fix the colour scale (to compare several heat maps); when Hi ≤ Lo (the zero
	// value) the scale runs from the smallest to the largest finite value.
	Lo, Hi float64
}

// NaNColor is the colour of a heat-map cell without a value: a light grey that the viridis
// scale never takes.
var NaNColor color.Color = color.Gray{Y: 0xD4}

// Heatmap draws z[iy][ix], the value at (xs[ix], ys[iy]), as a grid of coloured cells on the
// viridis scale, with a colour bar (labelled opt.Unit) to the right. The axes are categorical:
// cells are equal in size whatever the spacing of xs and ys, and each cell's centre is labelled
// with its grid value. Columns go left to right in the order of xs; rows are stacked so that
// y increases upwards: row 0 at the bottom when ys[0] < ys[len(ys)−1], at the top otherwise.
// With opt.Format each cell shows its value, in black or white, whichever contrasts more with
// the cell. A non-finite value leaves its cell grey (NaNColor) and unwritten. z must have
// len(ys) rows of len(xs) values.
func Heatmap(axes Axes, xs, ys []float64, z [][]float64, opt HeatmapOptions) (*plot.Plot, error) {
	nx, ny := len(xs), len(ys)
	if nx == 0 || ny == 0 {
		return nil, fmt.Errorf("plots: Heatmap %q: %d x values and %d y values: need at least one of each", axes.Title, nx, ny)
	}
	if len(z) != ny {
		return nil, fmt.Errorf("plots: Heatmap %q: z has %d rows but there are %d y values (z[iy][ix])", axes.Title, len(z), ny)
	}
	for iy, row := range z {
		if len(row) != nx {
			return nil, fmt.Errorf("plots: Heatmap %q: z is ragged: row %d has %d values but there are %d x values (z[iy][ix])", axes.Title, iy, len(row), nx)
		}
	}
	lo, hi := colorRange(func(yield func(float64) bool) {
		for _, row := range z {
			for _, v := range row {
				if !yield(v) {
					return
				}
			}
		}
	}, opt.Lo, opt.Hi)
	p := newPlot(axes.Title, axes.X, axes.Y)
	row := func(iy int) int { return iy }
	if ny > 1 && ys[0] > ys[ny-1] {
		row = func(iy int) int { return ny - 1 - iy }
	}
	cs := &cells{edge: draw.LineStyle{Color: color.White, Width: vg.Points(1)}}
	cs.text = p.X.Tick.Label
	cs.text.Font = font.From(sans, TickSize)
	cs.text.XAlign, cs.text.YAlign = draw.XCenter, draw.YCenter
	for iy, zr := range z {
		r := float64(row(iy))
		for ix, v := range zr {
			x := float64(ix)
			c := cell{ring: rect(x-0.5, r-0.5, x+0.5, r+0.5), color: NaNColor, x: x, y: r}
			if finite(v) {
				c.color = colorAt(v, lo, hi)
				if opt.Format != "" {
					c.label = fmt.Sprintf(opt.Format, v)
				}
			}
			cs.cells = append(cs.cells, c)
		}
	}
	p.Add(cs, newColorBar(p, lo, hi, opt.Unit))
	xt := make([]plot.Tick, nx)
	for ix, x := range xs {
		xt[ix] = plot.Tick{Value: float64(ix), Label: TickLabel(x, 0)}
	}
	yt := make([]plot.Tick, ny)
	for iy, y := range ys {
		yt[iy] = plot.Tick{Value: float64(row(iy)), Label: TickLabel(y, 0)}
	}
	p.X.Tick.Marker, p.Y.Tick.Marker = plot.ConstantTicks(xt), plot.ConstantTicks(yt)
	p.X.Min, p.X.Max = -0.5, float64(nx)-0.5
	p.Y.Min, p.Y.Max = -0.5, float64(ny)-0.5
	p.X.Padding, p.Y.Padding = vg.Points(2), vg.Points(2)
	p.X.Width, p.Y.Width = 0, 0 // no axis lines or tick marks: the cells carry the grid
	p.X.Tick.Length, p.Y.Tick.Length = 0, 0
	return p, nil
}

// cell is one filled polygon of a cells plotter, with an optional label at (x, y).
type cell struct {
	ring  plotter.XYs
	color color.Color
	label string
	x, y  float64
}

// cells is a plotter of filled cells (heat maps, occupancy maps): each is filled with its
// colour and outlined with edge (edge.Color nil: the cell's own colour, which hides the
// hairline seams anti-aliasing leaves between neighbours), then labelled in black or white,
// whichever reads better on it.
type cells struct {
	cells []cell
	edge  draw.LineStyle
	text  text.Style
}

// Plot implements plot.Plotter.
func (cs *cells) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	for _, cl := range cs.cells {
		pts := make([]vg.Point, len(cl.ring))
		for i, q := range cl.ring {
			pts[i] = vg.Point{X: trX(q.X), Y: trY(q.Y)}
		}
		if pts = c.ClipPolygonXY(pts); len(pts) < 3 {
			continue
		}
		c.FillPolygon(cl.color, pts)
		edge := cs.edge
		if edge.Color == nil {
			edge.Color = cl.color
		}
		if edge.Width > 0 {
			c.StrokeLines(edge, append(pts, pts[0]))
		}
	}
	for _, cl := range cs.cells {
		if cl.label == "" {
			continue
		}
		sty := cs.text
		sty.Color = TextColorOn(cl.color)
		c.FillText(sty, vg.Point{X: trX(cl.x), Y: trY(cl.y)}, cl.label)
	}
}

// DataRange implements plot.DataRanger.
func (cs *cells) DataRange() (xmin, xmax, ymin, ymax float64) {
	var f fill
	for _, cl := range cs.cells {
		f.rings = append(f.rings, cl.ring)
	}
	return f.DataRange()
}
