package plots

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"math"
	"strconv"
	"time"

	"github.com/replaylab/replay/geom"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/recorder"
	"gonum.org/v1/plot/vg/vgimg"
)

// AnimationDPI is the resolution of Animation's frames: lower than DPI (PNG figures) to keep the
// files small; the default Width × Height panel is 400 × 288 pixels.
const AnimationDPI = 80

// Defaults of AnimationOptions.
const (
	DefaultAnimationFrames    = 120
	DefaultAnimationTail      = 30
	DefaultAnimationDelay     = 60 * time.Millisecond
	DefaultAnimationMaxChains = 8
	// AnimationHold is how long the last frame stays before the animation starts again, so that
	// the reader sees where it ends and that it loops.
	AnimationHold = time.Second
)

// AnimationPanel is one panel of an animation: a title (what the panel's chains were run with)
// and the chains, Chains[c][t] the position of chain c at step t.
type AnimationPanel struct {
	Title  string         // drawn above the panel
	Chains [][]geom.Point // Chains[c][t], environment units
}

// AnimationOptions sets the size and pace of an animation; a zero field takes its default.
type AnimationOptions struct {
	// Frames is the number of frames (default 120), at most the chains' length: the frames show
	// the steps 0, …, T−1 evenly sampled, first and last included.
	Frames int
	// Tail is the number of steps of trail drawn behind each chain's head (default 30).
	Tail int
	// Delay is the time each frame is shown (default 60 ms), rounded to hundredths of a second
	// and at least 20 ms (browsers slow shorter delays down); the last frame stays AnimationHold.
	Delay time.Duration
	// MaxChains is the number of chains drawn in each panel, the first ones (default 8).
	MaxChains int
	// Width and Height are the size of one panel, drawn at AnimationDPI; the panels stand side by
	// side. A side left 0 defaults to the package's Width or Height, narrowed to the environment's
	// shape (so that a tall maze leaves no blank margins) but kept wide enough for the titles.
	Width, Height vg.Length
}

// resolve checks o and fills in its defaults for an animation of panels with the given titles
// over env, the longest step index last.
func (o AnimationOptions) resolve(env *geom.Environment, titles []string, last int) (AnimationOptions, error) {
	switch {
	case o.Frames < 0:
		return o, fmt.Errorf("plots: Animation: Frames=%d: must be ≥ 0 (0: %d)", o.Frames, DefaultAnimationFrames)
	case o.Tail < 0:
		return o, fmt.Errorf("plots: Animation: Tail=%d: must be ≥ 0 (0: %d)", o.Tail, DefaultAnimationTail)
	case o.Delay < 0:
		return o, fmt.Errorf("plots: Animation: Delay=%v: must be ≥ 0 (0: %v)", o.Delay, DefaultAnimationDelay)
	case o.MaxChains < 0:
		return o, fmt.Errorf("plots: Animation: MaxChains=%d: must be ≥ 0 (0: %d)", o.MaxChains, DefaultAnimationMaxChains)
	case o.Width < 0 || o.Height < 0:
		return o, fmt.Errorf("plots: Animation: panel size %v × %v: must be positive (0: default)", o.Width, o.Height)
	}
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&o.Frames, DefaultAnimationFrames)
	def(&o.Tail, DefaultAnimationTail)
	def(&o.MaxChains, DefaultAnimationMaxChains)
	if o.Delay == 0 {
		o.Delay = DefaultAnimationDelay
	}
	fitW, fitH := o.Width == 0, o.Height == 0
	if fitW {
		o.Width = Width
	}
	if fitH {
		o.Height = Height
	}
	if env != nil && (fitW || fitH) {
		o.Width, o.Height = fitPanel(env, titles, last, o.Width, o.Height, fitW, fitH)
	}
	if w, h := animationPixels(o.Width, o.Height); w < 1 || h < 1 || w*h > 1<<24 {
		return o, fmt.Errorf("plots: Animation: panel size %v × %v is %d × %d pixels at %d dpi", o.Width, o.Height, w, h, AnimationDPI)
	}
	return o, nil
}

