package plots

import (
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// fill is a plotter that fills polygons given in data coordinates with one colour, clipped to
// the data area, without an outline (gonum's Polygon always strokes one). It is used for
// bands and bars; as a legend thumbnail it fills the thumbnail's box.
type fill struct {
	rings []plotter.XYs
	color color.Color
	// noRange leaves the axis ranges alone (DataRange reports an empty range).
	noRange bool
}

// Plot implements plot.Plotter.
func (f *fill) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	for _, ring := range f.rings {
		pts := make([]vg.Point, len(ring))
		for i, q := range ring {
			pts[i] = vg.Point{X: trX(q.X), Y: trY(q.Y)}
		}
		if pts = c.ClipPolygonXY(pts); len(pts) > 2 {
			c.FillPolygon(f.color, pts)
		}
	}
}

// DataRange implements plot.DataRanger.
func (f *fill) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, ymin = math.Inf(1), math.Inf(1)
	xmax, ymax = math.Inf(-1), math.Inf(-1)
	if f.noRange {
		return
	}
	for _, ring := range f.rings {
		for _, q := range ring {
			xmin, xmax = math.Min(xmin, q.X), math.Max(xmax, q.X)
			ymin, ymax = math.Min(ymin, q.Y), math.Max(ymax, q.Y)
		}
	}
	return
}

// Thumbnail implements plot.Thumbnailer.
func (f *fill) Thumbnail(c *draw.Canvas) {
	c.FillPolygon(f.color, []vg.Point{c.Min, {X: c.Max.X, Y: c.Min.Y}, c.Max, {X: c.Min.X, Y: c.Max.Y}})
}

// rect returns the rectangle [x0, x1] × [y0, y1] as a ring.
func rect(x0, y0, x1, y1 float64) plotter.XYs {
	return plotter.XYs{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}}
}
