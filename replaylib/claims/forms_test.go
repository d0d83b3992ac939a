package claims

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/tensors"
	mlctx "github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/replaylab/replay/geom"
	"github.com/replaylab/replay/replaylib"
	"github.com/replaylab/replay/replaylib/model"
	"github.com/replaylab/replay/replaylib/training"
)

// TestJacobianAtRestOnALinearCell: a 2-unit cell with W_rec = w·I and bias b, hidden-form
// adaptation, is linear while its drive is positive. Its noiseless zero-input dynamics rest at
// h* = b/(1 − w + b_a), a* = b_a h*, and there the Jacobian of (h, a) is, per unit, the 2×2 block
// [[1 − α + αw, −α], [b_a/τ, 1 − 1/τ]]: at α = 0.2, w = 0.5, b_a = 0.5, τ = 5, [[0.9, −0.2],
// [0.1, 0.8]], whose eigenvalues 0.85 ± i·√0.07/2 have modulus √0.74 (complex: the adaptation makes
// the rest an underdamped spiral). jacobianAtRest must find that radius, that angle and a settled state.
func TestJacobianAtRestOnALinearCell(t *testing.T) {
	backend, err := replaylib.NewBackend()
	if err != nil {
		t.Fatal(err)
	}
	const alpha, w, bias, ba, tau = 0.2, 0.5, 0.5, 0.5, 5.0
	cfg, err := training.DefaultConfigWith("triangle", 0)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Model.Hidden = 2
	weights := mlctx.New()
	model.InitWeights(weights, cfg.Model, rand.New(rand.NewPCG(1, 2)))
	scope := weights.In(model.Scope)
	for name, value := range map[string]*tensors.Tensor{
		model.WeightRec:  tensors.FromFlatDataAndDimensions([]float32{w, 0, 0, w}, 2, 2),
		model.WeightBias: tensors.FromFlatDataAndDimensions([]float32{bias, bias}, 2),
	} {
		if err := scope.GetVariableByScopeAndName(scope.Scope(), name).SetValue(value); err != nil {
			t.Fatal(err)
		}
	}
	net, err := model.NewNetwork(backend, cfg.Model, weights)
	if err != nil {
		t.Fatal(err)
	}
	cell := cfg.Model.Cell
	cell.Alpha, cell.NoiseSD = alpha, 0
	cell.AdaptForm, cell.AdaptStrength, cell.AdaptTau = model.AdaptHidden, ba, tau
	fd, err := jacobianAtRest(net, cell, []float32{0.2, 0.7})
	if err != nil {
		t.Fatal(err)
	}
	wantRadius := math.Sqrt(0.9*0.8 + 0.2*0.1)
	wantAngle := math.Atan2(math.Sqrt(0.07)/2, 0.85)
	if !fd.Settled || math.Abs(fd.Radius-wantRadius) > 1e-3 || !fd.Complex || math.Abs(math.Abs(fd.Angle)-wantAngle) > 2e-3 {
		t.Errorf("settled %v (last move %.2g), radius %.5f (want %.5f), complex %v, angle %.4f (want ±%.4f)",
			fd.Settled, fd.LastMove, fd.Radius, wantRadius, fd.Complex, fd.Angle, wantAngle)
	}
	// Without adaptation the block is 1 − α + αw = 0.9 alone: real, radius 0.9.
	cell.AdaptStrength = 0
	if fd, err = jacobianAtRest(net, cell, []float32{0.2, 0.7}); err != nil {
		t.Fatal(err)
	}
	if !fd.Settled || math.Abs(fd.Radius-0.9) > 1e-3 || fd.Complex {
		t.Errorf("no adaptation: settled %v, radius %.5f (want 0.9), complex %v", fd.Settled, fd.Radius, fd.Complex)
	}
}

// TestMeasureReusesItsTaskSetup: Measure makes a task's setup once per task, cell count and seed
// (the playground measures on every slider move), and measuring again gives the same numbers.
func TestMeasureReusesItsTaskSetup(t *testing.T) {
	opt := MeasureOptions{Task: "tmaze", Seed: 7}
	a, err := measureSetups.get(opt)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := measureSetups.get(opt); b != a {
		t.Error("a second Measure of the same task and seed made its setup again")
	}
	if c, _ := measureSetups.get(MeasureOptions{Task: "tmaze", Seed: 8}); c == a {
		t.Error("another seed reused the setup")
	}
	traj := [][]geom.Point{a.floor[:60], a.floor[60:120], a.floor[120:180]}
	first, err := Measure(context.Background(), traj, opt)
	if err != nil {
		t.Fatal(err)
	}
	again, err := Measure(context.Background(), traj, opt)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range first {
		if again[k] != v {
			t.Errorf("%s: %g, then %g", k, v, again[k])
		}
	}
}
