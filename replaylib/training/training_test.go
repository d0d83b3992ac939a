package training

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/replaylab/replay/replaylib"
	"github.com/replaylab/replay/replaylib/model"
)

func tinyConfig(t *testing.T, task string) Config {
	t.Helper()
	cfg, err := DefaultConfig(task)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Model.Hidden = 32
	cfg.BatchSize = 16
	cfg.SeqLen = 20
	cfg.EvalBatch = 16
	cfg.LogEvery = 50
	return cfg
}

// TestTinyModelLearns: a tiny model's evaluation loss falls at least 5× within 300 steps on each 2D task.
func TestTinyModelLearns(t *testing.T) {
	for _, task := range []string{"triangle", "tmaze"} {
		cfg := tinyConfig(t, task)
		cfg.Steps = 300
		run, err := Open(replaylib.MustBackend(), cfg, "")
		if err != nil {
			t.Fatal(err)
		}
		if err := run.Train(context.Background()); err != nil {
			t.Fatal(err)
		}
		first, last := run.History[0], run.History[len(run.History)-1]
		if first.Step != 0 || last.Step != 300 {
			t.Fatalf("%s: history spans steps %d..%d, want 0..300", task, first.Step, last.Step)
		}
		if ratio := first.EvalLoss / last.EvalLoss; ratio < 5 {
			t.Errorf("%s: loss fell %.1f× (%g → %g), want ≥ 5×", task, ratio, first.EvalLoss, last.EvalLoss)
		} else {
			t.Logf("%s: loss fell %.0f× (%g → %g), position error %.1f%% of size", task, ratio, first.EvalLoss, last.EvalLoss, 100*last.PosErrRel)
		}
	}
}

func weights(t *testing.T, run *Run) map[string][]float32 {
	out := map[string][]float32{}
	for v := range run.Context().IterVariables() {
		val, err := v.Value()
		if err != nil {
			t.Fatal(err)
		}
		if v.Shape().DType.IsFloat() && !strings.HasPrefix(v.Scope(), "/metrics") {
			out[v.ScopeAndName()] = tensors.MustCopyFlatData[float32](val)
		}
	}
	return out
}

