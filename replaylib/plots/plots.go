package plots

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/replaylab/replay/datasets"
	"github.com/replaylab/replay/replaylib/atomicfile"
	"github.com/replaylab/replay/replaylib/metrics"
)

// Default figure size.
const (
	Width  = 5 * vg.Inch
	Height = 3.6 * vg.Inch
)

// Series is a named curve.
type Series struct {
	Name string
	X, Y []float64
}

// Save writes the plot to base+".png" and base+".svg" atomically and returns the two paths.
func Save(p *plot.Plot, base string, w, h vg.Length) ([]string, error) {
	var paths []string
	for _, ext := range []string{"png", "svg"} {
		wt, err := p.WriterTo(w, h, ext)
		if err != nil {
			return nil, err
		}
		var buf bytes.Buffer
		if _, err := wt.WriteTo(&buf); err != nil {
			return nil, err
		}
		path := base + "." + ext
		if err := atomicfile.Write(path, buf.Bytes()); err != nil {
			return nil, err
		}
		paths = append(paths, path)
	}
	return paths, nil
}

// PNG renders the plot to PNG bytes (for notebooks).
func PNG(p *plot.Plot, w, h vg.Length) ([]byte, error) {
	wt, err := p.WriterTo(w, h, "png")
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	_, err = wt.WriteTo(&buf)
	return buf.Bytes(), err
}

// SVG renders the plot to SVG text (for notebooks).
func SVG(p *plot.Plot, w, h vg.Length) (string, error) {
	wt, err := p.WriterTo(w, h, "svg")
	if err != nil {
		return "", err
	}
	var buf strings.Builder
	_, err = wt.WriteTo(&buf)
	return buf.String(), err
}

func newPlot(title, xLabel, yLabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	p.Add(plotter.NewGrid())
	return p
}

// Lines draws curves; logX/logY switch the axes to log scale (non-positive values are dropped).
func Lines(title, xLabel, yLabel string, series []Series, logX, logY bool) (*plot.Plot, error) {
	p := newPlot(title, xLabel, yLabel)
	if logX {
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = plot.LogTicks{Prec: -1}
	}
	if logY {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
	}
	for i, s := range series {
		var xys plotter.XYs
		for k := range s.X {
			x, y := s.X[k], s.Y[k]
			if (logX && x <= 0) || (logY && y <= 0) || math.IsNaN(y) || math.IsInf(y, 0) {
				continue
			}
			xys = append(xys, plotter.XY{X: x, Y: y})
		}
		if len(xys) == 0 {
			continue
		}
		l, pts, err := plotter.NewLinePoints(xys)
		if err != nil {
			return nil, err
		}
		l.Color = plotutil.Color(i)
		l.Dashes = plotutil.Dashes(i / 7)
		pts.Color = plotutil.Color(i)
		pts.Shape = plotutil.Shape(i)
		pts.Radius = vg.Points(2)
		p.Add(l, pts)
		if len(series) > 1 {
			p.Legend.Add(s.Name, l, pts)
		}
	}
	p.Legend.Top = true
	return p, nil
}

// Bars draws one bar per label with optional error bars (errs may be nil).
func Bars(title, yLabel string, labels []string, values, errs []float64) (*plot.Plot, error) {
	p := newPlot(title, "", yLabel)
	vals := make(plotter.Values, len(values))
	for i, v := range values {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			v = 0
		}
		vals[i] = v
	}
	bars, err := plotter.NewBarChart(vals, vg.Points(22))
	if err != nil {
		return nil, err
	}
	bars.Color = plotutil.Color(0)
	bars.LineStyle.Width = 0
	p.Add(bars)
	if errs != nil {
		var xys plotter.XYs
		var ye plotter.YErrors
		for i, v := range vals {
			xys = append(xys, plotter.XY{X: float64(i), Y: v})
			ye = append(ye, struct{ Low, High float64 }{errs[i], errs[i]})
		}
		eb, err := plotter.NewYErrorBars(struct {
			plotter.XYs
			plotter.YErrors
		}{xys, ye})
		if err != nil {
			return nil, err
		}
		p.Add(eb)
	}
	p.NominalX(labels...)
	p.X.Tick.Label.Rotation = 0.5
	p.X.Tick.Label.XAlign = draw.XRight
	return p, nil
}

