package model

import (
	"sync"
	"weak"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// MatMul2 is x·W for x [B, K] and W [K, N], built so that its gradient is two matrix products:
//
//	∂L/∂x = v·Wᵀ,   ∂L/∂W = xᵀ·v,   v = ∂L/∂(x·W).
//
// GoMLX v0.26 differentiates Dot and DotGeneral by broadcasting v to [B, K, N], multiplying and
// reducing, which on simplego costs ~100 generic-iterator operations per multiply-add and dominated
// the train step's profile. MatMul2 marks its DotGeneral node, and the DotGeneral gradient registered
// by this package (init below) uses the two products for marked nodes only (their batched forms for
// BatchedMatMul's), deferring to GoMLX's own rule for every other DotGeneral.
func MatMul2(x, w *Node) *Node {
	if x.Rank() != 2 || w.Rank() != 2 {
		panic("model.MatMul2: want rank-2 operands, got shapes " + x.Shape().String() + " and " + w.Shape().String())
	}
	n := DotGeneral(x, []int{1}, nil, w, []int{0}, nil)
	markedMatMuls.mark(n)
	return n
}

// productMark is how the VJP hook differentiates a marked product: with both products (no owner),
// or, for a step of a stepProducts (owner set), with the input product only, the weight's part left
// to the owner (stepproducts.go).
type productMark struct {
	owner weak.Pointer[stepProducts] // weak: the graph keeps its stepProducts alive, not this global set
	step  int
}

// markedSet remembers marked products per graph; graphs are held weakly so that marks do not keep
// a finished graph alive.
type markedSet struct {
	mu     sync.Mutex
	graphs map[weak.Pointer[Graph]]map[NodeId]productMark
}

var markedMatMuls = markedSet{graphs: map[weak.Pointer[Graph]]map[NodeId]productMark{}}

// mark gives n the two-product gradient.
func (s *markedSet) mark(n *Node) { s.markAs(n, productMark{}) }

func (s *markedSet) markAs(n *Node, m productMark) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := weak.Make(n.Graph())
	ids, ok := s.graphs[key]
	if !ok {
		for k := range s.graphs { // forget collected graphs
			if k.Value() == nil {
				delete(s.graphs, k)
			}
		}
		ids = map[NodeId]productMark{}
		s.graphs[key] = ids
	}
	ids[n.Id()] = m
}

// lookup is n's mark, ok false for an unmarked node.
func (s *markedSet) lookup(n *Node) (m productMark, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok = s.graphs[weak.Make(n.Graph())][n.Id()]
	return m, ok
}

// init patches GoMLX's global gradient registry, a side effect of importing this package: the
// DotGeneral gradient of every graph goes through this function, which hands every node but
// MatMul2's to GoMLX's own rule unchanged. It can go when the project moves past GoMLX v0.26: later
// versions build the DotGeneral gradient from matrix products themselves. Then MatMul2 becomes a
// plain DotGeneral, this init is deleted, and TestGradientMatchesFiniteDifferences and the backend
// equivalence tests show whether the replacement agrees.
func init() {
	generic := VJPRegistration[NodeTypeDotGeneral]
	VJPRegistration[NodeTypeDotGeneral] = func(node *Node, vjps []*Node, outputShape shapes.Shape) []*Node {
		m, ok := markedMatMuls.lookup(node)
		if !ok {
			return generic(node, vjps, outputShape)
		}
		x, w, v := node.Inputs()[0], node.Inputs()[1], vjps[0]
		if owner := m.owner.Value(); owner != nil { // a step of a stepProducts: W's part is one product over all steps
			return []*Node{inputGradient(v, w), owner.record(m.step, x, v)}
		}
		return []*Node{inputGradient(v, w), weightGradient(x, v)}
	}
}

// inputGradient is ∂L/∂x = v·Wᵀ of x·W: [B, N]·[K, N]ᵀ → [B, K], or per network for an
// ensemble's W [M, K, N]: [M, R, N]·[M, K, N]ᵀ → [M, R, K].
func inputGradient(v, w *Node) *Node {
	if w.Rank() == 3 {
		return DotGeneral(v, []int{2}, []int{0}, w, []int{2}, []int{0})
	}
	return DotGeneral(v, []int{1}, nil, w, []int{1}, nil)
}

// weightGradient is ∂L/∂W = xᵀ·v of x·W, summed over the rows: [B, K]ᵀ·[B, N] → [K, N], or per
// network for an ensemble's rows [M, R, K]: [M, R, K]ᵀ·[M, R, N] → [M, K, N].
func weightGradient(x, v *Node) *Node {
	if x.Rank() == 3 {
		return DotGeneral(x, []int{1}, []int{0}, v, []int{1}, []int{0})
	}
	return DotGeneral(x, []int{0}, nil, v, []int{0}, nil)
}
