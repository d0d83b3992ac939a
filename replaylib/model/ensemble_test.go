package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/replaylab/replay/replaylib"
)

// TestEnsembleEqualsNetworksAlone: three networks with their own weights, data and noise, run as
// one ensemble, give each network's loss, hidden states and weight gradients as when it runs alone
// (within float32 rounding), for the leaky, the full and the shunting cell and both readouts.
func TestEnsembleEqualsNetworksAlone(t *testing.T) {
	backend := replaylib.MustBackend()
	const M, B, T = 3, 4, 9
	names := []string{WeightRec, WeightIn, WeightBias, WeightEnc, WeightOut, WeightOutBias}
	for form, readouts := range map[string][]ReadoutKind{"leak": {ReadoutMSE}, "all": {ReadoutCrossEntropy}, "adaptation(shunting)": {ReadoutMSE}} {
		for _, readout := range readouts {
			cell := variants[form]
			cell.NoiseSD = 0.05
			cfg := Config{Hidden: 16, InputDim: 5, ObsDim: 6, OutputDim: 6, Readout: readout, Cell: cell}
			// Alone: loss with the start readout, hidden states and the six gradients, per network.
			var alone [][][]float32
			var inputs, initial, targets, xi []float32
			weights := map[string][]float32{}
			for m := range M {
				rng := rand.New(rand.NewPCG(11, uint64(m)))
				data := randomData(cfg, B, T, rng)
				noise := make([]float32, T*B*cfg.Hidden)
				for i := range noise {
					noise[i] = float32(rng.NormFloat64())
				}
				ctx := context.New()
				InitWeights(ctx, cfg, rand.New(rand.NewPCG(12, uint64(m))))
				for _, name := range names {
					v, _ := ctx.In(Scope).GetVariable(name).Value()
					weights[name] = append(weights[name], tensors.MustCopyFlatData[float32](v)...)
				}
				in, s0, tg := flat3(data.inputs), flat2(data.initial), flat3(data.targets)
				out, err := context.ExecOnceN(backend, ctx.Reuse(), func(ctx *context.Context, in []*Node) []*Node {
					y, h := Forward(ctx, cfg, cell, in[0], in[1], in[3])
					loss := LossWithStart(cfg, y, in[2], StartReadout(ctx, cfg, in[1]), in[1])
					w := GetWeights(ctx, in[0].Graph(), cfg)
					return append([]*Node{loss, h}, Gradient(loss, w.Rec, w.In, w.Bias, w.Enc, w.Out, w.OutBias)...)
				}, tensors.FromFlatDataAndDimensions(in, B, T, cfg.InputDim), tensors.FromFlatDataAndDimensions(s0, B, cfg.ObsDim),
					tensors.FromFlatDataAndDimensions(tg, B, T, cfg.OutputDim), tensors.FromFlatDataAndDimensions(noise, T, B, cfg.Hidden))
				if err != nil {
					t.Fatal(err)
				}
				var vals [][]float32
				for _, o := range out {
					vals = append(vals, tensors.MustCopyFlatData[float32](o))
				}
				alone = append(alone, vals)
				inputs, initial, targets = append(inputs, in...), append(initial, s0...), append(targets, tg...)
				// Noise [T, M, B, N]: network m's [T, B, N] interleaved by step.
				if m == 0 {
					xi = make([]float32, T*M*B*cfg.Hidden)
				}
				for s := range T {
					row := B * cfg.Hidden
					copy(xi[(s*M+m)*row:(s*M+m+1)*row], noise[s*row:(s+1)*row])
				}
			}
			// Together: one graph, the weights stacked along a leading network axis.
			ctx := context.New()
			for name, dims := range cfg.EnsembleWeightShapes(M) {
				ctx.In(Scope).VariableWithValue(name, tensors.FromFlatDataAndDimensions(weights[name], dims...))
			}
			out, err := context.ExecOnceN(backend, ctx.Reuse(), func(ctx *context.Context, in []*Node) []*Node {
				y, h := ForwardEnsemble(ctx, cfg, cell, in[0], in[1], in[3])
				losses := EnsembleLossWithStart(cfg, y, in[2], EnsembleStartReadout(ctx, cfg, in[1]), in[1])
				w := GetEnsembleWeights(ctx, in[0].Graph(), cfg, M)
				return append([]*Node{losses, h}, Gradient(ReduceSum(losses), w.Rec, w.In, w.Bias, w.Enc, w.Out, w.OutBias)...)
			}, tensors.FromFlatDataAndDimensions(inputs, M, B, T, cfg.InputDim), tensors.FromFlatDataAndDimensions(initial, M, B, cfg.ObsDim),
				tensors.FromFlatDataAndDimensions(targets, M, B, T, cfg.OutputDim), tensors.FromFlatDataAndDimensions(xi, T, M, B, cfg.Hidden))
			if err != nil {
				t.Fatal(err)
			}
			what := []string{"loss", "h", "∂W_rec", "∂W_in", "∂b", "∂W_enc", "∂W_out", "∂b_out"}
			worst := 0.0
			for i, o := range out {
				together := tensors.MustCopyFlatData[float32](o)
				per := len(together) / M
				for m := range M {
					label := fmt.Sprintf("%s/%s network %d %s", form, readout, m, what[i])
					worst = math.Max(worst, closeTo(t, label, together[m*per:(m+1)*per], alone[m][i], 1e-5))
				}
			}
			t.Logf("%s/%s: losses %v alone, largest difference together %.1e of the scale", form, readout,
				[]float32{alone[0][0][0], alone[1][0][0], alone[2][0][0]}, worst)
			if slices.Equal(alone[0][0], alone[1][0]) {
				t.Errorf("%s/%s: networks 0 and 1 have the same loss: the test does not tell networks apart", form, readout)
			}
		}
	}
}

// TestStandardNormalFromFollowsTheContext: noise drawn from an explicit generator state equals the
// context's StandardNormal from the same seed, and the state advances the same way.
func TestStandardNormalFromFollowsTheContext(t *testing.T) {
	backend := replaylib.MustBackend()
	ctx := context.New()
	if err := ctx.SetRNGStateFromSeed(42); err != nil {
		t.Fatal(err)
	}
	seed, err := RNGStateFromSeed(42)
	if err != nil {
		t.Fatal(err)
	}
	out, err := context.ExecOnceN(backend, ctx, func(ctx *context.Context, state *Node) []*Node {
		g := state.Graph()
		a1, a2 := StandardNormal(ctx, g, 3, 5), StandardNormal(ctx, g, 7)
		state, b1 := StandardNormalFrom(state, 3, 5)
		_, b2 := StandardNormalFrom(state, 7)
		return []*Node{a1, a2, b1, b2}
	}, seed)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		a, b := tensors.MustCopyFlatData[float32](out[i]), tensors.MustCopyFlatData[float32](out[i+2])
		if !slices.Equal(a, b) {
			t.Errorf("draw %d: context %v, explicit state %v", i, a, b)
		}
	}
}
