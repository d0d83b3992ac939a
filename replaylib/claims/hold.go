package claims

import (
	"context"
	"fmt"

	"github.com/replaylab/replay/geom"
	"github.com/replaylab/replay/replaylib/metrics"
	"github.com/replaylab/replay/replaylib/model"
	"github.com/replaylab/replay/replaylib/replay"
)

// HoldResult is the hold test of one network: its baseline cell replayed without noise and with zero
// input from the replay's starts (metrics.HoldTest), with each chain's decoded position at the start,
// after the first lag and at the end, for the drift-field figure.
type HoldResult struct {
	metrics.Hold
	Starts []geom.Point `json:"starts"` // x(0) of each chain
	Short  []geom.Point `json:"short"`  // x(HoldLags[0])
	Ends   []geom.Point `json:"ends"`   // x at the last lag
}

// holdTest runs the hold test of cell (the baseline's, its noise set to 0) from st on eng.
func holdTest(ctx context.Context, eng *replay.Engine, ts *taskSetup, st *starts, cell model.CellParams) (*HoldResult, error) {
	lags := metrics.HoldLags
	steps := lags[len(lags)-1]
	cell.NoiseSD = 0
	cfg := replay.Config{Chains: len(st.positions), Steps: steps, StepsPerCall: replay.DefaultStepsPerCall, Cell: cell,
		Noise: replay.NoiseFixed, Seed: 1}
	traj := make([][]geom.Point, cfg.Chains)
	for c := range traj {
		traj[c] = make([]geom.Point, 0, steps+1)
	}
	err := eng.Run(ctx, cfg, replay.Start{States: st.states}, func(_ int, pos []geom.Point) error {
		for c, p := range pos {
			traj[c] = append(traj[c], p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("hold test: %w", err)
	}
	h, err := metrics.HoldTest(traj, lags, metrics.DefaultHoldOptions(ts.env.Size()))
	if err != nil {
		return nil, err
	}
	res := &HoldResult{Hold: h}
	for _, path := range traj {
		res.Starts = append(res.Starts, path[0])
		res.Short = append(res.Short, path[lags[0]])
		res.Ends = append(res.Ends, path[steps])
	}
	return res, nil
}

// values are the hold test's catalog metrics.
func (h *HoldResult) values() map[string]float64 {
	return map[string]float64{
		metrics.KeyHoldDrift50:   h.DriftAt(50),
		metrics.KeyHoldDrift200:  h.DriftAt(200),
		metrics.KeyHoldDrift1000: h.DriftAt(1000),
		metrics.KeyHoldSettled:   h.Settled,
		metrics.KeyFixedPoints:   float64(len(h.FixedPoints)),
	}
}
