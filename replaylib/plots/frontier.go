package plots

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Frontier draws one labelled point per candidate at (xs[i], ys[i]), filled where full[i] holds
// and hollow otherwise, with dashed lines at the thresholds xMax and yMax: the candidates in the
// lower left corner pass both. Non-finite points are left out (their labels too).
func Frontier(title, xLabel, yLabel string, xs, ys []float64, labels []string, full []bool, xMax, yMax float64) (*plot.Plot, error) {
	n := len(labels)
	if len(xs) != n || len(ys) != n || len(full) != n {
		return nil, fmt.Errorf("plots: Frontier %q: %d labels, %d x, %d y, %d flags", title, n, len(xs), len(ys), len(full))
	}
	p := newPlot(title, xLabel, yLabel)
	addGrid(p, true, true)
	var filled, hollow, lab plotter.XYs
	var names []string
	hiX, hiY := xMax, yMax
	loX, loY := math.Inf(1), math.Inf(1)
	for i := range n {
		if !finite(xs[i]) || !finite(ys[i]) {
			continue
		}
		xy := plotter.XY{X: xs[i], Y: ys[i]}
		if full[i] {
			filled = append(filled, xy)
		} else {
			hollow = append(hollow, xy)
		}
		lab, names = append(lab, xy), append(names, " "+labels[i])
		hiX, hiY, loX, loY = math.Max(hiX, xs[i]), math.Max(hiY, ys[i]), math.Min(loX, xs[i]), math.Min(loY, ys[i])
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
		for i := range l.TextStyle {
			l.TextStyle[i].Font.Size = vg.Points(7)
			l.TextStyle[i].XAlign = 0
		}
		p.Add(l)
	}
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = loX-padX, hiX+3*padX, loY-padY, hiY+padY
	return p, nil
}
