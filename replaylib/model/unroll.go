package model

import (
	"fmt"
	"math"
	"slices"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// unrollPlan selects how the T-step unroll is laid out in the graph. The cell equations are the
// same in every plan; only the number and kind of graph operations differ.
type unrollPlan struct {
	timeMajor     bool // slice per-step inputs from a [T, B, In] transpose (contiguous) instead of [B, T, In]
	batchDrive    bool // W_in u_t + b for all T steps with one matrix multiplication before the loop
	batchReadout  bool // stack h_1..h_T and read out with one matrix multiplication
	dotGeneral    bool // matrix products as DotGeneral (fast gradient) instead of Dot
	oneWeightGrad bool // the gradients of W_rec and W_in as one product over all steps (stepproducts.go)
}

// baselinePlan is the straightforward unroll: everything per step.
var baselinePlan = unrollPlan{}

// fastPlan is the unroll used by Forward (see docs/benchmarks.md for the measured difference).
var fastPlan = unrollPlan{timeMajor: true, batchReadout: true, dotGeneral: true, oneWeightGrad: true}

// StandardNormal draws standard-normal noise of the given dimensions from the context's random
// number generator (its state advances), e.g. ξ [T, B, N] for Forward. It uses both outputs of
// the Box–Muller transform, z₁ = r cos θ and z₂ = r sin θ with r = √(−2 ln u₁), θ = 2π u₂, so each
// pair of uniforms gives two normals: half the random bits and logarithms of drawing one normal per
// pair (the random bits dominate the cost of a replay step on XLA's CPU backend).
func StandardNormal(ctx *context.Context, g *Graph, dims ...int) *Node {
	size := 1
	for _, d := range dims {
		size *= d
	}
	half := (size + 1) / 2
	u1 := ctx.RandomUniform(g, shapes.Make(DType, half))
	u2 := ctx.RandomUniform(g, shapes.Make(DType, half))
	return BoxMuller(u1, u2, dims...)
}

// uMin is the smallest nonzero uniform GoMLX's generator draws (a 32-bit integer times 2⁻³²), and
// a normal float32: the lower bound of u₁ in BoxMuller.
const uMin = 1.0 / (1 << 32)

// BoxMuller turns uniforms u1, u2 ∈ [0, 1) (each ⌈n/2⌉ values, n the product of dims) into n
// standard normals of shape dims: r cos θ and r sin θ, r = √(−2 ln u₁), θ = 2π u₂.
func BoxMuller(u1, u2 *Node, dims ...int) *Node {
	g := u1.Graph()
	size := 1
	for _, d := range dims {
		size *= d
	}
	// log(0) = −∞: u₁ = 0 (drawn with probability 2⁻³² per value, so every few hundred million
	// draws) is raised to uMin. A denormal bound would not do: XLA's CPU backend flushes denormals
	// to zero, and the noise, then the loss, became infinite.
	u1 = Max(u1, Scalar(g, DType, float32(uMin)))
	r := Sqrt(MulScalar(Log(u1), -2))
	theta := MulScalar(u2, 2*math.Pi)
	z := Concatenate([]*Node{Mul(r, Cos(theta)), Mul(r, Sin(theta))}, 0)
	if z.Shape().Size() != size {
		z = Slice(z, AxisRange(0, size))
	}
	return Reshape(z, dims...)
}

// Forward runs the cell over inputs [B, T, InputDim] from initial observations [B, ObsDim] and
// returns the readouts y_1..y_T [B, T, OutputDim] and the hidden states h_1..h_T [B, T, N].
// xi is the standard-normal noise ξ_1..ξ_T [T, B, N] (scaled by cell.NoiseSD inside), e.g. from
// StandardNormal, or nil for a noiseless run. The graph has the minimal form of cell
// (CellParams.MinimalForm) with its values as constants.
func Forward(ctx *context.Context, cfg Config, cell CellParams, inputs, initial, xi *Node) (outputs, hidden *Node) {
	w := GetWeights(ctx, inputs.Graph(), cfg)
	outputs, hidden, _ = forward(w, cfg, cell, inputs, cell.MinimalForm().InitialState(w, initial), xi, fastPlan)
	return outputs, hidden
}

// ForwardFrom is Forward started from a given state (of the form cell.MinimalForm(): h, and a,
// h̄, v where the form has them) instead of the encoded observation: one window of a long path
// whose state was carried over from the window before. It also returns the state after the last
// step, to carry into the next window.
func ForwardFrom(ctx *context.Context, cfg Config, cell CellParams, inputs *Node, start State, xi *Node) (outputs, hidden *Node, final State) {
	return forward(GetWeights(ctx, inputs.Graph(), cfg), cfg, cell, inputs, start, xi, fastPlan)
}

// forwardBaseline is Forward built the straightforward way, one operation of each kind per step:
// the reference for tests and benchmarks.
func forwardBaseline(ctx *context.Context, cfg Config, cell CellParams, inputs, initial, xi *Node) (outputs, hidden *Node) {
	w := GetWeights(ctx, inputs.Graph(), cfg)
	outputs, hidden, _ = forward(w, cfg, cell, inputs, cell.MinimalForm().InitialState(w, initial), xi, baselinePlan)
	return outputs, hidden
}

func forward(w Weights, cfg Config, cell CellParams, inputs *Node, state State, xi *Node, plan unrollPlan) (outputs, hidden *Node, final State) {
	g := inputs.Graph()
	// inputs are [B, T, In] for one network, [M, B, T, In] for an ensemble: lead is [B] or [M, B].
	lead, rank := leadDims(inputs), inputs.Rank()
	T, N := inputs.Shape().Dimensions[rank-2], cfg.Hidden
	stateDims := append(slices.Clone(lead), N)
	if want := shapes.Make(DType, append([]int{T}, stateDims...)...); xi != nil && !xi.Shape().Equal(want) {
		panic(fmt.Sprintf("model.Forward: noise shape %s, want %s ([T, batch…, N])", xi.Shape(), want))
	}
	matmul := Dot
	if plan.dotGeneral || w.EnsembleSize() > 0 {
		matmul = matMul
		if plan.oneWeightGrad {
			rec, in := newStepProducts(w.Rec), newStepProducts(w.In)
			w.Rec, w.In = rec.w, in.w
			matmul = func(x, m *Node) *Node {
				switch m {
				case rec.w:
					return rec.mul(x)
				case in.w:
					return in.mul(x)
				}
				return matMul(x, m)
			}
		}
	}
	if plan.batchDrive && w.EnsembleSize() > 0 {
		panic("model.Forward: the batched input projection is for one network only")
	}
	if cell.NoiseSD == 0 {
		xi = nil
	}
	form, params := cell.MinimalForm(), cell.Constants(g)
	bias := rowBias(w.Bias)
	if w.EnsembleSize() > 0 {
		// Broadcast once: the gradient of a per-step broadcast over the middle (batch) axis of
		// [M, 1, N] is a strided reduction per step, which made XLA's CPU step 3× slower.
		bias = BroadcastToDims(bias, stateDims...)
	}

	var stepInputs, drives *Node
	if plan.timeMajor || plan.batchDrive {
		perm := []int{rank - 2} // [T, lead…, In]
		for i := range rank - 2 {
			perm = append(perm, i)
		}
		stepInputs = TransposeAllAxes(inputs, append(perm, rank-1)...)
	}
	if plan.batchDrive {
		// The input projection does not depend on the state: one [T·B, In]·[In, N] product.
		B := lead[0]
		drives = Reshape(Add(matmul(Reshape(stepInputs, T*B, -1), w.In), bias), T, B, N)
	}
	hs := make([]*Node, T)
	ys := make([]*Node, T)
	for t := range T {
		var drive *Node
		if plan.batchDrive {
			drive = Reshape(Slice(drives, AxisElem(t)), stateDims...)
		} else {
			var u *Node
			if plan.timeMajor {
				u = Reshape(Slice(stepInputs, AxisElem(t)), append(slices.Clone(lead), -1)...)
			} else {
				spec := make([]SliceAxisSpec, rank-1)
				for i := range spec {
					spec[i] = AxisRange()
				}
				spec[rank-2] = AxisElem(t)
				u = Reshape(Slice(inputs, spec...), append(slices.Clone(lead), -1)...)
			}
			drive = Add(matmul(u, w.In), bias)
		}
		var noise *Node
		if xi != nil {
			noise = Reshape(Slice(xi, AxisElem(t)), stateDims...)
		}
		state = form.step(w, params, state, drive, noise, matmul)
		hs[t] = state.H
		if !plan.batchReadout {
			ys[t] = Add(matmul(state.H, w.Out), rowBias(w.OutBias))
		}
	}
	hidden = Stack(hs, rank-2)
	if plan.batchReadout {
		outputs = Readout(w, hidden)
	} else {
		outputs = Stack(ys, rank-2)
	}
	return outputs, hidden, state
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

// LossPerRow is Loss for each row of outputs and targets [B, Out]: the squared error averaged
// over coordinates (ReadoutMSE) or the cross-entropy −Σ_i p_i log softmax(y)_i, as a [B] vector.
// Its mean over rows is Loss of the same rows.
func LossPerRow(cfg Config, outputs, targets *Node) *Node {
	if cfg.Readout == ReadoutCrossEntropy {
		return Neg(ReduceSum(Mul(targets, LogSoftmax(outputs, -1)), -1))
	}
	return ReduceMean(Square(Sub(outputs, targets)), -1)
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
