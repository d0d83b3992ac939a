//go:build !cgo

package replaylib

import "errors"

// Without cgo there is no XLA backend (go-xla loads PJRT plugins with dlopen): the pure-Go backend
// runs everything.

func disableXLAAutoInstall() {}

func installedPlugins() ([]string, error) { return nil, nil }

func runInstaller() error { return errors.New("this build has no XLA backend (built without cgo)") }
