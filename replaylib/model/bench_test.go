package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"

	"github.com/replaylab/replay/replaylib"
)

type forwardFn func(ctx *context.Context, cfg Config, cell CellParams, inputs, initial, xi *Node) (*Node, *Node)

// trainStep builds one Adam step of the model on random data and returns a function that runs it.
func trainStep(tb testing.TB, cfg Config, B, T int, fwd forwardFn) func() float32 {
	tb.Helper()
	backend := replaylib.MustBackend()
	ctx := context.New()
	rng := rand.New(rand.NewPCG(1, 2))
	InitWeights(ctx, cfg, rng)
	ctx.SetRNGStateFromSeed(3)
	opt := optimizers.Adam().LearningRate(1e-3).Done()
	exec, err := context.NewExec(backend, ctx, func(ctx *context.Context, inputs, initial, targets *Node) *Node {
		B, T := inputs.Shape().Dimensions[0], inputs.Shape().Dimensions[1]
		out, _ := fwd(ctx, cfg, cfg.Cell, inputs, initial, StandardNormal(ctx, inputs.Graph(), T, B, cfg.Hidden))
		loss := Loss(cfg, out, targets)
		opt.UpdateGraph(ctx, inputs.Graph(), loss)
		return loss
	})
	if err != nil {
		tb.Fatal(err)
	}
	randn := func(n int) []float32 { return standardNormals(rng, n) }
	in := tensors.FromFlatDataAndDimensions(randn(B*T*cfg.InputDim), B, T, cfg.InputDim)
	s0 := tensors.FromFlatDataAndDimensions(randn(B*cfg.ObsDim), B, cfg.ObsDim)
	targets := randn(B * T * cfg.OutputDim)
	if cfg.Readout == ReadoutCrossEntropy { // probability vectors: the loss is bounded below
		for i := 0; i < len(targets); i += cfg.OutputDim {
			row, sum := targets[i:i+cfg.OutputDim], float32(0)
			for j := range row {
				row[j] = float32(math.Exp(float64(row[j])))
				sum += row[j]
			}
			for j := range row {
				row[j] /= sum
			}
		}
	}
	tg := tensors.FromFlatDataAndDimensions(targets, B, T, cfg.OutputDim)
	return func() float32 {
		out, err := exec.Exec(in, s0, tg)
		if err != nil {
			tb.Fatal(err)
		}
		return out[0].Value().(float32)
	}
}

// standardNormals draws n standard normals from rng, the benchmarks' random data.
func standardNormals(rng *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	return x
}

// FLOPs of one train step, counting multiply-adds as 2 in the three matrix products per step
// (forward h·W_rec, u·W_in, readout) and 2× that for the backward pass.
func trainStepFLOPs(cfg Config, B, T int) float64 {
	n, in, out := float64(cfg.Hidden), float64(cfg.InputDim), float64(cfg.OutputDim)
	fwd := float64(B*T) * 2 * (n*n + in*n + n*out)
	return 3 * fwd
}

