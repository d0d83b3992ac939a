package training

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck
	"github.com/gomlx/gomlx/pkg/core/tensors"
	mlctx "github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/replaylab/replay/datasets"
	"github.com/replaylab/replay/replaylib"
	"github.com/replaylab/replay/replaylib/model"
)

// windowedRun opens an in-memory run of paths of 3 windows of 10 steps, noiseless, with the
// observation only at the start, trained for a few steps so that its weights are not the
// initial ones.
func windowedRun(t *testing.T, task string) *Run {
	t.Helper()
	cfg := tinyConfig(t, task)
	cfg.SeqLen, cfg.Horizon, cfg.MaskK, cfg.Steps = 10, 30, MaxMaskK, 7
	cfg.Model.Cell.Alpha, cfg.Model.Cell.NoiseSD = 0.5, 0
	run, err := Open(replaylib.MustBackend(), cfg, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := run.Train(context.Background()); err != nil {
		t.Fatal(err)
	}
	return run
}

func maxAbsDiff(a, b []float32) (float64, float64) {
	d, scale := 0.0, 0.0
	for i := range a {
		d = math.Max(d, math.Abs(float64(a[i]-b[i])))
		scale = math.Max(scale, math.Abs(float64(a[i])))
	}
	return d, scale
}

// TestWindowsCarryTheState: running a path window by window with the state carried between
// calls gives the hidden states of one unrolled pass over the whole path, within float32 rounding.
func TestWindowsCarryTheState(t *testing.T) {
	for _, task := range []string{"triangle", "placecells"} {
		run := windowedRun(t, task)
		const B = 6
		batch, _ := datasets.NewBatch(run.Task(), B, 30, run.Config.MaskK)
		if err := datasets.Generate(run.Task(), batch, rand.New(rand.NewPCG(5, 5))); err != nil {
			t.Fatal(err)
		}
		in := batchInputs(batch)
		full, err := mlctx.ExecOnce(run.Backend(), run.Context().Reuse(), func(ctx *mlctx.Context, inputs, initial *Node) *Node {
			_, hidden := model.Forward(ctx, run.Config.Model, run.Config.Model.Cell, inputs, initial, nil)
			return hidden
		}, in[0], in[1])
		if err != nil {
			t.Fatal(err)
		}
		unrolled := tensors.MustCopyFlatData[float32](full) // [B, 30, N]
		N := run.Config.Model.Hidden
		for _, at := range []int{1, 10, 11, 19, 20, 21, 30} {
			times := make([]int, B)
			for b := range times {
				times[b] = at
			}
			got, err := run.StatesAlong(batch, times)
			if err != nil {
				t.Fatal(err)
			}
			windowed := tensors.MustCopyFlatData[float32](got)
			want := make([]float32, 0, B*N)
			for b := range B {
				want = append(want, unrolled[(b*30+at-1)*N:(b*30+at)*N]...)
			}
			if d, scale := maxAbsDiff(want, windowed); d > 1e-5*math.Max(1, scale) {
				t.Errorf("%s: state after step %d: windowed and unrolled differ by %g (scale %g)", task, at, d, scale)
			}
		}
	}
}

// TestWindowGradients: the gradient of a window's objective is that of the unrolled graph it
// stands for, within float32 rounding: the first window of a path (the state encoded from its
// first observation) equals model.LossWithStart over the same steps, and a later window equals
// the loss of the unrolled path's steps in that window with the gradient stopped at the window's
// start (truncated backpropagation through time).
func TestWindowGradients(t *testing.T) {
	run := windowedRun(t, "triangle")
	cfg := run.Config
	const B, T = 8, 10
	batch, _ := datasets.NewBatch(run.Task(), B, 2*T, cfg.MaskK)
	if err := datasets.Generate(run.Task(), batch, rand.New(rand.NewPCG(9, 9))); err != nil {
		t.Fatal(err)
	}
	in := batchInputs(batch)
	targets := targetTensor(batch)
	grads := func(loss func(ctx *mlctx.Context, w model.Weights, inputs, initial, targets *Node) *Node) [][]float32 {
		out, err := mlctx.ExecOnceN(run.Backend(), run.Context().Reuse(), func(ctx *mlctx.Context, x []*Node) []*Node {
			w := model.GetWeights(ctx, x[0].Graph(), cfg.Model)
			l := loss(ctx, w, x[0], x[1], x[2])
			return Gradient(l, w.Rec, w.In, w.Bias, w.Enc, w.Out, w.OutBias)
		}, in[0], in[1], targets)
		if err != nil {
			t.Fatal(err)
		}
		var g [][]float32
		for _, o := range out {
			g = append(g, tensors.MustCopyFlatData[float32](o))
		}
		return g
	}
	window := func(x *Node, from int) *Node { return Slice(x, AxisRange(), AxisRange(from, from+T)) }
	// The windowed objective, the carried state given as the state after the first window.
	windowed := func(second bool) [][]float32 {
		return grads(func(ctx *mlctx.Context, w model.Weights, inputs, initial, targets *Node) *Node {
			form := cfg.Model.Cell.MinimalForm()
			reset := OnesLike(Reshape(Slice(initial, AxisRange(), AxisElem(0)), B))
			from := 0
			carried := model.State{H: ZerosLike(Slice(initial, AxisRange(), AxisRange(0, 1)))}
			if second {
				_, _, after := model.ForwardFrom(ctx, cfg.Model, cfg.Model.Cell, window(inputs, 0), form.InitialState(w, initial), nil)
				carried, reset, from = after, ZerosLike(reset), T
			} else {
				carried.H = BroadcastToDims(carried.H, B, cfg.Model.Hidden)
			}
			start := startState(w, form, initial, reset, carried)
			out, _, _ := model.ForwardFrom(ctx, cfg.Model, cfg.Model.Cell, window(inputs, from), start, nil)
			return windowLoss(cfg, w, out, window(targets, from), initial, reset)
		})
	}
	unrolled := func(second bool) [][]float32 {
		return grads(func(ctx *mlctx.Context, w model.Weights, inputs, initial, targets *Node) *Node {
			if !second { // the first T steps of the unroll (a causal pass: the same as unrolling T steps)
				out, _ := model.Forward(ctx, cfg.Model, cfg.Model.Cell, window(inputs, 0), initial, nil)
				start := model.StartReadout(ctx, cfg.Model, initial)
				return model.LossWithStart(cfg.Model, out, window(targets, 0), start, initial)
			}
			// No slice of a node that depends on the weights is differentiated (its gradient is a Pad,
			// which the pure-Go backend lacks): the state at T passes through StopGradient.
			_, hidden := model.Forward(ctx, cfg.Model, cfg.Model.Cell, inputs, initial, nil)
			// Steps T+1 … 2T, re-run from the state at T with its gradient stopped.
			h := StopGradient(Reshape(Slice(hidden, AxisRange(), AxisElem(T-1)), B, cfg.Model.Hidden))
			out2, _, _ := model.ForwardFrom(ctx, cfg.Model, cfg.Model.Cell, window(inputs, T), cfg.Model.Cell.MinimalForm().StateFrom(h), nil)
			return model.Loss(cfg.Model, out2, window(targets, T))
		})
	}
	names := []string{"W_rec", "W_in", "b", "W_enc", "W_out", "b_out"}
	for _, second := range []bool{false, true} {
		a, b := windowed(second), unrolled(second)
		for i := range a {
			d, scale := maxAbsDiff(b[i], a[i])
			if d > 1e-5*math.Max(1e-3, scale) {
				t.Errorf("later window %v: gradient of %s: windowed and unrolled differ by %g (largest %g)", second, names[i], d, scale)
			}
			if second && names[i] == "W_enc" && scale != 0 {
				t.Errorf("a later window's gradient reaches the encoder (largest %g): the carried state's gradient is not stopped", scale)
			}
		}
	}
}

// TestWindowScheduleStaggersPaths: every path starts a fresh horizon once every W windows
// (its first horizon shortened by its stagger): all at the first step, then B/W at every step.
func TestWindowScheduleStaggersPaths(t *testing.T) {
	const B, W = 32, 8
	for step := range 100 {
		starts := 0
		for b := range B {
			pl := placeOf(step, b, B, W)
			if pl.window < 0 || pl.window >= pl.windows || pl.windows > W || pl.windows < 1 {
				t.Fatalf("step %d path %d: place %+v", step, b, pl)
			}
			if pl.window == 0 {
				starts++
			}
			if step > 0 {
				prev := placeOf(step-1, b, B, W)
				next := prev.window == prev.windows-1
				if next && (pl.horizon != prev.horizon+1 || pl.window != 0) || !next && (pl.horizon != prev.horizon || pl.window != prev.window+1) {
					t.Fatalf("step %d path %d: %+v follows %+v", step, b, pl, prev)
				}
			}
		}
		if want := map[bool]int{true: B, false: B / W}[step == 0]; starts != want {
			t.Errorf("step %d: %d paths start a horizon, want %d", step, starts, want)
		}
	}
}
