package replaylib

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gomlx/gomlx/backends"
	_ "github.com/gomlx/gomlx/backends/simplego" // the pure-Go backend, always available
)

// SimpleGoConfig is the pure-Go backend with unlimited goroutine parallelism: its default
// worker pool deadlocks on 2-core machines (training hung in 3 of 3 trials).
const SimpleGoConfig = "go:parallelism=-1"

// XLAHint tells a user how to get the faster XLA backend.
const XLAHint = "for XLA on the CPU run bash .ci/install (a PJRT plugin from PyPI) or see README, 'Backends'"

// Environment variables read by NewBackend.
const (
	// BackendEnv selects a backend explicitly ("xla:cpu", "xla:cuda", "go"): GoMLX's own variable.
	BackendEnv = backends.ConfigEnvVar
	// NoAutoInstallEnv, when set (to anything), stops NewBackend from installing a PJRT plugin
	// when none is installed: GoMLX's own variable, which also turns off the project's installer.
	NoAutoInstallEnv = "GOMLX_NO_AUTO_INSTALL"
	// AutoInstallTimeoutEnv bounds the plugin installers, as a Go duration ("30s", "2m").
	AutoInstallTimeoutEnv = "REPLAY_AUTO_INSTALL_TIMEOUT"
)

// DefaultAutoInstallTimeout bounds the plugin installers (the CPU plugin's wheel is 63 MB); after
// it, NewBackend gives up waiting and runs on pure Go.
const DefaultAutoInstallTimeout = 3 * time.Minute

// BackendChoice is a backend configuration and the reason it was chosen.
type BackendChoice struct {
	Config string // GoMLX configuration "<name>:<options>", e.g. "xla:cuda" or "go:parallelism=-1".
	Reason string // One line for the user.
	// Explicit is set when the user asked for Config ($GOMLX_BACKEND).
	Explicit bool
}

// ChooseBackend decides which backend to try first, without creating it:
//  1. $GOMLX_BACKEND if set (a bare "go" gets parallelism=-1, see SimpleGoConfig);
//  2. XLA if a PJRT plugin is installed (CUDA preferred over CPU);
//  3. otherwise simplego as SimpleGoConfig.
//
// getenv reads the environment and plugins lists the installed PJRT plugins; both are
// parameters so the logic can be tested. NewBackend adds the plugin installer between 2 and 3 and
// falls back to simplego when the chosen backend cannot be created.
func ChooseBackend(getenv func(string) (string, bool), plugins func() ([]string, error)) BackendChoice {
	if cfg, ok := getenv(BackendEnv); ok && strings.TrimSpace(cfg) != "" {
		cfg = strings.TrimSpace(cfg)
		if cfg == "go" || cfg == "go:" {
			return BackendChoice{SimpleGoConfig, "GOMLX_BACKEND=go, run with parallelism=-1 (the default pool deadlocks on 2 cores)", true}
		}
		return BackendChoice{cfg, "GOMLX_BACKEND=" + cfg, true}
	}
	installed, err := plugins()
	if err != nil {
		return BackendChoice{Config: SimpleGoConfig, Reason: firstLine(err)}
	}
	if found := preferredPlugins(installed); len(found) > 0 {
		return BackendChoice{Config: "xla:" + found[0], Reason: fmt.Sprintf("PJRT plugin %q installed", found[0])}
	}
	return BackendChoice{Config: SimpleGoConfig, Reason: "no PJRT plugin installed; " + XLAHint}
}

// preferredPlugins sorts plugin names CUDA first, then CPU, then the rest.
func preferredPlugins(found []string) []string {
	preference := []string{"cuda", "cpu"}
	rank := func(name string) int {
		if i := slices.Index(preference, name); i >= 0 {
			return i
		}
		return len(preference)
	}
	best := slices.Clone(found)
	slices.SortStableFunc(best, func(a, b string) int { return rank(a) - rank(b) })
	return best
}

// InstalledPJRTPlugins lists the PJRT plugins installed in the standard places or in
// $PJRT_PLUGIN_LIBRARY_PATH (none in a build without cgo, which has no XLA). It never downloads
// anything. The error says that the search itself failed (a plugin file that cannot be opened).
func InstalledPJRTPlugins() ([]string, error) {
	names, err := installedPlugins()
	slices.Sort(names)
	return names, err
}

// backendSetup is what NewBackend depends on, as values so that tests can replace each part.
type backendSetup struct {
	getenv  func(string) (string, bool)
	plugins func() ([]string, error)
	// install runs the plugin installers; it may ignore ctx, in which case it is abandoned (left
	// running in the background) when ctx expires.
	install func(ctx context.Context) error
	// danglingPlugin reports whether the plugin search failed on a plugin link that points nowhere
	// where the installer puts the plugin (which it then replaces).
	danglingPlugin func() bool
	create         func(config string) (backends.Backend, error)
	timeout        time.Duration
}

func defaultSetup() backendSetup {
	timeout := DefaultAutoInstallTimeout
	if v, ok := os.LookupEnv(AutoInstallTimeoutEnv); ok {
		if d, err := time.ParseDuration(v); err == nil && d >= 0 {
			timeout = d
		}
	}
	return backendSetup{
		getenv:         os.LookupEnv,
		plugins:        InstalledPJRTPlugins,
		install:        func(ctx context.Context) error { return installPlugin(ctx, BackendLog) },
		danglingPlugin: danglingPluginLink,
		create:         newQuietly,
		timeout:        timeout,
	}
}

var (
	backendOnce sync.Once
	backendErr  error
	backend     backends.Backend
)

