//go:build look

package plots

import (
	"bytes"
	"fmt"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/replaylab/replay/datasets"
	"github.com/replaylab/replay/geom"
)

// TestLookAnimation writes a three-panel animation of chains random-walking along the T-maze,
// and three of its frames as PNG, to $PLOTS_LOOK_DIR (default /tmp/anim-look) for a person to
// look at, and logs its size and the time it took (build tag look: go test -tags look -run Look).
func TestLookAnimation(t *testing.T) {
	dir := lookDir(t, "/tmp/anim-look")
	task, err := datasets.NewTMaze(datasets.DefaultTMazeParams())
	if err != nil {
		t.Fatal(err)
	}
	const chains, steps = 8, 1001
	// Three variants from the same starts: a jittery walk (leak), a smooth one (momentum) and a
	// fast smooth one (adaptation + momentum), all along the T's centreline paths.
	var panels []AnimationPanel
	for v, title := range []string{"leak α=0.5", "momentum λv=0.7", "adaptation b_a=0.5, λv=0.7"} {
		rng := rand.New(rand.NewPCG(7, 8))
		var cs [][]geom.Point
		for range chains {
			speed := []int{1, 1, 2}[v]
			path := make([]geom.Point, 2*(steps-1)+1)
			task.Paths(path, rng)
			ch := make([]geom.Point, steps)
			jitter := []float64{0.02, 0.004, 0.004}[v] * task.Env().Size()
			for i := range ch {
				ch[i] = path[speed*i].Add(geom.Point{X: jitter * rng.NormFloat64(), Y: jitter * rng.NormFloat64()})
			}
			cs = append(cs, ch)
		}
		panels = append(panels, AnimationPanel{Title: title, Chains: cs})
	}
	start := time.Now()
	data, err := Animation(task.Env(), panels, AnimationOptions{})
	if err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(start)
	path := filepath.Join(dir, "tmaze-3-panels.gif")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	g, frames := decodeFrames(t, data)
	t.Logf("%s: %d frames of %d × %d, %.2f MB, rendered in %v", path, len(g.Image), g.Config.Width, g.Config.Height, float64(len(data))/1e6, elapsed)
	for _, f := range []int{0, len(frames) / 2, len(frames) - 1} {
		var buf bytes.Buffer
		if err := png.Encode(&buf, frames[f]); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("frame-%03d.png", f)), buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
