package model

import (
	"math"
	"math/rand/v2"
	"testing"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/replaylab/replay/replaylib"
)

// reference is a plain-Go float64 implementation of the cell equations of the package doc.
type reference struct {
	cfg  Config
	cell CellParams
	w    map[string][]float64
}

func (r reference) matvec(x []float64, name string, cols int) []float64 {
	w := r.w[name]
	out := make([]float64, cols)
	for k, xk := range x {
		for j := range cols {
			out[j] += xk * w[k*cols+j]
		}
	}
	return out
}

// forward returns y[b][t][o] and the mean loss for inputs[b][t][i], initial[b][i], targets like y.
func (r reference) forward(inputs [][][]float64, initial [][]float64, targets [][][]float64) ([][][]float64, float64) {
	n, c := r.cfg.Hidden, r.cell
	var ys [][][]float64
	loss, count := 0.0, 0
	for b := range inputs {
		h := r.matvec(initial[b], WeightEnc, n)
		a := make([]float64, n)
		v := make([]float64, n)
		hbar := append([]float64(nil), h...)
		subtractive := c.AdaptForm != AdaptShunting
		var yb [][]float64
		for t := range inputs[b] {
			rec := r.matvec(h, WeightRec, n)
			in := r.matvec(inputs[b][t], WeightIn, n)
			hNew, aNew, hbarNew := make([]float64, n), make([]float64, n), make([]float64, n)
			for j := range n {
				pre := rec[j] + in[j] + r.w[WeightBias][j]
				if subtractive {
					pre -= a[j]
				}
				rate := math.Max(pre, 0)
				leak := h[j]
				if !subtractive {
					leak *= 1 + a[j] // shunting: a multiplies the leak
				}
				f := h[j] + c.Alpha*(rate-leak)
				v[j] = (1-c.Momentum)*v[j] + (f - h[j])
				hNew[j] = h[j] + v[j]
				var d float64
				switch c.AdaptForm {
				case AdaptHidden:
					d = h[j]
				case AdaptRelative:
					d = h[j] - hbar[j]
				default:
					d = rate
				}
				aNew[j] = (1-1/c.AdaptTau)*a[j] + c.AdaptStrength/c.AdaptTau*d
				hbarNew[j] = hbar[j] + (h[j]-hbar[j])/c.AdaptSlowTau
			}
			h, a, hbar = hNew, aNew, hbarNew
			y := r.matvec(h, WeightOut, r.cfg.OutputDim)
			for o := range y {
				y[o] += r.w[WeightOutBias][o]
			}
			yb = append(yb, y)
			if r.cfg.Readout == ReadoutMSE {
				for o := range y {
					d := y[o] - targets[b][t][o]
					loss += d * d
					count++
				}
			} else {
				m := math.Inf(-1)
				for _, x := range y {
					m = math.Max(m, x)
				}
				z := 0.0
				for _, x := range y {
					z += math.Exp(x - m)
				}
				for o := range y {
					loss -= targets[b][t][o] * (y[o] - m - math.Log(z))
				}
				count++
			}
		}
		ys = append(ys, yb)
	}
	return ys, loss / float64(count)
}

type testData struct {
	inputs, targets [][][]float64
	initial         [][]float64
}

func randomData(cfg Config, B, T int, rng *rand.Rand) testData {
	var d testData
	for range B {
		var in, tg [][]float64
		for range T {
			x := make([]float64, cfg.InputDim)
			for i := range x {
				x[i] = 0.5 * rng.NormFloat64()
			}
			y := make([]float64, cfg.OutputDim)
			sum := 0.0
			for i := range y {
				y[i] = rng.Float64()
				sum += y[i]
			}
			if cfg.Readout == ReadoutCrossEntropy {
				for i := range y {
					y[i] /= sum
				}
			}
			in, tg = append(in, x), append(tg, y)
		}
		s := make([]float64, cfg.ObsDim)
		for i := range s {
			s[i] = rng.Float64()
		}
		d.inputs, d.targets, d.initial = append(d.inputs, in), append(d.targets, tg), append(d.initial, s)
	}
	return d
}

func flat3(x [][][]float64) []float32 {
	var out []float32
	for _, a := range x {
		for _, b := range a {
			for _, v := range b {
				out = append(out, float32(v))
			}
		}
	}
	return out
}

