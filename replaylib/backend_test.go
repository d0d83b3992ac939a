package replaylib

import (
	"strings"
	"testing"
)

func env(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
}

func TestChooseBackend(t *testing.T) {
	none := func() []string { return nil }
	cases := []struct {
		name    string
		vars    map[string]string
		plugins func() []string
		want    string
	}{
		{"no env, no plugin", nil, none, SimpleGoConfig},
		{"env wins over plugins", map[string]string{"GOMLX_BACKEND": "go:ops_sequential"}, func() []string { return []string{"cpu"} }, "go:ops_sequential"},
		{"bare go gets parallelism", map[string]string{"GOMLX_BACKEND": "go"}, none, SimpleGoConfig},
		{"explicit xla", map[string]string{"GOMLX_BACKEND": "xla:cuda"}, none, "xla:cuda"},
		{"empty env is unset", map[string]string{"GOMLX_BACKEND": " "}, none, SimpleGoConfig},
		{"cpu plugin", nil, func() []string { return []string{"cpu"} }, "xla:cpu"},
		{"cuda preferred", nil, func() []string { return []string{"cpu", "rocm", "cuda"} }, "xla:cuda"},
		{"unknown plugin", nil, func() []string { return []string{"tpu"} }, "xla:tpu"},
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
	if r := ChooseBackend(env(nil), none).Reason; !strings.Contains(r, "PJRT_PLUGIN_LIBRARY_PATH") {
		t.Errorf("fallback reason %q does not say how to get XLA", r)
	}
}

func TestNewBackendRunsWithoutNetwork(t *testing.T) {
	t.Setenv("GOMLX_BACKEND", "")
	t.Setenv("PJRT_PLUGIN_LIBRARY_PATH", t.TempDir()) // no plugin there
	var sb strings.Builder
	b, err := newBackend(&sb)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Finalize()
	line := sb.String()
	if !strings.HasPrefix(line, "replay: backend ") || strings.Count(line, "\n") != 1 {
		t.Errorf("want one line naming the backend, got %q", line)
	}
	if len(InstalledPJRTPlugins()) == 0 && !strings.Contains(b.Name(), "(go)") {
		t.Errorf("no plugin installed, got backend %q, want simplego", b.Name())
	}
}
