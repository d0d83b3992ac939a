package plots

import (
	"runtime"
	"sync"
	"weak"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// LegendGap is the space between the data area and a legend or colour bar beside it.
const LegendGap = vg.Length(8)

// RightLegendShare is the largest share of the data area's width (as it would be without a
// legend) that a legend on the right may take; a wider legend goes above the data.
const RightLegendShare = 0.35

// legendColumnGap separates the columns of a legend above the data.
const legendColumnGap = vg.Length(12)

// Legend is a legend drawn outside the data area. Legends of this package's figures never
// cover data or title: a Legend is a plotter that reserves its own room beside the data area
// through a glyph box, so gonum/plot narrows or lowers the data area to make space for it:
//
//   - to the right of the data area, its top level with the data area's top, when it takes
//     at most RightLegendShare of the width the data area would have without it;
//   - otherwise (long names, narrow panels) above the data area and below the title, its
//     entries in as many columns as fit the data area's width.
//
// Draw (and so Save, PNG, SVG and SaveTiles) chooses between the two for the size drawn;
// drawing with p.Draw or p.Save directly keeps the last choice (to the right, if none).
// plot.Plot's own Legend, which gonum/plot draws inside the data area, stays empty. To give
// a figure of your own the same legend, make one with NewLegend, add entries, and attach it
// with AttachLegend after adding the data; LegendOf returns the legend of a figure.
type Legend struct {
	// TextStyle is the style of the entries' names.
	TextStyle text.Style
	// ThumbnailWidth is the width of the entries' icons.
	ThumbnailWidth vg.Length

	entries []legendEntry
	above   bool // laid out above the data area, in cols columns
	cols    int
}

type legendEntry struct {
	name   string
	thumbs []plot.Thumbnailer
}

// NewLegend returns an empty legend in the package's style, laid out to the right.
func NewLegend() *Legend {
	return &Legend{
		TextStyle:      text.Style{Font: font.From(sans, LegendSize), Handler: plot.DefaultTextHandler, XAlign: draw.XLeft, YAlign: draw.YCenter},
		ThumbnailWidth: vg.Points(18),
	}
}

// Add adds an entry: its name, and the thumbnails drawn on top of one another as its icon.
func (l *Legend) Add(name string, thumbs ...plot.Thumbnailer) {
	l.entries = append(l.entries, legendEntry{name: name, thumbs: thumbs})
}

// Len returns the number of entries.
func (l *Legend) Len() int { return len(l.entries) }

// rowHeight is the height of one entry.
func (l *Legend) rowHeight() vg.Length {
	h := l.TextStyle.Height("M")
	for _, e := range l.entries {
		h = max(h, l.TextStyle.Height(e.name))
	}
	return h + vg.Points(2)
}

// entryWidth is the width of the widest entry: icon, a space, name.
func (l *Legend) entryWidth() vg.Length {
	w := vg.Length(0)
	for _, e := range l.entries {
		w = max(w, l.TextStyle.Width(e.name))
	}
	return l.ThumbnailWidth + l.TextStyle.Width(" ") + w
}

// size returns the legend's width and height in its current layout (0, 0 when empty).
func (l *Legend) size() (w, h vg.Length) {
	n := len(l.entries)
	if n == 0 {
		return 0, 0
	}
	if !l.above {
		return l.entryWidth(), vg.Length(n) * l.rowHeight()
	}
	cols := max(1, min(l.cols, n))
	rows := (n + cols - 1) / cols
	return vg.Length(cols)*l.entryWidth() + vg.Length(cols-1)*legendColumnGap, vg.Length(rows) * l.rowHeight()
}

// layout chooses the legend's place for a data area that would be dataWidth wide without it.
func (l *Legend) layout(dataWidth vg.Length) {
	w := l.entryWidth()
	l.above = w+LegendGap > RightLegendShare*dataWidth
	l.cols = max(1, int((dataWidth+legendColumnGap)/(w+legendColumnGap)))
}

// Box returns the rectangle the legend occupies when the data area is data.
func (l *Legend) Box(data draw.Canvas) vg.Rectangle {
	w, h := l.size()
	if l.above {
		y0 := data.Max.Y + LegendGap
		return vg.Rectangle{Min: vg.Point{X: data.Min.X, Y: y0}, Max: vg.Point{X: data.Min.X + w, Y: y0 + h}}
	}
	x0 := data.Max.X + LegendGap
	return vg.Rectangle{Min: vg.Point{X: x0, Y: data.Max.Y - h}, Max: vg.Point{X: x0 + w, Y: data.Max.Y}}
}

// Plot draws the legend beside the data area c (plot.Plotter).
func (l *Legend) Plot(c draw.Canvas, _ *plot.Plot) {
	if len(l.entries) == 0 {
		return
	}
	box := l.Box(c)
	rh, ew := l.rowHeight(), l.entryWidth()
	cols := 1
	if l.above {
		cols = max(1, min(l.cols, len(l.entries)))
	}
	for k, e := range l.entries {
		col, row := k%cols, k/cols
		x := box.Min.X + vg.Length(col)*(ew+legendColumnGap)
		top := box.Max.Y - vg.Length(row)*rh
		icon := draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{
			Min: vg.Point{X: x, Y: top - rh + vg.Points(1)},
			Max: vg.Point{X: x + l.ThumbnailWidth, Y: top - vg.Points(1)},
		}}
		for _, t := range e.thumbs {
			t.Thumbnail(&icon)
		}
		c.FillText(l.TextStyle, vg.Point{X: x + l.ThumbnailWidth + l.TextStyle.Width(" "), Y: top - rh/2}, e.name)
	}
}

// GlyphBoxes reserves the legend's room beside the data area (plot.GlyphBoxer).
func (l *Legend) GlyphBoxes(*plot.Plot) []plot.GlyphBox {
	w, h := l.size()
	if w == 0 {
		return nil
	}
	if l.above {
		return []plot.GlyphBox{{X: 0.5, Y: 1, Rectangle: vg.Rectangle{Min: vg.Point{Y: LegendGap}, Max: vg.Point{Y: LegendGap + h}}}}
	}
	return []plot.GlyphBox{{X: 1, Y: 0.5, Rectangle: vg.Rectangle{Min: vg.Point{X: LegendGap}, Max: vg.Point{X: LegendGap + w}}}}
}

// legends maps a figure to its Legend without keeping the figure alive.
var legends sync.Map // weak.Pointer[plot.Plot] → *Legend

// AttachLegend adds l to p as its last plotter and registers it as p's legend, so that Draw
// lays it out for the size drawn and LegendOf finds it.
func AttachLegend(p *plot.Plot, l *Legend) {
	p.Add(l)
	k := weak.Make(p)
	legends.Store(k, l)
	runtime.AddCleanup(p, func(k weak.Pointer[plot.Plot]) { legends.Delete(k) }, k)
}

// LegendOf returns the legend registered for p by AttachLegend (all figures of this package
// that have one), or nil.
func LegendOf(p *plot.Plot) *Legend {
	if v, ok := legends.Load(weak.Make(p)); ok {
		return v.(*Legend)
	}
	return nil
}

// layoutLegend places p's legend, if any, for drawing onto c.
func layoutLegend(p *plot.Plot, c draw.Canvas) {
	l := LegendOf(p)
	if l == nil || len(l.entries) == 0 {
		return
	}
	saved := l.entries
	l.entries = nil // measure the data area without the legend
	data := p.DataCanvas(c)
	l.entries = saved
	l.layout(data.Max.X - data.Min.X)
}
