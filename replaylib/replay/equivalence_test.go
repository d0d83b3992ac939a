package replay

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	mlctx "github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/replaylab/replay/datasets"
	"github.com/replaylab/replay/geom"
	"github.com/replaylab/replay/internal/backendtest"
	"github.com/replaylab/replay/replaylib/model"
)

// TestBackendsAgreeOnReplay: a noisy replay (20 steps, adaptation and momentum on; the noise is
// drawn on the host, so both backends get the same ξ) and five noisy network steps with the same
// explicit noise give the same states and positions on XLA and on pure Go, within float32
// tolerance.
func TestBackendsAgreeOnReplay(t *testing.T) {
	xlaCPU, pureGo := backendtest.Pair(t)
	task, err := datasets.NewDefaultTask("triangle")
	if err != nil {
		t.Fatal(err)
	}
	cfg := model.Config{Hidden: 48, InputDim: 4, ObsDim: 2, OutputDim: 2, Readout: model.ReadoutMSE, Cell: model.DefaultCellParams()}
	weights := func() *mlctx.Context {
		ctx := mlctx.New()
		model.InitWeights(ctx, cfg, rand.New(rand.NewPCG(3, 4)))
		return ctx
	}
	cell := cfg.Cell
	cell.Alpha, cell.AdaptStrength, cell.AdaptForm, cell.AdaptSlowTau, cell.Momentum, cell.NoiseSD = 0.3, 0.4, model.AdaptRelative, 6, 0.7, 0.05
	rc := Config{Chains: 16, Steps: 20, StepsPerCall: 10, Cell: cell, Noise: NoiseFixed, Seed: 1}
	starts := StartPositions(task, rc.Chains, 2)
	replayOn := func(b backends.Backend) [][]geom.Point {
		eng, err := New(b, cfg, weights(), task)
		if err != nil {
			t.Fatal(err)
		}
		traj, err := eng.Trajectories(context.Background(), rc, Start{Positions: starts})
		if err != nil {
			t.Fatal(err)
		}
		return traj
	}
	a, b := replayOn(xlaCPU), replayOn(pureGo)
	worst := 0.0
	for c := range a {
		for s := range a[c] {
			d := a[c][s].Sub(b[c][s]).Norm()
			worst = math.Max(worst, d)
			if d > 1e-4 {
				t.Fatalf("chain %d step %d: XLA %v, pure Go %v", c, s, a[c][s], b[c][s])
			}
		}
	}
	t.Logf("noisy replay: largest position difference %.1e u", worst)

	// Noisy steps through model.Network with explicit noise.
	rng := rand.New(rand.NewPCG(5, 6))
	noise := make([][]float32, 5)
	for i := range noise {
		noise[i] = make([]float32, 16*cfg.Hidden)
		for j := range noise[i] {
			noise[i][j] = float32(rng.NormFloat64())
		}
	}
	cell.NoiseSD = 0.05
	input := make([]float32, 16*cfg.InputDim)
	stepsOn := func(b backends.Backend) []float32 {
		net, err := model.NewNetwork(b, cfg, weights())
		if err != nil {
			t.Fatal(err)
		}
		obs := make([]float32, 16*2)
		for i, p := range starts {
			task.Observe(p, obs[2*i:2*i+2])
		}
		s, err := net.Encode(obs, 16)
		if err != nil {
			t.Fatal(err)
		}
		for i := range noise {
			if s, err = net.Step(cell, s, input, noise[i]); err != nil {
				t.Fatal(err)
			}
		}
		var all []float32
		for _, x := range []*tensors.Tensor{s.H, s.A, s.V, s.HBar} {
			all = append(all, tensors.MustCopyFlatData[float32](x)...)
		}
		return all
	}
	x, y := stepsOn(xlaCPU), stepsOn(pureGo)
	for i := range x {
		if d := math.Abs(float64(x[i] - y[i])); d > 1e-4*(1+math.Abs(float64(y[i]))) {
			t.Fatalf("state value %d after 5 noisy steps: XLA %g, pure Go %g", i, x[i], y[i])
		}
	}
}
