//go:build !cgo

package replaylib

import (
	"context"
	"errors"
	"io"
)

// Without cgo there is no XLA backend (go-xla loads PJRT plugins with dlopen): the pure-Go backend
// runs everything.

func disableXLAAutoInstall() {}

func installedPlugins() ([]string, error) { return nil, nil }

func runInstaller() error { return errors.New("this build has no XLA backend (built without cgo)") }

func installPlugin(context.Context, io.Writer) error { return runInstaller() }

func danglingPluginLink() bool { return false }
