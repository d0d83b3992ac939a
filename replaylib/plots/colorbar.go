package plots

import (
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Colour bar geometry.
const (
	colorBarWidth  = vg.Length(10)
	colorBarTick   = vg.Length(3)
	colorBarStrips = 128
)

// colorBar is a plotter that draws the colour scale of a heat map as a vertical bar to the
// right of the data area, as tall as it, with ticks and labels on its right and the unit,
// turned 90°, beyond them. Like Legend it reserves its room through a glyph box.
type colorBar struct {
	lo, hi     float64
	unit       string
	tickStyle  text.Style
	labelStyle text.Style
}

// newColorBar returns a colour bar for values from lo to hi (hi > lo), labelled unit.
func newColorBar(p *plot.Plot, lo, hi float64, unit string) *colorBar {
	cb := &colorBar{lo: lo, hi: hi, unit: unit, tickStyle: p.Y.Tick.Label, labelStyle: p.Y.Label.TextStyle}
	cb.tickStyle.Font = font.From(sans, TickSize)
	cb.tickStyle.XAlign, cb.tickStyle.YAlign, cb.tickStyle.Rotation = draw.XLeft, draw.YCenter, 0
	cb.labelStyle.Font = font.From(sans, LabelSize)
	cb.labelStyle.Rotation = math.Pi / 2
	cb.labelStyle.XAlign, cb.labelStyle.YAlign = draw.XCenter, draw.YTop
	return cb
}

// ticks returns the labelled ticks of the bar.
func (cb *colorBar) ticks() []plot.Tick {
	var ts []plot.Tick
	for _, t := range (LinearTicks{N: 5}).Ticks(cb.lo, cb.hi) {
		if t.Label != "" {
			ts = append(ts, t)
		}
	}
	return ts
}

// width returns the room the bar takes beyond the gap: bar, ticks, labels and unit.
func (cb *colorBar) width() vg.Length {
	w := colorBarWidth + colorBarTick + vg.Length(2)
	lw := vg.Length(0)
	for _, t := range cb.ticks() {
		lw = max(lw, cb.tickStyle.Width(t.Label))
	}
	w += lw
	if cb.unit != "" {
		w += vg.Length(5) + cb.labelStyle.Height(cb.unit)
	}
	return w
}

// GlyphBoxes implements plot.GlyphBoxer, reserving the bar's room right of the data area.
func (cb *colorBar) GlyphBoxes(*plot.Plot) []plot.GlyphBox {
	return []plot.GlyphBox{{X: 1, Y: 0.5, Rectangle: vg.Rectangle{Min: vg.Point{X: LegendGap}, Max: vg.Point{X: LegendGap + cb.width()}}}}
}

// Plot implements plot.Plotter.
func (cb *colorBar) Plot(c draw.Canvas, _ *plot.Plot) {
	x0 := c.Max.X + LegendGap
	x1 := x0 + colorBarWidth
	h := c.Max.Y - c.Min.Y
	y := func(v float64) vg.Length { return c.Min.Y + h*vg.Length((v-cb.lo)/(cb.hi-cb.lo)) }
	for i := range colorBarStrips {
		a, b := float64(i)/colorBarStrips, float64(i+1)/colorBarStrips
		ya, yb := c.Min.Y+h*vg.Length(a), c.Min.Y+h*vg.Length(b)
		if i < colorBarStrips-1 {
			yb += vg.Length(0.3) // overlap the next strip: no hairline seams
		}
		c.FillPolygon(Viridis((a+b)/2), []vg.Point{{X: x0, Y: ya}, {X: x1, Y: ya}, {X: x1, Y: yb}, {X: x0, Y: yb}})
	}
	frame := draw.LineStyle{Color: color.Gray{Y: 80}, Width: vg.Points(0.5)}
	c.StrokeLines(frame, []vg.Point{{X: x0, Y: c.Min.Y}, {X: x1, Y: c.Min.Y}, {X: x1, Y: c.Max.Y}, {X: x0, Y: c.Max.Y}, {X: x0, Y: c.Min.Y}})
	lw := vg.Length(0)
	for _, t := range cb.ticks() {
		ty := y(t.Value)
		c.StrokeLine2(frame, x1, ty, x1+colorBarTick, ty)
		c.FillText(cb.tickStyle, vg.Point{X: x1 + colorBarTick + vg.Length(2), Y: ty}, t.Label)
		lw = max(lw, cb.tickStyle.Width(t.Label))
	}
	if cb.unit != "" {
		c.FillText(cb.labelStyle, vg.Point{X: x1 + colorBarTick + vg.Length(2) + lw + vg.Length(5), Y: c.Min.Y + h/2}, cb.unit)
	}
}

// colorRange returns the limits of a colour scale for the finite values: [lo, hi] as given
// when hi > lo, otherwise the values' range, widened when it is a single value.
func colorRange(values func(yield func(float64) bool), lo, hi float64) (float64, float64) {
	if hi > lo {
		return lo, hi
	}
	lo, hi = math.Inf(1), math.Inf(-1)
	for v := range values {
		if finite(v) {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	switch {
	case lo > hi: // no finite value
		return 0, 1
	case lo == hi && lo == 0:
		return 0, 1
	case lo == hi:
		d := math.Abs(lo) / 2
		return lo - d, hi + d
	}
	return lo, hi
}