func flat2(x [][]float64) []float32 {
	var out []float32
	for _, a := range x {
		for _, v := range a {
			out = append(out, float32(v))
		}
	}
	return out
}

func weightsOf(t *testing.T, ctx *context.Context) map[string][]float64 {
	t.Helper()
	w := map[string][]float64{}
	for _, name := range []string{WeightRec, WeightIn, WeightBias, WeightEnc, WeightOut, WeightOutBias} {
		v := ctx.GetVariableByScopeAndName("/"+Scope, name)
		if v == nil {
			t.Fatalf("variable %s missing", name)
		}
		val, _ := v.Value()
		for _, x := range tensors.MustCopyFlatData[float32](val) {
			w[name] = append(w[name], float64(x))
		}
	}
	return w
}

var variants = map[string]CellParams{
	"plain":                {Alpha: 1, AdaptTau: 5, AdaptForm: AdaptHidden, AdaptSlowTau: 50, Momentum: 1},
	"leak":                 {Alpha: 0.3, AdaptTau: 5, AdaptForm: AdaptHidden, AdaptSlowTau: 50, Momentum: 1},
	"adaptation":           {Alpha: 0.5, AdaptStrength: 0.5, AdaptTau: 5, AdaptForm: AdaptHidden, AdaptSlowTau: 50, Momentum: 1},
	"adaptation(rate)":     {Alpha: 0.5, AdaptStrength: 0.3, AdaptTau: 8, AdaptForm: AdaptRate, AdaptSlowTau: 50, Momentum: 1},
	"adaptation(relative)": {Alpha: 0.5, AdaptStrength: 0.6, AdaptTau: 4, AdaptForm: AdaptRelative, AdaptSlowTau: 3, Momentum: 1},
	"adaptation(shunting)": {Alpha: 0.4, AdaptStrength: 0.7, AdaptTau: 3, AdaptForm: AdaptShunting, AdaptSlowTau: 50, Momentum: 1},
	"momentum":             {Alpha: 0.5, AdaptTau: 5, AdaptForm: AdaptHidden, AdaptSlowTau: 50, Momentum: 0.7},
	"all":                  {Alpha: 0.2, AdaptStrength: 0.3, AdaptTau: 5, AdaptForm: AdaptRelative, AdaptSlowTau: 7, Momentum: 0.6},
}

// TestForwardMatchesReference: every variant, both unroll plans and both readouts agree with the
// float64 reference, noiselessly.
func TestForwardMatchesReference(t *testing.T) {
	backend := replaylib.MustBackend()
	const B, T = 3, 6
	for name, cell := range variants {
		for _, readout := range []ReadoutKind{ReadoutMSE, ReadoutCrossEntropy} {
			cfg := Config{Hidden: 8, InputDim: 3, ObsDim: 2, OutputDim: 4, Readout: readout, Cell: cell}
			rng := rand.New(rand.NewPCG(1, 1))
			ctx := context.New()
			InitWeights(ctx, cfg, rng)
			data := randomData(cfg, B, T, rng)
			ref := reference{cfg, cell, weightsOf(t, ctx)}
			wantY, wantLoss := ref.forward(data.inputs, data.initial, data.targets)
			for plan, fwd := range map[string]forwardFn{"fast": Forward, "baseline": forwardBaseline} {
				out, err := context.ExecOnceN(backend, ctx.Reuse(), func(ctx *context.Context, in, s0, tg *Node) []*Node {
					y, _ := fwd(ctx, cfg, cell, in, s0, nil)
					return []*Node{y, Loss(cfg, y, tg)}
				}, tensors.FromFlatDataAndDimensions(flat3(data.inputs), B, T, cfg.InputDim),
					tensors.FromFlatDataAndDimensions(flat2(data.initial), B, cfg.ObsDim),
					tensors.FromFlatDataAndDimensions(flat3(data.targets), B, T, cfg.OutputDim))
				if err != nil {
					t.Fatal(err)
				}
				got := tensors.MustCopyFlatData[float32](out[0])
				for i, want := range flat3(wantY) {
					if math.Abs(float64(got[i]-want)) > 1e-4*(1+math.Abs(float64(want))) {
						t.Fatalf("%s/%s/%s: y[%d] = %g, reference %g", name, readout, plan, i, got[i], want)
					}
				}
				if l := float64(out[1].Value().(float32)); math.Abs(l-wantLoss) > 1e-4*(1+wantLoss) {
					t.Errorf("%s/%s/%s: loss %g, reference %g", name, readout, plan, l, wantLoss)
				}
			}
		}
	}
}

