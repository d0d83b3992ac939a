package notebooks

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The browser test opens notebooks in JupyterLab, as a person would, in headless Chromium driven by
// browser/run.mjs (playwright-core, installed by .ci/install with npm ci).
const (
	// BrowserNotebooksEnv adds notebooks to browserCases: "all" or a comma-separated list of names
	// (with or without ".ipynb"), e.g. REPLAY_BROWSER_NOTEBOOKS=02-leakage.
	BrowserNotebooksEnv = "REPLAY_BROWSER_NOTEBOOKS"
	// BrowserOutEnv names a directory that keeps the screenshots (default: the test's temporary
	// directory, removed at the end).
	BrowserOutEnv = "REPLAY_BROWSER_OUT"
	// ChromiumEnv overrides the browser executable (default: chromium on PATH, /usr/bin/chromium).
	ChromiumEnv = "REPLAY_CHROMIUM"
)

// browserCase is a notebook run in JupyterLab; with Slider set, the test then moves that slider (a
// label shown next to it, or a CSS selector) to Value and wants the figure to change.
type browserCase struct {
	Notebook string
	Slider   string
	Value    string
}

// browserCases run by default. The nbconvert test (notebooks_test.go) executes every notebook;
// this one checks that JupyterLab shows them.
var browserCases = []browserCase{
	{Notebook: "00-quickstart.ipynb"},
	{Notebook: "02-leakage.ipynb"},
	// The playground's momentum slider (ticks 0…18 for λv 0.1…1; 18 is λv = 1): to λv = 0.5.
	{Notebook: "06-playground.ipynb", Slider: "#replay-slider-momentum", Value: "8"},
}

// browserResult is the JSON summary that run.mjs prints on its "RESULT " line.
type browserResult struct {
	Notebook    string    `json:"notebook"`
	OK          bool      `json:"ok"`
	Failure     string    `json:"failure"`
	Kernel      string    `json:"kernel"`
	Cells       int       `json:"cells"`
	Executed    int       `json:"executed"`
	Errors      []cellMsg `json:"errors"`
	Figures     int       `json:"figures"`
	FigureSizes []string  `json:"figureSizes"`
	Dialogs     []string  `json:"dialogs"`
	Seconds     float64   `json:"seconds"`
	RunSeconds  float64   `json:"runSeconds"`
	Screenshot  string    `json:"screenshot"`
	Console     []string  `json:"console"`
	Slider      *struct {
		Found   bool   `json:"found"`
		How     string `json:"how"`
		Before  string `json:"before"`
		After   string `json:"after"`
		Changed bool   `json:"changed"`
		// ChangedSeconds is the time from moving the slider to the first change of the figures;
		// Seconds the whole wait, until they settled.
		ChangedSeconds float64   `json:"changedSeconds"`
		Idle           bool      `json:"idle"`
		Seconds        float64   `json:"seconds"`
		Figures        int       `json:"figures"`
		Errors         []cellMsg `json:"errors"`
		Screenshot     string    `json:"screenshot"`
	} `json:"slider"`
}

type cellMsg struct {
	Cell int    `json:"cell"`
	Text string `json:"text"`
}

