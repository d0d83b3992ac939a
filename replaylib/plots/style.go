package plots

import (
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Default figure size: the size Save and the notebooks use unless told otherwise.
const (
	Width  = 5 * vg.Inch
	Height = 3.6 * vg.Inch
)

// Font sizes of the package's figures (Liberation Sans).
const (
	TitleSize  = 12
	LabelSize  = 11
	TickSize   = 9.5
	LegendSize = 9.5
)

var sans = font.Font{Typeface: "Liberation", Variant: "Sans"}

// Axes are a figure's title and axis labels (an empty label leaves the axis unlabelled).
type Axes struct {
	Title string
	X, Y  string // the horizontal and vertical axes' labels
}

// newPlot returns a plot with the package's style: sans-serif text and LinearTicks on both
// axes. Figures with a legend add an outside Legend; plot.Plot's own legend stays empty.
func newPlot(title, xLabel, yLabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = font.From(sans, TitleSize)
	p.Title.Padding = vg.Points(6)
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = font.From(sans, LabelSize)
		a.Tick.Label.Font = font.From(sans, TickSize)
		a.Tick.Marker = LinearTicks{}
		a.Label.Padding = vg.Points(4)
	}
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	p.Legend.TextStyle.Font = font.From(sans, LegendSize)
	return p
}

// addGrid adds light grid lines at the labelled ticks of the x axis (vertical lines) and/or
// the y axis (horizontal lines).
func addGrid(p *plot.Plot, vertical, horizontal bool) {
	g := plotter.NewGrid()
	sty := draw.LineStyle{Color: color.Gray{Y: 225}, Width: vg.Points(0.5)}
	g.Vertical, g.Horizontal = sty, sty
	if !vertical {
		g.Vertical.Color = nil
	}
	if !horizontal {
		g.Horizontal.Color = nil
	}
	p.Add(g)
}
