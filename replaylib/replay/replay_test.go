package replay

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/replaylab/replay/datasets"
	"github.com/replaylab/replay/geom"
	"github.com/replaylab/replay/replaylib"
	"github.com/replaylab/replay/replaylib/model"
	"github.com/replaylab/replay/replaylib/training"
)

// trained returns a small trained T-maze model (seconds).
func trained(t testing.TB) *training.Run {
	t.Helper()
	cfg, _ := training.DefaultConfig("tmaze")
	cfg.Model.Hidden, cfg.Steps, cfg.BatchSize, cfg.SeqLen, cfg.MaskK, cfg.EvalBatch = 32, 200, 16, 20, 20, 16
	cfg.Model.Cell.Alpha = 0.5
	run, err := training.Open(replaylib.MustBackend(), cfg, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := run.Train(context.Background()); err != nil {
		t.Fatal(err)
	}
	return run
}

func engine(t testing.TB, run *training.Run) *Engine {
	t.Helper()
	eng, err := FromRun(run)
	if err != nil {
		t.Fatal(err)
	}
	return eng
}

func replayOnce(t *testing.T, eng *Engine, run *training.Run, rc Config) [][]geom.Point {
	t.Helper()
	traj, err := eng.Trajectories(context.Background(), rc, Start{Positions: StartPositions(run.Task(), rc.Chains, 5)})
	if err != nil {
		t.Fatal(err)
	}
	return traj
}

func TestReplayIsSeededAndShaped(t *testing.T) {
	run := trained(t)
	eng := engine(t, run)
	rc := DefaultConfig(run.Config.Model.Cell)
	rc.Chains, rc.Steps, rc.StepsPerCall = 12, 45, 10 // 45 is not a multiple of 10: the last call is cut
	a, b := replayOnce(t, eng, run, rc), replayOnce(t, FromRunOrFail(t, run), run, rc)
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
	if d := replayOnce(t, eng, run, rc); d[0][10] == a[0][10] {
		t.Error("different seeds gave the same replay")
	}
	// Step 0 is the readout of the encoded start, h_0 = W_enc o(x_0), as model.Network computes it.
	starts := StartPositions(run.Task(), 12, 5)
	net, err := run.Network()
	if err != nil {
		t.Fatal(err)
	}
	obs := make([]float32, 12*2)
	for i, p := range starts {
		run.Task().Observe(p, obs[2*i:2*i+2])
	}
	state, err := net.Encode(obs, 12)
	if err != nil {
		t.Fatal(err)
	}
	y, _ := net.Decode(state)
	for c := range a {
		if d := a[c][0].Sub(geom.Point{X: float64(y[2*c]), Y: float64(y[2*c+1])}).Norm(); d > 1e-5 {
			t.Fatalf("chain %d: replay starts at %v, the network decodes its encoded start to %v", c, a[c][0], y[2*c:2*c+2])
		}
	}
}

func FromRunOrFail(t *testing.T, run *training.Run) *Engine { return engine(t, run) }

// TestValuesDoNotRecompile: other cell values of the same structure, noise conventions, seeds,
// burn-ins and lengths run on the executables already compiled; the same seed gives every variant
// the same noise, so the first run repeated after the others is reproduced exactly.
func TestValuesDoNotRecompile(t *testing.T) {
	run := trained(t)
	eng := engine(t, run)
	rc := DefaultConfig(run.Config.Model.Cell)
	rc.Chains, rc.Steps, rc.StepsPerCall = 8, 30, 10
	rc.Cell.AdaptStrength, rc.Cell.Momentum = 0.2, 0.8 // the structure: adaptation and momentum
	base := replayOnce(t, eng, run, rc)
	compiled := len(eng.execs)
	for _, mod := range []func(*Config){
		func(c *Config) { c.Cell.Momentum = 0.6 },
		func(c *Config) { c.Cell.AdaptStrength, c.Cell.AdaptTau = 0.4, 20 },
		func(c *Config) { c.Cell.Alpha, c.Cell.NoiseSD = 0.3, 0.01 },
		func(c *Config) { c.Noise, c.Seed, c.Burnin, c.Steps = NoiseFixed, 9, 7, 50 },
	} {
		c := rc
		mod(&c)
		replayOnce(t, eng, run, c)
	}
	if len(eng.execs) != compiled {
		t.Errorf("compiled executables: %d after the first run, %d after four value changes", compiled, len(eng.execs))
	}
	again := replayOnce(t, eng, run, rc)
	for c := range base {
		for s := range base[c] {
			if base[c][s] != again[c][s] {
				t.Fatalf("same config after other runs, chain %d step %d: %v vs %v", c, s, base[c][s], again[c][s])
			}
		}
	}
	// Crossing b_a = 0 compiles the structure without adaptation, once.
	c := rc
	c.Cell.AdaptStrength = 0
	replayOnce(t, eng, run, c)
	c.Cell.Alpha = 0.7
	replayOnce(t, eng, run, c)
	if got := len(eng.execs); got != compiled+1 {
		t.Errorf("executables after two runs without adaptation: %d, want %d", got, compiled+1)
	}
}

// TestNoiseIsPerChain: a chain's noise depends only on (seed, chain, step): the first chains of a
// replay with more chains and another number of steps per call follow the same trajectories.
func TestNoiseIsPerChain(t *testing.T) {
	run := trained(t)
	eng := engine(t, run)
	rc := DefaultConfig(run.Config.Model.Cell)
	rc.Chains, rc.Steps, rc.StepsPerCall = 4, 30, 10
	starts := StartPositions(run.Task(), 9, 5)
	few, err := eng.Trajectories(context.Background(), rc, Start{Positions: starts[:4]})
	if err != nil {
		t.Fatal(err)
	}
	rc.Chains, rc.StepsPerCall = 9, 6
	many, err := eng.Trajectories(context.Background(), rc, Start{Positions: starts})
	if err != nil {
		t.Fatal(err)
	}
	for c := range few {
		for s := range few[c] {
			if d := few[c][s].Sub(many[c][s]).Norm(); d > 1e-5 {
				t.Fatalf("chain %d step %d: %v with 4 chains × 10 steps per call, %v with 9 × 6", c, s, few[c][s], many[c][s])
			}
		}
	}
}

// TestBurninSkipsTheFirstSteps: a burn-in of B steps then S observed steps is the same chain as
// B+S steps observed from the start, with the first B dropped (same seed, same noise).
func TestBurninSkipsTheFirstSteps(t *testing.T) {
	run := trained(t)
	eng := engine(t, run)
	rc := DefaultConfig(run.Config.Model.Cell)
	rc.Chains, rc.Steps, rc.StepsPerCall = 5, 40, 10
	long := replayOnce(t, eng, run, rc)
	rc.Burnin, rc.Steps = 15, 25
	short := replayOnce(t, eng, run, rc)
	if len(short[0]) != 26 {
		t.Fatalf("burn-in run has %d points per chain, want 26", len(short[0]))
	}
	for c := range short {
		for s := range short[c] {
			if d := short[c][s].Sub(long[c][s+15]).Norm(); d > 1e-5 {
				t.Fatalf("chain %d: observed step %d after burn-in %v, long run step %d %v", c, s, short[c][s], s+15, long[c][s+15])
			}
		}
	}
}

// TestNoiselessReplayMatchesNetworkSteps: the compiled k-step replay equals k single steps of
// model.Network with zero input and zero noise, for every adaptation form with momentum.
func TestNoiselessReplayMatchesNetworkSteps(t *testing.T) {
	run := trained(t)
	eng := engine(t, run)
	net, err := run.Network()
	if err != nil {
		t.Fatal(err)
	}
	starts := StartPositions(run.Task(), 3, 5)
	obs := make([]float32, 3*2)
	for i, p := range starts {
		run.Task().Observe(p, obs[2*i:2*i+2])
	}
	for _, form := range model.AdaptForms {
		cell := run.Config.Model.Cell
		cell.NoiseSD, cell.AdaptStrength, cell.AdaptForm, cell.AdaptSlowTau, cell.Momentum = 0, 0.3, form, 4, 0.7
		rc := Config{Chains: 3, Steps: 8, StepsPerCall: 4, Cell: cell, Noise: NoiseFixed, Seed: 1}
		traj, err := eng.Trajectories(context.Background(), rc, Start{Positions: starts})
		if err != nil {
			t.Fatal(err)
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
					t.Fatalf("%s: step %d chain %d: replay %v, network %v", form, s, c, got, y[2*c:2*c+2])
				}
			}
		}
	}
}

