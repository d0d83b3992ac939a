package plots

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"image/gif"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"gonum.org/v1/plot/vg"

	"github.com/replaylab/replay/datasets"
	"github.com/replaylab/replay/geom"
)

func unitSquare(t *testing.T) *geom.Environment {
	t.Helper()
	env, err := datasets.NewEnvironment("square", geom.Polygon{{X: 0, Y: 0}, {X: 1, Y: 0}, {X: 1, Y: 1}, {X: 0, Y: 1}}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return env
}

// decodeFrames decodes an animated GIF and returns every frame as the reader sees it: each
// drawn over the ones before (the animation's frames after the first hold only what changed).
func decodeFrames(t *testing.T, data []byte) (*gif.GIF, []*image.RGBA) {
	t.Helper()
	g, err := gif.DecodeAll(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	canvas := image.NewRGBA(image.Rect(0, 0, g.Config.Width, g.Config.Height))
	var out []*image.RGBA
	for i, fr := range g.Image {
		if g.Disposal[i] != gif.DisposalNone {
			t.Fatalf("frame %d: disposal %d, want DisposalNone", i, g.Disposal[i])
		}
		draw.Draw(canvas, fr.Bounds(), fr, fr.Bounds().Min, draw.Over)
		out = append(out, image.NewRGBA(canvas.Rect))
		copy(out[i].Pix, canvas.Pix)
	}
	return g, out
}

// line is a chain of n steps from a to b.
func line(a, b geom.Point, n int) []geom.Point {
	ch := make([]geom.Point, n)
	for i := range ch {
		f := float64(i) / float64(n-1)
		ch[i] = a.Add(b.Sub(a).Scale(f))
	}
	return ch
}

func sameRGB(c color.Color, d color.Color) bool {
	r0, g0, b0, _ := c.RGBA()
	r1, g1, b1, _ := d.RGBA()
	return r0>>8 == r1>>8 && g0>>8 == g1>>8 && b0>>8 == b1>>8
}

// pixelsOf returns the mean x and the number of the pixels of img that have colour c.
func pixelsOf(img *image.RGBA, c color.Color) (meanX float64, n int) {
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if sameRGB(img.At(x, y), c) {
				meanX += float64(x)
				n++
			}
		}
	}
	return meanX / float64(max(n, 1)), n
}

func TestAnimationFramesAndSize(t *testing.T) {
	env := unitSquare(t)
	rng := rand.New(rand.NewPCG(1, 2))
	var panels []AnimationPanel
	for _, title := range []string{"leak", "momentum"} {
		var chains [][]geom.Point
		for range 3 {
			ch := make([]geom.Point, 200)
			p := geom.Point{X: 0.5, Y: 0.5}
			for i := range ch {
				p = geom.Point{X: math.Min(1, math.Max(0, p.X+0.03*rng.NormFloat64())), Y: math.Min(1, math.Max(0, p.Y+0.03*rng.NormFloat64()))}
				ch[i] = p
			}
			chains = append(chains, ch)
		}
		panels = append(panels, AnimationPanel{Title: title, Chains: chains})
	}
	data, err := Animation(env, panels, AnimationOptions{Frames: 25, Delay: 80 * time.Millisecond, Width: 4 * vg.Inch, Height: 3 * vg.Inch})
	if err != nil {
		t.Fatal(err)
	}
	g, frames := decodeFrames(t, data)
	if len(g.Image) != 25 || g.Config.Width != 2*4*AnimationDPI || g.Config.Height != 3*AnimationDPI {
		t.Errorf("%d frames of %d × %d, want 25 of %d × %d", len(g.Image), g.Config.Width, g.Config.Height, 2*4*AnimationDPI, 3*AnimationDPI)
	}
	if g.LoopCount != 0 {
		t.Errorf("LoopCount %d, want 0 (forever)", g.LoopCount)
	}
	if g.Delay[0] != 8 || g.Delay[24] != 100 {
		t.Errorf("delays %d … %d (1/100 s), want 8 and the last held 100", g.Delay[0], g.Delay[24])
	}
	if bytes.Equal(frames[0].Pix, frames[24].Pix) {
		t.Error("first and last frames are the same")
	}
	// More frames than steps: one frame per step. The default panel, Width × Height, narrowed
	// to the square's shape.
	data, err = Animation(env, []AnimationPanel{{Chains: [][]geom.Point{line(geom.Point{X: 0.2, Y: 0.2}, geom.Point{X: 0.8, Y: 0.8}, 7)}}}, AnimationOptions{})
	if err != nil {
		t.Fatal(err)
	}
	g, _ = decodeFrames(t, data)
	pw, ph := animationPixels(Width, Height)
	if len(g.Image) != 7 || g.Config.Height != ph || !(g.Config.Width < pw*9/10 && g.Config.Width > ph*8/10) {
		t.Errorf("7 steps, default size: %d frames of %d × %d, want 7, %d high and narrower than %d (a square view)", len(g.Image), g.Config.Width, g.Config.Height, ph, pw)
	}
}

