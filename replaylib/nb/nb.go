package nb

import (
	"fmt"
	"html"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/janpfeifer/gonb/gonbui"
	"gonum.org/v1/plot"

	"github.com/replaylab/replay/replaylib"
	"github.com/replaylab/replay/replaylib/claims"
	"github.com/replaylab/replay/replaylib/plots"
)

func init() {
	// The backend line is information, not an error: Jupyter shows standard error in red.
	replaylib.BackendLog = os.Stdout
}

// ModeEnv selects the notebooks' size: "quick" (tests: seconds per model) or "full" (the
// default: the CLI's quick size, minutes per model on 2 cores).
const ModeEnv = "REPLAY_NB_MODE"

// DirEnv overrides where notebooks keep their trained models and results (default:
// results/notebooks-<mode> in the repository).
const DirEnv = "REPLAY_NB_DIR"

// Mode returns "quick" or "full", as ModeEnv says.
func Mode() string {
	if os.Getenv(ModeEnv) == "quick" {
		return "quick"
	}
	return "full"
}

// Size is the experiment size for the mode: the reproduction's quick size, or a tiny one in tests.
func Size() claims.Size {
	if Mode() == "quick" {
		s := claims.Tiny()
		s.Tasks = []string{"triangle", "tmaze", "placecells"}
		return s
	}
	return claims.Quick()
}

// Dir is the directory where notebooks keep trained models and results, shared by all notebooks
// (and laid out like `replay reproduce --out`), so that each network is trained once.
func Dir() string {
	if d := os.Getenv(DirEnv); d != "" {
		return d
	}
	root := os.Getenv("GONB_DIR")
	if root == "" {
		root = "."
	}
	return filepath.Join(root, "..", "results", "notebooks-"+Mode())
}

// FiguresEnv set to "png" makes the notebooks show plots and figures as PNG images instead of
// SVG: notebooks/render.sh sets it for the outputs committed with the notebooks, which GitHub shows
// (it drops SVG embedded in HTML). SVG, the default, stays sharp at any zoom in JupyterLab.
const FiguresEnv = "REPLAY_NB_FIGURES"

func pngFigures() bool { return os.Getenv(FiguresEnv) == "png" }

// Show displays a plot as SVG (sharp at any zoom), or PNG under FiguresEnv.
func Show(p *plot.Plot) {
	showRendered(func() ([]byte, error) { return plots.PNG(p, plots.Width, plots.Height) },
		func() (string, error) { return plots.SVG(p, plots.Width, plots.Height) })
}

// ShowFigure displays a reproduction figure (all its panels) with its title and caption, as SVG
// or PNG under FiguresEnv.
func ShowFigure(f claims.Figure) {
	Markdown("**%s.** %s", f.Title, f.Caption)
	showRendered(f.RenderPNG, f.RenderSVG)
}

// showRendered displays a figure rendered by png or by svg, as FiguresEnv chooses.
func showRendered(png func() ([]byte, error), svg func() (string, error)) {
	if pngFigures() {
		b, err := png()
		if err != nil {
			Error(err)
			return
		}
		displayPNG(b)
		return
	}
	s, err := svg()
	if err != nil {
		Error(err)
		return
	}
	display(s)
}

// ShowFigures displays those of figs whose names contain any of the given parts.
func ShowFigures(figs []claims.Figure, parts ...string) {
	for _, f := range figs {
		for _, part := range parts {
			if strings.Contains(f.Name, part) {
				ShowFigure(f)
				break
			}
		}
	}
}

// display shows SVG in a notebook, or says where it would go outside one.
func display(svg string) {
	if gonbui.IsNotebook {
		gonbui.DisplaySVG(svg)
		gonbui.Sync() // a cell's program may end right after: flush the display first
		return
	}
	fmt.Printf("[figure: %d bytes of SVG]\n", len(svg))
}

