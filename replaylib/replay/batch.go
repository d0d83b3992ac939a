package replay

import (
	"fmt"

	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/replaylab/replay/geom"
	"github.com/replaylab/replay/replaylib/model"
)

// Member is one replay setting of a batch: its configuration and where its chains start.
type Member struct {
	Config Config
	Start  Start
}

// BatchObserver receives member m's decoded positions after step t, as Observer does for one run.
// The slice is reused between calls: copy what you keep.
type BatchObserver func(member, t int, positions []geom.Point) error

// BatchOutputObserver receives member m's readouts after step t, as OutputObserver does for one
// run. The slice is reused between calls.
type BatchOutputObserver func(member, t int, outputs []float32) error

// MaxBatchChains bounds the chains of one batch (members' chains together): memory per call
// grows with chains × hidden units × steps per call.
const MaxBatchChains = 1 << 16

// batch is the members of a run laid out as one set of chains.
type batch struct {
	members []Member
	offsets []int // each member's first chain
	chains  int   // all members' chains
	mixed   bool  // per-chain cells (more than one member)
	form    model.Form
	h       *tensors.Tensor // h_0 [chains, N]
	params  *tensors.Tensor // [NumParams], or [chains, NumChainValues] when mixed
	noise   noiseSource
}

// newBatch checks the members and lays them out.
func (e *Engine) newBatch(members []Member) (*batch, error) {
	if len(members) == 0 {
		return nil, fmt.Errorf("replay batch: no members")
	}
	b := &batch{members: members, mixed: len(members) > 1}
	first := members[0].Config
	for m, mem := range members {
		cfg := mem.Config
		if err := cfg.Validate(); err != nil {
			return nil, b.name(m, err)
		}
		if cfg.Steps != first.Steps || cfg.Burnin != first.Burnin || cfg.StepsPerCall != first.StepsPerCall {
			return nil, fmt.Errorf("replay batch: member %d has steps=%d, burnin=%d, steps_per_call=%d, member 0 %d, %d, %d: a batch's members must share them",
				m, cfg.Steps, cfg.Burnin, cfg.StepsPerCall, first.Steps, first.Burnin, first.StepsPerCall)
		}
		b.offsets = append(b.offsets, b.chains)
		b.chains += cfg.Chains
	}
	if b.chains > MaxBatchChains {
		return nil, fmt.Errorf("replay batch: %d chains in all, must be ≤ %d (split it into several batches)", b.chains, MaxBatchChains)
	}
	N := e.model.Hidden
	starts := make([]*tensors.Tensor, len(members))
	for m, mem := range members {
		h, err := e.startState(mem.Config, mem.Start)
		if err != nil {
			return nil, b.name(m, err)
		}
		starts[m] = h
	}
	if !b.mixed {
		cell := first.Cell
		cell.NoiseSD = first.EffectiveNoise()
		values := cell.ParamValues()
		b.h, b.form = starts[0], cell.MinimalForm()
		b.params = tensors.FromFlatDataAndDimensions(values, len(values))
		b.noise = newChainNoise(first.Seed, first.Chains, N)
		return b, nil
	}
	h := make([]float32, 0, b.chains*N)
	values := make([]float32, 0, b.chains*model.NumChainValues)
	for m, mem := range members {
		h = append(h, tensors.MustCopyFlatData[float32](starts[m])...)
		cell := mem.Config.Cell
		cell.NoiseSD = mem.Config.EffectiveNoise()
		row := cell.ChainValues()
		for range mem.Config.Chains {
			values = append(values, row...)
		}
	}
	b.h = tensors.FromFlatDataAndDimensions(h, b.chains, N)
	b.params = tensors.FromFlatDataAndDimensions(values, b.chains, model.NumChainValues)
	b.noise = newSharedNoise(members, b.offsets, N)
	return b, nil
}

// MemberError is an error of one member of a batch (a setting out of range, a start that does
// not fit, a divergence).
type MemberError struct {
	Member int // the member's index in the batch
	Err    error
}

func (e *MemberError) Error() string { return fmt.Sprintf("member %d: %v", e.Member, e.Err) }
func (e *MemberError) Unwrap() error { return e.Err }

// name wraps err as member m's when the batch has several.
func (b *batch) name(m int, err error) error {
	if len(b.members) > 1 {
		return &MemberError{Member: m, Err: err}
	}
	return err
}

// observeOutputs hands out each member's readouts of observed step t from outs, the readouts of
// all chains laid out [chains, k, out] (the step's row s of each chain's k).
func (b *batch) observeOutputs(t int, outs []float32, k, s, out int, buf []float32, outputs BatchOutputObserver) ([]float32, error) {
	for m, mem := range b.members {
		buf = buf[:0]
		for c := b.offsets[m]; c < b.offsets[m]+mem.Config.Chains; c++ {
			buf = append(buf, outs[(c*k+s)*out:(c*k+s+1)*out]...)
		}
		if err := outputs(m, t, buf); err != nil {
			return buf, err
		}
	}
	return buf, nil
}

// observe checks and hands out the decoded positions of all chains [chains] at observed step t
// (step counts the burn-in too, for the divergence message).
func (b *batch) observe(t, step int, pos []geom.Point, observe BatchObserver) error {
	for m, mem := range b.members {
		p := pos[b.offsets[m] : b.offsets[m]+mem.Config.Chains]
		if err := checkFinite(p, step); err != nil {
			return b.name(m, err)
		}
		if observe != nil {
			if err := observe(m, t, p); err != nil {
				return err
			}
		}
	}
	return nil
}