// fitPanel narrows a default-sized w × h panel (fitW, fitH say which sides were defaulted) to
// the environment's shape: the equal-aspect view leaves blank either side of a tall environment
// (or above and below a wide one), which would only make the panels smaller on screen. A panel
// keeps room for its title between the step counters.
func fitPanel(env *geom.Environment, titles []string, last int, w, h vg.Length, fitW, fitH bool) (vg.Length, vg.Length) {
	title := ""
	for _, t := range titles {
		if t != "" {
			title = t
		}
	}
	p := newEnvPlot(title)
	finishEnv(p, env, false)
	data := DataArea(p, draw.Canvas{Canvas: &recorder.Canvas{}, Rectangle: vg.Rectangle{Max: vg.Point{X: w, Y: h}}})
	ea := p.X.Scale.(equalAspect)
	dw, dh := float64(data.Max.X-data.Min.X), float64(data.Max.Y-data.Min.Y)
	if !(dw > 0 && dh > 0) {
		return w, h
	}
	upp := max((ea.x1-ea.x0)/dw, (ea.y1-ea.y0)/dh)
	if spare := vg.Length(dw - (ea.x1-ea.x0)/upp); fitW && spare > 0 {
		counter := counterStyle(p).Width(counterText(last))
		widest := vg.Length(0)
		for _, t := range titles {
			widest = max(widest, p.Title.TextStyle.Width(t))
		}
		w = max(w-spare, widest+2*(counter+3*Margin))
	}
	if spare := vg.Length(dh - (ea.y1-ea.y0)/upp); fitH && spare > 0 {
		h -= spare
	}
	return w, h
}

// animationPixels is the size in pixels of a w × h panel at AnimationDPI (as vgimg rounds it).
func animationPixels(w, h vg.Length) (int, int) {
	return int(w/vg.Inch*AnimationDPI + 0.5), int(h/vg.Inch*AnimationDPI + 0.5)
}

