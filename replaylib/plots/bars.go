package plots

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// barWidth is a bar's thickness as a fraction of the distance between bars.
const barWidth = 0.7

// Bar is one bar of Bars: its label, its length, and the lower and upper ends of its interval (not
// distances from the value; NaN for no interval).
type Bar struct {
	Label         string
	Value, Lo, Hi float64
}

// Bars draws one bar per entry, all in one colour (Color(0)): the bars of a figure compare one
// quantity across conditions, so colour would carry no information, and a single hue keeps
// the figure readable in greyscale. A bar's interval is drawn as an error bar, so intervals may be
// asymmetric. A non-finite value draws no bar but "n/a" at the base line; a non-finite interval
// end draws no error bar. The value axis, labelled axes.Y, includes 0 (axes.X is not used).
//
// Labels are never turned or overlapped: when every label fits under its bar in the default
// Width, the bars stand upright in the order given, left to right; otherwise (long labels,
// many bars) they lie horizontally, in the order given from top to bottom, with the labels
// written level on their left and the value axis at the bottom.
func Bars(axes Axes, entries []Bar) (*plot.Plot, error) {
	n := len(entries)
	if n == 0 {
		return nil, fmt.Errorf("plots: Bars %q: no bars", axes.Title)
	}
	labels := make([]string, n)
	values, lo, hi := make([]float64, n), make([]float64, n), make([]float64, n)
	for i, e := range entries {
		labels[i], values[i], lo[i], hi[i] = e.Label, e.Value, e.Lo, e.Hi
	}
	p := newPlot(axes.Title, "", axes.Y)
	upright := labelsFit(p.X.Tick.Label, labels, Width-vg.Inch)
	b := &bars{values: values, lo: lo, hi: hi, color: Color(0), horizontal: !upright}
	b.naStyle = p.X.Tick.Label
	b.naStyle.Color = color.Gray{Y: 90}
	ticks := make([]plot.Tick, n)
	for i, l := range labels {
		ticks[i] = plot.Tick{Value: b.slot(i), Label: l}
	}
	slots, vals := &p.X, &p.Y
	if b.horizontal {
		slots, vals = &p.Y, &p.X
		p.X.Label.Text, p.Y.Label.Text = axes.Y, ""
	}
	addGrid(p, b.horizontal, !b.horizontal)
	p.Add(b)
	slots.Tick.Marker = plot.ConstantTicks(ticks)
	slots.Tick.Length = 0
	slots.Min, slots.Max = -0.5, float64(n)-0.5
	vals.Min, vals.Max = b.valueRange()
	return p, nil
}

// labelsFit reports whether the labels, written level under evenly spaced bars across width,
// leave at least one em between neighbours.
func labelsFit(sty text.Style, labels []string, width vg.Length) bool {
	slot := width / vg.Length(len(labels))
	em := sty.Width("M")
	for _, l := range labels {
		if sty.Width(l)+em > slot {
			return false
		}
	}
	return true
}

// bars is Bars' plotter: filled bars from 0, error bars, and "n/a" for missing values. Bar i
// stands at slot(i) on the slot axis (x when upright, y when horizontal).
type bars struct {
	values, lo, hi []float64
	color          color.Color
	naStyle        text.Style
	horizontal     bool
}

// slot returns the position of bar i on the slot axis: 0, 1, … left to right, or top to
// bottom when horizontal.
func (b *bars) slot(i int) float64 {
	if b.horizontal {
		return float64(len(b.values) - 1 - i)
	}
	return float64(i)
}

// Plot implements plot.Plotter.
func (b *bars) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	at := func(s, v float64) vg.Point { // slot position s, value v → canvas
		if b.horizontal {
			return vg.Point{X: trX(v), Y: trY(s)}
		}
		return vg.Point{X: trX(s), Y: trY(v)}
	}
	valMin := p.Y.Min
	if b.horizontal {
		valMin = p.X.Min
	}
	for i, v := range b.values {
		s := b.slot(i)
		if !finite(v) {
			sty := b.naStyle
			q := at(s, math.Max(0, valMin))
			if b.horizontal {
				sty.XAlign, sty.YAlign = draw.XLeft, draw.YCenter
				q.X += vg.Points(2)
			} else {
				sty.XAlign, sty.YAlign = draw.XCenter, draw.YBottom
				q.Y += vg.Points(2)
			}
			c.FillText(sty, q, "n/a")
			continue
		}
		pts := []vg.Point{at(s-barWidth/2, 0), at(s+barWidth/2, 0), at(s+barWidth/2, v), at(s-barWidth/2, v)}
		if pts = c.ClipPolygonXY(pts); len(pts) > 2 {
			c.FillPolygon(b.color, pts)
		}
	}
	if b.lo == nil {
		return
	}
	errSty := draw.LineStyle{Color: color.Black, Width: vg.Points(1)}
	for i := range b.values {
		l, h := b.lo[i], b.hi[i]
		if !finite(l) || !finite(h) {
			continue
		}
		s := b.slot(i)
		c.StrokeLines(errSty, c.ClipLinesXY([]vg.Point{at(s, l), at(s, h)})...)
		for _, v := range []float64{l, h} {
			c.StrokeLines(errSty, c.ClipLinesXY([]vg.Point{at(s-barWidth/6, v), at(s+barWidth/6, v)})...)
		}
	}
}

// valueRange returns the value axis's range: 0, the values and the interval ends, with 4%
// headroom on the sides away from 0 so that no cap touches the edge.
func (b *bars) valueRange() (lo, hi float64) {
	for i, v := range b.values {
		for _, y := range []float64{v, at(b.lo, i), at(b.hi, i)} {
			if finite(y) {
				lo, hi = math.Min(lo, y), math.Max(hi, y)
			}
		}
	}
	if lo == hi {
		hi = 1
	}
	d := 0.04 * (hi - lo)
	if hi > 0 {
		hi += d
	}
	if lo < 0 {
		lo -= d
	}
	return lo, hi
}

func at(xs []float64, i int) float64 {
	if xs == nil {
		return math.NaN()
	}
	return xs[i]
}
