package model

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
	"weak"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/replaylab/replay/replaylib"
)

// TestOneProductWeightGradientEqualsPerStep checks the gradients of W_rec and W_in computed as one
// product over all steps (stepProducts, Forward's default) against the same gradients summed step by
// step (the plan without it), and again for a second gradient of the same graph.
func TestOneProductWeightGradientEqualsPerStep(t *testing.T) {
	backend := replaylib.MustBackend()
	const B, T = 3, 7
	perStep := fastPlan
	perStep.oneWeightGrad = false
	for name, cell := range variants {
		cfg := Config{Hidden: 6, InputDim: 3, ObsDim: 2, OutputDim: 3, Readout: ReadoutMSE, Cell: cell}
		rng := rand.New(rand.NewPCG(5, 8))
		ctx := context.New()
		InitWeights(ctx, cfg, rng)
		data := randomData(cfg, B, T, rng)
		args := []any{tensors.FromFlatDataAndDimensions(flat3(data.inputs), B, T, cfg.InputDim),
			tensors.FromFlatDataAndDimensions(flat2(data.initial), B, cfg.ObsDim),
			tensors.FromFlatDataAndDimensions(flat3(data.targets), B, T, cfg.OutputDim)}
		gradients := func(plan unrollPlan) [][]float32 {
			out, err := context.ExecOnceN(backend, ctx.Reuse(), func(ctx *context.Context, in, s0, tg *Node) []*Node {
				w := GetWeights(ctx, in.Graph(), cfg)
				y, _, _ := forward(w, cfg, cell, in, cell.MinimalForm().InitialState(w, s0), nil, plan)
				loss := Loss(cfg, y, tg)
				return append(Gradient(loss, w.Rec, w.In), Gradient(loss, w.Rec, w.In)...)
			}, args...)
			if err != nil {
				t.Fatal(err)
			}
			flat := make([][]float32, len(out))
			for i, o := range out {
				flat[i] = tensors.MustCopyFlatData[float32](o)
			}
			return flat
		}
		got, want := gradients(fastPlan), gradients(perStep)
		labels := []string{"∂L/∂W_rec", "∂L/∂W_in", "again ∂L/∂W_rec", "again ∂L/∂W_in"}
		for k := range got {
			scale := 0.0
			for _, x := range want[k] {
				scale = math.Max(scale, math.Abs(float64(x)))
			}
			if scale == 0 {
				t.Fatalf("%s %s: the per-step gradient is zero; the test data do not exercise it", name, labels[k])
			}
			for i := range got[k] {
				if d := math.Abs(float64(got[k][i] - want[k][i])); d > 1e-5*scale {
					t.Errorf("%s %s[%d] = %g as one product, %g step by step", name, labels[k], i, got[k][i], want[k][i])
					break
				}
			}
		}
	}
}

// TestStepProductsLeaveOutUnreachedSteps differentiates three products x_t·W of which the loss uses
// only some, against hand-computed gradients: L₁ = Σ (x₁W)² has ∂L₁/∂W = 2 x₁ᵀ(x₁W) (the other
// products record nothing), then, after a gradient of L₃ = Σ x₃W with respect to x₃ only (its pass
// records step 3 but never reaches W), L₂ = Σ x₂W + Σ W on the same graph has x₂ᵀ1 + 1 (nothing of
// the earlier passes mixes in; W's other use adds its own gradient).
func TestStepProductsLeaveOutUnreachedSteps(t *testing.T) {
	backend := replaylib.MustBackend()
	x := [][]float32{{1, 2, 0, -1, 0.5, 3}, {0.5, -2, 1, 1, 2, -1}, {-1, 0, 2, 0.25, 1, 1}} // x_t [2, 3]
	w := []float32{0.5, -1, 2, 0, 1, 0.25}                                                  // W [3, 2]
	out, err := context.ExecOnceN(backend, context.New(), func(_ *context.Context, x1, x2, x3, w *Node) []*Node {
		s := newStepProducts(w)
		y1, y2, y3 := s.mul(x1), s.mul(x2), s.mul(x3)
		l1 := ReduceAllSum(Square(y1))
		l3 := ReduceAllSum(y3)
		l2 := Add(ReduceAllSum(y2), ReduceAllSum(s.w))
		g1 := Gradient(l1, w)
		_ = Gradient(l3, x3)
		return append(g1, Gradient(l2, w)...)
	}, tensors.FromFlatDataAndDimensions(x[0], 2, 3), tensors.FromFlatDataAndDimensions(x[1], 2, 3),
		tensors.FromFlatDataAndDimensions(x[2], 2, 3), tensors.FromFlatDataAndDimensions(w, 3, 2))
	if err != nil {
		t.Fatal(err)
	}
	want1, want2 := make([]float64, 6), []float64{1, 1, 1, 1, 1, 1}
	for k := range 3 {
		for n := range 2 {
			for b := range 2 {
				y := 0.0
				for j := range 3 {
					y += float64(x[0][b*3+j] * w[j*2+n])
				}
				want1[k*2+n] += 2 * float64(x[0][b*3+k]) * y
				want2[k*2+n] += float64(x[1][b*3+k])
			}
		}
	}
	for i, want := range [][]float64{want1, want2} {
		got := tensors.MustCopyFlatData[float32](out[i])
		for j := range got {
			if math.Abs(float64(got[j])-want[j]) > 1e-5*(1+math.Abs(want[j])) {
				t.Errorf("∂L%d/∂W = %v, want %v", i+1, got, want)
				break
			}
		}
	}
}

// TestStepProductsLetGraphsGo: a graph whose unroll was differentiated is collected once dropped;
// the package's marks of its products (held globally) must not keep it alive.
func TestStepProductsLetGraphsGo(t *testing.T) {
	backend := replaylib.MustBackend()
	cfg := Config{Hidden: 4, InputDim: 2, ObsDim: 2, OutputDim: 2, Readout: ReadoutMSE, Cell: DefaultCellParams()}
	var gone weak.Pointer[Graph]
	func() {
		ctx := context.New()
		InitWeights(ctx, cfg, rand.New(rand.NewPCG(1, 1)))
		g := NewGraph(backend, "dropped")
		in := Parameter(g, "in", shapes.Make(DType, 2, 3, cfg.InputDim))
		s0 := Parameter(g, "s0", shapes.Make(DType, 2, cfg.ObsDim))
		y, _ := Forward(ctx, cfg, cfg.Cell, in, s0, nil)
		w := GetWeights(ctx, g, cfg)
		Gradient(ReduceAllSum(y), w.Rec, w.In)
		gone = weak.Make(g)
	}()
	for range 10 {
		if gone.Value() == nil {
			return
		}
		runtime.GC()
	}
	t.Error("the graph is still reachable after it was dropped")
}