// TestNotebooksInJupyterLabBrowser starts JupyterLab on copies of the notebooks (quick mode), opens
// each notebook of browserCases in headless Chromium, clears its outputs, runs all cells from the
// Run menu, and fails on an error shown in an output, a cell left unexecuted, or no figure on the
// page. Two generated control notebooks check the checks: one whose errors must be seen, one whose
// gonbui slider must change its figure. Screenshots go to $REPLAY_BROWSER_OUT when set.
func TestNotebooksInJupyterLabBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("the browser test takes minutes; skipped with -short")
	}
	required := os.Getenv(RequiredEnv) == "required"
	missing := func(format string, args ...any) {
		t.Helper()
		msg := fmt.Sprintf(format, args...)
		if required {
			t.Fatalf("%s (REPLAY_NOTEBOOKS=required)", msg)
		}
		t.Skip(msg)
	}
	jupyter := jupyterCommand()
	for _, tool := range []string{jupyter, "gonb", "goimports"} {
		if _, err := exec.LookPath(tool); err != nil {
			missing("%s not found: run bash .ci/install", tool)
		}
	}
	chromium := chromiumPath()
	if chromium == "" {
		missing("chromium not found (Debian: apt-get install chromium; or set %s): run bash .ci/install", ChromiumEnv)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing("node not found: install Node.js 20 or later, then run bash .ci/install")
	}
	script, _ := filepath.Abs(filepath.Join("browser", "run.mjs"))
	if _, err := os.Stat(filepath.Join("browser", "node_modules", "playwright-core", "package.json")); err != nil {
		missing("playwright-core not installed in notebooks/browser: run bash .ci/install (npm ci)")
	}
	cases, err := selectBrowserCases(os.Getenv(BrowserNotebooksEnv))
	if err != nil {
		t.Fatal(err)
	}

	tmp := t.TempDir()
	out := os.Getenv(BrowserOutEnv)
	if out == "" {
		out = filepath.Join(tmp, "screenshots")
	}
	if out, err = filepath.Abs(out); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	nbDir, err := notebookCopy(tmp)
	if err != nil {
		t.Fatal(err)
	}
	srv := startJupyterLab(t, jupyter, nbDir, tmp)

	run := func(t *testing.T, c browserCase, timeout time.Duration) browserResult {
		t.Helper()
		budget := ""
		if dl, ok := t.Deadline(); ok && time.Until(dl)-30*time.Second < timeout {
			timeout = time.Until(dl) - 30*time.Second
			budget = fmt.Sprintf(" (go test's -timeout left this notebook %s instead of its budget; run with -timeout 30m)", timeout.Round(time.Second))
			if timeout < time.Minute {
				t.Fatalf("not enough time left before the test deadline: run go test with -timeout 30m")
			}
		}
		// The script stops itself first (and reports); the context is the backstop.
		scriptTimeout := max(timeout-time.Minute, timeout/2)
		args := []string{script, "--url", srv.url, "--token", srv.token, "--notebook", c.Notebook,
			"--out", out, "--chromium", chromium, "--timeout", fmt.Sprint(int(scriptTimeout.Seconds()))}
		if c.Slider != "" {
			args = append(args, "--slider", c.Slider, "--value", c.Value)
		}
		// Each notebook gets a kernel of its own, shut down after it (a kernel left running would
		// be reused by JupyterLab the next time the notebook opens, and costs CPU meanwhile).
		srv.shutDownKernels(t)
		defer srv.shutDownKernels(t)
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		cmd := exec.CommandContext(ctx, node, args...)
		cmd.Dir = filepath.Dir(script)
		// Node and the Chromium it starts share a process group, killed together on timeout.
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
		cmd.WaitDelay = 10 * time.Second
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		start := time.Now()
		runErr := cmd.Run()
		var res browserResult
		found := false
		sc := bufio.NewScanner(&stdout)
		sc.Buffer(make([]byte, 1<<20), 16<<20)
		var progress []string
		for sc.Scan() {
			line := sc.Text()
			if rest, ok := strings.CutPrefix(line, "RESULT "); ok {
				found = json.Unmarshal([]byte(rest), &res) == nil
			} else {
				progress = append(progress, line)
			}
		}
		if !found {
			t.Fatalf("run.mjs printed no result after %s (%v)%s\nstdout:\n%s\nstderr:\n%s\njupyter log:\n%s",
				time.Since(start).Round(time.Second), runErr, budget, tail(stdout.String(), 3000), tail(stderr.String(), 3000), srv.logTail(3000))
		}
		t.Logf("%s in JupyterLab: %d/%d cells executed in %.0f s (%.0f s in all), %d figures, %d errors; screenshot %s\n%s",
			c.Notebook, res.Executed, res.Cells, res.RunSeconds, res.Seconds, res.Figures, len(res.Errors), res.Screenshot,
			strings.Join(progress, "\n"))
		if !res.OK {
			t.Fatalf("%s: %s%s (screenshot %s)\nconsole errors: %q\njupyter log:\n%s", c.Notebook, res.Failure, budget, res.Screenshot, res.Console, srv.logTail(3000))
		}
		return res
	}

	t.Run("controls", func(t *testing.T) {
		// The checks must see a failing cell, and the slider step must see a figure change.
		t.Run("errors", func(t *testing.T) {
			res := run(t, browserCase{Notebook: controlErrors}, 5*time.Minute)
			if res.Executed != res.Cells {
				t.Errorf("%d of %d cells executed", res.Executed, res.Cells)
			}
			cells := map[int]bool{}
			for _, e := range res.Errors {
				cells[e.Cell] = true
			}
			if !cells[3] || !cells[4] || len(cells) != 2 {
				t.Errorf("errors seen in cells %v, want the panic (cell 3) and the compiler error (cell 4) only: %+v", slices.Sorted(maps.Keys(cells)), res.Errors)
			}
			if res.Figures != 1 {
				t.Errorf("%d figures, want 1: %q", res.Figures, res.FigureSizes)
			}
		})
		t.Run("slider", func(t *testing.T) {
			res := run(t, browserCase{Notebook: controlSlider, Slider: "bar length", Value: "9"}, 5*time.Minute)
			checkBrowserResult(t, res, true)
		})
	})
	for _, c := range cases {
		t.Run(strings.TrimSuffix(c.Notebook, ".ipynb"), func(t *testing.T) {
			res := run(t, c, 12*time.Minute)
			checkBrowserResult(t, res, c.Slider != "")
		})
	}
}