func TestDivergenceNamesTheStep(t *testing.T) {
	run := trained(t)
	rc := DefaultConfig(run.Config.Model.Cell)
	rc.Chains, rc.Steps, rc.StepsPerCall = 4, 200, 10
	rc.Cell.AdaptStrength, rc.Cell.AdaptForm, rc.Cell.Momentum, rc.Cell.NoiseSD = 100, model.AdaptShunting, 0.05, 1000
	_, err := engine(t, run).Trajectories(context.Background(), rc, Start{Positions: StartPositions(run.Task(), 4, 1)})
	if err == nil || !strings.Contains(err.Error(), "diverged at step") {
		t.Errorf("error %v, want a divergence naming the step", err)
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

// BenchmarkReplay reports chain-steps per second at N = 128 and N = 512 with 256 and 1,024 chains.
func BenchmarkReplay(b *testing.B) {
	for _, n := range []int{128, 512} {
		for _, chains := range []int{256, 1024} {
			b.Run(map[int]string{128: "N128", 512: "N512"}[n]+map[int]string{256: "/C256", 1024: "/C1024"}[chains], func(b *testing.B) {
				cfg, _ := training.DefaultConfig("triangle")
				cfg.Model.Hidden, cfg.Steps = n, 0
				run, err := training.Open(replaylib.MustBackend(), cfg, "")
				if err != nil {
					b.Fatal(err)
				}
				rc := DefaultConfig(cfg.Model.Cell)
				rc.Chains, rc.Steps = chains, 100
				eng, err := FromRun(run)
				if err != nil {
					b.Fatal(err)
				}
				start := Start{Positions: StartPositions(run.Task(), rc.Chains, 1)}
				if err := eng.Run(context.Background(), rc, start, nil); err != nil { // compile
					b.Fatal(err)
				}
				b.ResetTimer()
				for b.Loop() {
					eng.Run(context.Background(), rc, start, nil)
				}
				b.ReportMetric(float64(b.N*rc.Chains*rc.Steps)/b.Elapsed().Seconds(), "chain-steps/s")
			})
		}
	}
}

// TestReplayFromBehaviourStates: replay started from the network's own state at the end of paths
// begins (t = 0) where those paths ended.
func TestReplayFromBehaviourStates(t *testing.T) {
	run := trained(t)
	batch, _ := datasets.NewBatch(run.Task(), 10, run.Config.SeqLen, run.Config.MaskK)
	datasets.Generate(run.Task(), batch, newRNG(17))
	times := make([]int, 10)
	for i := range times {
		times[i] = batch.T
	}
	h, err := run.StatesAlong(batch, times)
	if err != nil {
		t.Fatal(err)
	}
	rc := DefaultConfig(run.Config.Model.Cell)
	rc.Chains, rc.Steps, rc.StepsPerCall = 10, 5, 5
	eng := engine(t, run)
	traj, err := eng.Trajectories(context.Background(), rc, Start{States: h})
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
	if _, err := eng.Trajectories(context.Background(), rc, Start{States: tensorsOfShape(3, 4)}); err == nil {
		t.Error("states of the wrong shape accepted")
	}
}

func tensorsOfShape(dims ...int) *tensors.Tensor {
	return tensors.FromShape(shapes.Make(model.DType, dims...))
}

// TestPlaceCellsDecodedOnTheHost: on the arena task (place cells decoded by their 3 most active
// cells, an MSE readout of their activities) the replayed positions are the task's decoding of the
// readouts, step by step and chain by chain, and a network trained in two steps already decodes
// inside the arena.
func TestPlaceCellsDecodedOnTheHost(t *testing.T) {
	cfg, err := training.DefaultConfig("arena")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Model.Hidden, cfg.Steps, cfg.BatchSize, cfg.SeqLen, cfg.EvalBatch = 16, 2, 4, 10, 4
	run, err := training.Open(replaylib.MustBackend(), cfg, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := run.Train(context.Background()); err != nil {
		t.Fatal(err)
	}
	eng := engine(t, run)
	rc := DefaultConfig(run.Config.Model.Cell)
	rc.Chains, rc.Steps, rc.StepsPerCall = 3, 7, 4
	var got, want []geom.Point
	err = eng.RunWithOutputs(context.Background(), rc, Start{Positions: StartPositions(run.Task(), rc.Chains, 5)},
		func(_ int, pos []geom.Point) error { got = append(got, pos...); return nil },
		func(_ int, outs []float32) error {
			n := len(outs) / rc.Chains
			for c := range rc.Chains {
				want = append(want, run.Task().Decode(outs[c*n:(c+1)*n]))
			}
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != rc.Chains*(rc.Steps+1) || len(want) != len(got) {
		t.Fatalf("%d positions and %d decoded readouts, want %d", len(got), len(want), rc.Chains*(rc.Steps+1))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("position %d = %v, the task decodes its readout to %v", i, got[i], want[i])
		}
		if !run.Task().Env().Contains(got[i]) {
			t.Errorf("position %d = %v: a top-cells decoding lies among cell centres, inside the arena", i, got[i])
		}
	}
	// The same chains one step per call: the readouts' layout [C, k, Out] is decoded step by step.
	rc.StepsPerCall = 1
	traj, err := eng.Trajectories(context.Background(), rc, Start{Positions: StartPositions(run.Task(), rc.Chains, 5)})
	if err != nil {
		t.Fatal(err)
	}
	for c := range rc.Chains {
		for s := 0; s <= rc.Steps; s++ {
			if traj[c][s] != got[s*rc.Chains+c] {
				t.Fatalf("chain %d step %d: %v one step per call, %v four", c, s, traj[c][s], got[s*rc.Chains+c])
			}
		}
	}
}
