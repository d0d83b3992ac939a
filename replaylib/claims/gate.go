package claims

import (
	"fmt"
	"math"
	"strings"

	"github.com/replaylab/replay/replaylib/metrics"
)

// Gate is the baseline gate of a task, decided before any modifier is compared (means over networks):
// the leak baseline's W1 to training positions within GateW1Ratio times the data-vs-data floor, at
// least GateInside of its decoded points inside the environment, and chains that forget their start,
// split-R̂ of the decoded position at most GateRHat after the burn-in (the larger of x's and y's).
type Gate struct {
	W1Ratio Band   `json:"w1_ratio"`         // the leak baseline's W1 over the floor
	Inside  Band   `json:"inside"`           // its fraction of decoded points inside the environment
	RHat    Band   `json:"rhat_max"`         // its split-R̂ of the decoded position (mixing)
	Reached Band   `json:"reached"`          // its fraction of chains that reach a target (shown, not gated)
	Passed  bool   `json:"passed"`           // whether every threshold holds
	Reason  string `json:"reason,omitempty"` // why the gate failed ("" when it passed)
}

// The gate's thresholds: GateW1Ratio bounds the mean W1/floor ratio, GateInside is the smallest
// mean fraction of decoded points inside the environment, GateRHat bounds the mean split-R̂ of the
// decoded position. The mixing half makes frozen chains fail even when their starts are spread like
// the data (their W1 then looks good only because of where they started).
const (
	GateW1Ratio = 2.0
	GateInside  = 0.95
	GateRHat    = 1.1
)

// newGate judges the gate from the leak baseline's bands (by catalog key).
func newGate(base map[string]Band) Gate {
	g := Gate{W1Ratio: base[metrics.KeyW1Ratio], Inside: base[metrics.KeyInside], RHat: base[metrics.KeyRHatMax],
		Reached: base[metrics.KeyReachFraction]}
	if len(base) == 0 {
		g.Reason = "no baseline replay"
		return g
	}
	var fails []string
	if !(g.W1Ratio.Mean <= GateW1Ratio) {
		fails = append(fails, fmt.Sprintf("the leak baseline's W1 is %.1f× the data-vs-data floor (gate: ≤ %g×)", g.W1Ratio.Mean, GateW1Ratio))
	}
	if !(g.Inside.Mean >= GateInside) {
		fails = append(fails, fmt.Sprintf("%.1f%% of its decoded points are inside the environment (gate: ≥ %g%%)", 100*g.Inside.Mean, 100*GateInside))
	}
	unmeasured := 0
	for _, v := range g.RHat.Values {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			unmeasured++
		}
	}
	if unmeasured > 0 || !(g.RHat.Mean <= GateRHat) {
		if unmeasured > 0 || math.IsNaN(g.RHat.Mean) {
			fails = append(fails, fmt.Sprintf("its chains' mixing (split-R̂) could not be measured on %d network(s) (chains that never move)", max(unmeasured, 1)))
		} else {
			fails = append(fails, fmt.Sprintf("its chains do not forget their start: split-R̂ %.2f (gate: ≤ %g)", g.RHat.Mean, GateRHat))
		}
	}
	g.Passed = len(fails) == 0
	g.Reason = strings.Join(fails, "; ")
	return g
}