// TestResumeEqualsUninterruptedRun: 30 steps in one go equal, bit for bit (weights and optimizer
// state), 12–13 steps, a fresh process-like reopen of the directory, and the rest: for a
// constant-learning-rate run extended from 12 to 30 steps, and for a cosine-schedule run
// interrupted (cancelled) after step 12, with whole paths and with paths of 5 windows (the run
// stops mid-path: the carried state comes back with the checkpoint).
func TestResumeEqualsUninterruptedRun(t *testing.T) {
	backend := replaylib.MustBackend()
	for _, c := range []struct {
		decay   LRDecay
		horizon int
	}{{LRConstant, 0}, {LRCosine, 0}, {LRCosine, 100}} {
		decay := c.decay
		cfg := tinyConfig(t, "tmaze")
		cfg.Model.Cell.Alpha = 0.5
		cfg.Steps, cfg.CheckpointEvery, cfg.LogEvery, cfg.LRDecay = 30, 5, 6, decay
		cfg.Horizon = c.horizon

		full, err := Open(backend, cfg, t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		if err := full.Train(context.Background()); err != nil {
			t.Fatal(err)
		}

		dir := t.TempDir()
		var stoppedAt int
		if decay == LRConstant {
			part := cfg
			part.Steps = 12
			first, err := Open(backend, part, dir)
			if err != nil {
				t.Fatal(err)
			}
			if err := first.Train(context.Background()); err != nil {
				t.Fatal(err)
			}
			stoppedAt = 12
		} else {
			first, err := Open(backend, cfg, dir)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			first.OnEvaluate = func(e LogEntry) {
				if e.Step == 12 {
					cancel() // seen by the next step's check: the run stops after step 13
				}
			}
			if err := first.Train(ctx); !errors.Is(err, context.Canceled) {
				t.Fatalf("%s: interrupted run: %v", decay, err)
			}
			stoppedAt = first.GlobalStep()
		}
		resumed, err := Open(backend, cfg, dir)
		if err != nil {
			t.Fatal(err)
		}
		if got := resumed.GlobalStep(); got != stoppedAt || got < 12 || got >= 30 {
			t.Fatalf("%s: resumed at step %d, the first part stopped at %d", decay, got, stoppedAt)
		}
		if err := resumed.Train(context.Background()); err != nil {
			t.Fatal(err)
		}
		a, b := weights(t, full), weights(t, resumed)
		if _, ok := a["/"+CarryScope+"/h"]; ok != (c.horizon > 0) {
			t.Fatalf("%s horizon %d: carried state saved: %v", decay, c.horizon, ok)
		}
		if len(a) != len(b) || len(a) < 6 {
			t.Fatalf("%s: variables: %d uninterrupted, %d resumed", decay, len(a), len(b))
		}
		for name, va := range a {
			vb, ok := b[name]
			if !ok {
				t.Fatalf("%s: %s missing after resume", decay, name)
			}
			for i := range va {
				if va[i] != vb[i] {
					t.Fatalf("%s: %s[%d]: uninterrupted %g, resumed %g", decay, name, i, va[i], vb[i])
				}
			}
		}
		if n := len(resumed.History); n == 0 || resumed.History[n-1].Step != 30 {
			t.Errorf("%s: resumed history ends at %+v, want step 30", decay, resumed.History[n-1])
		}
		if decay == LRCosine {
			h := full.History
			if first, last := h[0].LR, h[len(h)-1].LR; !(last < 0.1*first) {
				t.Errorf("cosine schedule: learning rate %g at the start, %g at the end, want it to fall below 10%%", first, last)
			}
		}

		other := cfg
		other.Model.Cell.Alpha = 1
		_, err = Open(backend, other, dir)
		if !errors.Is(err, ErrConfigMismatch) || !strings.Contains(err.Error(), "model") {
			t.Errorf("%s: mismatching config: error %v, want ErrConfigMismatch naming model", decay, err)
		}
	}
}

// TestCancelSavesACheckpoint: a cancelled run stops at once, saves, and a reopened run resumes there.
func TestCancelSavesACheckpoint(t *testing.T) {
	cfg := tinyConfig(t, "triangle")
	cfg.Steps, cfg.CheckpointEvery = 50, 1000
	dir := t.TempDir()
	run, err := Open(replaylib.MustBackend(), cfg, dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err = run.Train(ctx)
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "checkpoint saved") {
		t.Fatalf("error %v, want a cancellation that saved a checkpoint", err)
	}
	stopped := run.GlobalStep()
	if stopped < 1 || stopped >= 50 {
		t.Fatalf("stopped at step %d, want early", stopped)
	}
	again, err := Open(replaylib.MustBackend(), cfg, dir)
	if err != nil {
		t.Fatal(err)
	}
	if again.GlobalStep() != stopped {
		t.Errorf("reopened at step %d, want %d", again.GlobalStep(), stopped)
	}
}

func TestDivergenceNamesTheStep(t *testing.T) {
	cfg := tinyConfig(t, "triangle")
	cfg.Steps = 50
	// A unit of noise per step and a learning rate of 0.9 make the recurrent weights explode:
	// within a few steps ReLU(W h) overflows float32 over the 20 unrolled steps.
	cfg.Model.Cell.NoiseSD, cfg.LearningRate = model.MaxNoiseSD, 0.9
	run, err := Open(replaylib.MustBackend(), cfg, "")
	if err != nil {
		t.Fatal(err)
	}
	err = run.Train(context.Background())
	var step int
	if err == nil || !strings.Contains(err.Error(), "diverged at step") {
		t.Fatalf("error %v, want a divergence naming the step", err)
	}
	fmt.Sscanf(err.Error()[strings.Index(err.Error(), "diverged at step")+len("diverged at step"):], "%d", &step)
	if step < 1 || step != run.GlobalStep() {
		t.Errorf("error %q names step %d, the run stopped at step %d", err, step, run.GlobalStep())
	}
}

func TestConfigValidation(t *testing.T) {
	cfg := tinyConfig(t, "triangle")
	for field, mutate := range map[string]func(*Config){
		"batch_size":    func(c *Config) { c.BatchSize = 0 },
		"learning_rate": func(c *Config) { c.LearningRate = math.Inf(1) },
		"mask_k":        func(c *Config) { c.MaskK = -2 },
		"alpha":         func(c *Config) { c.Model.Cell.Alpha = 1.5 },
		"input_dim":     func(c *Config) { c.Model.InputDim = 3 },
		"task":          func(c *Config) { c.Task = "maze" },
	} {
		c := cfg
		mutate(&c)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), field) && !strings.Contains(err.Error(), "maze") {
			t.Errorf("%s: error %v, want one naming it", field, err)
		}
	}
	pc, _ := DefaultConfig("placecells")
	if pc.Model.Readout != model.ReadoutCrossEntropy || pc.Validate() != nil {
		t.Errorf("place-cell default: readout %s, validate %v", pc.Model.Readout, pc.Validate())
	}
}