// TestFirstOrderSettingsBuildThePlainCell: with λv = 1 and b_a = 0 the graph holds no momentum or
// adaptation state, and its outputs equal, bit for bit, those of the plain leaky cell written out.
func TestFirstOrderSettingsBuildThePlainCell(t *testing.T) {
	backend := replaylib.MustBackend()
	cell := CellParams{Alpha: 0.4, AdaptTau: 5, AdaptForm: AdaptHidden, AdaptSlowTau: 50, Momentum: 1}
	cfg := Config{Hidden: 16, InputDim: 4, ObsDim: 2, OutputDim: 2, Readout: ReadoutMSE, Cell: cell}
	rng := rand.New(rand.NewPCG(2, 2))
	ctx := context.New()
	InitWeights(ctx, cfg, rng)
	data := randomData(cfg, 4, 10, rng)
	in := tensors.FromFlatDataAndDimensions(flat3(data.inputs), 4, 10, cfg.InputDim)
	s0 := tensors.FromFlatDataAndDimensions(flat2(data.initial), 4, cfg.ObsDim)
	general, err := context.ExecOnce(backend, ctx.Reuse(), func(ctx *context.Context, in, s0 *Node) *Node {
		_, h := Forward(ctx, cfg, cell, in, s0, nil)
		return h
	}, in, s0)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := context.ExecOnce(backend, ctx.Reuse(), func(ctx *context.Context, in, s0 *Node) *Node {
		w := GetWeights(ctx, in.Graph(), cfg)
		h := MatMul2(s0, w.Enc)
		var hs []*Node
		for step := range 10 {
			u := Reshape(Slice(in, AxisRange(), AxisElem(step)), 4, -1)
			rate := Max(Add(Add(MatMul2(h, w.Rec), MatMul2(u, w.In)), ExpandAxes(w.Bias, 0)), ZerosLike(h))
			h = Add(h, MulScalar(Sub(rate, h), cell.Alpha)) // (1 − α) h + α ReLU(pre)
			hs = append(hs, h)
		}
		return Stack(hs, 1)
	}, in, s0)
	if err != nil {
		t.Fatal(err)
	}
	a, b := tensors.MustCopyFlatData[float32](general), tensors.MustCopyFlatData[float32](plain)
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("h[%d]: general cell %g, plain leaky cell %g", i, a[i], b[i])
		}
	}
	var extraState bool
	context.ExecOnce(backend, ctx.Reuse(), func(ctx *context.Context, s0 *Node) *Node {
		w := GetWeights(ctx, s0.Graph(), cfg)
		form := cell.MinimalForm()
		s := form.Step(w, cell.Constants(s0.Graph()), form.InitialState(w, s0), ExpandAxes(w.Bias, 0), nil)
		extraState = s.A != nil || s.V != nil || s.HBar != nil
		return s.H
	}, s0)
	if extraState {
		t.Error("first-order settings built adaptation or momentum state")
	}
}

