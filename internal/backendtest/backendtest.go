// Package backendtest gives tests the two backends whose numbers must agree: XLA on the CPU and
// the pure-Go simplego backend.
package backendtest

import (
	"os"
	"sync"
	"testing"

	"github.com/gomlx/gomlx/backends"

	"github.com/replaylab/replay/replaylib"
)

// RequireXLAEnv set to 1 (as .ci/test does once it installed the plugin) turns a missing XLA CPU
// plugin into a test failure instead of a skip.
const RequireXLAEnv = "REPLAY_REQUIRE_XLA"

var (
	once                  sync.Once
	xlaBackend, goBackend backends.Backend
	xlaErr, goErr         error
)

// Pair returns the XLA CPU backend and the pure-Go backend (created once per test binary). It
// skips the test when no XLA CPU plugin loads, or fails it when $REPLAY_REQUIRE_XLA=1.
func Pair(t testing.TB) (xlaCPU, pureGo backends.Backend) {
	t.Helper()
	once.Do(func() {
		xlaBackend, xlaErr = replaylib.CreateBackend("xla:cpu")
		goBackend, goErr = replaylib.CreateBackend(replaylib.SimpleGoConfig)
	})
	if goErr != nil {
		t.Fatalf("pure-Go backend: %v", goErr)
	}
	if xlaErr != nil {
		if os.Getenv(RequireXLAEnv) == "1" {
			t.Fatalf("XLA CPU backend required (%s=1) but not available: %v", RequireXLAEnv, xlaErr)
		}
		t.Skipf("XLA CPU backend not available (run bash .ci/install): %v", xlaErr)
	}
	return xlaBackend, goBackend
}
