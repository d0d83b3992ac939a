package claims

import (
	"math"
	"strings"

	"github.com/replaylab/replay/replaylib/stats"
)

// MetricsSchema names the layout of metrics.json.
const MetricsSchema = "replay-metrics/2"

// Result is a whole reproduction: per task, the trained networks and their replays, summarised
// with bands over networks; the claims with their checks and verdicts; claim 5's theory.
type Result struct {
	Schema  string        `json:"schema"` // MetricsSchema
	Size    Size          `json:"size"`
	Seed    uint64        `json:"seed"`            // the run's seed (Seed derives every stream from it)
	Tasks   []*TaskResult `json:"tasks"`           // in the order of Size.Tasks
	Theory  TheoryResult  `json:"theory"`          // claim 5's numbers
	Claims  []ClaimResult `json:"claims"`          // per task claims 1–4 (2 and 4 once per form), then claim 5
	Seconds float64       `json:"compute_seconds"` // training and replay time summed over units
}

// Band is a metric over networks: their mean, a 95 % Student-t interval and the values. Non-finite
// values are left out of the mean and interval; with one finite value Lo = Hi = Mean, with none
// all three are NaN.
type Band struct {
	Mean   float64   `json:"mean"`
	Lo     float64   `json:"lo"`     // lower end of the 95 % interval
	Hi     float64   `json:"hi"`     // upper end of the 95 % interval
	Values []float64 `json:"values"` // per network, in network order
}

func newBand(values []float64) Band {
	b := Band{Values: values, Mean: math.NaN(), Lo: math.NaN(), Hi: math.NaN()}
	var finite []float64
	for _, v := range values {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			finite = append(finite, v)
		}
	}
	if len(finite) == 1 {
		b.Mean, b.Lo, b.Hi = finite[0], finite[0], finite[0]
	}
	if t, err := stats.TTest(finite, 0); err == nil {
		b.Mean, b.Lo, b.Hi = t.Estimate, t.Lo, t.Hi
	}
	return b
}

// Condition keys of a task's results.
const (
	CondLeak   = "leak"
	CondNoLeak = "no leak"
)

// TaskResult gathers one task: training of every condition, replay of the two replaying
// conditions, the baseline gate and per-variant bands.
type TaskResult struct {
	Task string `json:"task"` // task name
	// LearningRates is the rate chosen for each training group "α=…/k=…" (lowest mean final error).
	LearningRates map[string]float64 `json:"learning_rates"`
	Training      []*TrainResult     `json:"training"` // every trained network of the task, in plan order
	// Replays holds, per condition (CondLeak, CondNoLeak), the replay of each network: the raw
	// per-chain data, kept in the run's units/ files rather than in metrics.json.
	Replays map[string][]*ReplayResult `json:"-"`
	Gate    Gate                       `json:"gate"` // the baseline gate, decided before the claims
	// Bands holds, per condition and variant name, each metric over networks.
	Bands map[string]map[string]map[string]Band `json:"bands"`
	// TrainingBands holds, per "α/k" group at its chosen rate, each training metric over networks.
	TrainingBands map[string]map[string]Band `json:"training_bands"`
	// Forms holds, per "form/τa", the dynamics bands: radius, share of complex modes, dwell.
	Forms map[string]map[string]Band `json:"forms"`
}

// ClaimResult is one claim on one task (claims 2 and 4: on one adaptation form).
type ClaimResult struct {
	ID      int           `json:"id"`             // claim number, 1 … 5 (package doc)
	Task    string        `json:"task"`           // task name, or "theory" for claim 5
	Form    string        `json:"form,omitempty"` // adaptation form of claims 2 and 4
	Primary bool          `json:"primary"`        // the reference form (or not a per-form claim)
	Title   string        `json:"title"`          // the claim in words
	Verdict stats.Verdict `json:"verdict"`        // from the checks by Holm's procedure, or inconclusive (Undecided)
	// Undecided says why the checks did not decide the verdict (empty when they did), and Note
	// explains it in words.
	Undecided Undecided     `json:"undecided,omitempty"`
	Note      string        `json:"note,omitempty"`
	Checks    []CheckResult `json:"checks"` // in the order they are stated
	// Change says what would change the verdict.
	Change string `json:"what_would_change"`
}

// Undecided is why a claim's checks did not decide its verdict (it is then inconclusive).
type Undecided string

const (
	// UndecidedGate: the task's leak baseline does not sample the task (claims 1–4), so its
	// comparisons are shown as measured but judge nothing.
	UndecidedGate Undecided = "gate failed"
	// UndecidedMissing: a check has no value on some network (a metric could not be computed).
	UndecidedMissing Undecided = "values missing"
	// UndecidedDecision: the decision rule refused the checks (its error is in the Note).
	UndecidedDecision Undecided = "decision error"
)

// Reason is why the checks did not decide c: c.Undecided, or for a result written before that
// field existed, what its Note says ("" when they decided it).
func (c ClaimResult) Reason() Undecided {
	switch {
	case c.Undecided != "" || c.Note == "":
		return c.Undecided
	case strings.HasPrefix(c.Note, "inconclusive: the baseline does not sample"):
		return UndecidedGate
	case strings.HasPrefix(c.Note, "not decided: a check has no value"):
		return UndecidedMissing
	}
	return UndecidedDecision
}

// CheckCounts counts c's checks by their verdict (held, reversed, anything else inconclusive).
func (c ClaimResult) CheckCounts() (held, reversed, inconclusive int) {
	return countVerdicts(c.Checks, func(ch CheckResult) stats.Verdict { return ch.Decision.Verdict })
}

// countVerdicts counts items by their verdict: held, reversed, anything else inconclusive.
func countVerdicts[T any](items []T, verdict func(T) stats.Verdict) (held, reversed, inconclusive int) {
	for _, it := range items {
		switch verdict(it) {
		case stats.Held:
			held++
		case stats.Reversed:
			reversed++
		default:
			inconclusive++
		}
	}
	return held, reversed, inconclusive
}

// CheckResult is one directional comparison of a claim, judged over networks.
type CheckResult struct {
	Statement string          `json:"statement"` // the check in words, e.g. "coverage per chain: adaptation > baseline"
	Metric    string          `json:"metric"`    // a metrics.Catalog key
	A         string          `json:"a"`         // variant or condition the claim is about
	B         string          `json:"b"`         // what it is compared with
	Direction stats.Direction `json:"direction"` // the claimed sign of A − B
	// Margin is subtracted from the per-network differences before testing (non-inferiority
	// checks): the check asks A − B − Margin·B to lie in Direction.
	Margin    float64               `json:"margin"`
	ValuesA   []float64             `json:"values_a"`    // the metric of A per network, in network order
	ValuesB   []float64             `json:"values_b"`    // the metric of B per network
	Diffs     []float64             `json:"differences"` // per network, margin applied
	T         stats.TResult         `json:"t"`           // Student-t analysis of Diffs: the estimate and the p-value decided on
	Bootstrap stats.BootstrapResult `json:"bootstrap"`   // bootstrap over networks (and chains, for per-chain metrics)
	// Decision is Holm's outcome for the check, judged on T's estimate and p-value and on the
	// union of the t and bootstrap intervals.
	Decision stats.Decision `json:"decision"`
	// EffectSize is the mean difference in units of the B values' mean (relative effect).
	EffectSize float64 `json:"relative_effect"`
}
