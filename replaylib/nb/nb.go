package nb

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/janpfeifer/gonb/gonbui"
	"gonum.org/v1/plot"

	"github.com/replaylab/replay/replaylib/claims"
	"github.com/replaylab/replay/replaylib/plots"
)

// ModeEnv selects the notebooks' size: "quick" (CI: seconds per model) or "full" (the default:
// the CLI's quick size, minutes per model on 2 cores).
const ModeEnv = "REPLAY_NB_MODE"

// DirEnv overrides where notebooks keep their trained models (default: results/notebooks-<mode>
// in the repository).
const DirEnv = "REPLAY_NB_DIR"

// Mode returns "quick" or "full".
func Mode() string {
	if os.Getenv(ModeEnv) == "quick" {
		return "quick"
	}
	return "full"
}

// Size is the experiment size for the mode.
func Size() claims.Size {
	if Mode() == "quick" {
		s := claims.Tiny()
		s.TrainSteps, s.Hidden, s.Chains, s.ReplaySteps = 200, 32, 32, 200
		return s
	}
	return claims.Quick()
}

// Dir is the directory where notebooks keep trained models and results, shared by all notebooks
// so that a model is trained once.
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

// Show displays a plot as PNG.
func Show(p *plot.Plot) {
	png, err := plots.PNG(p, plots.Width, plots.Height)
	if err != nil {
		gonbui.DisplayMarkdown(fmt.Sprintf("**figure error:** %v", err))
		return
	}
	gonbui.DisplayPNG(png)
}

// ShowFile displays a PNG file.
func ShowFile(path string) {
	data, err := os.ReadFile(path)
	if err != nil {
		gonbui.DisplayMarkdown(fmt.Sprintf("**figure error:** %v", err))
		return
	}
	gonbui.DisplayPNG(data)
}

// Markdown displays Markdown text (and prints it outside a notebook).
func Markdown(format string, args ...any) {
	text := fmt.Sprintf(format, args...)
	if gonbui.IsNotebook {
		gonbui.DisplayMarkdown(text)
		return
	}
	fmt.Println(text)
}