// environment adds the environment's outline (boundary and holes) to p and sets equal-aspect bounds
// around it. Call it after adding the data: lines leaving the view are clipped at its edge.
func environment(p *plot.Plot, env *datasets.Environment) error {
	for _, poly := range append([]datasets.Polygon{env.Boundary}, env.Holes...) {
		var xys plotter.XYs
		for _, v := range append(poly, poly[0]) {
			xys = append(xys, plotter.XY{X: v.X, Y: v.Y})
		}
		l, err := plotter.NewLine(xys)
		if err != nil {
			return err
		}
		l.Color = color.Gray{Y: 60}
		l.Width = vg.Points(1.2)
		p.Add(l)
	}
	lo, hi := env.Bounds()
	pad := 0.05 * env.Size()
	cx, cy, half := (lo.X+hi.X)/2, (lo.Y+hi.Y)/2, env.Size()/2+pad
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = cx-half, cx+half, cy-half, cy+half
	return nil
}

// Trajectories draws up to maxChains chains over the environment outline.
func Trajectories(title string, env *datasets.Environment, traj [][]datasets.Point, maxChains int) (*plot.Plot, error) {
	p := newPlot(title, "x (u)", "y (u)")
	for c := range min(maxChains, len(traj)) {
		var xys plotter.XYs
		for _, q := range traj[c] {
			xys = append(xys, plotter.XY{X: q.X, Y: q.Y})
		}
		l, err := plotter.NewLine(xys)
		if err != nil {
			return nil, err
		}
		col := plotutil.Color(c).(color.RGBA)
		col.A = 170
		l.Color = col
		l.Width = vg.Points(0.7)
		p.Add(l)
		start, _ := plotter.NewScatter(xys[:1])
		start.Color = col
		start.Shape = draw.CircleGlyph{}
		p.Add(start)
	}
	return p, environment(p, env)
}

// heatGrid adapts a metrics.Grid's counts to plotter.GridXYZ.
type heatGrid struct {
	g      *metrics.Grid
	counts []float64
}

func (h heatGrid) Dims() (c, r int)   { return h.g.NX, h.g.NY }
func (h heatGrid) X(c int) float64    { return h.g.Lo.X + (float64(c)+0.5)*h.g.Cell }
func (h heatGrid) Y(r int) float64    { return h.g.Lo.Y + (float64(r)+0.5)*h.g.Cell }
func (h heatGrid) Z(c, r int) float64 { return h.counts[r*h.g.NX+c] }

// Occupancy draws the fraction of points per grid cell as a heat map (cells outside the environment blank).
func Occupancy(title string, env *datasets.Environment, grid *metrics.Grid, points []datasets.Point) (*plot.Plot, error) {
	p := newPlot(title, "x (u)", "y (u)")
	counts := grid.Counts(points)
	total := 0.0
	for _, c := range counts {
		total += c
	}
	maxFrac := 0.0
	for i := range counts {
		if !grid.Inside(i) {
			counts[i] = math.NaN()
			continue
		}
		counts[i] /= math.Max(total, 1)
		maxFrac = math.Max(maxFrac, counts[i])
	}
	hm := plotter.NewHeatMap(heatGrid{grid, counts}, Palette())
	hm.Min, hm.Max = 0, math.Max(maxFrac, 1e-12)
	hm.NaN = color.Transparent
	p.Add(hm)
	if err := environment(p, env); err != nil {
		return nil, err
	}
	p.Title.Text = fmt.Sprintf("%s (max cell %.3f of points)", title, maxFrac)
	return p, nil
}

// Quiver draws arrows (x, y) → (x+dx·scale, y+dy·scale) over the environment outline.
func Quiver(title string, env *datasets.Environment, at, vec []datasets.Point, scale float64, col color.Color) (*plot.Plot, error) {
	p := newPlot(title, "x (u)", "y (u)")
	for i, a := range at {
		b := a.Add(vec[i].Scale(scale))
		l, err := plotter.NewLine(plotter.XYs{{X: a.X, Y: a.Y}, {X: b.X, Y: b.Y}})
		if err != nil {
			return nil, err
		}
		l.Color = col
		p.Add(l)
		head, _ := plotter.NewScatter(plotter.XYs{{X: b.X, Y: b.Y}})
		head.Color = col
		head.Radius = vg.Points(1.2)
		head.Shape = draw.CircleGlyph{}
		p.Add(head)
	}
	return p, environment(p, env)
}

