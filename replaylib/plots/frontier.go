package plots

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// FrontierPoint is one candidate of a Frontier: its label, where it lies, and whether it is drawn
// filled (Filled) or hollow.
type FrontierPoint struct {
	Label  string
	X, Y   float64
	Filled bool
}

// Thresholds are a Frontier's two limits, drawn dashed at x = X and y = Y.
type Thresholds struct{ X, Y float64 }

// Frontier draws one labelled point per candidate, filled or hollow, with dashed lines at the
// thresholds: the candidates in the lower left corner pass both. Non-finite points are left out
// (their labels too).
func Frontier(axes Axes, points []FrontierPoint, limits Thresholds) (*plot.Plot, error) {
	if !finite(limits.X) || !finite(limits.Y) {
		return nil, fmt.Errorf("plots: Frontier %q: thresholds (%g, %g) must be finite", axes.Title, limits.X, limits.Y)
	}
	xMax, yMax := limits.X, limits.Y
	p := newPlot(axes.Title, axes.X, axes.Y)
	addGrid(p, true, true)
	var filled, hollow, lab plotter.XYs
	var names []string
	var idx []int // index into points of each drawn label
	hiX, hiY := xMax, yMax
	loX, loY := math.Inf(1), math.Inf(1)
	for i, pt := range points {
		if !finite(pt.X) || !finite(pt.Y) {
			continue
		}
		xy := plotter.XY{X: pt.X, Y: pt.Y}
		if pt.Filled {
			filled = append(filled, xy)
		} else {
			hollow = append(hollow, xy)
		}
		lab, names, idx = append(lab, xy), append(names, " "+pt.Label), append(idx, i)
		hiX, hiY, loX, loY = math.Max(hiX, pt.X), math.Max(hiY, pt.Y), math.Min(loX, pt.X), math.Min(loY, pt.Y)
	}
	loX, loY = math.Min(loX, 0.9*xMax), math.Min(loY, yMax-0.1*(hiY-yMax+0.1))
	dash := draw.LineStyle{Color: color.Gray{Y: 90}, Width: vg.Points(1), Dashes: []vg.Length{vg.Points(4), vg.Points(3)}}
	padX, padY := 0.08*(hiX-loX), 0.08*(hiY-loY)
	p.Add(&plotter.Line{XYs: plotter.XYs{{X: xMax, Y: loY - padY}, {X: xMax, Y: hiY + padY}}, LineStyle: dash})
	p.Add(&plotter.Line{XYs: plotter.XYs{{X: loX - padX, Y: yMax}, {X: hiX + padX, Y: yMax}}, LineStyle: dash})
	if len(filled) > 0 {
		p.Add(&plotter.Scatter{XYs: filled, GlyphStyle: draw.GlyphStyle{Color: Color(0), Shape: draw.CircleGlyph{}, Radius: vg.Points(3.5)}})
	}
	if len(hollow) > 0 {
		p.Add(&plotter.Scatter{XYs: hollow, GlyphStyle: draw.GlyphStyle{Color: Color(1), Shape: draw.RingGlyph{}, Radius: vg.Points(3.5)}})
	}
	if len(lab) > 0 {
		l, err := plotter.NewLabels(plotter.XYLabels{XYs: lab, Labels: names})
		if err != nil {
			return nil, err
		}
		// Each label takes the first of four places around its point (right above, left above,
		// right below, left below) whose box, approximated from the label's length, overlaps no
		// earlier label's.
		spanX, spanY := hiX-loX+1e-12, hiY-loY+1e-12
		type box struct{ x0, x1, y0, y1 float64 }
		var placed []box
		for i := range l.TextStyle {
			l.TextStyle[i].Font = font.From(sans, TickSize-vg.Points(2))
			w, h := 0.017*spanX*float64(len(names[i])), 0.06*spanY
			for k, place := range [][2]draw.XAlignment{{draw.XLeft, 0}, {draw.XRight, 0}, {draw.XLeft, -1}, {draw.XRight, -1}} {
				b := box{lab[i].X, lab[i].X + w, lab[i].Y, lab[i].Y + h}
				if place[0] == draw.XRight {
					b.x0, b.x1 = lab[i].X-w, lab[i].X
				}
				if place[1] == -1 {
					b.y0, b.y1 = lab[i].Y-h, lab[i].Y
				}
				free := true
				for _, o := range placed {
					if b.x0 < o.x1 && o.x0 < b.x1 && b.y0 < o.y1 && o.y0 < b.y1 {
						free = false
					}
				}
				if free || k == 3 {
					l.TextStyle[i].XAlign, l.TextStyle[i].YAlign = place[0], draw.YAlignment(place[1])
					if place[0] == draw.XRight {
						l.Labels[i] = points[idx[i]].Label + " "
					}
					placed = append(placed, b)
					break
				}
			}
		}
		p.Add(l)
	}
	leg := NewLegend()
	AttachLegend(p, leg)
	leg.Add("inside ≥ threshold", &plotter.Scatter{GlyphStyle: draw.GlyphStyle{Color: Color(0), Shape: draw.CircleGlyph{}, Radius: vg.Points(3.5)}})
	leg.Add("inside below it", &plotter.Scatter{GlyphStyle: draw.GlyphStyle{Color: Color(1), Shape: draw.RingGlyph{}, Radius: vg.Points(3.5)}})
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = loX-3*padX, hiX+3*padX, loY-padY, hiY+padY
	return p, nil
}
