package claims

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/replaylab/replay/internal/dirlock"
	"github.com/replaylab/replay/replaylib/training"
)

// jobs groups units into what one worker runs at once: every replay unit alone, and the
// training units of one condition together (its networks, which differ only in their seeds,
// train in turn with one compiled step, or as one ensemble with Options.Ensembles). Jobs keep the
// order of their first unit.
func (r *runner) jobs(units []Unit) [][]Unit {
	var out [][]Unit
	at := map[Condition]int{}
	for _, u := range units {
		if u.Kind != TrainKind {
			out = append(out, []Unit{u})
			continue
		}
		if i, ok := at[u.Condition]; ok {
			out[i] = append(out[i], u)
			continue
		}
		at[u.Condition] = len(out)
		out = append(out, []Unit{u})
	}
	return out
}

// runTrainCondition trains the training units of one condition together (trainTogether): those
// not done whose locks it gets at once (a unit another process holds is left to it, and waited for
// alone afterwards). Training that fails for another reason than cancellation leaves the networks
// not yet written to be trained one by one, each resuming from its last checkpoint. It returns one
// error per unit.
func (r *runner) runTrainCondition(ctx context.Context, units []Unit) []error {
	errs := make([]error, len(units))
	var members, alone []int
	var locks []*dirlock.Lock
	release := func() {
		for _, l := range locks {
			l.Release()
		}
		locks = nil
	}
	defer release()
	for i, u := range units {
		path := unitPath(r.opt.Dir, u.ID)
		if done(path) {
			continue
		}
		lock, err := dirlock.Acquire(lockPath(r.opt.Dir, u.ID), dirlock.Options{})
		switch {
		case errors.Is(err, dirlock.ErrLocked):
			alone = append(alone, i)
			continue
		case err != nil:
			errs[i] = err
			continue
		}
		if done(path) {
			lock.Release()
			continue
		}
		locks, members = append(locks, lock), append(members, i)
	}
	if len(members) > 1 {
		failed, err := r.trainTogether(ctx, units, members)
		switch {
		case err == nil:
		case ctx.Err() != nil || errors.Is(err, context.Canceled):
			for _, i := range members {
				errs[i] = err
			}
			return errs
		case errors.Is(err, training.ErrNotEnsemble):
			r.logf("   %v: the networks train one by one", err)
			alone = append(alone, failed...)
		default:
			r.logf("   training them together stopped (%v): the networks train one by one", err)
			alone = append(alone, failed...)
		}
	} else {
		alone = append(alone, members...)
	}
	release() // runUnit takes each unit's lock itself
	for _, i := range alone {
		errs[i] = r.runUnit(ctx, units[i])
	}
	return errs
}

// trainTogether trains units[members] together, in turn with one compiled step (the numbers of
// training each alone, bit for bit) or, with Options.Ensembles, as one ensemble, and writes their
// results. On an error it returns the members still to do.
func (r *runner) trainTogether(ctx context.Context, units []Unit, members []int) (left []int, err error) {
	r.running.Add(1)
	defer r.running.Add(-1)
	c := units[members[0]].Condition
	ids := make([]string, len(members))
	runs := make([]*training.Run, len(members))
	cfgs := make([]training.Config, len(members))
	for k, i := range members {
		ids[k] = units[i].ID
		if runs[k], cfgs[k], err = r.openTrainUnit(units[i]); err != nil {
			return members, err
		}
	}
	how, train := "in turn with one compiled step", training.TrainInTurn
	if r.opt.Ensembles {
		how, train = "as one ensemble", training.TrainEnsemble
	}
	r.logf("== %d networks of %s α=%g k=%s %s: %s", len(members), c.Task, c.Alpha, MaskName(c.MaskK), how, strings.Join(ids, ", "))
	if err := train(ctx, runs); err != nil {
		return members, err
	}
	for k, i := range members {
		if err := r.writeUnit(units[i], r.trainResult(units[i], cfgs[k], runs[k])); err != nil {
			return members[k:], fmt.Errorf("unit %s: %w", units[i].ID, err)
		}
	}
	return nil, nil
}
