package plots

import (
	"image/color"
	"math"

	"gonum.org/v1/plot/palette"
)

// okabeIto holds the eight colours of Okabe and Ito's colour-blind-safe palette in the order
// Color uses: blue, vermilion, bluish green, reddish purple, orange, sky blue, black, yellow.
// Blue and vermilion come first because they stay apart for every common colour-vision
// deficiency and are dark enough for thin lines on white; yellow (#F0E442) comes last because
// it is hard to see as a line on white and is only reached by the eighth series.
var okabeIto = [8]color.RGBA{
	{R: 0x00, G: 0x72, B: 0xB2, A: 0xFF}, // blue
	{R: 0xD5, G: 0x5E, B: 0x00, A: 0xFF}, // vermilion
	{R: 0x00, G: 0x9E, B: 0x73, A: 0xFF}, // bluish green
	{R: 0xCC, G: 0x79, B: 0xA7, A: 0xFF}, // reddish purple
	{R: 0xE6, G: 0x9F, B: 0x00, A: 0xFF}, // orange
	{R: 0x56, G: 0xB4, B: 0xE9, A: 0xFF}, // sky blue
	{R: 0x00, G: 0x00, B: 0x00, A: 0xFF}, // black
	{R: 0xF0, G: 0xE4, B: 0x42, A: 0xFF}, // yellow
}

// NumColors is the number of distinct series colours; Color cycles with this period.
const NumColors = len(okabeIto)

// Color returns the colour of series i: the Okabe–Ito palette (colour-blind safe) in the order
// blue #0072B2, vermilion #D55E00, bluish green #009E73, reddish purple #CC79A7, orange #E69F00,
// sky blue #56B4E9, black #000000, yellow #F0E442, cycling for i ≥ NumColors (and for negative i).
// Every figure of this package colours its series with it.
func Color(i int) color.Color {
	i %= NumColors
	if i < 0 {
		i += NumColors
	}
	return okabeIto[i]
}

// withAlpha returns c with opacity a in [0, 1] (non-premultiplied, as color.NRGBA).
func withAlpha(c color.Color, a float64) color.Color {
	r, g, b, _ := c.RGBA()
	return color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: uint8(math.Round(255 * a))}
}

// viridisStops are ten evenly spaced samples of the viridis colour map (van der Walt and
// Smith, the default map of matplotlib), from 0 (dark purple) to 1 (yellow).
var viridisStops = [...]uint32{
	0x440154, 0x482878, 0x3E4A89, 0x31688E, 0x26828E, 0x1F9E89, 0x35B779, 0x6DCD59, 0xB4DE2C, 0xFDE725,
}

// Viridis returns the viridis colour at t in [0, 1] (clamped; NaN gives the t = 0 colour):
// a sequential map whose lightness rises steadily from dark purple to yellow, readable by
// colour-blind readers and in greyscale. Between its ten stored samples it interpolates
// linearly in sRGB.
func Viridis(t float64) color.Color {
	if !(t > 0) {
		t = 0
	}
	t = math.Min(t, 1)
	f := t * float64(len(viridisStops)-1)
	i := min(int(f), len(viridisStops)-2)
	f -= float64(i)
	a, b := viridisStops[i], viridisStops[i+1]
	mix := func(shift uint) uint8 {
		x, y := float64(a>>shift&0xFF), float64(b>>shift&0xFF)
		return uint8(math.Round(x + f*(y-x)))
	}
	return color.RGBA{R: mix(16), G: mix(8), B: mix(0), A: 0xFF}
}

// Palette returns the sequential colour map of heat maps and occupancy maps: viridis in 256
// steps, low values dark, high values light.
func Palette() palette.Palette { return viridisPalette(256) }

type viridisPalette int

func (n viridisPalette) Colors() []color.Color {
	cs := make([]color.Color, n)
	for i := range cs {
		cs[i] = Viridis(float64(i) / float64(max(int(n)-1, 1)))
	}
	return cs
}

// colorAt maps v in [lo, hi] onto the palette (clamped).
func colorAt(v, lo, hi float64) color.Color {
	if hi <= lo {
		return Viridis(0.5)
	}
	return Viridis((v - lo) / (hi - lo))
}

// relativeLuminance is the WCAG relative luminance of c, in [0, 1].
func relativeLuminance(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	lin := func(v uint32) float64 {
		s := float64(v) / 0xFFFF
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}

// TextColorOn returns black or white, whichever has the higher contrast ratio against the
// opaque colour bg: the colour of a cell's annotation.
func TextColorOn(bg color.Color) color.Color {
	l := relativeLuminance(bg)
	if (l+0.05)/0.05 >= 1.05/(l+0.05) {
		return color.Black
	}
	return color.White
}
