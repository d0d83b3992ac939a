package claims

import (
	"context"
	"fmt"
	"math"
	"math/cmplx"

	"github.com/gomlx/gomlx/pkg/core/tensors"
	"gonum.org/v1/gonum/mat"

	"github.com/replaylab/replay/replaylib/metrics"
	"github.com/replaylab/replay/replaylib/model"
	"github.com/replaylab/replay/replaylib/training"
)

// FormDynamics describes the noiseless dynamics of one adaptation form on a network: where the
// state settles and how it relaxes there.
type FormDynamics struct {
	Form model.AdaptForm `json:"form"`      // the adaptation form
	Tau  float64         `json:"adapt_tau"` // τ_a, steps
	// Radius is the largest |eigenvalue| of the Jacobian of the (h, a[, h̄]) update at the state
	// reached after 1000 noiseless zero-input steps from the first chain's start; Complex says
	// whether that eigenvalue has an imaginary part (an underdamped, oscillating mode) and Angle
	// its argument (radians).
	Radius  float64 `json:"radius"`
	Complex bool    `json:"complex"`
	Angle   float64 `json:"angle"`
	// Settled says whether the state stopped moving: LastMove, ‖h_t − h_{t−1}‖ over the last
	// settling step, below 1e-4.
	Settled  bool    `json:"settled"`
	LastMove float64 `json:"last_move"`
	// Dwell is the mean dwell time of this form's replay (steps; forms family variant).
	Dwell float64 `json:"dwell"`
}

// Settling of the noiseless dynamics before the Jacobian is taken.
const (
	settleSteps     = 1000
	settleTolerance = 1e-4
	jacobianEps     = 1e-3
)

// formDynamics analyses every adaptation form at every τ_a of the forms table, from the first
// chain's start.
func (r *runner) formDynamics(ctx context.Context, run *training.Run, ts *taskSetup, st *starts, res *ReplayResult) ([]FormDynamics, error) {
	net, err := run.Network()
	if err != nil {
		return nil, err
	}
	N := run.Config.Model.Hidden
	h0 := tensors.MustCopyFlatData[float32](st.states)[:N]
	var out []FormDynamics
	s := r.plan.Size
	for _, f := range model.AdaptForms {
		for _, tau := range s.AdaptTaus {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			cell := run.Config.Model.Cell
			cell.AdaptForm, cell.AdaptStrength, cell.AdaptTau, cell.NoiseSD = f, s.AdaptStrength, tau, 0
			fd, err := jacobianAtRest(net, cell, h0)
			if err != nil {
				return nil, fmt.Errorf("form %s, τa=%g: %w", f, tau, err)
			}
			fd.Form, fd.Tau = f, tau
			if v := res.Variant(formsName(f, tau)); v != nil {
				fd.Dwell = v.Values[metrics.KeyDwellTime]
			}
			out = append(out, fd)
		}
	}
	return out, nil
}

// jacobianAtRest runs one chain noiselessly from h0 and differentiates the update there.
func jacobianAtRest(net *model.Network, cell model.CellParams, h0 []float32) (FormDynamics, error) {
	N := len(h0)
	in := net.Config.InputDim
	state := net.StateFrom(tensors.FromFlatDataAndDimensions(append([]float32(nil), h0...), 1, N))
	zero := make([]float32, in)
	var fd FormDynamics
	prev := tensors.MustCopyFlatData[float32](state.H)
	for range settleSteps {
		var err error
		if state, err = net.Step(cell, state, zero, nil); err != nil {
			return fd, err
		}
		h := tensors.MustCopyFlatData[float32](state.H)
		move := 0.0
		for i := range h {
			move += float64((h[i] - prev[i]) * (h[i] - prev[i]))
		}
		fd.LastMove, prev = math.Sqrt(move), h
	}
	fd.Settled = fd.LastMove < settleTolerance
	// The state vector: h and a (and h̄ for the relative form); v is the increment, not a state of
	// the first-order update (λ_v = 1 here).
	parts := [][]float32{tensors.MustCopyFlatData[float32](state.H), tensors.MustCopyFlatData[float32](state.A)}
	if cell.AdaptForm == model.AdaptRelative {
		parts = append(parts, tensors.MustCopyFlatData[float32](state.HBar))
	}
	D := len(parts) * N
	base := make([]float32, 0, D)
	for _, p := range parts {
		base = append(base, p...)
	}
	// One batch: row 0 is the rest state, row 1+j the rest state with coordinate j moved by ε.
	B := D + 1
	rows := make([][]float32, len(parts))
	for k := range rows {
		rows[k] = make([]float32, B*N)
		for b := range B {
			copy(rows[k][b*N:(b+1)*N], parts[k])
		}
	}
	for j := range D {
		rows[j/N][(j+1)*N+j%N] += jacobianEps
	}
	batch := model.TensorState{
		H: tensors.FromFlatDataAndDimensions(rows[0], B, N),
		A: tensors.FromFlatDataAndDimensions(rows[1], B, N),
		V: tensors.FromFlatDataAndDimensions(make([]float32, B*N), B, N),
	}
	if len(rows) > 2 {
		batch.HBar = tensors.FromFlatDataAndDimensions(rows[2], B, N)
	}
	next, err := net.Step(cell, batch, make([]float32, B*in), nil)
	if err != nil {
		return fd, err
	}
	outs := [][]float32{tensors.MustCopyFlatData[float32](next.H), tensors.MustCopyFlatData[float32](next.A)}
	if len(rows) > 2 {
		outs = append(outs, tensors.MustCopyFlatData[float32](next.HBar))
	}
	J := mat.NewDense(D, D, nil)
	for j := range D { // column j: (F(x + ε e_j) − F(x)) / ε
		for i := range D {
			k, u := i/N, i%N
			J.Set(i, j, float64(outs[k][(j+1)*N+u]-outs[k][u])/jacobianEps)
		}
	}
	var eig mat.Eigen
	if !eig.Factorize(J, mat.EigenNone) {
		return fd, fmt.Errorf("eigenvalues of the %d×%d Jacobian did not converge", D, D)
	}
	for _, l := range eig.Values(nil) {
		if a := cmplx.Abs(l); a > fd.Radius {
			fd.Radius, fd.Angle = a, cmplx.Phase(l)
			fd.Complex = math.Abs(imag(l)) > 1e-6*a
		}
	}
	return fd, nil
}
