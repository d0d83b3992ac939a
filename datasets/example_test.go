package datasets_test

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/replaylab/replay/datasets"
)

// A batch of T-maze paths: inputs are velocity plus the masked position, targets the position.
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
	inside := true
	for _, p := range batch.Position {
		inside = inside && task.Env().Contains(p)
	}
	fmt.Println("inputs per step:", batch.InputDim, "targets per step:", batch.TargetDim)
	fmt.Println("every position inside the maze:", inside)
	// Output:
	// inputs per step: 4 targets per step: 2
	// every position inside the maze: true
}

// The alternation walk of the T-maze, measured from positions: junction passages from an arm go on
// into the other arm with AlternationProbability and back down the stem otherwise.
func ExampleTMaze_Stats() {
	params := datasets.DefaultTMazeParams() // AlternationProbability 0.75, LeftProbability 0.5
	task, _ := datasets.NewTMaze(params)
	rng := rand.New(rand.NewPCG(3, 4))
	path := make([]datasets.Point, 20001)
	var st datasets.TMazeStats
	for range 100 {
		task.Paths(path, rng)
		st = st.Add(task.Stats(path))
	}
	round := func(x float64) float64 { return math.Round(20*x) / 20 } // to the nearest 0.05
	fmt.Printf("junction passages from an arm: into the other arm %.2f, down the stem %.2f\n",
		round(st.JunctionAlternationRate()), round(st.TurnBackRate()))
	fmt.Printf("left turns from the stem: %.2f\n", round(st.LeftTurnRate()))
	expected := params.ExpectedArmAlternationRate()
	fmt.Printf("consecutive arm visits alternating: within 0.01 of %.3f: %v\n",
		expected, math.Abs(st.ArmAlternationRate()-expected) < 0.01)
	// Output:
	// junction passages from an arm: into the other arm 0.75, down the stem 0.25
	// left turns from the stem: 0.50
	// consecutive arm visits alternating: within 0.01 of 0.875: true
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
	// task "circle": unknown, want one of [triangle tmaze placecells arena]
}
