package training

import (
	"context"
	"fmt"
	"testing"

	"github.com/replaylab/replay/replaylib"
)

// BenchmarkFirstWindowedStep reports opening a run and training its first step (building and
// compiling the window graph, one step, one evaluation) at the quick size (triangle, N = 64, 32
// paths, windows of 50 steps) for paths of one window and of 1,000 and 10,000 steps: the compiled
// graph is one window whatever the horizon, so only the evaluation's run time may grow with it.
func BenchmarkFirstWindowedStep(b *testing.B) {
	for _, horizon := range []int{0, 1000, 10000} {
		b.Run(fmt.Sprintf("horizon=%d", horizon), func(b *testing.B) {
			cfg, err := DefaultConfigWith("triangle", 0)
			if err != nil {
				b.Fatal(err)
			}
			cfg.Model.Hidden, cfg.BatchSize, cfg.SeqLen, cfg.Horizon, cfg.Steps = 64, 32, 50, horizon, 1
			cfg.Model.Cell.Alpha = 0.2
			for b.Loop() {
				run, err := Open(replaylib.MustBackend(), cfg, "")
				if err != nil {
					b.Fatal(err)
				}
				if err := run.Train(context.Background()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