// displayPNG shows a PNG image in a notebook, or says where it would go outside one.
func displayPNG(png []byte) {
	if gonbui.IsNotebook {
		gonbui.DisplayPng(png)
		gonbui.Sync()
		return
	}
	fmt.Printf("[figure: %d bytes of PNG]\n", len(png))
}

// Markdown displays Markdown text (and prints it outside a notebook).
func Markdown(format string, args ...any) {
	text := format // without arguments, the text as it is: a table may hold a literal %
	if len(args) > 0 {
		text = fmt.Sprintf(format, args...)
	}
	if gonbui.IsNotebook {
		gonbui.DisplayMarkdown(text)
		gonbui.Sync()
		return
	}
	fmt.Println(text)
}

// Error shows an error in the notebook (in red) and on standard error: cells handle errors
// rather than dropping them.
func Error(err error) {
	fmt.Fprintln(os.Stderr, "error:", err)
	if gonbui.IsNotebook {
		gonbui.DisplayHTML(`<p style="color:#D55E00"><b>error:</b> ` + html.EscapeString(err.Error()) + `</p>`)
		gonbui.Sync()
	}
}

// Must returns v, or shows err and stops. In a notebook cell it ends the cell's program (exit status
// 1, the error shown in red, no stack trace); anywhere else, a Go program or a test, it panics with
// a *MustError wrapping err, which the caller can recover.
func Must[T any](v T, err error) T {
	if err != nil {
		Error(err)
		if gonbui.IsNotebook {
			endCell()
		}
		panic(&MustError{Err: err})
	}
	return v
}

// MustError is the panic value of Must outside a notebook.
type MustError struct{ Err error }

func (e *MustError) Error() string { return "nb.Must: " + e.Err.Error() }
func (e *MustError) Unwrap() error { return e.Err }

// endCell ends a notebook cell's program after an error: gonb runs each cell as its own program,
// and exit status 1 marks the cell failed without a panic's stack trace.
var endCell = func() { os.Exit(1) }

// Progress is a progress line updated in place in a notebook (and printed at most every few
// seconds outside one): a bar, the fraction done, a note and an estimate of the time left.
type Progress struct {
	mu    sync.Mutex
	id    string
	title string
	start time.Time
	last  time.Time
}

// NewProgress shows an empty progress line titled title.
func NewProgress(title string) *Progress {
	p := &Progress{id: "replay-progress-" + gonbui.UniqueID(), title: title, start: time.Now()}
	if gonbui.IsNotebook {
		gonbui.UpdateHTML(p.id, p.html(0, "starting", 0))
	}
	return p
}

// Update shows that a fraction done ∈ [0, 1] of the work is done, with a note.
func (p *Progress) Update(done float64, note string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var left time.Duration
	if done > 0 {
		left = time.Duration(float64(time.Since(p.start)) * (1 - done) / done)
	}
	if gonbui.IsNotebook {
		gonbui.UpdateHTML(p.id, p.html(done, note, left))
		return
	}
	if time.Since(p.last) > 5*time.Second || done >= 1 {
		p.last = time.Now()
		fmt.Printf("%s: %.0f%% %s (%s left)\n", p.title, 100*done, note, left.Round(time.Second))
	}
}

// Done shows the line complete with the total time.
func (p *Progress) Done(note string) {
	p.Update(1, fmt.Sprintf("%s — done in %s", note, time.Since(p.start).Round(time.Second)))
}

func (p *Progress) html(done float64, note string, left time.Duration) string {
	eta := ""
	if done > 0.02 && done < 1 {
		eta = fmt.Sprintf(", about %s left", left.Round(time.Second))
	}
	return fmt.Sprintf(`<div style="font-family:sans-serif;font-size:small"><b>%s</b> %.0f%%%s <span style="color:#555">%s</span>`+
		`<div style="background:#eee;width:360px;height:8px;border-radius:4px"><div style="background:#0072B2;width:%.0fpx;height:8px;border-radius:4px"></div></div></div>`,
		html.EscapeString(p.title), 100*done, eta, html.EscapeString(note), 360*min(max(done, 0), 1))
}
