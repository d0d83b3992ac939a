package plots

import (
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/recorder"
)

// equalAspect is the linear scale of an equal-aspect figure's x axis; it also marks the figure
// as one and keeps the region [x0, x1] × [y0, y1] that must stay in view. fitAspect widens
// one axis range around it so that both axes have the same units per point.
type equalAspect struct {
	plot.LinearScale
	x0, x1, y0, y1 float64
}

// setEqualAspect makes p an equal-aspect figure showing at least [x0, x1] × [y0, y1], fitted
// for the default Width × Height until it is drawn at another size.
func setEqualAspect(p *plot.Plot, x0, x1, y0, y1 float64) {
	p.X.Scale = equalAspect{x0: x0, x1: x1, y0: y0, y1: y1}
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = x0, x1, y0, y1
	c := draw.Canvas{Canvas: &recorder.Canvas{}, Rectangle: vg.Rectangle{Max: vg.Point{X: Width, Y: Height}}}
	fitAspect(p, c)
}

// fitAspect sets the axis ranges of an equal-aspect plot for drawing onto c: the wanted
// region, centred, with the axis that has room to spare widened. The data area depends on
// the tick labels and so on the ranges; three rounds settle it. Other plots are left alone.
func fitAspect(p *plot.Plot, c draw.Canvas) {
	ea, ok := p.X.Scale.(equalAspect)
	if !ok {
		return
	}
	cx, cy := (ea.x0+ea.x1)/2, (ea.y0+ea.y1)/2
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = ea.x0, ea.x1, ea.y0, ea.y1
	for range 3 {
		dc := p.DataCanvas(c)
		w, h := float64(dc.Max.X-dc.Min.X), float64(dc.Max.Y-dc.Min.Y)
		if !(w > 0 && h > 0) {
			return
		}
		upp := max((ea.x1-ea.x0)/w, (ea.y1-ea.y0)/h) // units per point
		p.X.Min, p.X.Max = cx-upp*w/2, cx+upp*w/2
		p.Y.Min, p.Y.Max = cy-upp*h/2, cy+upp*h/2
	}
}
