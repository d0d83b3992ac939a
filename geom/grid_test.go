package geom_test

import (
	"fmt"

	"github.com/replaylab/replay/geom"
)

// An L-shaped room, 2 × 2 without its upper-right unit square, on a grid of unit cells: the
// bounding box has 4 cells, 3 of them inside; points are counted in their cells, row by row.
func ExampleGrid() {
	room := geom.Polygon{{X: 0, Y: 0}, {X: 2, Y: 0}, {X: 2, Y: 1}, {X: 1, Y: 1}, {X: 1, Y: 2}, {X: 0, Y: 2}}
	env, err := geom.NewEnvironment("L", room, nil, nil)
	if err != nil {
		panic(err)
	}
	g, err := geom.NewGrid(env, 1)
	if err != nil {
		panic(err)
	}
	fmt.Println(g.NX, g.NY, g.NumInside)
	inside := make([]bool, g.NX*g.NY)
	for i := range inside {
		inside[i] = g.Inside(i)
	}
	fmt.Println(inside)
	fmt.Println(g.Index(geom.Point{X: 1.5, Y: 0.2}), g.Index(geom.Point{X: 3, Y: 0}))
	fmt.Println(g.Counts([]geom.Point{{X: 0.5, Y: 0.5}, {X: 0.2, Y: 0.9}, {X: 0.5, Y: 1.5}, {X: 5, Y: 5}}))
	// Output:
	// 2 2 3
	// [true true true false]
	// 1 -1
	// [2 0 1 0]
}
