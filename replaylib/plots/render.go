package plots

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"
	"math"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/replaylab/replay/internal/atomicfile"
)

// DPI is the resolution of PNG output (Save, PNG, SaveTiles): 150 dots per inch, so the
// default Width × Height figure is 750 × 540 pixels. SVG, resolution-free, is the form to
// publish.
const DPI = 150

// Pixels returns the size in pixels of a w × h PNG written by this package.
func Pixels(w, h vg.Length) (int, int) {
	return int(w/vg.Inch*DPI + 0.5), int(h/vg.Inch*DPI + 0.5)
}

// Draw draws p onto c, within Margin of its edges, first placing its legend for c's size
// (see LegendGap), widening one axis of an equal-aspect figure (the environment figures) so
// that a unit has the same length on both axes, and breaking a y label longer than the data
// area is high onto two lines. Save, PNG, SVG and SaveTiles draw through it; drawing with
// p.Draw or p.Save directly skips these steps (the legend stays on the right, the aspect
// fitted for the default Width × Height, the label on one line).
func Draw(p *plot.Plot, c draw.Canvas) {
	if p.BackgroundColor != nil {
		c.SetColor(p.BackgroundColor)
		c.Fill(c.Rectangle.Path())
	}
	c = Inset(c)
	withLabel(p, c, func(label string) {
		p.Draw(c)
		if label == "" {
			return
		}
		sty := p.Y.Label.TextStyle
		data := p.DataCanvas(c)
		turned := sty
		turned.Rotation += math.Pi / 2
		x := c.Min.X + sty.Height(label) - sty.FontExtents().Descent
		c.FillText(turned, vg.Point{X: x, Y: (data.Min.Y + data.Max.Y) / 2}, label)
	})
}

// DataArea returns the data area of p as Draw draws it onto c: where its data coordinates
// land, for callers that draw over a figure.
func DataArea(p *plot.Plot, c draw.Canvas) draw.Canvas {
	c = Inset(c)
	var data draw.Canvas
	withLabel(p, c, func(string) { data = p.DataCanvas(c) })
	return data
}

// withLabel prepares p for drawing onto c (legend layout, equal aspect) and calls f with
// p's y label, wrapped for c, while p carries a blank label of as many lines in its place;
// it restores the label afterwards. gonum/plot pads the data area to hold the turned y
// label's box, but on a log axis it places that box at the arithmetic mean of the range,
// near the top, and so leaves a gap above the data; with a blank label it reserves the
// label's width only, and Draw writes the label itself, centred on the data area as
// gonum/plot would.
func withLabel(p *plot.Plot, c draw.Canvas, f func(label string)) {
	layoutLegend(p, c)
	fitAspect(p, c)
	label := wrapYLabel(p, c)
	if label == "" {
		f("")
		return
	}
	defer func(text string) { p.Y.Label.Text = text }(p.Y.Label.Text)
	p.Y.Label.Text = strings.Repeat(" \n", strings.Count(label, "\n")) + " "
	f(label)
}

// wrapYLabel returns p's y-axis label for drawing onto c: as it is if it is no longer than
// the data area is high, otherwise broken into two lines at the space that makes the longer
// line shortest. (gonum/plot keeps the turned label within the data area's height and would
// shrink the data area to fit a long one.)
func wrapYLabel(p *plot.Plot, c draw.Canvas) string {
	label := p.Y.Label.Text
	sty := p.Y.Label.TextStyle
	p.Y.Label.Text = "" // the data area's height without the label
	data := p.DataCanvas(c)
	p.Y.Label.Text = label
	if strings.Contains(label, "\n") || sty.Width(label) <= data.Max.Y-data.Min.Y {
		return label
	}
	best, bestW := label, sty.Width(label)
	for i, r := range label {
		if r != ' ' {
			continue
		}
		a, b := label[:i], label[i+1:]
		if w := max(sty.Width(a), sty.Width(b)); w < bestW {
			best, bestW = a+"\n"+b, w
		}
	}
	return best
}

// Margin is the blank border Draw leaves around a figure, so that its title and axis label do
// not touch the edge of the image or, in SaveTiles, the neighbouring panels.
const Margin = vg.Length(5)

// Inset returns c less Margin on every side: the area Draw draws a figure in.
func Inset(c draw.Canvas) draw.Canvas {
	return draw.Crop(c, Margin, -Margin, Margin, -Margin)
}

