package claims

import (
	"time"

	"github.com/replaylab/replay/replaylib/model"
)

// The cost model of units, in seconds of one unit on the reference machine (2 cores, XLA CPU, two
// units at once), fitted on the quick reproduction's recorded unit times (docs/report-sample:
// training 21-35 s, a leaky network's replay 58-75 s, a replay without leak 3-6 s; a replayed
// chain-step costs the same on every task, about 4.8 µs at N = 64):
//
//	training:  steps · B · T · (N² + N·out/2) · trainSecondsPerMAC
//	replay:    [chains · (steps + burn-in) summed over the variants + chains · 1,000 for the hold test]
//	           · N² · replaySecondsPerMAC + perReplayUnitSeconds (+ formsSeconds for a leaky network)
//
// The progress line's time left multiplies what is left of each kind by the wall time per unit of
// cost measured so far on that kind (or, before any, on the other), so that the model only has to
// get the ratios between kinds and tasks right, not the machine's speed.
const (
	trainSecondsPerMAC   = 1.8e-9
	replaySecondsPerMAC  = 1.17e-9
	perReplayUnitSeconds = 0.3
	formsSeconds         = 3
)

// unitCost is the modelled cost of u (seconds on the reference machine).
func (p Plan) unitCost(u Unit) float64 {
	s := p.Size
	cfg, err := p.trainingConfig(Unit{Kind: TrainKind, Condition: Condition{Task: u.Condition.Task, Alpha: u.Condition.Alpha, MaskK: MaskNone, LR: s.LearningRates[0]}, Index: 1})
	if err != nil {
		return 1
	}
	n := float64(cfg.Model.Hidden)
	if u.Kind == TrainKind {
		return float64(cfg.Steps*cfg.BatchSize*cfg.SeqLen) * (n*n + n*float64(cfg.Model.OutputDim)/2) * trainSecondsPerMAC
	}
	leaky := u.Condition.Alpha != 1
	chainSteps := float64(s.Chains * 1000) // the hold test
	for _, v := range s.variants(model.DefaultCellParams(), leaky) {
		chainSteps += float64(v.Chains * (v.Steps + s.Burnin))
	}
	cost := chainSteps*n*n*replaySecondsPerMAC + perReplayUnitSeconds
	if leaky && !s.GateOnly {
		cost += formsSeconds
	}
	return cost
}

// etaKind is one kind of unit's share of a run, for the estimate of the time left.
type etaKind struct {
	total, done float64       // modelled cost of this run's units of the kind, and of their done parts
	elapsed     time.Duration // wall time since the first unit of the kind started (0: none yet)
}

// timeLeft estimates the wall time left: each kind's cost left times the wall time per unit of
// cost measured on that kind, or on the other kind while that one has nothing done, or 0 when
// nothing is measured yet.
func timeLeft(kinds []etaKind) time.Duration {
	rate := func(k etaKind) (float64, bool) {
		if k.done > 0 && k.elapsed > 0 {
			return float64(k.elapsed) / k.done, true
		}
		return 0, false
	}
	var fallback float64
	var known bool
	for _, k := range kinds {
		if r, ok := rate(k); ok {
			fallback, known = r, true // the latest kind measured
		}
	}
	if !known {
		return 0
	}
	left := 0.0
	for _, k := range kinds {
		r, ok := rate(k)
		if !ok {
			r = fallback
		}
		left += max(k.total-k.done, 0) * r
	}
	return time.Duration(left)
}