// checkBrowserResult fails on what a person would see as broken: an error in an output, a cell that
// did not run, no figure, a dialog; and with a slider, a slider missing or a figure unchanged.
func checkBrowserResult(t *testing.T, res browserResult, slider bool) {
	t.Helper()
	for _, e := range res.Errors {
		t.Errorf("cell %d shows an error:\n%s", e.Cell, e.Text)
	}
	running := 0
	if slider {
		running = 1 // the last cell keeps running to serve its widgets
	}
	if res.Cells == 0 || res.Executed < res.Cells-running {
		t.Errorf("%d of %d code cells show an execution count", res.Executed, res.Cells)
	}
	if res.Figures == 0 {
		t.Errorf("no figure rendered (no img or svg with a size in the outputs)")
	}
	for _, d := range res.Dialogs {
		t.Errorf("dialog open: %s", d)
	}
	if !slider {
		return
	}
	switch s := res.Slider; {
	case s == nil || !s.Found:
		t.Errorf("no slider found")
	case !s.Changed:
		t.Errorf("slider moved %s -> %s, figure unchanged after %.0f s (screenshot %s)", s.Before, s.After, s.Seconds, s.Screenshot)
	default:
		for _, e := range s.Errors {
			t.Errorf("after the slider, cell %d shows an error:\n%s", e.Cell, e.Text)
		}
		t.Logf("slider %s -> %s (found by %s): figure changed after %.0f s and settled after %.0f s, kernel idle: %v; screenshot %s", s.Before, s.After, s.How, s.ChangedSeconds, s.Seconds, s.Idle, s.Screenshot)
	}
}

func selectBrowserCases(env string) ([]browserCase, error) {
	cases := slices.Clone(browserCases)
	if env == "" {
		return cases, nil
	}
	have := func(name string) bool {
		return slices.ContainsFunc(cases, func(c browserCase) bool { return c.Notebook == name })
	}
	var names []string
	if env == "all" {
		names, _ = filepath.Glob("*.ipynb")
	} else {
		for _, n := range strings.Split(env, ",") {
			if n = strings.TrimSpace(n); n != "" {
				names = append(names, strings.TrimSuffix(n, ".ipynb")+".ipynb")
			}
		}
	}
	for _, n := range names {
		if _, err := os.Stat(n); err != nil {
			return nil, fmt.Errorf("%s=%q: no notebook %s", BrowserNotebooksEnv, env, n)
		}
		if !have(n) {
			cases = append(cases, browserCase{Notebook: n})
		}
	}
	slices.SortFunc(cases, func(a, b browserCase) int { return strings.Compare(a.Notebook, b.Notebook) })
	return cases, nil
}

