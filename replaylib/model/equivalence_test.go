package model

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/gomlx/backends"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/replaylab/replay/internal/backendtest"
)

// closeTo compares two float32 arrays elementwise: |a − b| ≤ tol·(scale + |b|), where scale is the
// largest |b| (so that near-zero entries of a large array are compared at the array's scale).
func closeTo(t *testing.T, what string, a, b []float32, tol float64) (worst float64) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("%s: %d vs %d values", what, len(a), len(b))
	}
	scale := 0.0
	for _, v := range b {
		scale = math.Max(scale, math.Abs(float64(v)))
	}
	for i := range a {
		d := math.Abs(float64(a[i] - b[i]))
		if math.IsNaN(d) || d > tol*(scale+math.Abs(float64(b[i]))) {
			t.Errorf("%s[%d]: XLA %g, pure Go %g (scale %g)", what, i, a[i], b[i], scale)
			return
		}
		worst = math.Max(worst, d/math.Max(scale, 1e-30))
	}
	return worst
}

// TestBackendsAgreeOnATrainingStep: loss, hidden states and every weight's gradient of one forward
// and backward pass, with the same weights, data and noise, agree between XLA on the CPU and pure
// Go within float32 tolerance, for every cell form and both readouts.
func TestBackendsAgreeOnATrainingStep(t *testing.T) {
	xlaCPU, pureGo := backendtest.Pair(t)
	const B, T = 4, 12
	cases := map[string]CellParams{"leak": variants["leak"], "all": variants["all"], "shunting": variants["adaptation(shunting)"]}
	for name, cell := range cases {
		cell.NoiseSD = 0.05
		for _, readout := range []ReadoutKind{ReadoutMSE, ReadoutCrossEntropy} {
			cfg := Config{Hidden: 24, InputDim: 5, ObsDim: 3, OutputDim: 6, Readout: readout, Cell: cell}
			rng := rand.New(rand.NewPCG(7, 7))
			data := randomData(cfg, B, T, rng)
			xi := make([]float32, T*B*cfg.Hidden)
			for i := range xi {
				xi[i] = float32(rng.NormFloat64())
			}
			run := func(b backends.Backend) [][]float32 {
				ctx := context.New() // one per backend: tensors live on one backend
				InitWeights(ctx, cfg, rand.New(rand.NewPCG(7, 8)))
				out, err := context.ExecOnceN(b, ctx.Reuse(), func(ctx *context.Context, in []*Node) []*Node {
					y, h := Forward(ctx, cfg, cell, in[0], in[1], in[3])
					loss := Loss(cfg, y, in[2])
					w := GetWeights(ctx, in[0].Graph(), cfg)
					return append([]*Node{loss, h}, Gradient(loss, w.Rec, w.In, w.Bias, w.Enc, w.Out, w.OutBias)...)
				}, tensors.FromFlatDataAndDimensions(flat3(data.inputs), B, T, cfg.InputDim),
					tensors.FromFlatDataAndDimensions(flat2(data.initial), B, cfg.ObsDim),
					tensors.FromFlatDataAndDimensions(flat3(data.targets), B, T, cfg.OutputDim),
					tensors.FromFlatDataAndDimensions(xi, T, B, cfg.Hidden))
				if err != nil {
					t.Fatal(err)
				}
				var vals [][]float32
				for _, o := range out {
					vals = append(vals, tensors.MustCopyFlatData[float32](o))
				}
				return vals
			}
			a, b := run(xlaCPU), run(pureGo)
			names := []string{"loss", "h", "∂W_rec", "∂W_in", "∂b", "∂W_enc", "∂W_out", "∂b_out"}
			worst := 0.0
			for i := range a {
				worst = math.Max(worst, closeTo(t, name+"/"+string(readout)+" "+names[i], a[i], b[i], 1e-4))
			}
			t.Logf("%s/%s: loss %.6g (XLA) vs %.6g (Go); largest difference %.1e of the scale", name, readout, a[0][0], b[0][0], worst)
		}
	}
}
