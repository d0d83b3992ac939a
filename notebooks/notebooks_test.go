package notebooks

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// RequiredEnv set to "required" (as .ci/test does) makes missing Jupyter or GoNB a failure instead of a skip.
const RequiredEnv = "REPLAY_NOTEBOOKS"

type notebook struct {
	Cells []struct {
		CellType string `json:"cell_type"`
		Outputs  []struct {
			OutputType string         `json:"output_type"`
			Data       map[string]any `json:"data"`
			EName      string         `json:"ename"`
			EValue     string         `json:"evalue"`
			Text       any            `json:"text"`
		} `json:"outputs"`
	} `json:"cells"`
}

// TestNotebooksExecute runs every notebook headless with the gonb kernel in quick mode and fails on
// any cell error or on a notebook that displayed no image.
func TestNotebooksExecute(t *testing.T) {
	if testing.Short() {
		t.Skip("notebooks take minutes; skipped with -short")
	}
	required := os.Getenv(RequiredEnv) == "required"
	jupyter := jupyterCommand()
	for _, tool := range []string{jupyter, "gonb", "goimports"} {
		if _, err := exec.LookPath(tool); err != nil {
			if required {
				t.Fatalf("%s not found: run bash .ci/install (REPLAY_NOTEBOOKS=required)", tool)
			}
			t.Skipf("%s not found: run bash .ci/install to execute the notebooks", tool)
		}
	}
	paths, _ := filepath.Glob("*.ipynb")
	if len(paths) < 6 {
		t.Fatalf("found %d notebooks, want 6", len(paths))
	}
	outDir := t.TempDir()
	nbDir := filepath.Join(t.TempDir(), "models") // models shared by the notebooks of this run
	for _, path := range paths {
		t.Run(strings.TrimSuffix(path, ".ipynb"), func(t *testing.T) {
			start := time.Now()
			cmd := exec.Command(jupyter, "nbconvert", "--to", "notebook", "--execute",
				"--ExecutePreprocessor.timeout=900", "--ExecutePreprocessor.kernel_name=gonb",
				"--output-dir", outDir, path)
			cmd.Env = append(os.Environ(), "REPLAY_NB_MODE=quick", "REPLAY_NB_DIR="+nbDir)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("nbconvert failed after %s: %v\n%s", time.Since(start).Round(time.Second), err, tail(string(out), 3000))
			}
			raw, err := os.ReadFile(filepath.Join(outDir, filepath.Base(path)))
			if err != nil {
				t.Fatal(err)
			}
			var nb notebook
			if err := json.Unmarshal(raw, &nb); err != nil {
				t.Fatal(err)
			}
			images := 0
			for _, c := range nb.Cells {
				for _, o := range c.Outputs {
					if o.OutputType == "error" {
						t.Errorf("cell error %s: %s", o.EName, o.EValue)
					}
					if o.OutputType == "stream" && strings.Contains(textOf(o.Text), "panic:") {
						t.Errorf("cell panicked: %s", tail(textOf(o.Text), 1500))
					}
					for mime, v := range o.Data {
						// GoNB shows SVG embedded in HTML; animations are <img> tags.
						if strings.HasPrefix(mime, "image/") || mime == "text/html" && (strings.Contains(textOf(v), "<svg") || strings.Contains(textOf(v), "<img")) {
							images++
						}
					}
				}
			}
			if images == 0 {
				t.Errorf("no image output")
			}
			t.Logf("%s: %d images in %s", path, images, time.Since(start).Round(time.Second))
		})
	}
}

// jupyterCommand is the project's Jupyter (../.venv, made by .ci/install) if present, else the
// one on PATH.
func jupyterCommand() string {
	if abs, err := filepath.Abs(filepath.Join("..", ".venv", "bin", "jupyter")); err == nil {
		if _, err := os.Stat(abs); err == nil {
			return abs
		}
	}
	return "jupyter"
}

func textOf(x any) string {
	switch v := x.(type) {
	case string:
		return v
	case []any:
		var b strings.Builder
		for _, s := range v {
			b.WriteString(s.(string))
		}
		return b.String()
	}
	return ""
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
