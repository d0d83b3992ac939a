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
	"github.com/replaylab/replay/replaylib/metrics"
	"github.com/replaylab/replay/replaylib/model"
	"github.com/replaylab/replay/replaylib/replay"
	"github.com/replaylab/replay/replaylib/training"
)

// TestHoldTestOnALinearCell: a 2-unit leaky cell with W_rec = w·I, b = 0 and the identity readout
// (x = h + b_out) is linear while h > 0: h_t = ρ^t h_0 with ρ = 1 − α(1 − w). Run through the replay
// engine, the hold test must give the drift |h_0|(1 − ρ^L) at every lag; with ρ = 0.998 the chains
// still move at step 1,000 (none settled), with ρ = 0.98 all rest at one fixed point, b_out.
func TestHoldTestOnALinearCell(t *testing.T) {
	for _, w := range []float64{0.99, 0.9} {
		holdOnLinearCell(t, w)
	}
}

func holdOnLinearCell(t *testing.T, w float64) {
	backend, err := replaylib.NewBackend()
	if err != nil {
		t.Fatal(err)
	}
	const alpha = 0.2
	rho := 1 - alpha*(1-w)
	cfg, err := training.DefaultConfigWith("triangle", 0)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Model.Hidden = 2
	weights := mlctx.New()
	model.InitWeights(weights, cfg.Model, rand.New(rand.NewPCG(1, 2)))
	bOut := []float32{0.5, 0.3}
	set := map[string]*tensors.Tensor{
		model.WeightRec:     tensors.FromFlatDataAndDimensions([]float32{float32(w), 0, 0, float32(w)}, 2, 2),
		model.WeightBias:    tensors.FromFlatDataAndDimensions([]float32{0, 0}, 2),
		model.WeightOut:     tensors.FromFlatDataAndDimensions([]float32{1, 0, 0, 1}, 2, 2),
		model.WeightOutBias: tensors.FromFlatDataAndDimensions(bOut, 2),
	}
	scope := weights.In(model.Scope)
	for name, value := range set {
		if err := scope.GetVariableByScopeAndName(scope.Scope(), name).SetValue(value); err != nil {
			t.Fatal(err)
		}
	}
	task, err := cfg.NewTask()
	if err != nil {
		t.Fatal(err)
	}
	eng, err := replay.New(backend, cfg.Model, weights, task)
	if err != nil {
		t.Fatal(err)
	}
	ts, err := newTaskSetup(cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	h0 := [][2]float32{{0.3, 0.1}, {0.05, 0.4}, {0.2, 0.2}}
	flat := make([]float32, 0, 2*len(h0))
	for _, h := range h0 {
		flat = append(flat, h[0], h[1])
	}
	st := &starts{states: tensors.FromFlatDataAndDimensions(flat, len(h0), 2), positions: make([]geom.Point, len(h0))}
	cell := cfg.Model.Cell
	cell.Alpha, cell.NoiseSD = alpha, 0.5 // the hold test must switch the noise off itself
	res, err := holdTest(context.Background(), eng, ts, st, cell)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range metrics.HoldLags {
		want := 0.0
		for _, h := range h0 {
			want += math.Hypot(float64(h[0]), float64(h[1])) * (1 - math.Pow(rho, float64(l))) / float64(len(h0))
		}
		if got := res.DriftAt(l); math.Abs(got-want) > 1e-4*math.Max(want, 1e-3) {
			t.Errorf("drift at %d steps: %.6f, want %.6f", l, got, want)
		}
	}
	if w == 0.99 && (res.Settled != 0 || len(res.FixedPoints) != 0) { // ρ^900(1 − ρ^100)|h_0| ≥ 0.003 u still moves
		t.Errorf("ρ = %g: settled %g with fixed points %+v; the chains still move at step 1,000", rho, res.Settled, res.FixedPoints)
	}
	if w == 0.9 {
		if res.Settled != 1 || len(res.FixedPoints) != 1 || res.FixedPoints[0].At.Sub(geom.Point{X: float64(bOut[0]), Y: float64(bOut[1])}).Norm() > 1e-5 {
			t.Errorf("ρ = %g: settled %g, fixed points %+v; want all at b_out", rho, res.Settled, res.FixedPoints)
		}
	}
	if d := res.Starts[0].Sub(geom.Point{X: 0.3 + float64(bOut[0]), Y: 0.1 + float64(bOut[1])}).Norm(); d > 1e-6 {
		t.Errorf("decoded start %+v, want h_0 + b_out", res.Starts[0])
	}
}