// render draws with paint onto a w × h canvas of the format ("png" or "svg") and returns the bytes.
func render(format string, w, h vg.Length, paint func(draw.Canvas)) ([]byte, error) {
	var buf bytes.Buffer
	switch format {
	case "png":
		c := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(DPI), vgimg.UseBackgroundColor(color.White))
		paint(draw.New(c))
		if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&buf); err != nil {
			return nil, err
		}
	case "svg":
		c := vgsvg.New(w, h)
		paint(draw.New(c))
		if _, err := c.WriteTo(&buf); err != nil {
			return nil, err
		}
		return svgFontFallback(buf.Bytes()), nil
	default:
		return nil, fmt.Errorf("plots: format %q: want png or svg", format)
	}
	return buf.Bytes(), nil
}

// svgFontFallback names, after Liberation Sans (which few readers have installed), the fonts
// with the same metrics, Arial and Helvetica, so that text keeps the widths the layout was
// computed with wherever the SVG is shown.
func svgFontFallback(svg []byte) []byte {
	return bytes.ReplaceAll(svg, []byte("font-family:Liberation Sans;"), []byte("font-family:'Liberation Sans',Arial,Helvetica,sans-serif;"))
}

func checkSize(w, h vg.Length) error {
	if !(w > 0 && h > 0) {
		return fmt.Errorf("plots: figure size %v × %v: must be positive", w, h)
	}
	return nil
}

// PNG renders the plot as a w × h PNG at DPI (for notebooks).
func PNG(p *plot.Plot, w, h vg.Length) ([]byte, error) {
	if err := checkSize(w, h); err != nil {
		return nil, err
	}
	return render("png", w, h, func(c draw.Canvas) { Draw(p, c) })
}

// SVG renders the plot as SVG text of size w × h (for notebooks).
func SVG(p *plot.Plot, w, h vg.Length) (string, error) {
	if err := checkSize(w, h); err != nil {
		return "", err
	}
	b, err := render("svg", w, h, func(c draw.Canvas) { Draw(p, c) })
	return string(b), err
}

// Save writes the plot, w × h, to base+".png" and base+".svg", each atomically (a reader sees
// the old file or the whole new one), and returns the two paths.
func Save(p *plot.Plot, base string, w, h vg.Length) ([]string, error) {
	if err := checkSize(w, h); err != nil {
		return nil, err
	}
	return saveBoth(base, w, h, func(c draw.Canvas) { Draw(p, c) })
}

func saveBoth(base string, w, h vg.Length, paint func(draw.Canvas)) ([]string, error) {
	var paths []string
	for _, ext := range []string{"png", "svg"} {
		data, err := render(ext, w, h, paint)
		if err != nil {
			return nil, err
		}
		path := base + "." + ext
		if err := atomicfile.Write(path, data); err != nil {
			return nil, err
		}
		paths = append(paths, path)
	}
	return paths, nil
}

// SaveTiles writes a multi-panel figure to base+".png" and base+".svg", atomically like Save:
// rows[i][j] is the panel in row i, column j, each panel w × h, so the figure is
// (longest row) × w wide and len(rows) × h high. A nil panel, or a short row, leaves its
// place blank.
func SaveTiles(rows [][]*plot.Plot, base string, w, h vg.Length) ([]string, error) {
	W, H, paint, err := tiles(rows, w, h)
	if err != nil {
		return nil, err
	}
	return saveBoth(base, W, H, paint)
}

// TilesSVG renders a multi-panel figure (see SaveTiles) as SVG text (for notebooks).
func TilesSVG(rows [][]*plot.Plot, w, h vg.Length) (string, error) {
	W, H, paint, err := tiles(rows, w, h)
	if err != nil {
		return "", err
	}
	b, err := render("svg", W, H, paint)
	return string(b), err
}

// TilesPNG renders a multi-panel figure (see SaveTiles) as PNG bytes.
func TilesPNG(rows [][]*plot.Plot, w, h vg.Length) ([]byte, error) {
	W, H, paint, err := tiles(rows, w, h)
	if err != nil {
		return nil, err
	}
	return render("png", W, H, paint)
}

// tiles lays rows of panels of w × h out on one canvas.
func tiles(rows [][]*plot.Plot, w, h vg.Length) (W, H vg.Length, paint func(draw.Canvas), err error) {
	if err := checkSize(w, h); err != nil {
		return 0, 0, nil, err
	}
	cols, n := 0, 0
	for _, r := range rows {
		cols = max(cols, len(r))
		for _, p := range r {
			if p != nil {
				n++
			}
		}
	}
	if n == 0 {
		return 0, 0, nil, errors.New("plots: tiles: no panels")
	}
	t := draw.Tiles{Rows: len(rows), Cols: cols}
	return w * vg.Length(cols), h * vg.Length(len(rows)), func(c draw.Canvas) {
		for i, r := range rows {
			for j, p := range r {
				if p != nil {
					Draw(p, t.At(c, j, i))
				}
			}
		}
	}, nil
}
