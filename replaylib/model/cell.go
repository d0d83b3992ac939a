package model

import (
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck
)

// State is the cell's state: hidden h, adaptation a (nil when b_a = 0) and momentum v (nil when λ_v = 1).
type State struct {
	H, A, V *Node
}

// InitialState is h_0 = W_enc s_0 with zero adaptation and momentum, for initial observations s0 [B, ObsDim].
func (c CellParams) InitialState(w Weights, s0 *Node) State {
	h := MatMul2(s0, w.Enc)
	s := State{H: h}
	if c.Adapting() {
		s.A = ZerosLike(h)
	}
	if c.HasMomentum() {
		s.V = ZerosLike(h)
	}
	return s
}

// Step advances the cell one step. drive is W_in u_t + b ([B, N], or nil for zero input and zero bias
// is not allowed: pass the bias broadcast), noise is σ ξ_t ([B, N]) or nil for a noiseless step.
func (c CellParams) Step(w Weights, s State, drive, noise *Node) State {
	return c.step(w, s, drive, noise, MatMul2)
}

func (c CellParams) step(w Weights, s State, drive, noise *Node, matmul func(x, w *Node) *Node) State {
	h := s.H
	pre := Add(matmul(h, w.Rec), drive)
	if c.Adapting() {
		pre = Sub(pre, s.A)
	}
	rate := Max(pre, ZerosLike(pre)) // ReLU
	// f = (1 − α) h + α ReLU(pre), written as h + α (rate − h): one scalar multiply.
	var drift *Node // f − h
	var f *Node
	if c.Alpha == 1 {
		f = rate
	} else {
		drift = MulScalar(Sub(rate, h), c.Alpha)
		f = Add(h, drift)
	}
	next := State{}
	if !c.HasMomentum() {
		next.H = f
		if noise != nil {
			next.H = Add(f, noise)
		}
	} else {
		if drift == nil {
			drift = Sub(f, h)
		}
		v := Add(MulScalar(s.V, 1-c.Momentum), drift)
		if noise != nil {
			v = Add(v, noise)
		}
		next.V = v
		next.H = Add(h, v)
	}
	if c.Adapting() {
		d := h
		if c.AdaptDrive == AdaptDriveRate {
			d = rate
		}
		next.A = Add(MulScalar(s.A, 1-1/c.AdaptTau), MulScalar(d, c.AdaptStrength/c.AdaptTau))
	}
	return next
}

// Readout is y = W_out h + b_out for h of shape [..., N].
func Readout(w Weights, h *Node) *Node {
	if h.Rank() == 2 {
		return Add(MatMul2(h, w.Out), ExpandAxes(w.OutBias, 0))
	}
	// [B, T, N] → [B, T, Out] with one matrix multiplication.
	dims := h.Shape().Dimensions
	flat := Reshape(h, dims[0]*dims[1], dims[2])
	y := Add(MatMul2(flat, w.Out), ExpandAxes(w.OutBias, 0))
	return Reshape(y, dims[0], dims[1], -1)
}
