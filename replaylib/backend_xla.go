//go:build cgo

package replaylib

import (
	"fmt"

	"github.com/gomlx/go-xla/pkg/installer"
	"github.com/gomlx/go-xla/pkg/pjrt"
	"github.com/gomlx/gomlx/backends/xla" // registers the XLA backend
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
