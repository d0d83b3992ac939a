package plots

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/replaylab/replay/datasets"
	"github.com/replaylab/replay/replaylib/metrics"
)

func TestFiguresRenderAndSave(t *testing.T) {
	task, _ := datasets.NewDefaultTask("tmaze")
	env := task.Env()
	traj := [][]datasets.Point{{{X: 0, Y: 0.1}, {X: 0, Y: 0.5}, {X: 0.3, Y: 1.1}}, {{X: 0, Y: -3}, {X: -0.4, Y: 1.1}}}
	p, err := Trajectories("replay", env, traj, 5)
	if err != nil {
		t.Fatal(err)
	}
	// The view is the environment even when a chain starts far outside it.
	if p.Y.Min < -0.1 || p.Y.Min > 0 || p.X.Max < 0.6 || p.X.Max > 0.7 {
		t.Errorf("view y ≥ %g, x ≤ %g: want the environment's bounds ±5%%", p.Y.Min, p.X.Max)
	}
	dir := t.TempDir()
	paths, err := Save(p, filepath.Join(dir, "traj"), Width, Height)
	if err != nil || len(paths) != 2 {
		t.Fatalf("Save: %v %v", paths, err)
	}
	data, _ := os.ReadFile(paths[0])
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil || img.Bounds().Dx() < 300 {
		t.Fatalf("PNG: %v, %v", err, img)
	}
	svg, _ := os.ReadFile(paths[1])
	if !strings.Contains(string(svg), "<svg") || !strings.Contains(string(svg), "y (u)") {
		t.Error("SVG lacks the y-axis label")
	}
	grid, _ := metrics.NewGrid(env, 0.05)
	if _, err := Occupancy("occupancy", env, grid, traj[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := Bars("bars", "steps", []string{"a", "b"}, []float64{1, 2}, []float64{0.1, 0.2}); err != nil {
		t.Fatal(err)
	}
	if _, err := Lines("lines", "x", "y", []Series{{Name: "s", X: []float64{1, 10}, Y: []float64{1, 100}}}, true, true); err != nil {
		t.Fatal(err)
	}
}
