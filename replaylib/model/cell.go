package model

import (
	"slices"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck
)

// Form is the structure of the cell's graph: which states exist and how adaptation acts. Values
// (α, b_a, τ_a, τ_s, λ_v, σ) are not part of it: they are graph values (Params), so one compiled
// graph serves every value. Training builds the smallest form its CellParams need (MinimalForm);
// replay builds the full one (FullForm), so that a sweep or a slider never recompiles.
type Form struct {
	Adapt    AdaptForm // "" = no adaptation state
	Momentum bool      // the momentum state v exists
}

// MinimalForm is the structure these values need: adaptation only if b_a ≠ 0, momentum only if
// λ_v ≠ 1. With neither, the graph is exactly the plain leaky cell.
func (c CellParams) MinimalForm() Form {
	f := Form{Momentum: c.HasMomentum()}
	if c.Adapting() {
		f.Adapt = c.AdaptForm
	}
	return f
}

// FullForm has every state of c's adaptation form and momentum: it runs any values of
// α, b_a, τ_a, τ_s, λ_v and σ (b_a = 0 keeps a = 0; λ_v = 1 makes v the plain increment).
func (c CellParams) FullForm() Form { return Form{Adapt: c.AdaptForm, Momentum: true} }

// Params are the cell's values as scalar graph nodes: α, b_a, the rates 1/τ_a and 1/τ_s (not the
// time constants), λ_v and σ.
type Params struct {
	Alpha, AdaptStrength, AdaptRate, SlowRate, Momentum, NoiseSD *Node
}

// NumParams is the length of the vector ParamValues returns and ParamsFrom reads.
const NumParams = 6

// ParamValues lays c's values out as a graph input: α, b_a, 1/τ_a, 1/τ_s, λ_v, σ.
func (c CellParams) ParamValues() []float32 {
	return []float32{float32(c.Alpha), float32(c.AdaptStrength), float32(1 / c.AdaptTau), float32(1 / c.AdaptSlowTau),
		float32(c.Momentum), float32(c.NoiseSD)}
}

// ParamsFrom reads Params from a node of NumParams values laid out as ParamValues.
func ParamsFrom(values *Node) Params {
	at := func(i int) *Node { return Reshape(Slice(values, AxisElem(i))) }
	return Params{Alpha: at(0), AdaptStrength: at(1), AdaptRate: at(2), SlowRate: at(3), Momentum: at(4), NoiseSD: at(5)}
}

// Constants returns c's values as constants of g (training: one graph per run anyway).
func (c CellParams) Constants(g *Graph) Params {
	v := c.ParamValues()
	at := func(i int) *Node { return Scalar(g, DType, v[i]) }
	return Params{Alpha: at(0), AdaptStrength: at(1), AdaptRate: at(2), SlowRate: at(3), Momentum: at(4), NoiseSD: at(5)}
}

// State is the cell's state: hidden h, adaptation a and slow average h̄ (nil unless the form has
// them), momentum v (nil without momentum).
type State struct {
	H, A, V, HBar *Node
}

// InitialState is h_0 = W_enc s_0 for initial observations s0 [B, ObsDim] (an ensemble's:
// [M, B, ObsDim]), with a = v = 0 and h̄ = h_0.
func (f Form) InitialState(w Weights, s0 *Node) State {
	return f.StateFrom(matMul(s0, w.Enc))
}

// StateFrom starts from a given hidden state h [B, N], with a = v = 0 and h̄ = h.
func (f Form) StateFrom(h *Node) State {
	s := State{H: h}
	if f.Adapt != "" {
		s.A = ZerosLike(h)
	}
	if f.Adapt == AdaptRelative {
		s.HBar = h
	}
	if f.Momentum {
		s.V = ZerosLike(h)
	}
	return s
}

// Step advances the cell one step (equations in the package doc). drive is W_in u_t + b [B, N];
// xi is standard-normal noise ξ_t [B, N] (scaled by p.NoiseSD here) or nil for a noiseless step.
func (f Form) Step(w Weights, p Params, s State, drive, xi *Node) State {
	return f.step(w, p, s, drive, xi, MatMul2)
}

func (f Form) step(w Weights, p Params, s State, drive, xi *Node, matmul func(x, w *Node) *Node) State {
	h := s.H
	pre := Add(matmul(h, w.Rec), drive)
	if f.Adapt.subtractive() {
		pre = Sub(pre, s.A)
	}
	rate := Max(pre, ZerosLike(pre)) // ReLU
	leakOf := h
	if f.Adapt == AdaptShunting {
		leakOf = Mul(OnePlus(s.A), h)
	}
	// f_t − h_t = α (ReLU(pre) − h) (the leak written as one scalar multiply).
	drift := Mul(p.Alpha, Sub(rate, leakOf))
	var noise *Node
	if xi != nil {
		noise = Mul(p.NoiseSD, xi)
	}
	next := State{}
	if f.Momentum {
		v := Add(Mul(OneMinus(p.Momentum), s.V), drift)
		if noise != nil {
			v = Add(v, noise)
		}
		next.V = v
		next.H = Add(h, v)
	} else {
		next.H = Add(h, drift)
		if noise != nil {
			next.H = Add(next.H, noise)
		}
	}
	if f.Adapt != "" {
		var d *Node
		switch f.Adapt {
		case AdaptHidden:
			d = h
		case AdaptRelative:
			d = Sub(h, s.HBar)
			next.HBar = Add(s.HBar, Mul(p.SlowRate, Sub(h, s.HBar)))
		default: // AdaptRate, AdaptShunting
			d = rate
		}
		next.A = Add(s.A, Mul(p.AdaptRate, Sub(Mul(p.AdaptStrength, d), s.A)))
	}
	return next
}

// Readout is y = W_out h + b_out for h of shape [..., N] (an ensemble's: [M, ..., N]).
func Readout(w Weights, h *Node) *Node {
	dims := h.Shape().Dimensions
	out := append(slices.Clone(dims[:len(dims)-1]), w.OutBias.Shape().Dimensions[w.OutBias.Rank()-1])
	if m := w.EnsembleSize(); m > 0 {
		// [M, …, N] → [M, R, N]: one batched product for every row of every network.
		flat := Reshape(h, m, -1, dims[len(dims)-1])
		return Reshape(Add(BatchedMatMul(flat, w.Out), rowBias(w.OutBias)), out...)
	}
	if h.Rank() == 2 {
		return Add(MatMul2(h, w.Out), rowBias(w.OutBias))
	}
	// [B, T, N] → [B, T, Out] with one matrix multiplication.
	flat := Reshape(h, -1, dims[len(dims)-1])
	return Reshape(Add(MatMul2(flat, w.Out), rowBias(w.OutBias)), out...)
}
