package plots

import (
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Series is a named curve: points (X[k], Y[k]), and optionally a band from Lo[k] to Hi[k]
// around it (a confidence interval, or the spread over several trained networks). Lo and Hi
// are nil or as long as X; Y is as long as X.
type Series struct {
	Name   string
	X, Y   []float64
	Lo, Hi []float64
}

// validate checks the lengths of s's slices.
func (s Series) validate(i int) error {
	if len(s.Y) != len(s.X) {
		return fmt.Errorf("plots: series %d (%q): %d x values but %d y values", i, s.Name, len(s.X), len(s.Y))
	}
	if (s.Lo == nil) != (s.Hi == nil) {
		return fmt.Errorf("plots: series %d (%q): Lo and Hi must both be set or both nil", i, s.Name)
	}
	if s.Lo != nil && (len(s.Lo) != len(s.X) || len(s.Hi) != len(s.X)) {
		return fmt.Errorf("plots: series %d (%q): %d x values but %d Lo and %d Hi values", i, s.Name, len(s.X), len(s.Lo), len(s.Hi))
	}
	return nil
}

// LineOptions are Lines' switches.
type LineOptions struct {
	// LogX and LogY put the axis on a log scale (labelled by LogTicks); points with a
	// non-positive coordinate on a log axis are left out.
	LogX, LogY bool
	// Markers draws a marker at every point (shape by series), for sparse data such as sweeps.
	Markers bool
}

// Band opacity: bands are filled with their series colour at this alpha, under the lines.
const bandAlpha = 0.22

// Lines draws the series as lines in the palette's colours (Color(i) for series i, dashed
// from the ninth series on), each with its band, if any, as a translucent polygon in the
// same colour under all lines. A point with a non-finite coordinate, or a non-positive one
// on a log axis, is left out and breaks its line there (an isolated point is drawn as a
// marker); a band breaks likewise where Lo or Hi is missing. With more than one series, the
// named ones are listed in a legend to the right of the data area.
func Lines(axes Axes, series []Series, opt LineOptions) (*plot.Plot, error) {
	for i, s := range series {
		if err := s.validate(i); err != nil {
			return nil, err
		}
	}
	p := newPlot(axes.Title, axes.X, axes.Y)
	addGrid(p, true, true)
	if opt.LogX {
		p.X.Scale, p.X.Tick.Marker = plot.LogScale{}, LogTicks{}
	}
	if opt.LogY {
		p.Y.Scale, p.Y.Tick.Marker = plot.LogScale{}, LogTicks{}
	}
	ok := func(x, y float64) bool {
		return finite(x) && finite(y) && !(opt.LogX && x <= 0) && !(opt.LogY && y <= 0)
	}
	// Bands first, so that every line is drawn over every band.
	for i, s := range series {
		if s.Lo == nil {
			continue
		}
		for _, r := range runs(len(s.X), func(k int) bool { return ok(s.X[k], s.Lo[k]) && ok(s.X[k], s.Hi[k]) }) {
			if r[1]-r[0] < 2 {
				continue
			}
			var poly plotter.XYs
			for k := r[0]; k < r[1]; k++ {
				poly = append(poly, plotter.XY{X: s.X[k], Y: s.Hi[k]})
			}
			for k := r[1] - 1; k >= r[0]; k-- {
				poly = append(poly, plotter.XY{X: s.X[k], Y: s.Lo[k]})
			}
			p.Add(&fill{rings: []plotter.XYs{poly}, color: withAlpha(Color(i), bandAlpha)})
		}
	}
	var leg *Legend
	if len(series) > 1 {
		leg = NewLegend()
	}
	for i, s := range series {
		sty := lineStyle(i)
		glyph := draw.GlyphStyle{Color: Color(i), Shape: plotutil.Shape(i % NumColors), Radius: vg.Points(2.2)}
		for _, r := range runs(len(s.X), func(k int) bool { return ok(s.X[k], s.Y[k]) }) {
			var xys plotter.XYs
			for k := r[0]; k < r[1]; k++ {
				xys = append(xys, plotter.XY{X: s.X[k], Y: s.Y[k]})
			}
			if len(xys) > 1 {
				p.Add(&plotter.Line{XYs: xys, LineStyle: sty})
			}
			if opt.Markers || len(xys) == 1 {
				p.Add(&plotter.Scatter{XYs: xys, GlyphStyle: glyph})
			}
		}
		if leg != nil && s.Name != "" {
			thumbs := []plot.Thumbnailer{}
			if s.Lo != nil {
				thumbs = append(thumbs, &fill{color: withAlpha(Color(i), bandAlpha)})
			}
			thumbs = append(thumbs, &plotter.Line{LineStyle: sty})
			if opt.Markers {
				thumbs = append(thumbs, &plotter.Scatter{GlyphStyle: glyph})
			}
			leg.Add(s.Name, thumbs...)
		}
	}
	if leg != nil {
		AttachLegend(p, leg)
	}
	defaultLogRange(&p.X, opt.LogX)
	defaultLogRange(&p.Y, opt.LogY)
	return p, nil
}

// lineStyle is the style of series i's line: its colour, solid for the first NumColors series
// and dashed for the next ones.
func lineStyle(i int) draw.LineStyle {
	return draw.LineStyle{Color: Color(i), Width: vg.Points(1.4), Dashes: plotutil.Dashes(i / NumColors)}
}

// defaultLogRange gives a log axis that received no data the range [1, 10] (gonum/plot would
// panic on its default [−1, 1]).
func defaultLogRange(a *plot.Axis, log bool) {
	if log && !(a.Min > 0 && a.Max > 0 && !math.IsInf(a.Max, 0)) {
		a.Min, a.Max = 1, 10
	}
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// runs returns the maximal index ranges [a, b) of 0..n−1 on which ok holds.
func runs(n int, ok func(k int) bool) [][2]int {
	var rs [][2]int
	for k := 0; k < n; {
		if !ok(k) {
			k++
			continue
		}
		a := k
		for k < n && ok(k) {
			k++
		}
		rs = append(rs, [2]int{a, k})
	}
	return rs
}
