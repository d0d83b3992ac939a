package nb

import (
	"bytes"
	"errors"
	"image/gif"
	"image/png"
	"io"
	"os"
	"testing"

	"github.com/replaylab/replay/datasets"
	"github.com/replaylab/replay/geom"
	"github.com/replaylab/replay/replaylib/plots"
)

// TestLastFrameIsTheEndOfTheAnimation: the still a rendered notebook keeps of an animation has the
// animation's size and shows where the chains end, not where they start.
func TestLastFrameIsTheEndOfTheAnimation(t *testing.T) {
	task, err := datasets.NewTMaze(datasets.DefaultTMazeParams())
	if err != nil {
		t.Fatal(err)
	}
	var chain []geom.Point
	for i := range 30 {
		chain = append(chain, geom.Point{X: 0, Y: 0.05 + 0.03*float64(i)})
	}
	anim, err := plots.Animation(task.Env(), []plots.AnimationPanel{{Title: "up the stem", Chains: [][]geom.Point{chain}}}, plots.AnimationOptions{Frames: 10})
	if err != nil {
		t.Fatal(err)
	}
	last, err := lastFrame(anim)
	if err != nil {
		t.Fatal(err)
	}
	first, err := lastFrame(firstFrameOnly(t, anim))
	if err != nil {
		t.Fatal(err)
	}
	a, err := png.Decode(bytes.NewReader(last))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := png.Decode(bytes.NewReader(first))
	if a.Bounds() != b.Bounds() || a.Bounds().Dx() < 100 {
		t.Fatalf("still %v, first frame %v", a.Bounds(), b.Bounds())
	}
	differ := 0
	for y := a.Bounds().Min.Y; y < a.Bounds().Max.Y; y++ {
		for x := a.Bounds().Min.X; x < a.Bounds().Max.X; x++ {
			if a.At(x, y) != b.At(x, y) {
				differ++
			}
		}
	}
	if differ < 20 {
		t.Errorf("the still differs from the first frame in %d pixels: it does not show the chain's end", differ)
	}
}

// firstFrameOnly re-encodes an animated GIF with its first frame alone.
func firstFrameOnly(t *testing.T, data []byte) []byte {
	t.Helper()
	g, err := gif.DecodeAll(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	g.Image, g.Delay = g.Image[:1], g.Delay[:1]
	if len(g.Disposal) > 0 {
		g.Disposal = g.Disposal[:1]
	}
	var out bytes.Buffer
	if err := gif.EncodeAll(&out, g); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// TestMarkdownKeepsALiteralPercent: a table passed as the only argument (ClaimTable's "95 % t") is
// shown as it is, not read as a format.
func TestMarkdownKeepsALiteralPercent(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout := os.Stdout
	os.Stdout = w
	show := Markdown // as a notebook passes a table: its text as the format, no arguments
	show("| difference [95 % t] |")
	Markdown("%d of %d", 1, 2)
	os.Stdout = stdout
	w.Close()
	out, _ := io.ReadAll(r)
	if want := "| difference [95 % t] |\n1 of 2\n"; string(out) != want {
		t.Errorf("printed %q, want %q", out, want)
	}
}

// TestMustPanicsOutsideANotebook: outside a notebook Must returns v when err is nil and otherwise
// panics with a *MustError that wraps err (a program or test can recover it; no exit).
func TestMustPanicsOutsideANotebook(t *testing.T) {
	if got := Must(7, nil); got != 7 {
		t.Fatalf("Must(7, nil) = %d", got)
	}
	cause := io.ErrUnexpectedEOF
	defer func() {
		r := recover()
		err, ok := r.(*MustError)
		if !ok || !errors.Is(err, cause) {
			t.Fatalf("recovered %v (%T), want a *MustError wrapping %v", r, r, cause)
		}
	}()
	Must(0, cause)
	t.Fatal("Must returned after an error")
}
