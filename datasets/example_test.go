package datasets_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/replaylab/replay/datasets"
)

// A batch of T-maze runs: inputs are velocity plus the masked position, targets the position.
func Example() {
	task, err := datasets.NewTMaze(datasets.DefaultTMazeParams())
	if err != nil {
		panic(err)
	}
	batch, err := datasets.NewBatch(task, 8, 60, 9) // 8 paths, 60 steps, observation every 10 steps
	if err != nil {
		panic(err)
	}
	if err := datasets.Generate(task, batch, rand.New(rand.NewPCG(1, 2))); err != nil {
		panic(err)
	}
	end := batch.Path(0)[batch.T]
	fmt.Println("inputs per step:", batch.InputDim, "targets per step:", batch.TargetDim)
	fmt.Println("path 0 ends in the", task.Env().Regions[task.Env().RegionOf(end)].Name == datasets.RegionLeftArm ||
		task.Env().Regions[task.Env().RegionOf(end)].Name == datasets.RegionRightArm, "arm region")
	fmt.Println("start region:", task.Env().Regions[batch.Region[0]].Name)
	// Output:
	// inputs per step: 4 targets per step: 2
	// path 0 ends in the true arm region
	// start region: stem
}

// Place cells: the population vector of a position decodes back close to it.
func ExamplePlaceCells_Decode() {
	task, _ := datasets.NewPlaceCells(datasets.DefaultPlaceCellParams())
	x := datasets.Point{X: 0.3, Y: 0.7}
	act := make([]float32, task.ObsDim())
	task.Observe(x, act)
	fmt.Printf("error below 5 cm: %v\n", task.Decode(act).Sub(x).Norm() < 0.05)
	// Output:
	// error below 5 cm: true
}

func ExampleNewDefaultTask() {
	_, err := datasets.NewDefaultTask("circle")
	fmt.Println(err)
	// Output:
	// task "circle": unknown, want one of [triangle tmaze placecells]
}