func chromiumPath() string {
	if p := os.Getenv(ChromiumEnv); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "/usr/bin/chromium"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// notebookCopy makes <tmp>/repo, a stand-in for the repository: links to its files and folders,
// and a notebooks folder with copies of the notebooks plus the control notebooks. The notebooks'
// first cell points go.work at "${GONB_DIR}/.." (GONB_DIR: the notebook's folder), which is then
// <tmp>/repo, whose go.mod and packages are the repository's. JupyterLab may save into the copies;
// the committed files stay as they are.
func notebookCopy(tmp string) (string, error) {
	root, err := filepath.Abs("..")
	if err != nil {
		return "", err
	}
	repo := filepath.Join(tmp, "repo")
	nbDir := filepath.Join(repo, "notebooks")
	if err := os.MkdirAll(nbDir, 0o755); err != nil {
		return "", err
	}
	entries, err := os.ReadDir(root)
	if err != nil {
		return "", err
	}
	for _, e := range entries {
		if name := e.Name(); name != "notebooks" && name != "results" && !strings.HasPrefix(name, ".") {
			if err := os.Symlink(filepath.Join(root, name), filepath.Join(repo, name)); err != nil {
				return "", err
			}
		}
	}
	paths, _ := filepath.Glob("*.ipynb")
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return "", err
		}
		if err := os.WriteFile(filepath.Join(nbDir, p), data, 0o644); err != nil {
			return "", err
		}
	}
	// The controls import gonbui themselves: pin the version of go.mod (gonb's own "go get" would ask
	// the module proxy for the latest one).
	first := readFirstCodeCell(paths) + "\n!*go get github.com/janpfeifer/gonb@" + moduleVersion(filepath.Join(root, "go.mod"), "github.com/janpfeifer/gonb") + "\n"
	for name, cells := range map[string][]string{controlErrors: controlErrorsCells, controlSlider: controlSliderCells} {
		data, err := controlNotebook(append([]string{first}, cells...))
		if err != nil {
			return "", err
		}
		if err := os.WriteFile(filepath.Join(nbDir, name), data, 0o644); err != nil {
			return "", err
		}
	}
	return nbDir, nil
}

// readFirstCodeCell returns the quickstart's first code cell (the go.work set-up), so that the
// control notebooks find the repository as the notebooks do.
func readFirstCodeCell(paths []string) string {
	const fallback = "!*rm -f go.work && go work init && go work use . \"${GONB_DIR}/..\"\n%goworkfix\n"
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		var nb struct {
			Cells []struct {
				CellType string `json:"cell_type"`
				Source   any    `json:"source"`
			} `json:"cells"`
		}
		if json.Unmarshal(raw, &nb) != nil {
			continue
		}
		for _, c := range nb.Cells {
			if c.CellType == "code" {
				if src := textOf(c.Source); strings.Contains(src, "go work") {
					return src
				}
				break
			}
		}
	}
	return fallback
}

// moduleVersion is the version of module mod that go.mod requires ("latest" if none).
func moduleVersion(gomod, mod string) string {
	data, _ := os.ReadFile(gomod)
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(strings.TrimPrefix(strings.TrimSpace(line), "require ")); len(f) >= 2 && f[0] == mod {
			return f[1]
		}
	}
	return "latest"
}

const (
	controlErrors = "zz-control-errors.ipynb"
	controlSlider = "zz-control-slider.ipynb"
)

// controlErrorsCells: after the go.work cell, one figure (cell 2), then a panic (cell 3), a
// compiler error (cell 4) and a cell that writes to stderr without failing (cell 5), which must
// not count as an error.
var controlErrorsCells = []string{
	`import (
	"image"
	"image/color"

	"github.com/janpfeifer/gonb/gonbui"
)

%%
img := image.NewRGBA(image.Rect(0, 0, 120, 60))
for x := range 120 {
	for y := range 60 {
		img.Set(x, y, color.RGBA{70, 130, 180, 255})
	}
}
gonbui.DisplayImage(img)
`,
	"%%\npanic(\"deliberate panic\")\n",
	"%%\nundefinedFunction()\n",
	"import \"os\"\n\n%%\nfmt.Fprintln(os.Stderr, \"a log line on stderr\")\n",
}

