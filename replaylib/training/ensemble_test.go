package training

import (
	"context"
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/gomlx/gomlx/backends"
	"github.com/replaylab/replay/replaylib"
)

// ensembleConfigs are three runs of one tiny configuration with their own seeds, trained on
// whole paths (horizon 0) or in windows.
func ensembleConfigs(t *testing.T, horizon int) []Config {
	cfg := tinyConfig(t, "tmaze")
	cfg.Horizon = horizon
	cfg.Model.Cell.Alpha, cfg.Model.Cell.NoiseSD = 0.5, 0.05
	cfg.Steps, cfg.CheckpointEvery, cfg.LogEvery = 24, 8, 6
	var out []Config
	for m := range 3 {
		c := cfg
		c.WeightSeed, c.DataSeed, c.NoiseSeed = 10+uint64(m), 20+uint64(m), 30+uint64(m)
		out = append(out, c)
	}
	return out
}

// TestEnsembleEqualsRunsAlone: three runs trained as one ensemble end with the weights, Adam
// state and noise generator state of each run trained alone, within float32 rounding, and with the
// same learning curves; an ensemble interrupted after step 12 and reopened from its directories
// resumes as an ensemble and ends the same way. The same holds for runs trained in windows (paths
// of 4 windows, the state carried between them, saved mid-path and resumed).
func TestEnsembleEqualsRunsAlone(t *testing.T) {
	for _, horizon := range []int{0, 80} {
		t.Run(fmt.Sprintf("horizon=%d", horizon), func(t *testing.T) { ensembleEqualsRunsAlone(t, horizon) })
	}
}

// trainAlone trains each configuration alone, without a directory, and returns the runs.
func trainAlone(t *testing.T, backend backends.Backend, cfgs []Config) []*Run {
	t.Helper()
	var runs []*Run
	for _, c := range cfgs {
		r, err := Open(backend, c, "")
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Train(context.Background()); err != nil {
			t.Fatal(err)
		}
		runs = append(runs, r)
	}
	return runs
}

func ensembleEqualsRunsAlone(t *testing.T, horizon int) {
	backend := replaylib.MustBackend()
	cfgs := ensembleConfigs(t, horizon)
	alone := trainAlone(t, backend, cfgs)
	dirs := []string{t.TempDir(), t.TempDir(), t.TempDir()}
	open := func() []*Run {
		var runs []*Run
		for m, c := range cfgs {
			r, err := Open(backend, c, dirs[m])
			if err != nil {
				t.Fatal(err)
			}
			runs = append(runs, r)
		}
		return runs
	}
	runs := open()
	ctx, cancel := context.WithCancel(context.Background())
	runs[2].OnEvaluate = func(e LogEntry) {
		if e.Step == 12 {
			cancel()
		}
	}
	if err := TrainEnsemble(ctx, runs); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted ensemble: %v", err)
	}
	runs = open()
	for m, r := range runs {
		if r.GlobalStep() != 12 {
			t.Fatalf("run %d reopened at step %d, want 12 (cancelled at its evaluation)", m, r.GlobalStep())
		}
	}
	if err := TrainEnsemble(context.Background(), runs); err != nil {
		t.Fatal(err)
	}
	for m := range cfgs {
		a, b := weights(t, alone[m]), weights(t, runs[m])
		if _, ok := a["/"+CarryScope+"/h"]; ok != (horizon > 0) {
			t.Fatalf("run %d: carried state in the run alone: %v, horizon %d", m, ok, horizon)
		}
		if len(b) != len(a) || len(a) < 14 {
			t.Fatalf("run %d: %d variables alone, %d in the ensemble", m, len(a), len(b))
		}
		worst := 0.0
		for name, va := range a {
			vb, ok := b[name]
			if !ok || len(vb) != len(va) {
				t.Fatalf("run %d: %s missing or resized in the ensemble's run", m, name)
			}
			scale := 0.0
			for _, x := range va {
				scale = math.Max(scale, math.Abs(float64(x)))
			}
			for i := range va {
				d := math.Abs(float64(va[i]-vb[i])) / math.Max(scale, 1e-30)
				if d > 1e-4 {
					t.Fatalf("run %d: %s[%d]: alone %g, ensemble %g", m, name, i, va[i], vb[i])
				}
				worst = math.Max(worst, d)
			}
		}
		ha, hb := alone[m].History, runs[m].History
		if len(ha) != len(hb) {
			t.Fatalf("run %d: %d evaluations alone, %d in the ensemble", m, len(ha), len(hb))
		}
		for i := range ha {
			if ha[i].Step != hb[i].Step || math.Abs(ha[i].EvalLoss-hb[i].EvalLoss) > 1e-4*ha[i].EvalLoss ||
				math.Abs(ha[i].TrainLoss-hb[i].TrainLoss) > 1e-4*math.Max(ha[i].TrainLoss, 1e-6) {
				t.Fatalf("run %d evaluation %d: alone %+v, ensemble %+v", m, i, ha[i], hb[i])
			}
		}
		t.Logf("run %d: final eval loss %.6g alone, %.6g in the ensemble; largest weight difference %.1e of the scale",
			m, ha[len(ha)-1].EvalLoss, hb[len(hb)-1].EvalLoss, worst)
	}
	if alone[0].History[len(alone[0].History)-1].EvalLoss == alone[1].History[len(alone[1].History)-1].EvalLoss {
		t.Error("runs 0 and 1 end with the same loss: the test does not tell the networks apart")
	}
}

// TestEnsembleRefusesUnlikeRuns: runs that differ in more than their seeds (a cell value, the
// horizon) are refused with ErrNotEnsemble and a reason.
func TestEnsembleRefusesUnlikeRuns(t *testing.T) {
	backend := replaylib.MustBackend()
	cfgs := ensembleConfigs(t, 0)
	other := cfgs[1]
	other.Model.Cell.Alpha = 1
	windowed := cfgs[1]
	windowed.Horizon = 2 * windowed.SeqLen
	for name, c := range map[string]Config{"α": other, "windows": windowed} {
		a, err := Open(backend, cfgs[0], "")
		if err != nil {
			t.Fatal(err)
		}
		b, err := Open(backend, c, "")
		if err != nil {
			t.Fatal(err)
		}
		if err := TrainEnsemble(context.Background(), []*Run{a, b}); !errors.Is(err, ErrNotEnsemble) {
			t.Errorf("%s: error %v, want ErrNotEnsemble", name, err)
		} else {
			t.Logf("%s: %v", name, err)
		}
	}
}
