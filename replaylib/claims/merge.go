package claims

import (
	"fmt"
	"math"
	"slices"

	"github.com/replaylab/replay/replaylib/metrics"
)

// Merge reads every unit of plan from dirs (the first holding a unit wins) and analyses them.
func Merge(plan Plan, dirs []string) (*Result, error) {
	res := &Result{Schema: MetricsSchema, Size: plan.Size, Seed: plan.Seed}
	for _, task := range plan.Size.Tasks {
		tr := &TaskResult{Task: task, LearningRates: map[string]float64{}, Replays: map[string][]*ReplayResult{},
			Bands: map[string]map[string]map[string]Band{}, TrainingBands: map[string]map[string]Band{}, Forms: map[string]map[string]Band{}}
		for _, u := range plan.Units {
			if u.Condition.Task != task {
				continue
			}
			switch u.Kind {
			case TrainKind:
				t, err := loadUnit[TrainResult](dirs, u.ID)
				if err != nil {
					return nil, err
				}
				tr.Training = append(tr.Training, t)
				res.Seconds += t.Values[metrics.KeyTrainSeconds]
			case ReplayKind:
				r, err := loadUnit[ReplayResult](dirs, u.ID)
				if err != nil {
					return nil, err
				}
				cond := conditionName(plan.Size, u.Condition.Alpha)
				tr.Replays[cond] = append(tr.Replays[cond], r)
				res.Seconds += r.Seconds
			}
		}
		for cond := range tr.Replays {
			slices.SortFunc(tr.Replays[cond], func(a, b *ReplayResult) int { return a.Unit.Index - b.Unit.Index })
		}
		tr.summarize(plan.Size)
		res.Tasks = append(res.Tasks, tr)
	}
	if plan.Size.GateOnly { // no modifiers were replayed: nothing to judge
		return res, nil
	}
	res.Theory = Theory()
	var err error
	if res.Claims, err = judge(res); err != nil {
		return nil, err
	}
	return res, nil
}

func conditionName(s Size, alpha float64) string {
	if alpha == 1 {
		return CondNoLeak
	}
	return CondLeak
}

// summarize computes the bands and the gate.
func (tr *TaskResult) summarize(s Size) {
	for cond, reps := range tr.Replays {
		bands := map[string]map[string]Band{}
		if len(reps) == 0 {
			continue
		}
		for _, v := range reps[0].Variants {
			name := v.Spec.Name
			bands[name] = map[string]Band{}
			for key := range v.Values {
				vals := make([]float64, len(reps))
				for i, r := range reps {
					vals[i] = math.NaN()
					if rv := r.Variant(name); rv != nil {
						if x, ok := rv.Values[key]; ok { // absent is not measured, not 0
							vals[i] = x
						}
					}
				}
				bands[name][key] = newBand(vals)
			}
		}
		tr.Bands[cond] = bands
	}
	// Training bands per α and k at that group's best learning rate (selectLR: every α and
	// masking k gets its own rate from the grid, so leak is not judged at a rate tuned for α = 1).
	groups := map[string][]*TrainResult{}
	for _, t := range tr.Training {
		c := t.Unit.Condition
		key := trainingGroup(c.Alpha, c.MaskK)
		groups[key] = append(groups[key], t)
	}
	for key, all := range groups {
		lr, err := selectLR(all)
		if err != nil {
			continue
		}
		tr.LearningRates[key] = lr
		var ts []*TrainResult
		for _, t := range all {
			if t.Unit.Condition.LR == lr {
				ts = append(ts, t)
			}
		}
		slices.SortFunc(ts, func(a, b *TrainResult) int { return a.Unit.Index - b.Unit.Index })
		tr.TrainingBands[key] = map[string]Band{}
		for _, k := range []string{metrics.KeyFinalError, metrics.KeyErrorAUC, metrics.KeyStepsToError, metrics.KeyPlateauChange, metrics.KeyTrainSeconds} {
			vals := make([]float64, len(ts))
			for i, t := range ts {
				vals[i] = t.Values[k]
			}
			tr.TrainingBands[key][k] = newBand(vals)
		}
	}
	// Forms dynamics.
	if reps := tr.Replays[CondLeak]; len(reps) > 0 {
		for i, fd := range reps[0].Forms {
			key := fmt.Sprintf("%s/τa=%g", fd.Form, fd.Tau)
			var radius, complexShare, dwell, settled []float64
			for _, r := range reps {
				if i < len(r.Forms) {
					f := r.Forms[i]
					radius, dwell = append(radius, f.Radius), append(dwell, f.Dwell)
					complexShare, settled = append(complexShare, b2f(f.Complex)), append(settled, b2f(f.Settled))
				}
			}
			tr.Forms[key] = map[string]Band{"radius": newBand(radius), "complex": newBand(complexShare),
				"dwell": newBand(dwell), "settled": newBand(settled)}
		}
	}
	// The gate, on the leak condition's baseline.
	tr.Gate = newGate(tr.Bands[CondLeak][VariantBaseline])
}

func trainingGroup(alpha float64, k int) string { return fmt.Sprintf("α=%g/k=%s", alpha, MaskName(k)) }

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