// controlSliderCells: a gonbui slider under the label "bar length" and a figure (a PNG image) that
// the cell redraws when the slider moves, then returns.
var controlSliderCells = []string{
	`import (
	"fmt"
	"image"
	"image/color"
	"time"

	"github.com/janpfeifer/gonb/gonbui"
	"github.com/janpfeifer/gonb/gonbui/widgets"
)

func bar(n int) string {
	img := image.NewRGBA(image.Rect(0, 0, 200, 40))
	for x := range 20 * n {
		for y := range 40 {
			img.Set(x, y, color.RGBA{200, 80, 40, 255})
		}
	}
	src, err := gonbui.EmbedImageAsPNGSrc(img)
	if err != nil {
		panic(err)
	}
	return fmt.Sprintf("<img src=%q/>", src)
}

%%
gonbui.DisplayMarkdown("bar length")
slider := widgets.Slider(0, 10, 3).Done()
updates := slider.Listen()
id := "bar-" + gonbui.UniqueId()
gonbui.UpdateHtml(id, bar(slider.Value()))
select {
case v := <-updates.C:
	gonbui.UpdateHtml(id, bar(v))
case <-time.After(4 * time.Minute):
}
`,
}

func controlNotebook(sources []string) ([]byte, error) {
	type cell struct {
		CellType       string         `json:"cell_type"`
		ExecutionCount *int           `json:"execution_count"`
		Metadata       map[string]any `json:"metadata"`
		Outputs        []any          `json:"outputs"`
		Source         string         `json:"source"`
	}
	nb := map[string]any{
		"metadata": map[string]any{
			"kernelspec": map[string]any{"display_name": "Go (gonb)", "language": "go", "name": "gonb"},
		},
		"nbformat": 4, "nbformat_minor": 5,
	}
	var cells []cell
	for _, s := range sources {
		cells = append(cells, cell{CellType: "code", Metadata: map[string]any{}, Outputs: []any{}, Source: s})
	}
	nb["cells"] = cells
	return json.MarshalIndent(nb, "", " ")
}

type jupyterServer struct {
	url, token, log string
}

