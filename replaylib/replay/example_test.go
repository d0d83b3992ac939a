package replay_test

import (
	"context"
	"fmt"

	"github.com/replaylab/replay/geom"
	"github.com/replaylab/replay/replaylib"
	"github.com/replaylab/replay/replaylib/replay"
	"github.com/replaylab/replay/replaylib/training"
)

// Stream a long replay through an observer instead of keeping its trajectories: here, the share of
// decoded positions in each of the T-maze's regions. The same Config.Seed gives the same noise, so
// variants of the cell compare chain by chain, and a rerun gives the same replay.
func ExampleEngine_Run() {
	cfg, _ := training.DefaultConfig("tmaze")
	cfg.Model.Hidden, cfg.Steps, cfg.SeqLen, cfg.EvalBatch = 32, 100, 20, 16 // small, for the example
	run, err := training.Open(replaylib.MustBackend(), cfg, "")
	if err != nil {
		panic(err)
	}
	if err := run.Train(context.Background()); err != nil {
		panic(err)
	}
	eng, err := replay.FromRun(run)
	if err != nil {
		panic(err)
	}
	env := run.Task().Env()

	rc := replay.DefaultConfig(cfg.Model.Cell)
	rc.Chains, rc.Steps, rc.Seed = 32, 500, 7
	start := replay.Start{Positions: replay.StartPositions(run.Task(), rc.Chains, 1)}
	occupancy := func() map[string]int {
		counts := map[string]int{}
		observe := func(t int, positions []geom.Point) error {
			for _, p := range positions {
				if i := env.RegionOf(p); i >= 0 {
					counts[env.Regions[i].Name]++
				} else {
					counts["outside"]++
				}
			}
			return nil
		}
		if err := eng.Run(context.Background(), rc, start, observe); err != nil {
			panic(err)
		}
		return counts
	}
	first := occupancy()
	total := 0
	for _, n := range first {
		total += n
	}
	fmt.Println("positions observed:", total) // chains × (Steps+1)
	second := occupancy()
	fmt.Println("same seed, same replay:", fmt.Sprint(first) == fmt.Sprint(second))
	// Output:
	// positions observed: 16032
	// same seed, same replay: true
}