// TestAnimationHeadMoves: one chain crossing a square from left to right; its head, a dot in
// Color(0), is where the panel's transform puts it, first on the left, last on the right.
func TestAnimationHeadMoves(t *testing.T) {
	env := unitSquare(t)
	ch := line(geom.Point{X: 0.1, Y: 0.5}, geom.Point{X: 0.9, Y: 0.5}, 50)
	opt := AnimationOptions{Frames: 10, Tail: 5}
	data, err := Animation(env, []AnimationPanel{{Title: "crossing", Chains: [][]geom.Point{ch}}}, opt)
	if err != nil {
		t.Fatal(err)
	}
	_, frames := decodeFrames(t, data)
	if len(frames) != 10 {
		t.Fatalf("%d frames, want 10", len(frames))
	}
	opt, _ = opt.resolve(env, []string{"crossing"}, len(ch)-1)
	a := newAnimPanel(env, "crossing", [][]geom.Point{ch}, opt, newQuantizer(animationPalette()))
	_, ph := animationPixels(opt.Width, opt.Height)
	pixel := func(q geom.Point) (int, int) { // vgimg: y up, one point = AnimationDPI/72 pixels
		pt := a.point(q)
		return int(pt.X / vg.Inch * AnimationDPI), ph - 1 - int(pt.Y/vg.Inch*AnimationDPI)
	}
	for _, f := range []int{0, 9} {
		x, y := pixel(ch[[]int{0, 49}[f/9]])
		if got := frames[f].At(x, y); !sameRGB(got, Color(0)) {
			t.Errorf("frame %d: pixel (%d, %d) at the head is %v, want Color(0) %v", f, x, y, got, Color(0))
		}
	}
	x0, n0 := pixelsOf(frames[0], Color(0))
	x1, n1 := pixelsOf(frames[9], Color(0))
	if n0 == 0 || n1 == 0 || !(x1 > x0+100) {
		t.Errorf("Color(0) pixels: %d at mean x %.0f in the first frame, %d at %.0f in the last; want them to move right", n0, x0, n1, x1)
	}
	if bytes.Equal(frames[0].Pix, frames[9].Pix) {
		t.Error("first and last frames are the same")
	}
}

// TestAnimationSkipsNonFinite: non-finite points are left out; a chain at them draws nothing.
func TestAnimationSkipsNonFinite(t *testing.T) {
	env := unitSquare(t)
	ch := line(geom.Point{X: 0.3, Y: 0.5}, geom.Point{X: 0.7, Y: 0.5}, 50)
	for i := 25; i < 50; i++ {
		ch[i] = geom.Point{X: math.NaN(), Y: math.Inf(1)}
	}
	data, err := Animation(env, []AnimationPanel{{Chains: [][]geom.Point{ch}}}, AnimationOptions{Frames: 50, Tail: 5})
	if err != nil {
		t.Fatal(err)
	}
	_, frames := decodeFrames(t, data)
	bluish := func(img *image.RGBA) int {
		n := 0
		for i := 0; i < len(img.Pix); i += 4 {
			if int(img.Pix[i+2]) > int(img.Pix[i])+40 {
				n++
			}
		}
		return n
	}
	if n := bluish(frames[10]); n == 0 {
		t.Error("step 10: no chain drawn")
	}
	if n := bluish(frames[40]); n != 0 {
		t.Errorf("step 40, all points of the last 5 steps non-finite: %d chain pixels, want none", n)
	}
}

func TestAnimationErrors(t *testing.T) {
	env := unitSquare(t)
	ok := [][]geom.Point{line(geom.Point{X: 0.2, Y: 0.2}, geom.Point{X: 0.8, Y: 0.8}, 10)}
	for name, c := range map[string]struct {
		env    *geom.Environment
		panels []AnimationPanel
		opt    AnimationOptions
		want   string
	}{
		"no panels":      {env, nil, AnimationOptions{}, "no panels"},
		"no chains":      {env, []AnimationPanel{{Title: "a", Chains: ok}, {Title: "b"}}, AnimationOptions{}, `panel 1 ("b") has no chains`},
		"empty chain":    {env, []AnimationPanel{{Chains: [][]geom.Point{ok[0], {}}}}, AnimationOptions{}, "chain 1 is empty"},
		"lengths differ": {env, []AnimationPanel{{Chains: ok}, {Chains: [][]geom.Point{ok[0][:5]}}}, AnimationOptions{}, "chain 0 has 5 steps, others 10"},
		"no env":         {nil, []AnimationPanel{{Chains: ok}}, AnimationOptions{}, "no environment"},
		"frames":         {env, []AnimationPanel{{Chains: ok}}, AnimationOptions{Frames: -1}, "Frames=-1"},
		"tail":           {env, []AnimationPanel{{Chains: ok}}, AnimationOptions{Tail: -2}, "Tail=-2"},
		"delay":          {env, []AnimationPanel{{Chains: ok}}, AnimationOptions{Delay: -time.Second}, "Delay=-1s"},
		"chains":         {env, []AnimationPanel{{Chains: ok}}, AnimationOptions{MaxChains: -1}, "MaxChains=-1"},
		"size":           {env, []AnimationPanel{{Chains: ok}}, AnimationOptions{Width: -vg.Inch}, "panel size"},
		"tiny":           {env, []AnimationPanel{{Chains: ok}}, AnimationOptions{Width: 0.001, Height: 0.001}, "pixels"},
	} {
		_, err := Animation(c.env, c.panels, c.opt)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", name, err, c.want)
		}
	}
	// Chains beyond MaxChains are not drawn, so their lengths do not matter.
	if _, err := Animation(env, []AnimationPanel{{Chains: [][]geom.Point{ok[0], {}}}}, AnimationOptions{MaxChains: 1}); err != nil {
		t.Errorf("MaxChains 1 with a second, empty chain: %v", err)
	}
}