// shutDownKernels ends every session of the server and its kernel.
func (s *jupyterServer) shutDownKernels(t *testing.T) {
	t.Helper()
	client := &http.Client{Timeout: 30 * time.Second}
	call := func(method, path string) (*http.Response, error) {
		req, err := http.NewRequest(method, s.url+path, nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", "token "+s.token)
		return client.Do(req)
	}
	resp, err := call(http.MethodGet, "/api/sessions")
	if err != nil {
		t.Logf("listing the Jupyter sessions: %v", err)
		return
	}
	var sessions []struct {
		ID string `json:"id"`
	}
	err = json.NewDecoder(resp.Body).Decode(&sessions)
	resp.Body.Close()
	if err != nil {
		t.Logf("listing the Jupyter sessions: %v", err)
		return
	}
	for _, sess := range sessions {
		if resp, err := call(http.MethodDelete, "/api/sessions/"+sess.ID); err != nil {
			t.Logf("ending Jupyter session %s: %v", sess.ID, err)
		} else {
			resp.Body.Close()
		}
	}
}

func (s *jupyterServer) logTail(n int) string {
	data, _ := os.ReadFile(s.log)
	return tail(string(data), n)
}

// startJupyterLab serves nbDir on a free port with a random token, its own settings (every cell
// attached to the page, no autosave, no news) and the notebooks' quick mode, waits until it
// answers, and stops it (kernels included) when the test ends.
func startJupyterLab(t *testing.T, jupyter, nbDir, tmp string) *jupyterServer {
	t.Helper()
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	tok := make([]byte, 16)
	rand.Read(tok)
	srv := &jupyterServer{url: fmt.Sprintf("http://127.0.0.1:%d", port), token: hex.EncodeToString(tok), log: filepath.Join(tmp, "jupyter.log")}
	settings := filepath.Join(tmp, "lab-settings")
	for file, content := range map[string]string{
		"@jupyterlab/notebook-extension/tracker.jupyterlab-settings":      `{"windowingMode": "none"}`,
		"@jupyterlab/docmanager-extension/plugin.jupyterlab-settings":     `{"autosave": false}`,
		"@jupyterlab/apputils-extension/notification.jupyterlab-settings": `{"fetchNews": "false", "checkForUpdates": false}`,
	} {
		p := filepath.Join(settings, file)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []string{"jupyter-config", "jupyter-runtime", "lab-workspaces", "models"} {
		if err := os.MkdirAll(filepath.Join(tmp, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	args := []string{"lab", "--no-browser", "--ip=127.0.0.1", fmt.Sprintf("--port=%d", port),
		"--ServerApp.port_retries=0", "--ServerApp.token=" + srv.token, "--ServerApp.root_dir=" + nbDir,
		"--LabApp.user_settings_dir=" + settings, "--LabApp.workspaces_dir=" + filepath.Join(tmp, "lab-workspaces"),
		"--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
		"--LabApp.extension_manager=readonly"}
	if os.Getuid() == 0 {
		args = append(args, "--allow-root")
	}
	cmd := exec.Command(jupyter, args...)
	cmd.Dir = nbDir
	gobin := ""
	if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		gobin = filepath.Join(strings.TrimSpace(string(out)), "bin")
	}
	cmd.Env = append(os.Environ(),
		"PATH="+filepath.Dir(jupyter)+string(os.PathListSeparator)+gobin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"REPLAY_NB_MODE=quick", "REPLAY_NB_DIR="+filepath.Join(tmp, "models"),
		"JUPYTER_CONFIG_DIR="+filepath.Join(tmp, "jupyter-config"),
		"JUPYTER_RUNTIME_DIR="+filepath.Join(tmp, "jupyter-runtime"))
	logFile, err := os.Create(srv.log)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting jupyter lab: %v", err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); logFile.Close(); close(exited) }()
	t.Cleanup(func() {
		// The REST shutdown stops the kernels too (they run in sessions of their own, out of the
		// server's process group); then the group is killed if anything is left.
		req, _ := http.NewRequest(http.MethodPost, srv.url+"/api/shutdown", nil)
		req.Header.Set("Authorization", "token "+srv.token)
		if resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req); err == nil {
			resp.Body.Close()
		}
		select {
		case <-exited:
		case <-time.After(20 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
			select {
			case <-exited:
			case <-time.After(10 * time.Second):
				syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
				<-exited
			}
		}
	})
	client := &http.Client{Timeout: 5 * time.Second}
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(500 * time.Millisecond) {
		select {
		case <-exited:
			t.Fatalf("jupyter lab exited at start:\n%s", srv.logTail(3000))
		default:
		}
		req, _ := http.NewRequest(http.MethodGet, srv.url+"/api/status", nil)
		req.Header.Set("Authorization", "token "+srv.token)
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("jupyter lab did not answer on %s within 2 minutes:\n%s", srv.url, srv.logTail(3000))
		}
	}
	return srv
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// TestBrowserScriptOptions checks run.mjs's command line (no browser needed): the slider option
// and its value, and the refusals.
func TestBrowserScriptOptions(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv(RequiredEnv) == "required" {
			t.Fatal("node not found (REPLAY_NOTEBOOKS=required)")
		}
		t.Skip("node not found")
	}
	parse := func(args ...string) (map[string]any, string, error) {
		out, err := exec.Command(node, append([]string{filepath.Join("browser", "run.mjs"), "--parse-only"}, args...)...).Output()
		for _, line := range strings.Split(string(out), "\n") {
			if rest, ok := strings.CutPrefix(line, "OPTIONS "); ok {
				var opts map[string]any
				return opts, "", json.Unmarshal([]byte(rest), &opts)
			}
			if rest, ok := strings.CutPrefix(line, "RESULT "); ok {
				var res browserResult
				json.Unmarshal([]byte(rest), &res)
				return nil, res.Failure, err
			}
		}
		return nil, "", fmt.Errorf("no OPTIONS or RESULT line in %q (%v)", out, err)
	}
	opts, failure, err := parse("--url", "http://127.0.0.1:1", "--notebook", "06-playground.ipynb",
		"--slider", "leak λv", "--value=0.7", "--timeout", "30")
	if err != nil || failure != "" {
		t.Fatalf("valid options refused: %v %s", err, failure)
	}
	for k, want := range map[string]any{"slider": "leak λv", "value": "0.7", "timeout": 30.0, "notebook": "06-playground.ipynb", "sliderTimeout": 180.0} {
		if opts[k] != want {
			t.Errorf("%s = %#v, want %#v", k, opts[k], want)
		}
	}
	for _, bad := range [][]string{
		{"--value", "3"},                      // a value without a slider
		{"--slider", "#s"},                    // a slider without a value
		{"--slider", "#s", "--value", "high"}, // not a number
		{"--timeout", "-1"},
		{"--no-such-option", "1"},
		{"--url"}, // no value
	} {
		if _, failure, err := parse(bad...); failure == "" {
			t.Errorf("%q accepted (%v)", bad, err)
		}
	}
}
