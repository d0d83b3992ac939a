package replaylib

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gomlx/gomlx/backends"

	"github.com/replaylab/replay/internal/pjrtinstall"
)

func env(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
}

func TestChooseBackend(t *testing.T) {
	none := func() ([]string, error) { return nil, nil }
	list := func(names ...string) func() ([]string, error) {
		return func() ([]string, error) { return names, nil }
	}
	crashed := func() ([]string, error) { return nil, errors.New("go-xla's plugin search crashed") }
	cases := []struct {
		name    string
		vars    map[string]string
		plugins func() ([]string, error)
		want    string
	}{
		{"no env, no plugin", nil, none, SimpleGoConfig},
		{"env wins over plugins", map[string]string{"GOMLX_BACKEND": "go:ops_sequential"}, list("cpu"), "go:ops_sequential"},
		{"bare go gets parallelism", map[string]string{"GOMLX_BACKEND": "go"}, none, SimpleGoConfig},
		{"explicit xla", map[string]string{"GOMLX_BACKEND": "xla:cuda"}, none, "xla:cuda"},
		{"empty env is unset", map[string]string{"GOMLX_BACKEND": " "}, none, SimpleGoConfig},
		{"cpu plugin", nil, list("cpu"), "xla:cpu"},
		{"cuda preferred", nil, list("cpu", "rocm", "cuda"), "xla:cuda"},
		{"unknown plugin", nil, list("tpu"), "xla:tpu"},
		{"plugin search crashed", nil, crashed, SimpleGoConfig},
	}
	for _, c := range cases {
		got := ChooseBackend(env(c.vars), c.plugins)
		if got.Config != c.want {
			t.Errorf("%s: config %q, want %q", c.name, got.Config, c.want)
		}
		if got.Reason == "" {
			t.Errorf("%s: no reason given", c.name)
		}
	}
	if r := ChooseBackend(env(nil), none).Reason; !strings.Contains(r, ".ci/install") {
		t.Errorf("fallback reason %q does not say how to get XLA", r)
	}
}

// fakeBackend stands for a created backend; only its identity matters here.
type fakeBackend struct {
	backends.Backend
	config string
}

// fakeSetup records which configurations were created; those in fail fail.
func fakeSetup(vars map[string]string, plugins []string, fail map[string]bool) (*[]string, backendSetup) {
	var created []string
	return &created, backendSetup{
		getenv: env(vars),
		plugins: func() ([]string, error) {
			if slices.Contains(plugins, "broken") {
				return nil, errors.New("go-xla's plugin search crashed on a plugin file it cannot open")
			}
			return plugins, nil
		},
		install: func(context.Context) error { return errors.New("no network") },
		create: func(config string) (backends.Backend, error) {
			created = append(created, config)
			if fail[config] {
				return nil, errors.New("cannot load " + config + "\nsecond line")
			}
			return fakeBackend{config: config}, nil
		},
		timeout: time.Second,
	}
}

func TestNewBackendFallsBack(t *testing.T) {
	cases := []struct {
		name     string
		vars     map[string]string
		plugins  []string
		fail     map[string]bool
		install  func(context.Context) error
		want     string
		inReason []string
	}{
		{"plugin loads", nil, []string{"cpu"}, nil, nil, "xla:cpu", []string{`"cpu" installed`}},
		{"cuda fails, cpu next", nil, []string{"cpu", "cuda"}, map[string]bool{"xla:cuda": true}, nil, "xla:cpu",
			[]string{"xla:cuda failed: cannot load xla:cuda"}},
		{"plugin broken", nil, []string{"cpu"}, map[string]bool{"xla:cpu": true}, nil, SimpleGoConfig,
			[]string{"xla:cpu failed"}},
		{"plugin search crashes", nil, []string{"broken"}, nil, nil, SimpleGoConfig,
			[]string{"plugin search crashed"}},
		{"no plugin, installer fails", nil, nil, nil, nil, SimpleGoConfig,
			[]string{"the plugin installer: no network", ".ci/install"}},
		{"no plugin, installer hangs", nil, nil, nil, func(context.Context) error { select {} }, SimpleGoConfig,
			[]string{"gave up after 50ms"}},
		{"no plugin, installer panics", nil, nil, nil, func(context.Context) error { panic("boom") }, SimpleGoConfig,
			[]string{"installer panicked: boom"}},
		{"no plugin, installer off", map[string]string{NoAutoInstallEnv: "1"}, nil, nil, nil, SimpleGoConfig,
			[]string{"installer is off"}},
		{"explicit backend fails", map[string]string{BackendEnv: "xla:tpu"}, nil, map[string]bool{"xla:tpu": true}, nil, SimpleGoConfig,
			[]string{"xla:tpu failed"}},
	}
	for _, c := range cases {
		created, s := fakeSetup(c.vars, c.plugins, c.fail)
		if c.install != nil {
			s.install = c.install
			s.timeout = 50 * time.Millisecond
		}
		var sb strings.Builder
		start := time.Now()
		b, err := newBackend(&sb, s)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if elapsed := time.Since(start); elapsed > 2*time.Second {
			t.Errorf("%s: took %s", c.name, elapsed)
		}
		if got := b.(fakeBackend).config; got != c.want {
			t.Errorf("%s: backend %s, want %s (created %v)", c.name, got, c.want, *created)
		}
		line := sb.String()
		if !strings.HasPrefix(line, "replay: backend "+c.want+" (") || strings.Count(line, "\n") != 1 {
			t.Errorf("%s: want one line naming %s, got %q", c.name, c.want, line)
		}
		for _, want := range c.inReason {
			if !strings.Contains(line, want) {
				t.Errorf("%s: line %q does not say %q", c.name, line, want)
			}
		}
	}
}

