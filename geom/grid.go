package geom

import (
	"fmt"
	"math"
)

// Grid is a square grid over an environment's bounding box, with only the cells whose centres lie
// inside the environment counted. Cell (ix, iy) has index iy·NX + ix and covers
// [Lo.X + ix·Cell, Lo.X + (ix+1)·Cell) × [Lo.Y + iy·Cell, Lo.Y + (iy+1)·Cell).
type Grid struct {
	Lo        Point   // lower-left corner of the bounding box
	Cell      float64 // side of a cell, environment units
	NX, NY    int     // cells per row and per column
	inside    []bool
	NumInside int // cells whose centre is inside the environment
}

// NewGrid covers env's bounding box with square cells of side cell (environment units, > 0).
func NewGrid(env *Environment, cell float64) (*Grid, error) {
	if !(cell > 0) {
		return nil, fmt.Errorf("grid cell=%g: must be > 0", cell)
	}
	lo, hi := env.Bounds()
	g := &Grid{Lo: lo, Cell: cell, NX: int(math.Ceil((hi.X - lo.X) / cell)), NY: int(math.Ceil((hi.Y - lo.Y) / cell))}
	g.inside = make([]bool, g.NX*g.NY)
	for iy := range g.NY {
		for ix := range g.NX {
			c := Point{X: lo.X + (float64(ix)+0.5)*cell, Y: lo.Y + (float64(iy)+0.5)*cell}
			if env.Contains(c) {
				g.inside[iy*g.NX+ix] = true
				g.NumInside++
			}
		}
	}
	return g, nil
}

// Index returns the cell index of p, or −1 outside the grid.
func (g *Grid) Index(p Point) int {
	ix, iy := int(math.Floor((p.X-g.Lo.X)/g.Cell)), int(math.Floor((p.Y-g.Lo.Y)/g.Cell))
	if ix < 0 || iy < 0 || ix >= g.NX || iy >= g.NY {
		return -1
	}
	return iy*g.NX + ix
}

// Inside reports whether cell i's centre is inside the environment (false for i < 0: off the grid).
func (g *Grid) Inside(i int) bool { return i >= 0 && g.inside[i] }

// Counts returns the number of points per cell.
func (g *Grid) Counts(points []Point) []float64 {
	counts := make([]float64, g.NX*g.NY)
	for _, p := range points {
		if i := g.Index(p); i >= 0 {
			counts[i]++
		}
	}
	return counts
}