// Animation returns an animated GIF, looping, of the panels side by side over the environment:
// in every frame and panel, the environment's outline, the trail of each of the panel's first
// MaxChains chains over its last Tail steps (paler and thinner toward its end) and its head, a
// dot, chain c in Color(c), and a step counter "t = …". All panels show the same step in a
// frame, so that variants run from the same starts with the same noise can be compared frame by
// frame; every drawn chain must therefore have the same length T.
//
// A point with a non-finite coordinate is skipped: the trail breaks there, and while the head is
// at such a point it is not drawn. There must be at least one panel, every panel needs a chain,
// and every drawn chain at least one point.
//
// The frames are drawn with gonum/plot (vgimg) on the panels' still parts (title, axes,
// outline), drawn once, and mapped without dithering onto a fixed palette: greys, and tints of
// the series colours toward white for the antialiased edges and the fading trails. Each frame
// after the first holds only the rectangle that changed, the pixels that did not change
// transparent, which keeps the file small.
func Animation(env *geom.Environment, panels []AnimationPanel, opt AnimationOptions) ([]byte, error) {
	if env == nil || len(env.Boundary) < 3 {
		return nil, errors.New("plots: Animation: no environment")
	}
	if len(panels) == 0 {
		return nil, errors.New("plots: Animation: no panels")
	}
	if opt.MaxChains < 0 {
		return nil, fmt.Errorf("plots: Animation: MaxChains=%d: must be ≥ 0 (0: %d)", opt.MaxChains, DefaultAnimationMaxChains)
	}
	maxChains := cmp.Or(opt.MaxChains, DefaultAnimationMaxChains)
	T := -1
	titles := make([]string, len(panels))
	for i, pn := range panels {
		titles[i] = pn.Title
		if len(pn.Chains) == 0 {
			return nil, fmt.Errorf("plots: Animation: panel %d (%q) has no chains", i, pn.Title)
		}
		for c, ch := range pn.Chains[:min(len(pn.Chains), maxChains)] {
			switch {
			case len(ch) == 0:
				return nil, fmt.Errorf("plots: Animation: panel %d (%q): chain %d is empty", i, pn.Title, c)
			case T < 0:
				T = len(ch)
			case len(ch) != T:
				return nil, fmt.Errorf("plots: Animation: panel %d (%q): chain %d has %d steps, others %d (the panels share one time axis)", i, pn.Title, c, len(ch), T)
			}
		}
	}
	opt, err := opt.resolve(env, titles, T-1)
	if err != nil {
		return nil, err
	}
	frames := min(opt.Frames, T)
	times := make([]int, frames)
	for f := range times {
		times[f] = T - 1
		if frames > 1 {
			times[f] = int(math.Round(float64(f) * float64(T-1) / float64(frames-1)))
		}
	}

	pw, ph := animationPixels(opt.Width, opt.Height)
	W, H := pw*len(panels), ph
	if W >= 1<<16 || H >= 1<<16 {
		return nil, fmt.Errorf("plots: Animation: %d panels of %d × %d pixels exceed a GIF's 65535 × 65535", len(panels), pw, ph)
	}
	q := newQuantizer(animationPalette())
	ps := make([]*animPanel, len(panels))
	for i, pn := range panels {
		ps[i] = newAnimPanel(env, pn.Title, pn.Chains[:min(len(pn.Chains), opt.MaxChains)], opt, q)
	}

	g := &gif.GIF{Config: image.Config{ColorModel: q.pal, Width: W, Height: H}}
	delay := max(2, int(math.Round(float64(opt.Delay)/float64(10*time.Millisecond))))
	prev := image.NewPaletted(image.Rect(0, 0, W, H), q.pal)
	cur := image.NewPaletted(image.Rect(0, 0, W, H), q.pal)
	for f, t := range times {
		for i, p := range ps {
			p.frame(t, opt.Tail)
			p.quantize(cur, i*pw, q)
		}
		var img *image.Paletted
		if f == 0 {
			img = image.NewPaletted(cur.Rect, q.pal)
			copy(img.Pix, cur.Pix)
		} else {
			img = delta(prev, cur, q.pal)
		}
		g.Image = append(g.Image, img)
		g.Delay = append(g.Delay, delay)
		g.Disposal = append(g.Disposal, gif.DisposalNone)
		prev, cur = cur, prev
	}
	g.Delay[len(g.Delay)-1] = max(delay, int(AnimationHold/(10*time.Millisecond)))
	var buf bytes.Buffer
	if err := gif.EncodeAll(&buf, g); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// delta returns the part of cur that differs from prev: the smallest rectangle holding every
// changed pixel, with the pixels that did not change transparent (palette index 0), to be drawn
// over the previous frame (gif.DisposalNone).
func delta(prev, cur *image.Paletted, pal color.Palette) *image.Paletted {
	W, H := cur.Rect.Dx(), cur.Rect.Dy()
	x0, y0, x1, y1 := W, H, 0, 0
	for y := range H {
		row, prow := cur.Pix[y*cur.Stride:y*cur.Stride+W], prev.Pix[y*prev.Stride:y*prev.Stride+W]
		for x, v := range row {
			if v != prow[x] {
				x0, x1 = min(x0, x), max(x1, x+1)
				y0, y1 = min(y0, y), max(y1, y+1)
			}
		}
	}
	if x0 >= x1 {
		return image.NewPaletted(image.Rect(0, 0, 1, 1), pal) // nothing changed: one transparent pixel
	}
	d := image.NewPaletted(image.Rect(x0, y0, x1, y1), pal)
	for y := y0; y < y1; y++ {
		for x := x0; x < x1; x++ {
			if v := cur.Pix[y*cur.Stride+x]; v != prev.Pix[y*prev.Stride+x] {
				d.Pix[d.PixOffset(x, y)] = v
			}
		}
	}
	return d
}

// Styles of the animation's marks, in points.
const (
	headRadius    = vg.Length(2.8)
	trailWidthNew = vg.Length(1.8) // the trail next to the head
	trailWidthOld = vg.Length(0.6) // its oldest part
	trailFadeOld  = 0.75           // how far its oldest part is mixed toward white
	trailLevels   = 5              // steps of width and fade along a trail
)

// headRim is the colour of the thin rim around each head, which keeps pale heads (yellow) visible
// on white.
var headRim = color.Gray{Y: 40}

// animPanel draws one panel's frames onto its own canvas.
type animPanel struct {
	chains   [][]geom.Point
	canvas   *vgimg.Canvas
	img      *image.RGBA
	full     draw.Canvas // the whole panel
	data     draw.Canvas // its data area
	trX, trY func(float64) vg.Length
	rings    [][]vg.Point // the environment's outline, in canvas coordinates
	counter  draw.TextStyle
	still    []byte  // the pixels of the still parts (title, axes, outline)
	stillIdx []uint8 // and their palette indices
}

func newAnimPanel(env *geom.Environment, title string, chains [][]geom.Point, opt AnimationOptions, q *quantizer) *animPanel {
	p := newEnvPlot(title)
	finishEnv(p, env, false)
	c := vgimg.NewWith(vgimg.UseWH(opt.Width, opt.Height), vgimg.UseDPI(AnimationDPI), vgimg.UseBackgroundColor(color.White))
	a := &animPanel{chains: chains, canvas: c, img: c.Image().(*image.RGBA), full: draw.New(c)}
	Draw(p, a.full)
	a.data = DataArea(p, a.full)
	a.trX, a.trY = p.Transforms(&a.data)
	for _, poly := range append([]geom.Polygon{env.Boundary}, env.Holes...) {
		ring := make([]vg.Point, 0, len(poly)+1)
		for _, v := range append(poly, poly[0]) {
			ring = append(ring, a.point(v))
		}
		a.rings = append(a.rings, ring)
	}
	a.counter = counterStyle(p)
	a.still = append([]byte(nil), a.img.Pix...)
	a.stillIdx = make([]uint8, len(a.still)/4)
	for i := range a.stillIdx {
		a.stillIdx[i] = q.index(a.still[4*i], a.still[4*i+1], a.still[4*i+2])
	}
	return a
}

// point maps a position to canvas coordinates.
func (a *animPanel) point(q geom.Point) vg.Point {
	return vg.Point{X: a.trX(q.X), Y: a.trY(q.Y)}
}

// frame draws the panel at step t onto its canvas: the still parts, the trails of the last tail
// steps, the outline over them, the heads and the step counter.
func (a *animPanel) frame(t, tail int) {
	copy(a.img.Pix, a.still)
	levels := min(trailLevels, tail)
	for c, ch := range a.chains {
		// Each level redraws the newer part of the trail, thicker and darker, over the older.
		for l := range levels {
			age := (tail*(levels-l) + levels - 1) / levels // ceil(tail·(levels−l)/levels)
			frac := 0.0                                    // 0 at the head's level, 1 at the oldest
			if levels > 1 {
				frac = float64(levels-1-l) / float64(levels-1)
			}
			sty := draw.LineStyle{Color: mix(Color(c), color.White, trailFadeOld*frac),
				Width: trailWidthNew + vg.Length(frac)*(trailWidthOld-trailWidthNew)}
			a.trail(ch, max(0, t-age), t, sty)
		}
	}
	for _, ring := range a.rings {
		a.data.StrokeLines(draw.LineStyle{Color: outlineColor, Width: vg.Points(1.2)}, a.data.ClipLinesXY(ring)...)
	}
	for c, ch := range a.chains {
		if q := ch[t]; finite(q.X) && finite(q.Y) {
			if pt := a.point(q); a.data.Contains(pt) {
				a.head(pt, Color(c))
			}
		}
	}
	a.full.FillText(a.counter, vg.Point{X: a.full.Min.X + Margin, Y: a.full.Max.Y - Margin}, counterText(t))
}

// counterStyle is the style of a panel's step counter, at its top left.
func counterStyle(p *plot.Plot) draw.TextStyle {
	return draw.TextStyle{Color: color.Gray{Y: 60}, Font: font.From(sans, TickSize),
		XAlign: draw.XLeft, YAlign: draw.YTop, Handler: p.Title.TextStyle.Handler}
}

func counterText(t int) string { return "t = " + strconv.Itoa(t) }

// trail strokes ch[from..to], broken at non-finite points and clipped to the data area.
func (a *animPanel) trail(ch []geom.Point, from, to int, sty draw.LineStyle) {
	seg := ch[from : to+1]
	for _, r := range runs(len(seg), func(k int) bool { return finite(seg[k].X) && finite(seg[k].Y) }) {
		if r[1]-r[0] < 2 {
			continue
		}
		pts := make([]vg.Point, 0, r[1]-r[0])
		for _, q := range seg[r[0]:r[1]] {
			pts = append(pts, a.point(q))
		}
		a.data.StrokeLines(sty, a.data.ClipLinesXY(pts)...)
	}
}

// head draws a chain's head: a dot in its colour with a thin dark rim.
func (a *animPanel) head(pt vg.Point, col color.Color) {
	circle := func(r vg.Length) vg.Path {
		var p vg.Path
		p.Move(vg.Point{X: pt.X + r, Y: pt.Y})
		p.Arc(pt, r, 0, 2*math.Pi)
		p.Close()
		return p
	}
	a.full.SetColor(headRim)
	a.full.Fill(circle(headRadius + 0.7))
	a.full.SetColor(col)
	a.full.Fill(circle(headRadius))
}

// quantize writes the panel's canvas as palette indices into dst at column x0: pixels equal to
// the still parts' take their stored index, the others the nearest palette colour.
func (a *animPanel) quantize(dst *image.Paletted, x0 int, q *quantizer) {
	w, h := a.img.Rect.Dx(), a.img.Rect.Dy()
	pix := a.img.Pix
	for y := range h {
		row := dst.Pix[y*dst.Stride+x0 : y*dst.Stride+x0+w]
		for x := range row {
			i := y*w + x
			o := 4 * i
			if pix[o] == a.still[o] && pix[o+1] == a.still[o+1] && pix[o+2] == a.still[o+2] {
				row[x] = a.stillIdx[i]
			} else {
				row[x] = q.index(pix[o], pix[o+1], pix[o+2])
			}
		}
	}
}

// mix returns c mixed toward d by f in [0, 1] (opaque).
func mix(c, d color.Color, f float64) color.RGBA {
	r0, g0, b0, _ := c.RGBA()
	r1, g1, b1, _ := d.RGBA()
	m := func(a, b uint32) uint8 {
		return uint8(math.Round((float64(a>>8)*(1-f) + float64(b>>8)*f)))
	}
	return color.RGBA{R: m(r0, r1), G: m(g0, g1), B: m(b0, b1), A: 0xFF}
}

// Tints and shades of each series colour in the animation palette.
const (
	paletteTints  = 14 // toward white: antialiased edges and fading trails
	paletteShades = 2  // toward the heads' rim
	paletteGreys  = 40
)

// animationPalette is the fixed palette of animations: index 0 transparent (pixels unchanged
// since the previous frame), greys from black to white (text, axes, outline), and each series
// colour with tints toward white and shades toward the heads' rim.
func animationPalette() color.Palette {
	pal := color.Palette{color.RGBA{}}
	for i := range paletteGreys {
		y := uint8(math.Round(float64(i) * 255 / (paletteGreys - 1)))
		pal = append(pal, color.RGBA{R: y, G: y, B: y, A: 0xFF})
	}
	for _, c := range okabeIto {
		for k := range paletteTints {
			pal = append(pal, mix(c, color.White, float64(k)/paletteTints))
		}
		for k := 1; k <= paletteShades; k++ {
			pal = append(pal, mix(c, headRim, float64(k)/(paletteShades+1)))
		}
	}
	return pal
}

// quantizer maps opaque colours to the nearest palette entry (index 0, transparent, excluded),
// remembering the answers.
type quantizer struct {
	pal   color.Palette
	rgb   [][3]int32
	cache map[uint32]uint8
}

func newQuantizer(pal color.Palette) *quantizer {
	q := &quantizer{pal: pal, cache: map[uint32]uint8{}}
	for _, c := range pal {
		r, g, b, _ := c.RGBA()
		q.rgb = append(q.rgb, [3]int32{int32(r >> 8), int32(g >> 8), int32(b >> 8)})
	}
	return q
}

// index returns the palette index nearest to (r, g, b), by squared distance weighted 2:4:3 (a
// cheap approximation of perceived difference).
func (q *quantizer) index(r, g, b uint8) uint8 {
	key := uint32(r)<<16 | uint32(g)<<8 | uint32(b)
	if i, ok := q.cache[key]; ok {
		return i
	}
	best, bestD := 1, int32(math.MaxInt32)
	for i := 1; i < len(q.rgb); i++ {
		c := q.rgb[i]
		dr, dg, db := int32(r)-c[0], int32(g)-c[1], int32(b)-c[2]
		if d := 2*dr*dr + 4*dg*dg + 3*db*db; d < bestD {
			best, bestD = i, d
		}
	}
	q.cache[key] = uint8(best)
	return uint8(best)
}
