package claims

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/replaylab/replay/geom"
	"github.com/replaylab/replay/replaylib/replay"
)

// batchVariants splits vs (in order) into runs of variants replayed together: each run has one
// length and one engine's variants (trained or untrained), and keeps at most batchBytes.
func batchVariants(vs []VariantSpec, outputs int) [][]VariantSpec {
	var out [][]VariantSpec
	bytes := 0
	for i, v := range vs {
		perChain := (v.Steps + 1) * 16 // a decoded point
		if outputs > 0 {
			perChain += (v.Steps/rateEvery + 1) * outputs * 8
		}
		size := v.Chains * perChain
		if i == 0 || v.Steps != vs[i-1].Steps || v.Untrained != vs[i-1].Untrained || bytes+size > batchBytes {
			out = append(out, nil)
			bytes = 0
		}
		out[len(out)-1] = append(out[len(out)-1], v)
		bytes += size
	}
	return out
}

// replayVariants replays the variants vs of one batch (batchVariants) side by side on eng from st
// and measures each, in order. A variant's Seconds is its share of the batch's replay plus its
// own measures. done counts progress in half variants: the replay, then each measure.
func (r *runner) replayVariants(ctx context.Context, ts *taskSetup, eng *replay.Engine, vs []VariantSpec, st *starts,
	noiseSeed uint64, network int, done func(halves int)) ([]*VariantResult, error) {
	t0 := time.Now()
	members, traj, err := r.batchMembers(vs, st, noiseSeed)
	if err != nil {
		return nil, err
	}
	rates, err := runVariantBatch(ctx, ts, eng, vs, members, traj)
	if err != nil {
		return nil, err
	}
	share := elapsed(t0) / float64(len(vs))
	done(len(vs)) // every variant's replay: half of each
	return r.measureVariants(ctx, ts, vs, traj, rates, network, share, done)
}

// batchMembers are the batch's members, one per variant from its first chains' starts, and room
// for their decoded trajectories.
func (r *runner) batchMembers(vs []VariantSpec, st *starts, noiseSeed uint64) ([]replay.Member, [][][]geom.Point, error) {
	members := make([]replay.Member, len(vs))
	traj := make([][][]geom.Point, len(vs))
	for i, v := range vs {
		s, err := st.first(v.Chains)
		if err != nil {
			return nil, nil, err
		}
		if err := checkStarts(s, v.Chains); err != nil {
			return nil, nil, err
		}
		members[i] = replay.Member{Config: v.replayConfig(r.plan.Size, noiseSeed), Start: replay.Start{States: s.states}}
		traj[i] = make([][]geom.Point, v.Chains)
		for c := range traj[i] {
			traj[i][c] = make([]geom.Point, 0, v.Steps+1)
		}
	}
	return members, traj, nil
}

// runVariantBatch replays the batch, keeping each chain's decoded positions in traj and, for
// place cells, the rates every rateEvery steps (returned per variant).
func runVariantBatch(ctx context.Context, ts *taskSetup, eng *replay.Engine, vs []VariantSpec, members []replay.Member, traj [][][]geom.Point) ([][][]float64, error) {
	rates := make([][][]float64, len(vs))
	keep := func(m, _ int, pos []geom.Point) error {
		for c, p := range pos {
			traj[m][c] = append(traj[m][c], p)
		}
		return nil
	}
	var outputs replay.BatchOutputObserver
	if ts.rates != nil {
		out := ts.task.ObsDim()
		outputs = func(m, t int, y []float32) error {
			if t%rateEvery != 0 {
				return nil
			}
			for c := range vs[m].Chains {
				row := make([]float64, out)
				for j := range row {
					row[j] = float64(y[c*out+j])
				}
				rates[m] = append(rates[m], row)
			}
			return nil
		}
	}
	if err := eng.RunBatch(ctx, members, keep, outputs); err != nil {
		if me, ok := errors.AsType[*replay.MemberError](err); ok {
			return nil, fmt.Errorf("variant %s: %w", vs[me.Member].Name, me.Err)
		}
		if len(vs) == 1 {
			return nil, fmt.Errorf("variant %s: %w", vs[0].Name, err)
		}
		return nil, fmt.Errorf("variants %s to %s: %w", vs[0].Name, vs[len(vs)-1].Name, err)
	}
	return rates, nil
}

// measureVariants measures each variant's trajectories; share is each variant's part of the
// batch's replay time.
func (r *runner) measureVariants(ctx context.Context, ts *taskSetup, vs []VariantSpec, traj [][][]geom.Point, rates [][][]float64,
	network int, share float64, done func(halves int)) ([]*VariantResult, error) {
	// The variants' measures are independent (each has its own subsample stream): they run side by
	// side on the cores this unit has (measureWorkers).
	results := make([]*VariantResult, len(vs))
	errs := make([]error, len(vs))
	next := atomic.Int64{}
	var wg sync.WaitGroup
	for range min(r.measureWorkers(), len(vs)) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(vs) || ctx.Err() != nil {
					return
				}
				t1 := time.Now()
				v := vs[i]
				res := &VariantResult{Spec: v, Values: map[string]float64{}}
				rng := subsampleRNG(r.plan.Seed, ts.name, network, v.Name)
				if err := measure(ctx, ts, res, traj[i], rates[i], rng); err != nil {
					errs[i] = fmt.Errorf("variant %s: %w", v.Name, err)
					next.Store(int64(len(vs))) // stop the others
					return
				}
				traj[i], rates[i] = nil, nil // measured: let it go
				res.Seconds = share + elapsed(t1)
				results[i] = res
				done(1)
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return results, nil
}
