package metrics

import (
	"fmt"
	"math"
	"strings"
)

// Better says which direction of a metric a reader would call an improvement, or what the
// claims look for; Neutral metrics are descriptive.
type Better string

// Directions of a metric.
const (
	Higher  Better = "higher"
	Lower   Better = "lower"
	Neutral Better = "neutral"
)

// Description is the one description of a metric that measuring, the report, metrics.json, the
// figures and the `replay metrics` command all use.
type Description struct {
	Key  string `json:"key"`  // metrics.json key, e.g. "progress"
	Name string `json:"name"` // words for text and figure axes
	// Unit is "u" (environment units), "steps", "u/step", "s", "of size" (a fraction of the
	// environment size), "nats" or "" (ratios and fractions).
	Unit   string `json:"unit"`
	Header string `json:"header"` // short table column header
	How    string `json:"how"`    // one sentence: how it is computed
	Judged string `json:"judged"` // one sentence: how a claim reads it
	Better Better `json:"better"` // which direction is an improvement
	Format string `json:"-"`      // printf verb for values
	// PerChain metrics have one value per replay chain, so bootstraps can resample chains;
	// the others are computed on all chains of a network at once.
	PerChain bool `json:"per_chain"`
}

// Label is "Name (Unit)" for axes and tables.
func (d Description) Label() string {
	if d.Unit == "" {
		return d.Name
	}
	return d.Name + " (" + d.Unit + ")"
}

// Fmt formats a value with the metric's format; NaN reads "n/a", ±Inf "∞" and "−∞".
func (d Description) Fmt(x float64) string {
	switch {
	case math.IsNaN(x):
		return "n/a"
	case math.IsInf(x, 1):
		return "∞"
	case math.IsInf(x, -1):
		return "−∞"
	}
	s := fmt.Sprintf(d.Format, x)
	if strings.HasPrefix(s, "-") && strings.Trim(s[1:], "0.") == "" { // a small negative rounded to zero: "-0", "-0.00"
		s = s[1:]
		if strings.Contains(d.Format, "+") {
			s = "+" + s
		}
	}
	return s
}

// Keys of the metrics in Catalog.
const (
	KeyW1             = "w1"
	KeyW1Floor        = "w1_floor"
	KeyW1Ratio        = "w1_ratio"
	KeyInside         = "inside"
	KeyOccupancyTV    = "occupancy_tv"
	KeyCoverage       = "coverage"
	KeyChainCoverage  = "chain_coverage"
	KeyChainEntropy   = "chain_entropy"
	KeyReachRMST      = "reach_rmst"
	KeyReachFraction  = "reach_fraction"
	KeyProgress       = "progress"
	KeyDisplacement   = "displacement"
	KeyPathLength     = "path_length"
	KeyResidualAC     = "residual_autocorr"
	KeyOrder2Gain     = "order2_gain"
	KeyIncrementAC    = "increment_autocorr"
	KeyRHat           = "rhat"
	KeyRHatMax        = "rhat_max"
	KeyESS            = "ess_per_chain"
	KeyRateSlicedW1   = "rate_sliced_w1"
	KeyFinalError     = "final_error"
	KeyErrorAUC       = "error_auc"
	KeyStepsToError   = "steps_to_error"
	KeyTrainSeconds   = "train_seconds"
	KeyPlateauChange  = "plateau_change"
	KeyDwellTime      = "dwell_time"
	KeyJacobianRadius = "jacobian_radius"
	KeyHoldDrift50    = "hold_drift_50"
	KeyHoldDrift200   = "hold_drift_200"
	KeyHoldDrift1000  = "hold_drift_1000"
	KeyHoldSettled    = "hold_settled"
	KeyFixedPoints    = "fixed_points"
	KeyKDEKL          = "kde_kl"
)

