package replaylib

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/gomlx/go-xla/pkg/pjrt"
	"github.com/gomlx/gomlx/backends"
	_ "github.com/gomlx/gomlx/backends/simplego" // the pure-Go backend, always available
	"github.com/gomlx/gomlx/backends/xla"
)

// SimpleGoConfig is the pure-Go backend with unlimited goroutine parallelism: its default
// worker pool deadlocks on 2-core machines (training hung in 3 of 3 trials).
const SimpleGoConfig = "go:parallelism=-1"

// XLAHint tells a user how to get the faster XLA backend.
const XLAHint = "for XLA install a PJRT plugin (see README, 'Backends') and set PJRT_PLUGIN_LIBRARY_PATH, or GOMLX_BACKEND=xla:cpu"

// BackendChoice is a backend configuration and the reason it was chosen.
type BackendChoice struct {
	Config string // GoMLX configuration "<name>:<options>", e.g. "xla:cuda" or "go:parallelism=-1".
	Reason string // One line for the user.
}

// ChooseBackend decides which backend to use, without creating it:
//  1. $GOMLX_BACKEND if set (a bare "go" gets parallelism=-1, see SimpleGoConfig);
//  2. XLA if a PJRT plugin is installed (CUDA preferred over CPU);
//  3. otherwise simplego as SimpleGoConfig.
//
// getenv reads the environment and plugins lists the installed PJRT plugins; both are
// parameters so the logic can be tested.
func ChooseBackend(getenv func(string) (string, bool), plugins func() []string) BackendChoice {
	if cfg, ok := getenv(backends.ConfigEnvVar); ok && strings.TrimSpace(cfg) != "" {
		cfg = strings.TrimSpace(cfg)
		if cfg == "go" || cfg == "go:" {
			return BackendChoice{SimpleGoConfig, "GOMLX_BACKEND=go, run with parallelism=-1 (the default pool deadlocks on 2 cores)"}
		}
		return BackendChoice{cfg, "GOMLX_BACKEND=" + cfg}
	}
	found := plugins()
	if len(found) > 0 {
		preference := []string{"cuda", "cpu"}
		best := slices.Clone(found)
		slices.SortStableFunc(best, func(a, b string) int {
			ia, ib := slices.Index(preference, a), slices.Index(preference, b)
			if ia < 0 {
				ia = len(preference)
			}
			if ib < 0 {
				ib = len(preference)
			}
			return ia - ib
		})
		return BackendChoice{"xla:" + best[0], fmt.Sprintf("PJRT plugin(s) %v found", found)}
	}
	return BackendChoice{SimpleGoConfig, "no PJRT plugin found; " + XLAHint}
}

// InstalledPJRTPlugins lists the PJRT plugins installed in the standard places or in
// $PJRT_PLUGIN_LIBRARY_PATH. It never downloads anything.
func InstalledPJRTPlugins() []string {
	var names []string
	for name := range pjrt.AvailablePlugins() {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

var (
	backendOnce sync.Once
	backendErr  error
	backend     backends.Backend
)

// NewBackend returns the process-wide GoMLX backend chosen by ChooseBackend, creating it on the
// first call and printing one line to stderr that says which backend runs and why.
// XLA's auto-installer (which downloads plugins) is switched off: it never touches the network.
func NewBackend() (backends.Backend, error) {
	backendOnce.Do(func() {
		backend, backendErr = newBackend(os.Stderr)
	})
	return backend, backendErr
}

func newBackend(w io.Writer) (backends.Backend, error) {
	xla.EnableAutoInstall(false)
	choice := ChooseBackend(os.LookupEnv, InstalledPJRTPlugins)
	b, err := newQuietly(choice.Config)
	if err != nil {
		return nil, fmt.Errorf("backend %q (%s): %w", choice.Config, choice.Reason, err)
	}
	fmt.Fprintf(w, "replay: backend %s (%s)\n", choice.Config, choice.Reason)
	return b, nil
}

// newQuietly creates the backend with standard output silenced: simplego prints its parallelism
// setting there, which would mix into a program's (or an Example's) output; our own line on stderr
// already says which backend runs.
func newQuietly(config string) (backends.Backend, error) {
	devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return backends.NewWithConfig(config)
	}
	defer devNull.Close()
	stdout := os.Stdout
	os.Stdout = devNull
	defer func() { os.Stdout = stdout }()
	return backends.NewWithConfig(config)
}

// MustBackend is NewBackend for programs and notebooks: it panics on error.
func MustBackend() backends.Backend {
	b, err := NewBackend()
	if err != nil {
		panic(err)
	}
	return b
}
