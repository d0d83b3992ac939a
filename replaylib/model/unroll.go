package model

import (
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// unrollPlan selects how the T-step unroll is laid out in the graph. The cell equations are the
// same in every plan; only the number and kind of graph operations differ.
type unrollPlan struct {
	timeMajor    bool // slice per-step inputs from a [T, B, In] transpose (contiguous) instead of [B, T, In]
	batchNoise   bool // draw all T·B·N noise values in one RandomNormal and scale once
	batchReadout bool // stack h_1..h_T and read out with one matrix multiplication
	dotGeneral   bool // matrix products as DotGeneral (fast gradient) instead of Dot
}

// baselinePlan is the straightforward unroll: everything per step.
var baselinePlan = unrollPlan{}

// fastPlan is the unroll used by Forward (see docs/benchmarks.md for the measured difference).
var fastPlan = unrollPlan{timeMajor: true, batchNoise: true, batchReadout: true, dotGeneral: true}

// Forward runs the cell over inputs [B, T, InputDim] from initial observations [B, ObsDim] and
// returns the readouts y_1..y_T [B, T, OutputDim] and the hidden states h_1..h_T [B, T, N].
// With noisy set, σ ξ_t is drawn from the context's random number generator.
func Forward(ctx *context.Context, cfg Config, cell CellParams, inputs, initial *Node, noisy bool) (outputs, hidden *Node) {
	return forward(ctx, cfg, cell, inputs, initial, noisy, fastPlan)
}

// ForwardBaseline is Forward built the straightforward way, one operation of each kind per step.
// It is kept as the reference for tests and benchmarks.
func ForwardBaseline(ctx *context.Context, cfg Config, cell CellParams, inputs, initial *Node, noisy bool) (outputs, hidden *Node) {
	return forward(ctx, cfg, cell, inputs, initial, noisy, baselinePlan)
}

func forward(ctx *context.Context, cfg Config, cell CellParams, inputs, initial *Node, noisy bool, plan unrollPlan) (outputs, hidden *Node) {
	g := inputs.Graph()
	w := GetWeights(ctx, g, cfg)
	B, T, N := inputs.Shape().Dimensions[0], inputs.Shape().Dimensions[1], cfg.Hidden
	matmul := Dot
	if plan.dotGeneral {
		matmul = MatMul2
	}
	noisy = noisy && cell.NoiseSD > 0
	bias := ExpandAxes(w.Bias, 0)

	var stepInputs *Node
	if plan.timeMajor {
		stepInputs = TransposeAllAxes(inputs, 1, 0, 2) // [T, B, In]
	}
	var noiseAll *Node
	if noisy && plan.batchNoise {
		noiseAll = MulScalar(ctx.RandomNormal(g, shapes.Make(DType, T, B, N)), cell.NoiseSD)
	}
	state := cell.InitialState(w, initial)
	hs := make([]*Node, T)
	ys := make([]*Node, T)
	for t := range T {
		var u *Node
		if plan.timeMajor {
			u = Reshape(Slice(stepInputs, AxisElem(t)), B, -1)
		} else {
			u = Reshape(Slice(inputs, AxisRange(), AxisElem(t)), B, -1)
		}
		drive := Add(matmul(u, w.In), bias)
		var noise *Node
		if noisy {
			if plan.batchNoise {
				noise = Reshape(Slice(noiseAll, AxisElem(t)), B, N)
			} else {
				noise = MulScalar(ctx.RandomNormal(g, shapes.Make(DType, B, N)), cell.NoiseSD)
			}
		}
		state = cell.step(w, state, drive, noise, matmul)
		hs[t] = state.H
		if !plan.batchReadout {
			ys[t] = Add(matmul(state.H, w.Out), ExpandAxes(w.OutBias, 0))
		}
	}
	hidden = Stack(hs, 1)
	if plan.batchReadout {
		outputs = Readout(w, hidden)
	} else {
		outputs = Stack(ys, 1)
	}
	return outputs, hidden
}

// Loss compares outputs [B, T, Out] with targets [B, T, Out]: mean squared error per coordinate
// (ReadoutMSE) or the cross-entropy −Σ_i p_i log softmax(y)_i averaged over paths and steps
// (ReadoutCrossEntropy).
func Loss(cfg Config, outputs, targets *Node) *Node {
	if cfg.Readout == ReadoutCrossEntropy {
		logp := LogSoftmax(outputs, -1)
		return Neg(ReduceAllMean(ReduceSum(Mul(targets, logp), -1)))
	}
	return ReduceAllMean(Square(Sub(outputs, targets)))
}

// StartReadout is the readout of the encoded start state, y_0 = W_out W_enc s_0 + b_out [B, Out],
// for initial observations s_0 [B, ObsDim].
func StartReadout(ctx *context.Context, cfg Config, initial *Node) *Node {
	w := GetWeights(ctx, initial.Graph(), cfg)
	return Readout(w, MatMul2(initial, w.Enc))
}

// LossWithStart adds the start state to Loss as one more step: (T·Loss(y_1..T) + Loss(y_0, s_0))/(T+1).
// It trains the encoder so that h_0 decodes to the start observation, which replay starts from.
func LossWithStart(cfg Config, outputs, targets, start, initial *Node) *Node {
	T := float64(outputs.Shape().Dimensions[1])
	l0 := Loss(cfg, ExpandAxes(start, 1), ExpandAxes(initial, 1))
	return DivScalar(Add(MulScalar(Loss(cfg, outputs, targets), T), l0), T+1)
}
