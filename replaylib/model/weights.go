package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck // GoMLX graph-building style
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// Scope is the context scope of the network's weights.
const Scope = "rnn"

// DType of every weight and state.
var DType = dtypes.Float32

// Weight names inside Scope.
const (
	WeightRec     = "W_rec"
	WeightIn      = "W_in"
	WeightBias    = "b"
	WeightEnc     = "W_enc"
	WeightOut     = "W_out"
	WeightOutBias = "b_out"
)

// Weights are the network's weights as graph nodes: Rec W_rec [N, N], In W_in [InputDim, N],
// Bias b [N], Enc W_enc [ObsDim, N], Out W_out [N, OutputDim], OutBias b_out [OutputDim]
// (row vectors multiply from the left: h·W_rec).
type Weights struct {
	Rec, In, Bias, Enc, Out, OutBias *Node
}

func (cfg Config) weightShapes() map[string][]int {
	n := cfg.Hidden
	return map[string][]int{
		WeightRec: {n, n}, WeightIn: {cfg.InputDim, n}, WeightBias: {n},
		WeightEnc: {cfg.ObsDim, n}, WeightOut: {n, cfg.OutputDim}, WeightOutBias: {cfg.OutputDim},
	}
}

// WeightShapes returns the shape of each weight (by name inside Scope) of a network of cfg: what
// a checkpoint of it must hold.
func (cfg Config) WeightShapes() map[string][]int { return cfg.weightShapes() }

// InitWeights creates the weights in ctx from rng (see the package doc for the distributions),
// replacing any existing values.
func InitWeights(ctx *context.Context, cfg Config, rng *rand.Rand) {
	scope := ctx.In(Scope).Checked(false)
	n := cfg.Hidden
	gauss := func(dims []int, sd float64) []float32 {
		size := 1
		for _, d := range dims {
			size *= d
		}
		data := make([]float32, size)
		for i := range data {
			data[i] = float32(sd * rng.NormFloat64())
		}
		return data
	}
	shapesByName := cfg.weightShapes()
	values := map[string][]float32{
		WeightRec:     gauss(shapesByName[WeightRec], RecurrentInitSD/math.Sqrt(float64(n))),
		WeightIn:      gauss(shapesByName[WeightIn], 1/math.Sqrt(float64(cfg.InputDim))),
		WeightBias:    make([]float32, n),
		WeightEnc:     gauss(shapesByName[WeightEnc], 1/math.Sqrt(float64(cfg.ObsDim))),
		WeightOut:     gauss(shapesByName[WeightOut], 1/math.Sqrt(float64(n))),
		WeightOutBias: make([]float32, cfg.OutputDim),
	}
	for i := range n {
		values[WeightRec][i*n+i] += RecurrentInitIdentity
	}
	for _, name := range []string{WeightRec, WeightIn, WeightBias, WeightEnc, WeightOut, WeightOutBias} {
		t := tensors.FromFlatDataAndDimensions(values[name], shapesByName[name]...)
		if v := scope.GetVariableByScopeAndName(scope.Scope(), name); v != nil {
			if err := v.SetValue(t); err != nil {
				panic(err)
			}
			continue
		}
		scope.VariableWithValue(name, t)
	}
}

// GetWeights returns the weights as nodes of g, creating the variables (zero) if they do not exist;
// checkpoint loading fills them in that case.
func GetWeights(ctx *context.Context, g *Graph, cfg Config) Weights {
	scope := ctx.In(Scope).Checked(false)
	shapesByName := cfg.weightShapes()
	get := func(name string) *Node {
		return scope.VariableWithShape(name, shapes.Make(DType, shapesByName[name]...)).ValueGraph(g)
	}
	return Weights{Rec: get(WeightRec), In: get(WeightIn), Bias: get(WeightBias),
		Enc: get(WeightEnc), Out: get(WeightOut), OutBias: get(WeightOutBias)}
}

// SetOutputBias sets b_out, e.g. to the mean target of the training data (MSE readout) or the log
// of the mean target distribution (cross-entropy readout), so that training starts at the right
// place rather than spending its first steps moving the bias.
func SetOutputBias(ctx *context.Context, bias []float32) error {
	v := ctx.GetVariableByScopeAndName(ctx.In(Scope).Scope(), WeightOutBias)
	if v == nil {
		return fmt.Errorf("model weights are not initialised (no %s/%s)", Scope, WeightOutBias)
	}
	if v.Shape().Size() != len(bias) {
		return fmt.Errorf("output bias: got %d values, model has %d outputs", len(bias), v.Shape().Size())
	}
	return v.SetValue(tensors.FromFlatDataAndDimensions(slices.Clone(bias), len(bias)))
}

// CopyWeights returns a new context holding copies of the weights in src (scope Scope) and nothing
// else: no optimizer state and a fresh noise generator.
func CopyWeights(src *context.Context) (*context.Context, error) {
	dst := context.New()
	scope := dst.In(Scope).Checked(false)
	found := 0
	for v := range src.IterVariables() {
		if v.Scope() != "/"+Scope {
			continue
		}
		val, err := v.Value()
		if err != nil {
			return nil, err
		}
		clone, err := val.LocalClone()
		if err != nil {
			return nil, err
		}
		scope.VariableWithValue(v.Name(), clone)
		found++
	}
	if found == 0 {
		return nil, fmt.Errorf("no weights under scope %q", Scope)
	}
	return dst, nil
}
