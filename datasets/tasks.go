package datasets

import (
	"fmt"
	"slices"
)

// TaskNames lists the tasks NewDefaultTask knows.
var TaskNames = []string{"triangle", "tmaze", "placecells"}

// NewDefaultTask returns the named task with its default parameters.
func NewDefaultTask(name string) (Task, error) {
	switch name {
	case "triangle":
		return NewTriangle(DefaultTriangleParams())
	case "tmaze":
		return NewTMaze(DefaultTMazeParams())
	case "placecells":
		return NewPlaceCells(DefaultPlaceCellParams())
	}
	return nil, fmt.Errorf("task %q: unknown, want one of %v", name, slices.Clone(TaskNames))
}