func benchTrainStep(b *testing.B, cfg Config, B, T int, fwd forwardFn) {
	step := trainStep(b, cfg, B, T, fwd)
	step() // compile
	b.ResetTimer()
	for b.Loop() {
		step()
	}
	b.ReportMetric(trainStepFLOPs(cfg, B, T)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

func smallConfig() Config {
	return Config{Hidden: 128, InputDim: 4, ObsDim: 2, OutputDim: 2, Readout: ReadoutMSE, Cell: DefaultCellParams()}
}

func referenceConfig() Config {
	cell := DefaultCellParams()
	cell.Alpha = 0.2
	return Config{Hidden: 512, InputDim: 514, ObsDim: 512, OutputDim: 512, Readout: ReadoutCrossEntropy, Cell: cell}
}

func BenchmarkTrainStepSmall(b *testing.B) {
	b.Run("fast", func(b *testing.B) { benchTrainStep(b, smallConfig(), 32, 50, Forward) })
	b.Run("baseline", func(b *testing.B) { benchTrainStep(b, smallConfig(), 32, 50, forwardBaseline) })
}

func BenchmarkTrainStepReference(b *testing.B) {
	if testing.Short() {
		b.Skip("reference size (B=200, N=512, T=100) takes minutes per step on simplego")
	}
	b.Run("fast", func(b *testing.B) { benchTrainStep(b, referenceConfig(), 200, 100, Forward) })
}

// BenchmarkFirstStep reports the first (compiling) train step: building the graph, compiling it
// and running it once, at the quick size (B=32, N=128, T=50) and the reference size.
func BenchmarkFirstStep(b *testing.B) {
	for _, c := range []struct {
		name string
		cfg  Config
		B, T int
	}{{"quick", smallConfig(), 32, 50}, {"reference", referenceConfig(), 200, 100}} {
		b.Run(c.name, func(b *testing.B) {
			if c.name == "reference" && testing.Short() {
				b.Skip("reference size is slow on simplego")
			}
			for b.Loop() {
				trainStep(b, c.cfg, c.B, c.T, Forward)()
			}
		})
	}
}

// ensembleTrainStep builds one Adam step of an ensemble of m networks on random data (each network
// its own weights and noise stream) and returns a function that runs it.
func ensembleTrainStep(tb testing.TB, cfg Config, m, B, T int) func() {
	tb.Helper()
	backend := replaylib.MustBackend()
	ctx := context.New()
	rng := rand.New(rand.NewPCG(1, 2))
	stacked := map[string][]float32{}
	for i := range m { // each network initialised as it would be alone
		member := context.New()
		InitWeights(member, cfg, rand.New(rand.NewPCG(1, uint64(i))))
		for name := range cfg.weightShapes() {
			v, _ := member.In(Scope).GetVariable(name).Value()
			stacked[name] = append(stacked[name], tensors.MustCopyFlatData[float32](v)...)
		}
	}
	for name, dims := range cfg.EnsembleWeightShapes(m) {
		ctx.In(Scope).VariableWithValue(name, tensors.FromFlatDataAndDimensions(stacked[name], dims...))
	}
	states := make([]*tensors.Tensor, m)
	for i := range states {
		states[i], _ = RNGStateFromSeed(int64(i))
	}
	opt := optimizers.Adam().LearningRate(1e-3).Done()
	exec, err := context.NewExec(backend, ctx, func(ctx *context.Context, in []*Node) *Node {
		g := in[0].Graph()
		xi := make([]*Node, m)
		for i := range m {
			_, xi[i] = StandardNormalFrom(in[3+i], T, B, cfg.Hidden)
		}
		out, _ := ForwardEnsemble(ctx, cfg, cfg.Cell, in[0], in[1], Stack(xi, 1))
		loss := ReduceSum(EnsembleLoss(cfg, out, in[2]))
		opt.UpdateGraph(ctx, g, loss)
		return loss
	})
	if err != nil {
		tb.Fatal(err)
	}
	randn := func(n int) []float32 { return standardNormals(rng, n) }
	args := []any{tensors.FromFlatDataAndDimensions(randn(m*B*T*cfg.InputDim), m, B, T, cfg.InputDim),
		tensors.FromFlatDataAndDimensions(randn(m*B*cfg.ObsDim), m, B, cfg.ObsDim),
		tensors.FromFlatDataAndDimensions(randn(m*B*T*cfg.OutputDim), m, B, T, cfg.OutputDim)}
	for _, s := range states {
		args = append(args, s)
	}
	return func() {
		if _, err := exec.Exec(args...); err != nil {
			tb.Fatal(err)
		}
	}
}

// BenchmarkTrainStepEnsemble: one Adam step of M networks in one graph at the quick reproduction's
// size (N = 64, B = 32, T = 50); network-steps/s is the training throughput to compare with M = 1.
func BenchmarkTrainStepEnsemble(b *testing.B) {
	cfg := smallConfig()
	cfg.Hidden = 64
	for _, m := range []int{1, 5, 10} {
		b.Run(fmt.Sprintf("M=%d", m), func(b *testing.B) {
			step := ensembleTrainStep(b, cfg, m, 32, 50)
			step() // compile
			b.ResetTimer()
			for b.Loop() {
				step()
			}
			b.ReportMetric(float64(m*b.N)/b.Elapsed().Seconds(), "network-steps/s")
		})
	}
}

// BenchmarkTrainStepQuick: one network's Adam step at the quick reproduction's size (N = 64), the
// single-network step BenchmarkTrainStepEnsemble's throughput compares with.
func BenchmarkTrainStepQuick(b *testing.B) {
	cfg := smallConfig()
	cfg.Hidden = 64
	step := trainStep(b, cfg, 32, 50, Forward)
	step()
	b.ResetTimer()
	for b.Loop() {
		step()
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "network-steps/s")
}
