package model

import (
	"fmt"

	"github.com/gomlx/gomlx/backends"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// Network is a trained (or untrained) model ready to be run step by step from Go:
// Encode an initial observation, Step the state with an input and explicit noise, Decode the readout.
// State tensors are [B, N]; the adaptation, momentum and slow-average states are zero-valued
// (h̄ = h) when unused. Cell values are graph inputs: one compiled step per adaptation form serves
// every value of α, b_a, τ_a, τ_s, λ_v and σ.
type Network struct {
	Config  Config // the architecture; Step takes the cell's values separately
	backend backends.Backend
	ctx     *context.Context
	encode  *context.Exec
	decode  *context.Exec
	steps   map[Form]*context.Exec
}

// TensorState is the cell state as tensors: hidden h, adaptation a, momentum v and slow average
// h̄, each [B, N].
type TensorState struct {
	H, A, V, HBar *tensors.Tensor
}

// NewNetwork wraps the weights in ctx (scope Scope) for stepwise use.
func NewNetwork(backend backends.Backend, cfg Config, ctx *context.Context) (*Network, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	n := &Network{Config: cfg, backend: backend, ctx: ctx.Reuse(), steps: map[Form]*context.Exec{}}
	var err error
	n.encode, err = context.NewExec(backend, n.ctx, func(ctx *context.Context, s0 *Node) *Node {
		return MatMul2(s0, GetWeights(ctx, s0.Graph(), cfg).Enc)
	})
	if err != nil {
		return nil, err
	}
	n.decode, err = context.NewExec(backend, n.ctx, func(ctx *context.Context, h *Node) *Node {
		return Readout(GetWeights(ctx, h.Graph(), cfg), h)
	})
	return n, err
}

// Context is the context holding the weights.
func (n *Network) Context() *context.Context { return n.ctx }

// Backend is the backend the network runs on.
func (n *Network) Backend() backends.Backend { return n.backend }

// Encode returns h_0 = W_enc s_0 for observations obs [B, ObsDim] (row-major) and zero a, v.
func (n *Network) Encode(obs []float32, batch int) (TensorState, error) {
	if len(obs) != batch*n.Config.ObsDim {
		return TensorState{}, fmt.Errorf("encode: %d observation values for batch %d × obs_dim %d", len(obs), batch, n.Config.ObsDim)
	}
	h, err := n.encode.Exec(tensors.FromFlatDataAndDimensions(obs, batch, n.Config.ObsDim))
	if err != nil {
		return TensorState{}, err
	}
	return n.StateFrom(h[0]), nil
}

// StateFrom starts from hidden states h [B, N] with a = v = 0 and h̄ = h.
func (n *Network) StateFrom(h *tensors.Tensor) TensorState {
	zeros := func() *tensors.Tensor { return tensors.FromShape(h.Shape()) }
	hbar, err := h.LocalClone()
	if err != nil {
		hbar = h
	}
	return TensorState{H: h, A: zeros(), V: zeros(), HBar: hbar}
}

// Step advances the state once with input [B, InputDim] and standard-normal noise ξ [B, N]
// (scaled by cell.NoiseSD inside; pass nil for a noiseless step).
func (n *Network) Step(cell CellParams, s TensorState, input, noise []float32) (TensorState, error) {
	if err := cell.Validate(); err != nil {
		return TensorState{}, err
	}
	B := s.H.Shape().Dimensions[0]
	N := n.Config.Hidden
	if len(input) != B*n.Config.InputDim {
		return TensorState{}, fmt.Errorf("step: %d input values for batch %d × input_dim %d", len(input), B, n.Config.InputDim)
	}
	if noise == nil {
		noise = make([]float32, B*N)
		cell.NoiseSD = 0
	} else if len(noise) != B*N {
		return TensorState{}, fmt.Errorf("step: %d noise values for batch %d × hidden %d", len(noise), B, N)
	}
	if s.A == nil || s.V == nil || s.HBar == nil {
		full := n.StateFrom(s.H)
		if s.A == nil {
			s.A = full.A
		}
		if s.V == nil {
			s.V = full.V
		}
		if s.HBar == nil {
			s.HBar = full.HBar
		}
	}
	form := cell.FullForm()
	exec, ok := n.steps[form]
	if !ok {
		var err error
		exec, err = context.NewExec(n.backend, n.ctx, func(ctx *context.Context, in []*Node) []*Node {
			w := GetWeights(ctx, in[0].Graph(), n.Config)
			st := State{H: in[0], A: in[1], V: in[2], HBar: in[3]}
			drive := Add(MatMul2(in[4], w.In), ExpandAxes(w.Bias, 0))
			next := form.Step(w, ParamsFrom(in[6]), st, drive, in[5])
			if next.HBar == nil {
				next.HBar = in[3]
			}
			return []*Node{next.H, next.A, next.V, next.HBar}
		})
		if err != nil {
			return TensorState{}, err
		}
		n.steps[form] = exec
	}
	values := cell.ParamValues()
	out, err := exec.Exec(s.H, s.A, s.V, s.HBar, tensors.FromFlatDataAndDimensions(input, B, n.Config.InputDim),
		tensors.FromFlatDataAndDimensions(noise, B, N), tensors.FromFlatDataAndDimensions(values, len(values)))
	if err != nil {
		return TensorState{}, err
	}
	return TensorState{H: out[0], A: out[1], V: out[2], HBar: out[3]}, nil
}

// Decode returns the readout y = W_out h + b_out [B, OutputDim] of the state.
func (n *Network) Decode(s TensorState) ([]float32, error) {
	y, err := n.decode.Exec(s.H)
	if err != nil {
		return nil, err
	}
	return tensors.MustCopyFlatData[float32](y[0]), nil
}
