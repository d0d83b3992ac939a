package nb

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"image"
	"image/draw"
	"image/gif"
	"image/png"

	"github.com/janpfeifer/gonb/gonbui"

	"github.com/replaylab/replay/replaylib/plots"
	"github.com/replaylab/replay/replaylib/training"
)

// Train trains run to its configured steps with a progress line and a learning curve updated in
// place as it goes (a rerun of the cell resumes or reuses the run's checkpoint).
func Train(run *training.Run) error {
	if run.GlobalStep() >= run.Config.Steps {
		where := " from " + run.Dir
		if pngFigures() {
			where = "" // rendered outputs name no directory of the machine that made them
		}
		Markdown("*(trained already: %d steps, reused%s)*", run.GlobalStep(), where)
		showCurve(run, "")
		return nil
	}
	p := NewProgress(fmt.Sprintf("training %s (N = %d)", run.Config.Task, run.Config.Model.Hidden))
	curveID := "replay-curve-" + gonbui.UniqueID()
	run.OnEvaluate = func(e training.LogEntry) {
		p.Update(float64(e.Step)/float64(run.Config.Steps), fmt.Sprintf("step %d, decoded error %.1f%% of the environment", e.Step, 100*e.PosErrRel))
		if !pngFigures() { // PNG: the finished curve, below
			showCurve(run, curveID)
		}
	}
	if err := run.Train(context.Background()); err != nil {
		return err
	}
	p.Done(fmt.Sprintf("%d steps", run.Config.Steps))
	if pngFigures() {
		showCurve(run, "")
	}
	return nil
}

// showCurve draws run's learning curve, in place under id (or as a new output when id is "").
func showCurve(run *training.Run, id string) {
	c := plots.Series{Name: "decoded position error"}
	for _, e := range run.History {
		c.X, c.Y = append(c.X, float64(max(e.Step, 1))), append(c.Y, e.PosErrRel)
	}
	p, err := plots.Lines(plots.Axes{Title: fmt.Sprintf("training %s, α = %g", run.Config.Task, run.Config.Model.Cell.Alpha), X: "training step", Y: "decoded error (fraction of size)"}, []plots.Series{c}, plots.LineOptions{LogY: true})
	if err != nil {
		Error(err)
		return
	}
	if id == "" || !gonbui.IsNotebook {
		Show(p)
		return
	}
	svg, err := plots.SVG(p, plots.Width, plots.Height)
	if err != nil {
		Error(err)
		return
	}
	gonbui.UpdateHTML(id, svg)
}

// ShowGIF displays an animated GIF (e.g. plots.Animation) inline; under FiguresEnv=png, its last
// frame as a PNG image instead (what rendered notebooks keep: GitHub shows no GIF in HTML).
func ShowGIF(gif []byte) {
	if !gonbui.IsNotebook {
		fmt.Printf("[animation: %d bytes of GIF]\n", len(gif))
		return
	}
	if pngFigures() {
		still, err := lastFrame(gif)
		if err != nil {
			Error(err)
			return
		}
		displayPNG(still)
		return
	}
	gonbui.DisplayHTML(`<img alt="replay animation" src="data:image/gif;base64,` + base64.StdEncoding.EncodeToString(gif) + `"/>`)
	gonbui.Sync()
}

// lastFrame returns the picture an animated GIF ends on, as PNG: its frames drawn in order over one
// canvas (plots.Animation writes later frames as the pixels that change, the others transparent).
func lastFrame(data []byte) ([]byte, error) {
	g, err := gif.DecodeAll(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("animation: %w", err)
	}
	canvas := image.NewRGBA(image.Rect(0, 0, g.Config.Width, g.Config.Height))
	for _, frame := range g.Image {
		draw.Draw(canvas, frame.Bounds(), frame, frame.Bounds().Min, draw.Over)
	}
	var out bytes.Buffer
	if err := png.Encode(&out, canvas); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}
