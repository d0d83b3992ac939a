package model

import (
	"fmt"
	"slices"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// An ensemble is M networks of one Config run side by side in one graph. Every weight has a
// leading network axis (W_rec [M, N, N], W_in [M, In, N], b [M, N], W_enc [M, Obs, N], W_out
// [M, N, Out], b_out [M, Out]) under the same names as a single network's, the data and states
// have it too (inputs [M, B, T, In], h [M, B, N], noise [T, M, B, N]), and the matrix products
// are batched over it (BatchedMatMul). Nothing mixes networks: member m's arithmetic is the
// arithmetic of network m run alone, so its outputs and gradients equal the lone network's within
// float32 rounding (the batched products may sum in another order).

// EnsembleSize is the number of networks M of ensemble weights (W_rec of rank 3), 0 for the
// weights of one network.
func (w Weights) EnsembleSize() int {
	if w.Rec.Rank() == 3 {
		return w.Rec.Shape().Dimensions[0]
	}
	return 0
}

// EnsembleWeightShapes returns the shape of each weight of an ensemble of m networks of cfg: the
// single network's shapes (WeightShapes) with a leading axis of m.
func (cfg Config) EnsembleWeightShapes(m int) map[string][]int {
	out := map[string][]int{}
	for name, dims := range cfg.weightShapes() {
		out[name] = append([]int{m}, dims...)
	}
	return out
}

// GetEnsembleWeights is GetWeights for an ensemble of m networks: the variables of the context's
// scope Scope with shapes EnsembleWeightShapes(m) (created zero if they do not exist).
func GetEnsembleWeights(ctx *context.Context, g *Graph, cfg Config, m int) Weights {
	scope := ctx.In(Scope).Checked(false)
	shapesByName := cfg.EnsembleWeightShapes(m)
	get := func(name string) *Node {
		return scope.VariableWithShape(name, shapes.Make(DType, shapesByName[name]...)).ValueGraph(g)
	}
	return Weights{Rec: get(WeightRec), In: get(WeightIn), Bias: get(WeightBias),
		Enc: get(WeightEnc), Out: get(WeightOut), OutBias: get(WeightOutBias)}
}

// BatchedMatMul is x_m·W_m for every network m, for x [M, R, K] and W [M, K, N]: [M, R, N]. Its
// gradient is MatMul2's, network by network: ∂L/∂x_m = v_m·W_mᵀ and ∂L/∂W_m = x_mᵀ·v_m, two
// batched products.
func BatchedMatMul(x, w *Node) *Node {
	if x.Rank() != 3 || w.Rank() != 3 || x.Shape().Dimensions[0] != w.Shape().Dimensions[0] {
		panic("model.BatchedMatMul: want operands [M, R, K] and [M, K, N], got shapes " + x.Shape().String() + " and " + w.Shape().String())
	}
	n := DotGeneral(x, []int{2}, []int{0}, w, []int{1}, []int{0})
	markedMatMuls.mark(n)
	return n
}

// matMul is MatMul2 for one network's weight ([K, N]) and BatchedMatMul for an ensemble's ([M, K, N]).
func matMul(x, w *Node) *Node {
	if w.Rank() == 3 {
		return BatchedMatMul(x, w)
	}
	return MatMul2(x, w)
}

// rowBias lays out a bias (b [N], or [M, N] for an ensemble) to add to rows x [R, N] (or [M, R, N]).
func rowBias(b *Node) *Node { return ExpandAxes(b, -2) }

// ForwardEnsemble is Forward for an ensemble of M networks (the weights' leading axis, created by
// GetEnsembleWeights): inputs [M, B, T, In], initial observations [M, B, ObsDim] and noise xi
// [T, M, B, N] (or nil) give readouts [M, B, T, Out] and hidden states [M, B, T, N].
func ForwardEnsemble(ctx *context.Context, cfg Config, cell CellParams, inputs, initial, xi *Node) (outputs, hidden *Node) {
	if inputs.Rank() != 4 {
		panic(fmt.Sprintf("model.ForwardEnsemble: inputs %s, want [M, B, T, In]", inputs.Shape()))
	}
	w := GetEnsembleWeights(ctx, inputs.Graph(), cfg, inputs.Shape().Dimensions[0])
	outputs, hidden, _ = forward(w, cfg, cell, inputs, cell.MinimalForm().InitialState(w, initial), xi, fastPlan)
	return outputs, hidden
}

// ForwardEnsembleFrom is ForwardFrom for an ensemble: inputs [M, B, T, In] from a given state
// (each part [M, B, N]); it also returns the state after the last step.
func ForwardEnsembleFrom(ctx *context.Context, cfg Config, cell CellParams, inputs *Node, start State, xi *Node) (outputs, hidden *Node, final State) {
	w := GetEnsembleWeights(ctx, inputs.Graph(), cfg, inputs.Shape().Dimensions[0])
	return forward(w, cfg, cell, inputs, start, xi, fastPlan)
}

// StandardNormalFrom is StandardNormal drawn from an explicit generator state (a node of shape
// RNGStateShape) instead of the context's: it returns the state after the draws and the normals.
// Drawn from the same state, the two give the same numbers, so a network of an ensemble, with its
// own state, gets the noise it would get alone.
func StandardNormalFrom(state *Node, dims ...int) (next, z *Node) {
	size := 1
	for _, d := range dims {
		size *= d
	}
	half := shapes.Make(DType, (size+1)/2)
	state, u1 := RandomUniform(state, half)
	state, u2 := RandomUniform(state, half)
	return state, BoxMuller(u1, u2, dims...)
}

// EnsembleLoss is Loss for each network of an ensemble: outputs and targets [M, B, T, Out] give
// the M losses [M], each equal to Loss of that network's outputs.
func EnsembleLoss(cfg Config, outputs, targets *Node) *Node {
	axes := make([]int, outputs.Rank()-2)
	for i := range axes {
		axes[i] = i + 1
	}
	if cfg.Readout == ReadoutCrossEntropy {
		return Neg(ReduceMean(ReduceSum(Mul(targets, LogSoftmax(outputs, -1)), -1), axes...))
	}
	return ReduceMean(Square(Sub(outputs, targets)), append(axes, outputs.Rank()-1)...)
}

// EnsembleLossWithStart is LossWithStart for each network of an ensemble: outputs and targets
// [M, B, T, Out], the start readouts [M, B, Out] (EnsembleStartReadout) and initial observations
// [M, B, Obs] give [M].
func EnsembleLossWithStart(cfg Config, outputs, targets, start, initial *Node) *Node {
	T := float64(outputs.Shape().Dimensions[2])
	l0 := EnsembleLoss(cfg, ExpandAxes(start, 2), ExpandAxes(initial, 2))
	return DivScalar(Add(MulScalar(EnsembleLoss(cfg, outputs, targets), T), l0), T+1)
}

// Encode is h_0 = W_enc s_0 for initial observations s0 [B, ObsDim] (an ensemble's: [M, B, ObsDim]).
func (w Weights) Encode(s0 *Node) *Node { return matMul(s0, w.Enc) }

// EnsembleStartReadout is StartReadout for an ensemble: initial observations [M, B, Obs] give the
// readouts of the encoded start states [M, B, Out].
func EnsembleStartReadout(ctx *context.Context, cfg Config, initial *Node) *Node {
	w := GetEnsembleWeights(ctx, initial.Graph(), cfg, initial.Shape().Dimensions[0])
	return Readout(w, w.Encode(initial))
}

// leadDims are the dimensions of x before its last two axes.
func leadDims(x *Node) []int {
	d := x.Shape().Dimensions
	return slices.Clone(d[:len(d)-2])
}