// TestGradientMatchesFiniteDifferences checks ∂L/∂W of the graph (with MatMul2's gradient) against
// central differences of the float64 reference, for every variant and a sample of weight entries.
func TestGradientMatchesFiniteDifferences(t *testing.T) {
	backend := replaylib.MustBackend()
	const B, T, eps = 2, 5, 1e-5
	names := []string{WeightRec, WeightIn, WeightBias, WeightEnc, WeightOut, WeightOutBias}
	for name, cell := range variants {
		readout := ReadoutMSE
		if name == "all" {
			readout = ReadoutCrossEntropy
		}
		cfg := Config{Hidden: 6, InputDim: 3, ObsDim: 2, OutputDim: 3, Readout: readout, Cell: cell}
		rng := rand.New(rand.NewPCG(3, 3))
		ctx := context.New()
		InitWeights(ctx, cfg, rng)
		// Shift biases so that some units are inactive: the ReLU kink matters.
		data := randomData(cfg, B, T, rng)
		grads, err := context.ExecOnceN(backend, ctx.Reuse(), func(ctx *context.Context, in, s0, tg *Node) []*Node {
			y, _ := Forward(ctx, cfg, cell, in, s0, nil)
			loss := Loss(cfg, y, tg)
			w := GetWeights(ctx, in.Graph(), cfg)
			return Gradient(loss, w.Rec, w.In, w.Bias, w.Enc, w.Out, w.OutBias)
		}, tensors.FromFlatDataAndDimensions(flat3(data.inputs), B, T, cfg.InputDim),
			tensors.FromFlatDataAndDimensions(flat2(data.initial), B, cfg.ObsDim),
			tensors.FromFlatDataAndDimensions(flat3(data.targets), B, T, cfg.OutputDim))
		if err != nil {
			t.Fatal(err)
		}
		ref := reference{cfg, cell, weightsOf(t, ctx)}
		for k, wname := range names {
			g := tensors.MustCopyFlatData[float32](grads[k])
			for trial := range 4 {
				i := (trial * 7919) % len(g)
				orig := ref.w[wname][i]
				ref.w[wname][i] = orig + eps
				_, lp := ref.forward(data.inputs, data.initial, data.targets)
				ref.w[wname][i] = orig - eps
				_, lm := ref.forward(data.inputs, data.initial, data.targets)
				ref.w[wname][i] = orig
				fd := (lp - lm) / (2 * eps)
				if math.Abs(float64(g[i])-fd) > 2e-3*(math.Abs(fd)+1e-2) {
					t.Errorf("%s: ∂L/∂%s[%d] = %g, finite difference %g", name, wname, i, g[i], fd)
				}
			}
		}
	}
}

func TestValidateNamesTheField(t *testing.T) {
	ok := DefaultCellParams()
	with := func(f func(*CellParams)) CellParams { c := ok; f(&c); return c }
	bad := map[string]CellParams{
		"alpha":          with(func(c *CellParams) { c.Alpha = 0 }),
		"momentum":       with(func(c *CellParams) { c.Momentum = 1.5 }),
		"adapt_tau":      with(func(c *CellParams) { c.AdaptTau = 0.5 }),
		"adapt_form":     with(func(c *CellParams) { c.AdaptForm = "x" }),
		"adapt_slow_tau": with(func(c *CellParams) { c.AdaptSlowTau = math.Inf(1) }),
		"adapt_strength": with(func(c *CellParams) { c.AdaptStrength = 1e308 }),
		"noise_sd":       with(func(c *CellParams) { c.NoiseSD = math.NaN() }),
	}
	for field, c := range bad {
		err := c.Validate()
		if err == nil || len(err.Error()) < len(field) || err.Error()[:len(field)] != field {
			t.Errorf("%s: error %v, want one starting with the field name", field, err)
		}
	}
	if err := DefaultCellParams().Validate(); err != nil {
		t.Errorf("defaults invalid: %v", err)
	}
}

// TestBoxMullerAtTheEdges: the uniforms the generator can draw, 0 and 1 included, give finite
// normals with the Box–Muller values r cos θ, r sin θ (u₁ = 0 is raised to 2⁻³²: r = √(64 ln 2)).
func TestBoxMullerAtTheEdges(t *testing.T) {
	u1 := []float32{0, uMin, 1, 0.5}
	u2 := []float32{0.125, 0.25, 0.3, 0}
	out, err := ExecOnce(replaylib.MustBackend(), func(a, b *Node) *Node { return BoxMuller(a, b, 8) },
		tensors.FromValue(u1), tensors.FromValue(u2))
	if err != nil {
		t.Fatal(err)
	}
	z := tensors.MustCopyFlatData[float32](out)
	for i := range u1 {
		u := math.Max(float64(u1[i]), uMin)
		r := math.Sqrt(-2 * math.Log(u))
		theta := 2 * math.Pi * float64(u2[i])
		for j, want := range []float64{r * math.Cos(theta), r * math.Sin(theta)} {
			got := float64(z[i+j*len(u1)])
			if math.IsInf(got, 0) || math.IsNaN(got) || math.Abs(got-want) > 1e-5*math.Max(1, math.Abs(want)) {
				t.Errorf("u1=%g u2=%g: normal %d = %g, want %g", u1[i], u2[i], j, got, want)
			}
		}
	}
}
