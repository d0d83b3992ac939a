//go:build cgo

package replaylib

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"

	"github.com/gomlx/go-xla/pkg/installer"
	"github.com/gomlx/go-xla/pkg/pjrt"
	"github.com/gomlx/gomlx/backends/xla" // registers the XLA backend

	"github.com/replaylab/replay/internal/pjrtinstall"
)

// The XLA backend needs cgo (go-xla loads PJRT plugins with dlopen).

func disableXLAAutoInstall() { xla.EnableAutoInstall(false) }

// installedPlugins lists go-xla's plugins. go-xla v0.1.4 panics on a plugin file it cannot open
// (a dangling link left by a moved checkout, say); that becomes an error.
func installedPlugins() (names []string, err error) {
	defer func() {
		if r := recover(); r != nil {
			names, err = nil, fmt.Errorf("go-xla's plugin search crashed on a plugin file it cannot open (a dangling link in ~/.local/lib/go-xla?); bash .ci/install links it again (%v)", r)
		}
	}()
	for name := range pjrt.AvailablePlugins() {
		names = append(names, name)
	}
	return names, nil
}

func runInstaller() error { return installer.AutoInstall("", true, installer.Quiet) }

// installPlugin installs XLA's CPU plugin from PyPI (pjrtinstall), saying so on w first; where
// that cannot run, or fails for a reason other than the time limit or a plugin file already in
// place, GoMLX's installer.
func installPlugin(ctx context.Context, w io.Writer) error {
	wheel := pjrtinstall.CPUWheel
	var err error
	if pjrtinstall.Supported(wheel) {
		var dir string
		if dir, err = pjrtinstall.DefaultDir(); err == nil {
			fmt.Fprintf(w, "replay: no usable PJRT plugin: installing XLA's CPU plugin from PyPI (%s, %.0f MB, sha256-pinned) into %s (%s=1 turns this off)\n",
				wheel.Project, float64(wheel.Size)/1e6, dir, NoAutoInstallEnv)
			if _, err = pjrtinstall.Install(ctx, wheel, pjrtinstall.Options{Dir: dir}); err == nil {
				return nil
			}
		}
		if errors.Is(err, pjrtinstall.ErrExists) || ctx.Err() != nil {
			return fmt.Errorf("PyPI: %w", err)
		}
	}
	if gerr := runInstaller(); gerr != nil {
		if err == nil {
			return fmt.Errorf("GoMLX's installer: %v", gerr)
		}
		return fmt.Errorf("PyPI: %v; GoMLX's installer: %v", err, gerr)
	}
	return nil
}

// danglingPluginLink reports whether the CPU plugin where the installer puts it is a link to nothing.
func danglingPluginLink() bool {
	dir, err := pjrtinstall.DefaultDir()
	if err != nil {
		return false
	}
	return pjrtinstall.DanglingLink(filepath.Join(dir, pjrtinstall.CPUWheel.Plugin))
}
