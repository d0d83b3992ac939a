package replay

import (
	"context"
	"math"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/replaylab/replay/datasets"
	"github.com/replaylab/replay/replaylib"
	"github.com/replaylab/replay/replaylib/model"
	"github.com/replaylab/replay/replaylib/training"
)

// trained returns a small trained T-maze model (a few seconds on simplego).
func trained(t testing.TB) *training.Run {
	t.Helper()
	cfg, _ := training.DefaultConfig("tmaze")
	cfg.Model.Hidden, cfg.Steps, cfg.BatchSize, cfg.SeqLen, cfg.MaskK, cfg.EvalBatch = 32, 200, 16, 20, 20, 16
	cfg.Model.Cell.Alpha = 0.5
	run, err := training.Open(replaylib.MustBackend(), cfg, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := run.Train(nil, false); err != nil {
		t.Fatal(err)
	}
	return run
}

func replayOnce(t *testing.T, run *training.Run, rc Config) [][]datasets.Point {
	t.Helper()
	eng, err := New(replaylib.MustBackend(), run.Config.Model, run.Context(), run.Task(), rc)
	if err != nil {
		t.Fatal(err)
	}
	traj, err := eng.Trajectories(context.Background(), StartPositions(run.Task(), rc.Chains, 5))
	if err != nil {
		t.Fatal(err)
	}
	return traj
}

func TestReplayIsSeededAndShaped(t *testing.T) {
	run := trained(t)
	rc := DefaultConfig(run.Config.Model.Cell)
	rc.Chains, rc.Steps, rc.StepsPerCall = 12, 45, 10 // 45 is not a multiple of 10: the last call is cut
	a, b := replayOnce(t, run, rc), replayOnce(t, run, rc)
	if len(a) != 12 || len(a[0]) != 46 {
		t.Fatalf("trajectories %d × %d, want 12 × 46", len(a), len(a[0]))
	}
	for c := range a {
		for s := range a[c] {
			if a[c][s] != b[c][s] {
				t.Fatalf("same seed, chain %d step %d: %v vs %v", c, s, a[c][s], b[c][s])
			}
		}
	}
	rc.Seed++
	if d := replayOnce(t, run, rc); d[0][10] == a[0][10] {
		t.Error("different seeds gave the same replay")
	}
	// Step 0 is the decoded start: the encoder of a trained model lands near the start position.
	starts := StartPositions(run.Task(), 12, 5)
	err := 0.0
	for c := range a {
		err += a[c][0].Sub(starts[c]).Norm()
	}
	if mean := err / 12; mean > 0.1*run.Task().Env().Size() {
		t.Errorf("decoded start is %.3f from the start position on average, want < 10%% of the environment", mean)
	}
}

// TestNoiselessReplayMatchesNetworkSteps: the compiled k-step replay equals k single steps of
// model.Network with zero input and zero noise, for a cell with adaptation and momentum.
func TestNoiselessReplayMatchesNetworkSteps(t *testing.T) {
	run := trained(t)
	cell := run.Config.Model.Cell
	cell.NoiseSD, cell.AdaptStrength, cell.Momentum = 0, 0.3, 0.7
	rc := Config{Chains: 3, Steps: 8, StepsPerCall: 4, Cell: cell, Noise: NoiseFixed, Seed: 1}
	traj := replayOnce(t, run, rc)
	net, err := run.Network()
	if err != nil {
		t.Fatal(err)
	}
	starts := StartPositions(run.Task(), 3, 5)
	obs := make([]float32, 3*2)
	for i, p := range starts {
		run.Task().Observe(p, obs[2*i:2*i+2])
	}
	state, err := net.Encode(obs, 3)
	if err != nil {
		t.Fatal(err)
	}
	zero := make([]float32, 3*run.Config.Model.InputDim)
	for s := 1; s <= 8; s++ {
		if state, err = net.Step(cell, state, zero, nil); err != nil {
			t.Fatal(err)
		}
		y, _ := net.Decode(state)
		for c := range 3 {
			got := traj[c][s]
			if math.Abs(got.X-float64(y[2*c])) > 1e-4 || math.Abs(got.Y-float64(y[2*c+1])) > 1e-4 {
				t.Fatalf("step %d chain %d: replay %v, network %v", s, c, got, y[2*c:2*c+2])
			}
		}
	}
}

func TestNoiseConventions(t *testing.T) {
	c := Config{Cell: model.CellParams{NoiseSD: 0.2, Momentum: 0.64}}
	c.Noise = NoiseFixed
	if c.EffectiveNoise() != 0.2 {
		t.Errorf("fixed: %g", c.EffectiveNoise())
	}
	c.Noise = NoiseSqrtMomentum
	if math.Abs(c.EffectiveNoise()-0.16) > 1e-12 {
		t.Errorf("sqrt-momentum: %g, want 0.2·√0.64 = 0.16", c.EffectiveNoise())
	}
	bad := DefaultConfig(model.DefaultCellParams())
	bad.Chains = 0
	if err := bad.Validate(); err == nil || err.Error()[:6] != "chains" {
		t.Errorf("chains=0: %v", err)
	}
}

// BenchmarkReplay reports chain-steps per second at 256 chains, N = 128 and N = 512.
func BenchmarkReplay(b *testing.B) {
	for _, n := range []int{128, 512} {
		b.Run(map[int]string{128: "N128", 512: "N512"}[n], func(b *testing.B) {
			cfg, _ := training.DefaultConfig("triangle")
			cfg.Model.Hidden, cfg.Steps = n, 0
			run, err := training.Open(replaylib.MustBackend(), cfg, "")
			if err != nil {
				b.Fatal(err)
			}
			rc := DefaultConfig(cfg.Model.Cell)
			rc.Chains, rc.Steps = 256, 100
			eng, err := New(replaylib.MustBackend(), cfg.Model, run.Context(), run.Task(), rc)
			if err != nil {
				b.Fatal(err)
			}
			starts := StartPositions(run.Task(), rc.Chains, 1)
			noop := func(int, []datasets.Point) error { return nil }
			eng.Run(context.Background(), starts, noop) // compile
			b.ResetTimer()
			for b.Loop() {
				eng.Run(context.Background(), starts, noop)
			}
			b.ReportMetric(float64(b.N*rc.Chains*rc.Steps)/b.Elapsed().Seconds(), "chain-steps/s")
		})
	}
}

// TestReplayFromBehaviourStates: replay started from the network's own state at the end of paths
// begins (t = 0) where those paths ended.
func TestReplayFromBehaviourStates(t *testing.T) {
	run := trained(t)
	batch, _ := datasets.NewBatch(run.Task(), 10, run.Config.SeqLen, run.Config.MaskK)
	datasets.Generate(run.Task(), batch, newRNG(17))
	h, err := run.FinalStates(batch)
	if err != nil {
		t.Fatal(err)
	}
	rc := DefaultConfig(run.Config.Model.Cell)
	rc.Chains, rc.Steps, rc.StepsPerCall = 10, 5, 5
	eng, err := New(replaylib.MustBackend(), run.Config.Model, run.Context(), run.Task(), rc)
	if err != nil {
		t.Fatal(err)
	}
	traj, err := eng.TrajectoriesFromStates(context.Background(), h)
	if err != nil {
		t.Fatal(err)
	}
	sum := 0.0
	for c, path := range batch.Paths() {
		sum += traj[c][0].Sub(path[len(path)-1]).Norm()
	}
	if mean := sum / 10; mean > 0.1*run.Task().Env().Size() {
		t.Errorf("replay starts %.3f from the paths' ends on average, want < 10%% of the environment", mean)
	}
	if _, err := eng.TrajectoriesFromStates(context.Background(), tensorsOfShape(3, 4)); err == nil {
		t.Error("states of the wrong shape accepted")
	}
}

func tensorsOfShape(dims ...int) *tensors.Tensor {
	return tensors.FromShape(shapes.Make(model.DType, dims...))
}