// Catalog describes every metric the project reports.
var Catalog = []Description{
	{Key: KeyW1, Name: "W1 to training positions", Unit: "u", Header: "W1", Format: "%.3f", Better: Lower,
		How:    "Exact 1-Wasserstein distance between 400 decoded replay positions and 400 training positions (optimal assignment), averaged over 5 random subsamples (2 in the sweeps).",
		Judged: "Lower is replay closer to the data (claim 1: leak lowers it); compare with its floor."},
	{Key: KeyW1Floor, Name: "W1 data-vs-data floor", Unit: "u", Header: "floor", Format: "%.3f", Better: Neutral,
		How:    "The same W1 between two disjoint samples of 400 training positions (mean of 5 pairs, once per task): what a perfect sampler would score.",
		Judged: "The reference for W1; the baseline gate asks W1 ≤ 2 × floor."},
	{Key: KeyW1Ratio, Name: "W1 over its floor", Unit: "", Header: "W1/floor", Format: "%.2f", Better: Lower,
		How:    "W1 to training positions divided by the data-vs-data floor.",
		Judged: "1 is as good as data; the baseline gate asks ≤ 2."},
	{Key: KeyInside, Name: "decoded points inside", Unit: "", Header: "inside", Format: "%.3f", Better: Higher,
		How:    "Fraction of decoded replay positions that lie inside the environment.",
		Judged: "The baseline gate asks ≥ 0.95."},
	{Key: KeyOccupancyTV, Name: "occupancy distance to training", Unit: "", Header: "occ. TV", Format: "%.3f", Better: Lower,
		How:    "Total-variation distance ½Σ|p−q| between the grid-cell occupancy of replay and of training positions (cells of side 1/25 of the environment; outside counted as one cell).",
		Judged: "0 is the training occupancy exactly, 1 is disjoint."},
	{Key: KeyCoverage, Name: "coverage (all chains)", Unit: "", Header: "coverage", Format: "%.3f", Better: Higher,
		How:    "Fraction of the environment's grid cells visited by any chain.",
		Judged: "Exploration of the network's replay as a whole."},
	{Key: KeyChainCoverage, Name: "coverage per chain", Unit: "", Header: "cov./chain", Format: "%.3f", Better: Higher, PerChain: true,
		How:    "Fraction of the environment's grid cells a single chain visits, averaged over chains.",
		Judged: "Exploration (claim 2: adaptation raises it; claim 4: kept with momentum)."},
	{Key: KeyChainEntropy, Name: "occupancy entropy per chain", Unit: "", Header: "entropy", Format: "%.3f", Better: Higher, PerChain: true,
		How:    "Shannon entropy of a chain's grid-cell occupancy divided by log(number of cells), averaged over chains.",
		Judged: "Exploration: 1 is a chain spread evenly over the environment, 0 one cell."},
	{Key: KeyReachRMST, Name: "restricted mean reach time", Unit: "steps", Header: "reach RMST", Format: "%.0f", Better: Lower, PerChain: true,
		How:    "Area under the Kaplan–Meier curve of the first step at which a chain enters a target region (another end of the track than the one it started at), up to T_q; chains that never reach are censored at T_q.",
		Judged: "Lower is faster replay (claim 3: momentum lowers it; claim 2: adaptation raises it)."},
	{Key: KeyReachFraction, Name: "chains that reach a target", Unit: "", Header: "reached", Format: "%.2f", Better: Higher, PerChain: true,
		How:    "Fraction of chains that enter a target region within T_q steps.",
		Judged: "Says how much censoring the reach time carries."},
	{Key: KeyProgress, Name: "progress along the track per step", Unit: "u/step", Header: "progress", Format: "%.4f", Better: Higher, PerChain: true,
		How:    "Distance along the track's centreline between the projections of consecutive decoded positions, averaged over steps and chains (plain distance in the open arena).",
		Judged: "Speed of replay along the track (claim 3: momentum raises it)."},
	{Key: KeyDisplacement, Name: "net displacement at 50 steps", Unit: "u", Header: "disp(50)", Format: "%.3f", Better: Higher, PerChain: true,
		How:    "Distance along the track between decoded positions 50 steps apart, averaged over start times and chains.",
		Judged: "Temporal compression at a macroscopic lag (claim 3), insensitive to jitter that raw path length counts."},
	{Key: KeyPathLength, Name: "path length per step", Unit: "u/step", Header: "length", Format: "%.4f", Better: Neutral, PerChain: true,
		How:    "Euclidean distance between consecutive decoded positions, averaged.",
		Judged: "Dominated by the injected noise; shown for comparison only, not used by any claim."},
	{Key: KeyResidualAC, Name: "residual autocorrelation", Unit: "", Header: "resid. ac1", Format: "%.3f", Better: Neutral,
		How:    "Lag-1 autocorrelation of the residuals r_t = Δx_t − D̂(x_t), D̂ the mean step of the grid cell of x_t (drift field of the same replay).",
		Judged: "0 for a Markov process in the decoded positions; its size |·| is the non-Markov signature (claim 2)."},
	{Key: KeyOrder2Gain, Name: "order-2 predictor gain", Unit: "", Header: "order-2 gain", Format: "%.3f", Better: Neutral,
		How:    "Fraction of the residual variance explained by the previous residual, 1 − Var(r_t − β r_{t−1})/Var(r_t).",
		Judged: "0 for a first-order Markov process; larger is more memory."},
	{Key: KeyIncrementAC, Name: "increment autocorrelation", Unit: "", Header: "incr. ac1", Format: "%.3f", Better: Neutral,
		How:    "Lag-1 autocorrelation of decoded increments Δx_t.",
		Judged: "Not a Markov test (an AR(1) state already gives −(1−φ)/2); shown for comparison only."},
	{Key: KeyRHat, Name: "split R̂ of x", Unit: "", Header: "R̂", Format: "%.2f", Better: Lower,
		How:    "Gelman–Rubin split-R̂ of the decoded x coordinate over chains after the burn-in.",
		Judged: "Mixing: 1 when chains sample the same distribution, ≫ 1 when they stay where they started."},
	{Key: KeyRHatMax, Name: "split R̂ of the position", Unit: "", Header: "R̂ max", Format: "%.2f", Better: Lower,
		How:    "The larger of the split-R̂ of the decoded x and of the decoded y coordinate over chains after the burn-in.",
		Judged: "Mixing: chains forget where they started; the baseline gate asks ≤ 1.1 (frozen chains started spread like the data fail it)."},
	{Key: KeyESS, Name: "effective samples per chain", Unit: "", Header: "ESS/chain", Format: "%.1f", Better: Higher,
		How:    "Multi-chain effective sample size of the decoded x coordinate divided by the number of chains.",
		Judged: "Mixing: higher is more independent samples from the same replay time."},
	{Key: KeyRateSlicedW1, Name: "sliced W1 in rate space", Unit: "", Header: "rate SW1", Format: "%.4f", Better: Lower,
		How:    "Sliced 1-Wasserstein distance between replayed and training place-cell population vectors (softmax rates), 64 random directions.",
		Judged: "Place cells: replay closer to the training activity, without decoding."},
	{Key: KeyFinalError, Name: "final position error", Unit: "of size", Header: "final error", Format: "%.4f", Better: Lower,
		How:    "Mean decoded position error on a fixed noiseless evaluation batch over the last 10 % of training, as a fraction of the environment size.",
		Judged: "Training quality (claim 1: leak lowers it under masking)."},
	{Key: KeyErrorAUC, Name: "area under the error curve", Unit: "of size", Header: "error AUC", Format: "%.4f", Better: Lower,
		How:    "Mean of the evaluation error over all evaluations of training (trapezoids over steps, divided by the number of steps).",
		Judged: "Speed of training (claim 1: leak lowers it)."},
	{Key: KeyStepsToError, Name: "steps to 10 % error", Unit: "steps", Header: "steps→10%", Format: "%.0f", Better: Lower,
		How:    "First evaluation step at which the decoded error falls below 10 % of the environment size (the run's length if never).",
		Judged: "Speed of training."},
	{Key: KeyTrainSeconds, Name: "training time", Unit: "s", Header: "time", Format: "%.0f", Better: Neutral,
		How:    "Wall time the network's training took (including compilation), as recorded when it was trained.",
		Judged: "Cost only."},
	{Key: KeyPlateauChange, Name: "late change of the error", Unit: "", Header: "late change", Format: "%+.3f", Better: Neutral,
		How:    "Relative change of the mean evaluation error from the second-to-last to the last tenth of training, (e_last − e_prev)/e_prev.",
		Judged: "Plateau criterion: the curve has stopped falling when it is above −0.10."},
	{Key: KeyDwellTime, Name: "mean dwell time", Unit: "steps", Header: "dwell", Format: "%.0f", Better: Neutral, PerChain: true,
		How:    "Mean number of consecutive steps a chain stays in one region of the environment before moving to another.",
		Judged: "Escape from attractors: adaptation that explores shortens it, one that collapses lengthens it."},
	{Key: KeyJacobianRadius, Name: "slowest (h, a) mode", Unit: "", Header: "|λ|max", Format: "%.3f", Better: Neutral,
		How:    "Largest modulus of the eigenvalues of the Jacobian of the noiseless (h, a) update at the replay's end state, and whether that eigenvalue is complex (underdamped).",
		Judged: "Closer to 1 is slower relaxation; a complex pair means the adaptation oscillates."},
	{Key: KeyHoldDrift50, Name: "hold drift at 50 steps", Unit: "u", Header: "hold(50)", Format: "%.3f", Better: Lower,
		How:    "Hold test: the baseline cell replayed without noise (σ_q = 0) and with zero input from the replay's starts (states along held-out paths); mean over chains of the decoded distance |x(50) − x(0)|.",
		Judged: "0 is a network that holds any position it is left at (a continuous attractor); a drift towards a few places is the discrete-attractor failure."},
	{Key: KeyHoldDrift200, Name: "hold drift at 200 steps", Unit: "u", Header: "hold(200)", Format: "%.3f", Better: Lower,
		How:    "The hold test's mean decoded distance |x(200) − x(0)|.",
		Judged: "As at 50 steps, over a longer horizon."},
	{Key: KeyHoldDrift1000, Name: "hold drift at 1,000 steps", Unit: "u", Header: "hold(1000)", Format: "%.3f", Better: Lower,
		How:    "The hold test's mean decoded distance |x(1000) − x(0)|.",
		Judged: "As at 50 steps, over a replay's horizon."},
	{Key: KeyHoldSettled, Name: "chains at rest after 1,000 noiseless steps", Unit: "", Header: "settled", Format: "%.2f", Better: Neutral,
		How:    "Hold test: fraction of chains whose decoded position moved less than 0.1 % of the environment's size over their last 100 of 1,000 noiseless steps.",
		Judged: "1 with few fixed points: discrete attractors; below 1: slow drift or cycles remain."},
	{Key: KeyFixedPoints, Name: "noiseless fixed points", Unit: "", Header: "fixed pts", Format: "%.0f", Better: Neutral,
		How:    "Hold test: number of distinct places (closer than 5 % of the size merged) where chains at rest end.",
		Judged: "A network that can hold every position has as many as its starts; a few is replay that can only hop between attractors."},
	{Key: KeyKDEKL, Name: "KL of replay from waking (KDE)", Unit: "nats", Header: "KDE KL", Format: "%.3f", Better: Lower,
		How:    "KL(replay ‖ waking) between Gaussian kernel density estimates (Scott's rule) of all decoded replay positions and of training positions, by Monte Carlo over 2,500 points drawn from the replay estimate, the density ratio clipped to [1e-7, 1e7]: the predecessor paper's measure. Reported by `replay metrics`, not in the reproduction.",
		Judged: "0 is replay distributed as waking; compare with an untrained network's and with uniform positions' (docs/predecessor.md)."},
}

// Describe returns the description of key; it panics on an unknown key (a programming error).
func Describe(key string) Description {
	for _, d := range Catalog {
		if d.Key == key {
			return d
		}
	}
	panic("metrics: no description of metric " + key)
}

// CatalogMarkdown renders the catalog as a Markdown table (what `replay metrics --describe`
// prints): key, name, unit, how it is computed, how it is judged.
func CatalogMarkdown() string {
	var b strings.Builder
	b.WriteString("| key | metric | unit | how it is computed | how it is judged |\n|---|---|---|---|---|\n")
	for _, d := range Catalog {
		unit := d.Unit
		if unit == "" {
			unit = "—"
		}
		cell := func(s string) string { return strings.ReplaceAll(s, "|", `\|`) } // |x| must not end the cell
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", d.Key, cell(d.Name), cell(unit), cell(d.How), cell(d.Judged))
	}
	return b.String()
}
