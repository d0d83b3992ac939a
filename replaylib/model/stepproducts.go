package model

import (
	"slices"
	"weak"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck
)

// stepProducts is one weight W multiplied at every step of an unroll, y_t = x_t·W, arranged so that
// the gradient of W is one matrix product over all steps instead of one per step:
//
//	∂L/∂W = Σ_t x_tᵀ v_t = [x_1; …; x_T]ᵀ · [v_1; …; v_T],   v_t = ∂L/∂y_t.
//
// The sum of T products of [K, B]·[B, N] and the T−1 additions of their [K, N] results become one
// [K, T·B]·[T·B, N] product, which a CPU's matrix kernels run nearer their peak. Each step's product
// keeps its input gradient v_t·Wᵀ (BPTT needs it step by step); for W it returns a zero tensor of
// its own and records (x_t, v_t) under that tensor's node. W is used through an identity whose
// gradient runs after every step's (reverse-mode differentiation visits nodes in the reverse of
// their creation order, and the identity is created before every product that uses it): it
// receives the sum of the zero tensors of exactly the steps this reverse pass reached, finds their
// records by walking that sum, and returns the one product. Steps the pass did not reach, and
// records a pass left without reaching W (a gradient with respect to an input only), are not in
// the sum and so never mix in; a use of W other than its products adds its own gradient. An ensemble's weights ([M, K, N], rows [M, B, K]) get the same, per
// network.
type stepProducts struct {
	w       *Node // the weight as the unroll uses it: an identity carrying the one-product gradient
	steps   int   // products made so far
	records map[NodeId]stepRecord
}

// stepRecord is one step's rows, recorded by the reverse pass that reached its product.
type stepRecord struct {
	step int
	x, v *Node
}

// newStepProducts wraps w; use s.w in place of w and s.mul for its products.
func newStepProducts(w *Node) *stepProducts {
	s := &stepProducts{records: map[NodeId]stepRecord{}}
	s.w = IdentityWithCustomGradient(w, s.gradient)
	return s
}

// mul is x·W with the gradient described on stepProducts.
func (s *stepProducts) mul(x *Node) *Node {
	y := matMul(x, s.w) // MatMul2 or BatchedMatMul, with their checks of the operands; re-marked below
	markedMatMuls.markAs(y, productMark{owner: weak.Make(s), step: s.steps})
	s.steps++
	return y
}

// record keeps step's rows x and v = ∂L/∂y for the weight's gradient and returns the zero tensor
// that stands for them in the weight's accumulated gradient (called by the VJP hook in matmul.go).
func (s *stepProducts) record(step int, x, v *Node) *Node {
	z := ZerosLike(s.w)
	s.records[z.Id()] = stepRecord{step, x, v}
	return z
}

// gradient is ∂L/∂W: acc, W's accumulated gradient, is a sum of the zero tensors of the steps this
// reverse pass reached and of the gradients of any other use of W; the steps' recorded rows, in
// step order, make the one product, to which the other terms are added.
func (s *stepProducts) gradient(w, acc *Node) *Node {
	var found []stepRecord
	var others []*Node
	var walk func(n *Node)
	walk = func(n *Node) {
		if r, ok := s.records[n.Id()]; ok {
			found = append(found, r)
		} else if n.Type() == NodeTypeAdd && n.Inputs()[0].Shape().Equal(n.Shape()) && n.Inputs()[1].Shape().Equal(n.Shape()) {
			walk(n.Inputs()[0])
			walk(n.Inputs()[1])
		} else {
			others = append(others, n)
		}
	}
	walk(acc)
	clear(s.records) // what this pass did not use belongs to no later pass either
	if len(found) == 0 {
		return acc
	}
	slices.SortFunc(found, func(a, b stepRecord) int { return a.step - b.step })
	xs, vs := make([]*Node, len(found)), make([]*Node, len(found))
	for i, r := range found {
		xs[i], vs[i] = r.x, r.v
	}
	rows := w.Rank() - 2 // the rows' axis: 0, or 1 after an ensemble's network axis
	grad := weightGradient(Concatenate(xs, rows), Concatenate(vs, rows))
	for _, o := range others {
		grad = Add(grad, o)
	}
	return grad
}