// TestInstallerSucceeds: a plugin that appears after the installer ran is used.
func TestInstallerSucceeds(t *testing.T) {
	var installed []string
	_, s := fakeSetup(nil, nil, nil)
	s.plugins = func() ([]string, error) { return installed, nil }
	s.install = func(context.Context) error { installed = []string{"cpu"}; return nil }
	var sb strings.Builder
	b, err := newBackend(&sb, s)
	if err != nil {
		t.Fatal(err)
	}
	if got := b.(fakeBackend).config; got != "xla:cpu" || !strings.Contains(sb.String(), "installed by the plugin installer") {
		t.Errorf("backend %s, line %q; want xla:cpu from the installer", got, sb.String())
	}
}

// TestInstallerReplacesDanglingLink: when the plugin search fails on a link to nothing where the
// installer puts the plugin, the installer runs (and replaces it); any other broken file is left.
func TestInstallerReplacesDanglingLink(t *testing.T) {
	for _, dangling := range []bool{true, false} {
		fixed := false
		_, s := fakeSetup(nil, nil, nil)
		s.plugins = func() ([]string, error) {
			if fixed {
				return []string{"cpu"}, nil
			}
			return nil, errors.New("plugin search crashed")
		}
		s.danglingPlugin = func() bool { return dangling }
		s.install = func(context.Context) error { fixed = true; return nil }
		var sb strings.Builder
		b, err := newBackend(&sb, s)
		if err != nil {
			t.Fatal(err)
		}
		want := SimpleGoConfig
		if dangling {
			want = "xla:cpu"
		}
		if got := b.(fakeBackend).config; got != want || fixed != dangling {
			t.Errorf("dangling link %v: backend %s (installer ran: %v), want %s; line %q", dangling, got, fixed, want, sb.String())
		}
	}
}

// TestFreshMachineFallsBackToPureGo runs a child process as on a machine without any plugin and
// without network: it must choose pure Go, say why in one line, and not hang.
func TestFreshMachineFallsBackToPureGo(t *testing.T) {
	if os.Getenv("REPLAY_BACKEND_CHILD") == "1" {
		b, err := NewBackend()
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.Name(), "go") {
			t.Fatalf("backend %q, want simplego", b.Name())
		}
		return
	}
	line := pureGoChild(t, t.TempDir())
	t.Log(line)
}

// TestDanglingPluginLinkFallsBackToPureGo: a plugin link whose target is gone (a checkout that
// moved) crashes go-xla's plugin search; the backend choice must survive it, try the plugin
// installer (which would replace the link; here without network), fall back to pure Go, and say
// how to repair the link.
func TestDanglingPluginLinkFallsBackToPureGo(t *testing.T) {
	dir := t.TempDir()
	if err := os.Symlink(filepath.Join(t.TempDir(), "gone", "pjrt_c_api_cpu_plugin.so"), filepath.Join(dir, "pjrt_c_api_cpu_plugin.so")); err != nil {
		t.Fatal(err)
	}
	line := pureGoChild(t, dir)
	if !strings.Contains(line, "link points nowhere") || !strings.Contains(line, "127.0.0.1:1") || !strings.Contains(line, ".ci/install") {
		t.Errorf("line %q does not say that a plugin file is broken and how to repair it", line)
	}
	t.Log(line)
}

// pureGoChild runs TestFreshMachineFallsBackToPureGo's child with an empty home, no network and
// the plugin search path pluginDir; it returns the child's one backend line, which must name pure Go.
func pureGoChild(t *testing.T, pluginDir string) string {
	t.Helper()
	home := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestFreshMachineFallsBackToPureGo$", "-test.v")
	cmd.Env = append(os.Environ(), "REPLAY_BACKEND_CHILD=1", "GOMLX_BACKEND=", "HOME="+home,
		"PJRT_PLUGIN_LIBRARY_PATH="+pluginDir, AutoInstallTimeoutEnv+"=20s",
		// No network: PyPI (the plugin installer's index) at a port where nothing answers.
		pjrtinstall.IndexEnv+"=http://127.0.0.1:1/simple/")
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child failed: %v\n%s", err, out)
	}
	var lines []string
	for _, l := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(l, "replay: backend ") {
			lines = append(lines, l)
		}
	}
	if len(lines) != 1 || !strings.Contains(lines[0], SimpleGoConfig) {
		t.Fatalf("want one backend line naming %s, got %q", SimpleGoConfig, lines)
	}
	if elapsed := time.Since(start); elapsed > time.Minute {
		t.Errorf("the child took %s to choose a backend", elapsed)
	}
	return lines[0]
}

func TestNewBackendRunsWithoutNetwork(t *testing.T) {
	var sb strings.Builder
	s := defaultSetup()
	s.install = func(context.Context) error { return errors.New("offline") }
	b, err := newBackend(&sb, s)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Finalize()
	line := sb.String()
	if !strings.HasPrefix(line, "replay: backend ") || strings.Count(line, "\n") != 1 {
		t.Errorf("want one line naming the backend, got %q", line)
	}
	t.Log(strings.TrimSpace(line))
}

func TestExplicitPureGoIsUsedEvenWithAPlugin(t *testing.T) {
	_, s := fakeSetup(map[string]string{BackendEnv: "go"}, []string{"cpu"}, nil)
	var sb strings.Builder
	b, err := newBackend(&sb, s)
	if err != nil {
		t.Fatal(err)
	}
	if got := b.(fakeBackend).config; got != SimpleGoConfig {
		t.Errorf("GOMLX_BACKEND=go with a CPU plugin installed: backend %s, want %s", got, SimpleGoConfig)
	}
}