// BackendLog receives NewBackend's one line saying which backend runs and why (standard error
// by default; notebooks send it to standard output, which they show as plain text). Set it before
// the first NewBackend call.
var BackendLog io.Writer = os.Stderr

// NewBackend returns the process-wide GoMLX backend, creating it on the first call and printing
// one line to BackendLog (standard error by default) that says which backend runs and why (and,
// when it installs a plugin, one line before it saying so). The order:
//
//  1. $GOMLX_BACKEND, if set;
//  2. XLA with an installed PJRT plugin (CUDA, then CPU);
//  3. if none is installed (or the CPU plugin's link points nowhere) and $GOMLX_NO_AUTO_INSTALL
//     is unset, the plugin installer: XLA's CPU plugin from PyPI (Linux x86-64; a pinned wheel
//     checked against its sha256, announced in one line), else GoMLX's installer (GitHub), both
//     bounded by $REPLAY_AUTO_INSTALL_TIMEOUT (default 3 min);
//  4. the pure-Go backend as SimpleGoConfig.
//
// Whatever fails on the way (an unloadable plugin, an installer without network, a bad
// $GOMLX_BACKEND) falls through to the next step; the line says why. The pure-Go backend
// always works, so NewBackend only fails if even it cannot be created.
func NewBackend() (backends.Backend, error) {
	backendOnce.Do(func() {
		backend, backendErr = newBackend(BackendLog, defaultSetup())
	})
	return backend, backendErr
}

func newBackend(w io.Writer, s backendSetup) (backends.Backend, error) {
	// Our own step 3 replaces GoMLX's unbounded auto-install inside xla.New.
	disableXLAAutoInstall()
	var failures []string
	// The plugin search opens every plugin file: do it once for the choice and the fallbacks
	// (the installer's step below searches again, as it may have added one).
	listed := sync.OnceValues(s.plugins)
	choice := ChooseBackend(s.getenv, listed)
	tried := map[string]bool{}
	try := func(c BackendChoice) backends.Backend {
		tried[c.Config] = true
		b, err := s.create(c.Config)
		if err != nil {
			failures = append(failures, fmt.Sprintf("%s failed: %s", c.Config, firstLine(err)))
			return nil
		}
		reason := c.Reason
		if len(failures) > 0 {
			reason = strings.Join(failures, "; ") + "; " + reason
		}
		fmt.Fprintf(w, "replay: backend %s (%s)\n", c.Config, reason)
		return b
	}
	if choice.Explicit {
		if b := try(choice); b != nil {
			return b, nil
		}
	}
	// Installed plugins, in order of preference.
	installed, listErr := listed()
	for _, name := range preferredPlugins(installed) {
		if c := "xla:" + name; !tried[c] {
			if b := try(BackendChoice{Config: c, Reason: fmt.Sprintf("PJRT plugin %q installed", name)}); b != nil {
				return b, nil
			}
		}
	}
	reason := choice.Reason
	if choice.Explicit {
		reason = "the backend GOMLX_BACKEND asked for could not be created"
	} else if listErr != nil && (s.danglingPlugin == nil || !s.danglingPlugin()) {
		// A broken plugin file the installer would not replace: the line says what will.
		reason = firstLine(listErr)
	} else if listErr != nil || len(installed) == 0 {
		none := "no PJRT plugin installed"
		if listErr != nil {
			none = "the CPU plugin's link points nowhere"
		}
		if _, off := s.getenv(NoAutoInstallEnv); off {
			reason = none + "; the plugin installer is off (" + NoAutoInstallEnv + " set); " + XLAHint
		} else if err := installBounded(s.install, s.timeout); err != nil {
			reason = none + "; the plugin installer: " + firstLine(err) + "; " + XLAHint
		} else if after, err := s.plugins(); err != nil {
			reason = "the plugin installer ran, then " + firstLine(err)
		} else if found := preferredPlugins(after); len(found) > 0 {
			c := "xla:" + found[0]
			if b := try(BackendChoice{Config: c, Reason: fmt.Sprintf("PJRT plugin %q installed by the plugin installer", found[0])}); b != nil {
				return b, nil
			}
		} else {
			reason = none + "; the plugin installer found nothing to install for this machine; " + XLAHint
		}
	}
	if b := try(BackendChoice{Config: SimpleGoConfig, Reason: reason}); b != nil {
		return b, nil
	}
	return nil, fmt.Errorf("no backend could be created: %s", strings.Join(failures, "; "))
}

// installBounded runs install and waits at most timeout for it.
func installBounded(install func(context.Context) error, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- fmt.Errorf("installer panicked: %v", r)
			}
		}()
		done <- install(ctx)
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("gave up after %s (%s sets the limit)", timeout, AutoInstallTimeoutEnv)
	}
}

// firstLine shortens an error to its first line (at most 200 characters).
func firstLine(err error) string {
	msg := err.Error()
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	if len(msg) > 200 {
		msg = msg[:200] + "…"
	}
	return msg
}

// CreateBackend creates the backend of a GoMLX configuration ("xla:cpu", SimpleGoConfig, …) as
// it is, without NewBackend's choice and fallbacks, without the plugin installer and without
// the line simplego prints on standard output.
func CreateBackend(config string) (backends.Backend, error) {
	disableXLAAutoInstall()
	return newQuietly(config)
}

// newQuietly creates the backend with standard output silenced: simplego prints its parallelism
// setting there, which would mix into a program's (or an Example's) output; our own line on stderr
// already says which backend runs.
func newQuietly(config string) (b backends.Backend, err error) {
	defer func() {
		if r := recover(); r != nil {
			b, err = nil, fmt.Errorf("creating backend %s panicked: %v", config, r)
		}
	}()
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
