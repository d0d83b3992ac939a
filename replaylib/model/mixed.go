package model

import (
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck
)

// Mixed cells: one graph steps a batch of chains whose cells differ chain by chain — in their
// values (α, b_a, τ_a, τ_s, λ_v, σ) and in their form (adaptation form or none, momentum or not).
// Replay runs every variant of a network in one call this way. Each chain follows exactly the
// equations of its own minimal form (Form.Step with CellParams.MinimalForm): the form's choices
// are per-chain selections (Where), not multiplications by 0 or 1, so a chain's arithmetic is
// the one its own graph would do, operation for operation.

// Per-chain form flags, after the NumParams values in a row of ChainValues.
const (
	flagAdapting  = iota // b_a ≠ 0: the adaptation state evolves
	flagSubtract         // a is subtracted inside the ReLU (hidden, rate and relative forms)
	flagShunt            // a scales the leak (shunting form)
	flagDHidden          // a is driven by h (hidden form)
	flagDRelative        // a is driven by h − h̄, and h̄ evolves (relative form)
	flagMomentum         // λ_v ≠ 1: the momentum state v exists
	numFlags
)

// NumChainValues is the length of a row of ChainValues: the NumParams values, then the form's
// six flags (1 or 0).
const NumChainValues = NumParams + numFlags

// ChainValues lays c's values and minimal form out as one row of a mixed batch's per-chain
// input [chains, NumChainValues]: ParamValues, then whether the chain adapts, subtracts a,
// shunts the leak, drives a by h, drives a by h − h̄, and has momentum.
func (c CellParams) ChainValues() []float32 {
	f := c.MinimalForm()
	flag := func(b bool) float32 {
		if b {
			return 1
		}
		return 0
	}
	flags := make([]float32, numFlags)
	flags[flagAdapting] = flag(f.Adapt != "")
	flags[flagSubtract] = flag(f.Adapt.subtractive())
	flags[flagShunt] = flag(f.Adapt == AdaptShunting)
	flags[flagDHidden] = flag(f.Adapt == AdaptHidden)
	flags[flagDRelative] = flag(f.Adapt == AdaptRelative)
	flags[flagMomentum] = flag(f.Momentum)
	return append(c.ParamValues(), flags...)
}

// MixedParams are the per-chain values and forms of a mixed batch: the values broadcast to
// [chains, N], the flags as boolean [chains] (a prefix of the states' shape, as Where takes it).
type MixedParams struct {
	Params
	adapting, subtract, shunt, dHidden, dRelative, momentum *Node
}

// MixedParamsFrom reads MixedParams from a node [chains, NumChainValues] laid out as ChainValues,
// for cells of hidden units.
func MixedParamsFrom(values *Node, hidden int) MixedParams {
	C := values.Shape().Dimensions[0]
	col := func(i int) *Node { return Reshape(Slice(values, AxisRange(), AxisElem(i)), C) }
	value := func(i int) *Node { return BroadcastToDims(ExpandAxes(col(i), 1), C, hidden) }
	flag := func(i int) *Node { return GreaterThan(col(NumParams+i), ZerosLike(col(NumParams+i))) }
	return MixedParams{
		Params: Params{Alpha: value(0), AdaptStrength: value(1), AdaptRate: value(2), SlowRate: value(3),
			Momentum: value(4), NoiseSD: value(5)},
		adapting: flag(flagAdapting), subtract: flag(flagSubtract), shunt: flag(flagShunt),
		dHidden: flag(flagDHidden), dRelative: flag(flagDRelative), momentum: flag(flagMomentum),
	}
}

// MixedStep advances a mixed batch one step. s has every state (H, A, V, HBar, each
// [chains, N]); a state a chain's form does not have passes through it unchanged, as in that
// form's own graph. drive and xi as in Form.Step (xi is not optional here).
func MixedStep(w Weights, p MixedParams, s State, drive, xi *Node) State {
	h := s.H
	pre := Add(MatMul2(h, w.Rec), drive)
	pre = Where(p.subtract, Sub(pre, s.A), pre)
	rate := Max(pre, ZerosLike(pre)) // ReLU
	leakOf := Where(p.shunt, Mul(OnePlus(s.A), h), h)
	drift := Mul(p.Alpha, Sub(rate, leakOf))
	noise := Mul(p.NoiseSD, xi)

	next := State{}
	v := Add(Add(Mul(OneMinus(p.Momentum), s.V), drift), noise)
	next.V = Where(p.momentum, v, s.V)
	next.H = Where(p.momentum, Add(h, v), Add(Add(h, drift), noise))

	d := Where(p.dHidden, h, Where(p.dRelative, Sub(h, s.HBar), rate))
	a := Add(s.A, Mul(p.AdaptRate, Sub(Mul(p.AdaptStrength, d), s.A)))
	next.A = Where(p.adapting, a, s.A)
	hbar := Add(s.HBar, Mul(p.SlowRate, Sub(h, s.HBar)))
	next.HBar = Where(p.dRelative, hbar, s.HBar)
	return next
}
