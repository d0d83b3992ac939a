package model

import (
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck
)

// stepProducts is one weight W multiplied at every step of an unroll, y_t = x_t·W, arranged so that
// the gradient of W is one matrix product over all steps instead of one per step:
//
//	∂L/∂W = Σ_t x_tᵀ v_t = [x_1; …; x_T]ᵀ · [v_1; …; v_T],   v_t = ∂L/∂y_t.
//
// The sum of T products of [K, B]·[B, N] and the T−1 additions of their [K, N] results become one
// [K, T·B]·[T·B, N] product, which a CPU's matrix kernels run nearer their peak. The per-step
// products keep their input gradient v_t·Wᵀ (BPTT needs it step by step) and give W zeros; each
// product's output passes through an identity that records v_t when the reverse pass reaches it, and
// W itself is an identity whose gradient, computed after every step's (reverse-mode differentiation
// visits nodes in the reverse of their creation order, and W's identity is created before every
// product that uses it), is the one product of the recorded rows. Steps whose output does not reach
// the differentiated value record nothing and are left out. An ensemble's weights ([M, K, N], rows
// [M, B, K]) get the same, per network.
type stepProducts struct {
	w  *Node   // the weight as the unroll uses it: an identity carrying the one-product gradient
	xs []*Node // x_t, in step order
	vs []*Node // v_t recorded by the reverse pass (nil until then, or if y_t does not reach the loss)
}

// newStepProducts wraps w; use s.w in place of w and s.mul for its products.
func newStepProducts(w *Node) *stepProducts {
	s := &stepProducts{}
	s.w = IdentityWithCustomGradient(w, func(w, _ *Node) *Node { return s.gradient(w) })
	return s
}

// mul is x·W with the gradient described on stepProducts.
func (s *stepProducts) mul(x *Node) *Node {
	var y *Node
	if s.w.Rank() == 3 {
		y = DotGeneral(x, []int{2}, []int{0}, s.w, []int{1}, []int{0})
	} else {
		y = DotGeneral(x, []int{1}, nil, s.w, []int{0}, nil)
	}
	markedMatMuls.markAs(y, inputProductOnly)
	i := len(s.xs)
	s.xs = append(s.xs, x)
	s.vs = append(s.vs, nil)
	return IdentityWithCustomGradient(y, func(_, v *Node) *Node {
		s.vs[i] = v
		return v
	})
}

// gradient is ∂L/∂W from the rows recorded by this reverse pass, which it then forgets (a later
// Gradient call on the same graph records its own).
func (s *stepProducts) gradient(w *Node) *Node {
	var xs, vs []*Node
	for i, v := range s.vs {
		if v != nil {
			xs, vs = append(xs, s.xs[i]), append(vs, v)
		}
		s.vs[i] = nil
	}
	if len(vs) == 0 {
		return ZerosLike(w)
	}
	rows := w.Rank() - 2 // the rows' axis: 0, or 1 after an ensemble's network axis
	x, v := Concatenate(xs, rows), Concatenate(vs, rows)
	if w.Rank() == 3 {
		return DotGeneral(x, []int{1}, []int{0}, v, []int{1}, []int{0})
	}
	return DotGeneral(x, []int{0}, nil, v, []int{0}, nil)
}
