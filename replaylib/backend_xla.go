//go:build cgo

package replaylib

import (
	"github.com/gomlx/go-xla/pkg/installer"
	"github.com/gomlx/go-xla/pkg/pjrt"
	"github.com/gomlx/gomlx/backends/xla" // registers the XLA backend
)

// The XLA backend needs cgo (go-xla loads PJRT plugins with dlopen).

func disableXLAAutoInstall() { xla.EnableAutoInstall(false) }

func installedPlugins() []string {
	var names []string
	for name := range pjrt.AvailablePlugins() {
		names = append(names, name)
	}
	return names
}

func runInstaller() error { return installer.AutoInstall("", true, installer.Quiet) }