// TestStartLossTrainsTheEncoder: with StartLoss the encoded start state decodes closer to the start
// position than without it (same seeds), and within 15 % of the maze at this tiny size.
func TestStartLossTrainsTheEncoder(t *testing.T) {
	startError := func(startLoss bool) float64 {
		cfg := tinyConfig(t, "tmaze")
		cfg.Steps, cfg.MaskK, cfg.StartLoss = 600, 9, startLoss
		cfg.Model.Cell.Alpha = 0.2
		run, err := Open(replaylib.MustBackend(), cfg, "")
		if err != nil {
			t.Fatal(err)
		}
		if err := run.Train(context.Background()); err != nil {
			t.Fatal(err)
		}
		net, _ := run.Network()
		b := run.evalBatch
		state, err := net.Encode(b.Initial, b.B)
		if err != nil {
			t.Fatal(err)
		}
		y, _ := net.Decode(state)
		sum := 0.0
		for i := range b.B {
			sum += run.Task().Decode(y[2*i : 2*i+2]).Sub(b.Path(i)[0]).Norm()
		}
		return sum / float64(b.B) / run.Task().Env().Size()
	}
	with, without := startError(true), startError(false)
	if with > 0.15 || with >= without {
		t.Errorf("decoded start error %.1f%% of the maze with StartLoss, %.1f%% without; want lower with it, and < 15%%", 100*with, 100*without)
	}
	t.Logf("decoded start error: %.1f%% with StartLoss, %.1f%% without", 100*with, 100*without)
}

// TestDivergedLosses: a loss that is not finite, or a million times the untrained network's, is
// divergence; a large but plausible one is not.
func TestDivergedLosses(t *testing.T) {
	for _, c := range []struct {
		loss, first float64
		want        bool
	}{{math.NaN(), 0.1, true}, {math.Inf(1), 0.1, true}, {1e21, 0.1, true}, {2e5, 0.1, true}, {5, 0.1, false}, {0.01, 0.1, false}, {1e21, math.NaN(), false}} {
		if got := diverged(c.loss, c.first); got != c.want {
			t.Errorf("diverged(%g, first %g) = %v, want %v", c.loss, c.first, got, c.want)
		}
	}
}

// The arena task's default run is the predecessor paper's recipe.
func TestArenaDefaultConfig(t *testing.T) {
	cfg, err := DefaultConfig("arena")
	if err != nil {
		t.Fatal(err)
	}
	m := cfg.Model
	if m.Hidden != 512 || m.ObsDim != 512 || m.Cell.Alpha != 0.2 || m.Cell.NoiseSD != 0.01 || m.Readout != model.ReadoutMSE ||
		cfg.BatchSize != 200 || cfg.SeqLen != 100 || cfg.Steps != 2500 || cfg.LearningRate != 1e-3 || cfg.LRDecay != LRConstant ||
		cfg.StartLoss || cfg.MaskK < cfg.SeqLen || cfg.AdamEpsilon != 1e-8 {
		t.Errorf("arena default run: %+v", cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Error(err)
	}
}

func TestAdamEpsilonValidated(t *testing.T) {
	cfg, _ := DefaultConfig("triangle")
	for _, eps := range []float64{-1e-8, 1, math.NaN()} {
		cfg.AdamEpsilon = eps
		if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "adam_epsilon") {
			t.Errorf("adam_epsilon=%g: err %v", eps, err)
		}
	}
	// The default (0) is omitted from config.json, so runs made before the field keep their identity.
	cfg.AdamEpsilon = 0
	raw, _ := json.Marshal(cfg)
	if strings.Contains(string(raw), "adam_epsilon") {
		t.Errorf("config.json with the default ε names it: %s", raw)
	}
}
