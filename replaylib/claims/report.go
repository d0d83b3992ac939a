package claims

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/replaylab/replay/internal/atomicfile"
	"github.com/replaylab/replay/internal/jsonsafe"
	"github.com/replaylab/replay/replaylib/metrics"
	"github.com/replaylab/replay/replaylib/model"
	"github.com/replaylab/replay/replaylib/stats"
)

// Files written by WriteReport.
const (
	ReportFile  = "report.md"
	MetricsFile = "metrics.json"
)

// WriteReport writes report.md, metrics.json (non-finite numbers as null) and values.csv into dir,
// each atomically. figures are those WriteFigures returned, their files relative to dir.
func WriteReport(res *Result, dir string, figures []Figure) error {
	raw, err := jsonsafe.MarshalIndent(res, "", " ")
	if err != nil {
		return err
	}
	if err := atomicfile.Write(filepath.Join(dir, MetricsFile), raw); err != nil {
		return err
	}
	values, err := ValuesCSV(res)
	if err != nil {
		return err
	}
	if err := atomicfile.Write(filepath.Join(dir, ValuesFile), values); err != nil {
		return err
	}
	return atomicfile.Write(filepath.Join(dir, ReportFile), []byte(Markdown(res, figures)))
}

// Counts returns the numbers of claims held, reversed and inconclusive.
func (res *Result) Counts() (held, reversed, inconclusive int) {
	return countVerdicts(res.Claims, func(c ClaimResult) stats.Verdict { return c.Verdict })
}

// verdictText renders a verdict for tables.
func verdictText(v stats.Verdict) string {
	switch v {
	case stats.Held:
		return "**held**"
	case stats.Reversed:
		return "**reversed**"
	}
	return "inconclusive"
}

// ci renders "mean [lo, hi]" with a metric's format.
func ci(d metrics.Description, b Band) string {
	if math.IsNaN(b.Mean) {
		return "n/a"
	}
	if len(b.Values) < 2 || math.IsNaN(b.Lo) {
		return d.Fmt(b.Mean)
	}
	return fmt.Sprintf("%s [%s, %s]", d.Fmt(b.Mean), d.Fmt(b.Lo), d.Fmt(b.Hi))
}

func pval(p float64) string {
	switch {
	case math.IsNaN(p):
		return "n/a"
	case p < 1e-4:
		return "<0.0001"
	}
	return fmt.Sprintf("%.4f", p)
}

// claimLabel is "1", or "2 (relative)" for per-form claims.
func claimLabel(c ClaimResult) string {
	if c.Form == "" {
		return fmt.Sprint(c.ID)
	}
	ref := ""
	if c.Primary {
		ref = ", reference form"
	}
	return fmt.Sprintf("%d (%s%s)", c.ID, c.Form, ref)
}

// undecidedText explains each reason in the verdict table's footnotes.
var undecidedText = map[Undecided]string{
	UndecidedGate:     "the task's baseline failed the gate",
	UndecidedMissing:  "a check has no value on some network",
	UndecidedDecision: "the decision rule refused its checks",
}

// superscript writes n ≥ 1 in superscript digits (a footnote mark).
func superscript(n int) string {
	const digits = "⁰¹²³⁴⁵⁶⁷⁸⁹"
	var b strings.Builder
	for _, d := range strconv.Itoa(n) {
		b.WriteString(string([]rune(digits)[d-'0']))
	}
	return b.String()
}

// VerdictTable is the report's summary of verdicts: the counts, then one row per claim and task
// with its checks' verdicts (the README quotes it for the committed run).
func VerdictTable(res *Result) string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	held, rev, inc := res.Counts()
	w("%d held, %d reversed, %d inconclusive.\n\n| claim | task | statement | verdict | checks (held / reversed / inconclusive) |\n|---|---|---|---|---|\n", held, rev, inc)
	// One footnote mark per reason a verdict was not decided by its checks.
	var reasons []Undecided
	for _, c := range res.Claims {
		h, r, i := c.CheckCounts()
		note := ""
		if reason := c.Reason(); reason != "" {
			k := slices.Index(reasons, reason)
			if k < 0 {
				k, reasons = len(reasons), append(reasons, reason)
			}
			note = " " + superscript(k+1)
		}
		w("| %s | %s | %s | %s%s | %d / %d / %d |\n", claimLabel(c), c.Task, c.Title, verdictText(c.Verdict), note, h, r, i)
	}
	for k, reason := range reasons {
		if k == 0 {
			w("\n")
		}
		w("%s not decided by its checks (%s): see the claim's section.\n", superscript(k+1), undecidedText[reason])
	}
	return b.String()
}

// Markdown renders the report (report.md) of res, linking figures by their PNG paths.
func Markdown(res *Result, figures []Figure) string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	s := res.Size
	w("# Replay reproduction report\n\n")
	w("Paper: *Leakage and Second-Order Dynamics Improve Hippocampal RNN Replay* (arXiv 2602.18401).  \n")
	grid := "the whole grid (`--full`)"
	if s.Name != "full" {
		grid = fmt.Sprintf("the `%s` subset of the grid (docs/claims.md lists what `--full` adds)", s.Name)
	}
	w("Ran %s: %d networks per condition on %s; hidden units %d (place cells: %d units, %d cells); %d training steps of %d paths × %d steps; learning rates %v; masking k ∈ %s; replay %d chains × %d steps after %d burn-in steps. Seed %d; %.0f s of training and replay in all.\n\n",
		grid, s.Networks, strings.Join(s.Tasks, ", "), s.Hidden, s.PlaceHidden, s.PlaceCells, s.TrainSteps, s.BatchSize, s.SeqLen,
		s.LearningRates, masks(s.MaskKs), s.Chains, s.ReplaySteps, s.Burnin, res.Seed, res.Seconds)
	if r := s.recipe(); r != "" {
		w("Training recipe: %s.\n\n", r)
	}
	w("**How to read it.** Every check compares two settings network by network: the difference d_n on network n (the same network and the same replay noise for two variants; the same seeds for two training conditions). The effect is the mean of d_n with a 95 %% Student-t interval over the %d networks; beside it, a 95 %% bootstrap interval (networks resampled, and chains within networks where the metric is per chain). A check is *held* when, after Holm's correction over the claim's checks (family α = 0.05, on the t-test p-values), both intervals exclude 0 on the claimed side; *reversed* when they exclude 0 on the other side; *inconclusive* otherwise. A claim is held when all its checks are, reversed when any is, inconclusive otherwise. Claims 1–4 on a task whose leak baseline fails the gate (W1 ≤ %g× its data-vs-data floor, ≥ %g%% of points inside, split-R̂ of the position ≤ %g) are inconclusive whatever the checks say. docs/claims.md states these rules and the metrics.\n\n",
		s.Networks, GateW1Ratio, 100*GateInside, GateRHat)
	w("## Verdicts\n\n%s\n", VerdictTable(res))

	w("## Baseline gate\n\nDecided before any modifier is compared: does the leak baseline's replay sample the task?\n\n| task | W1 / floor (≤ %g) | inside (≥ %g) | split-R̂ of the position (≤ %g) | chains reaching a target | gate |\n|---|---|---|---|---|---|\n", GateW1Ratio, GateInside, GateRHat)
	for _, tr := range res.Tasks {
		g := tr.Gate
		verdict := "passed"
		if !g.Passed {
			verdict = "**failed**: " + g.Reason
		}
		w("| %s | %s | %s | %s | %s | %s |\n", tr.Task, ci(metrics.Describe(metrics.KeyW1Ratio), g.W1Ratio), ci(metrics.Describe(metrics.KeyInside), g.Inside),
			ci(metrics.Describe(metrics.KeyRHatMax), g.RHat), ci(metrics.Describe(metrics.KeyReachFraction), g.Reached), verdict)
	}

	for _, c := range res.Claims {
		w("\n### Claim %s — %s (%s): %s\n\n", claimLabel(c), c.Title, c.Task, verdictText(c.Verdict))
		if c.Note != "" {
			w("%s\n\n", c.Note)
		}
		if c.ID == 5 {
			w("| check | value | compared with | verdict |\n|---|---|---|---|\n")
			for _, ch := range c.Checks {
				w("| %s | %.4g | %.4g | %s |\n", tableCell(ch.Statement), ch.ValuesA[0], ch.ValuesB[0], verdictText(ch.Decision.Verdict))
			}
		} else {
			w("| check | A | B | difference A − B (95 %% t) | bootstrap 95 %% | relative | p | Holm p | verdict |\n|---|---|---|---|---|---|---|---|---|\n")
			for _, ch := range c.Checks {
				d := metrics.Describe(ch.Metric)
				w("| %s | %s | %s | %s | %s | %+.1f%% | %s | %s | %s |\n", tableCell(ch.Statement), ci(d, newBand(ch.ValuesA)), ci(d, newBand(ch.ValuesB)),
					fmtInterval(d, ch.T.Estimate, ch.T.Lo, ch.T.Hi), fmtInterval(d, ch.Bootstrap.Estimate, ch.Bootstrap.Lo, ch.Bootstrap.Hi),
					100*ch.EffectSize, pval(ch.T.P), pval(ch.Decision.AdjustedP), verdictText(ch.Decision.Verdict))
			}
		}
		w("\nWhat would change the verdict: %s\n", c.Change)
	}

	for _, tr := range res.Tasks {
		writeTask(&b, res, tr)
	}
	th := res.Theory
	w("\n## Theory (claim 5)\n\nOU example θ=%g, μ=%g, σ=%g from N(%g, %g): the score slope −1/v(t) goes from %.1f to %.1f over t ∈ [%g, %g]; the time-mixture score's best affine fit has leak %.2f (centre %.2f) and R² = %.3f.\n",
		th.OU.Theta, th.OU.Mu, th.OU.Sigma, th.OU.M0, th.OU.V0, th.ScoreSlopes[0], th.ScoreSlopes[len(th.ScoreSlopes)-1], th.T0, th.T, th.Fit.Leak, th.Fit.Centre, th.Fit.R2)
	if len(figures) > 0 {
		w("\n## Figures\n\n")
		for _, f := range figures {
			w("**%s.** %s\n\n![%s](%s)\n\n", f.Title, f.Caption, f.Title, f.PNG)
		}
	}
	return b.String()
}

func masks(ks []int) string {
	var out []string
	for _, k := range ks {
		out = append(out, MaskName(k))
	}
	return "{" + strings.Join(out, ", ") + "}"
}

func fmtInterval(d metrics.Description, est, lo, hi float64) string {
	if math.IsNaN(est) {
		return "n/a"
	}
	f := func(x float64) string {
		s := d.Fmt(x)
		if x >= 0 {
			s = "+" + s
		}
		return s
	}
	return fmt.Sprintf("%s [%s, %s]", f(est), f(lo), f(hi))
}

// coreColumns are the metrics of the per-task variant tables.
var coreColumns = []string{metrics.KeyW1Ratio, metrics.KeyInside, metrics.KeyOccupancyTV, metrics.KeyChainCoverage, metrics.KeyChainEntropy,
	metrics.KeyReachRMST, metrics.KeyReachFraction, metrics.KeyProgress, metrics.KeyDisplacement, metrics.KeyPathLength,
	metrics.KeyResidualAC, metrics.KeyRHatMax, metrics.KeyDwellTime}

func writeTask(b *strings.Builder, res *Result, tr *TaskResult) {
	w := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	writeTraining(w, res.Size, tr)
	writeVariants(w, tr)
	writeHold(w, tr)
	writeForms(w, res.Size, tr)
	writeRobustness(w, res.Size, tr)
}

// writer writes formatted text into the report.
type writer func(format string, args ...any)

// writeTraining is a task's training table: each group at its chosen learning rate.
func writeTraining(w writer, s Size, tr *TaskResult) {
	w("\n## %s\n\n### Training\n\nEach group's learning rate is the one of the grid %v with the lowest mean final error over its networks. Bands are means [95 %% t interval] over networks.\n\n", tr.Task, s.LearningRates)
	w("| α | k | learning rate | %s | %s | %s | %s | %s |\n|---|---|---|---|---|---|---|---|\n",
		metrics.Describe(metrics.KeyFinalError).Label(), metrics.Describe(metrics.KeyErrorAUC).Label(), metrics.Describe(metrics.KeyStepsToError).Label(),
		metrics.Describe(metrics.KeyPlateauChange).Label(), metrics.Describe(metrics.KeyTrainSeconds).Label())
	var keys []string
	for k := range tr.TrainingBands {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		bands := tr.TrainingBands[k]
		alpha, mask, _ := strings.Cut(k, "/")
		w("| %s | %s | %g | %s | %s | %s | %s | %s |\n", strings.TrimPrefix(alpha, "α="), strings.TrimPrefix(mask, "k="), tr.LearningRates[k],
			ci(metrics.Describe(metrics.KeyFinalError), bands[metrics.KeyFinalError]), ci(metrics.Describe(metrics.KeyErrorAUC), bands[metrics.KeyErrorAUC]),
			ci(metrics.Describe(metrics.KeyStepsToError), bands[metrics.KeyStepsToError]), ci(metrics.Describe(metrics.KeyPlateauChange), bands[metrics.KeyPlateauChange]),
			ci(metrics.Describe(metrics.KeyTrainSeconds), bands[metrics.KeyTrainSeconds]))
	}
	w("\nPlateau criterion: the mean error of the last tenth of training is within 10 %% of the tenth before (late change above −0.10).\n")

}

// writeVariants is a task's table of core variants, per condition.
func writeVariants(w writer, tr *TaskResult) {
	w("\n### Replay variants\n\nMeans over networks [95 %% t interval]. σ_q = √2·σ_train; momentum variants use σ_q·√λv unless marked fixed σ.\n\n| condition / variant |")
	for _, k := range coreColumns {
		w(" %s |", metrics.Describe(k).Header)
	}
	w("\n|---|")
	for range coreColumns {
		w("---|")
	}
	w("\n")
	for _, cond := range []string{CondLeak, CondNoLeak} {
		bands := tr.Bands[cond]
		for _, name := range coreOrder(bands) {
			w("| %s / %s |", cond, name)
			for _, k := range coreColumns {
				w(" %s |", ci(metrics.Describe(k), bands[name][k]))
			}
			w("\n")
		}
	}
}

// writeForms is the table of adaptation forms × τa: the Jacobian where replay settles and each
// form's replay.
func writeForms(w writer, s Size, tr *TaskResult) {
	if len(tr.Forms) > 0 {
		w("\n### Adaptation forms\n\nb_a = %g; the Jacobian of the noiseless (h, a) update where the first chain's state settles, and the replay of each form (%d chains × %d steps).\n\n| form | τ_a | slowest mode |λ| | complex (share of networks) | settled (share) | coverage per chain | reach RMST | dwell (steps) |\n|---|---|---|---|---|---|---|---|\n",
			s.AdaptStrength, s.SweepChains, s.SweepSteps)
		for _, f := range model.AdaptForms {
			for _, tau := range s.AdaptTaus {
				key := fmt.Sprintf("%s/τa=%g", f, tau)
				fb, vb := tr.Forms[key], tr.Bands[CondLeak][formsName(f, tau)]
				w("| %s | %g | %s | %.2f | %.2f | %s | %s | %s |\n", f, tau, ci(metrics.Describe(metrics.KeyJacobianRadius), fb["radius"]),
					fb["complex"].Mean, fb["settled"].Mean, ci(metrics.Describe(metrics.KeyChainCoverage), vb[metrics.KeyChainCoverage]),
					ci(metrics.Describe(metrics.KeyReachRMST), vb[metrics.KeyReachRMST]), ci(metrics.Describe(metrics.KeyDwellTime), vb[metrics.KeyDwellTime]))
			}
		}
	}
}

// writeRobustness is the table of differences from the baseline at each replay noise σq.
func writeRobustness(w writer, s Size, tr *TaskResult) {
	if bands := tr.Bands[CondLeak]; len(bands) > 0 {
		w("\n### Robustness to the replay noise σ_q\n\nMean difference from the baseline at the same σ_q (network by network), per check metric of claims 2 and 3.\n\n| σ_q/σ_train | adaptation − baseline: coverage per chain | adaptation − baseline: reach RMST | momentum − baseline: reach RMST | momentum − baseline: progress |\n|---|---|---|---|---|\n")
		for _, f := range s.NoiseFactors {
			name := func(base string) string {
				if math.Abs(f-math.Sqrt2) < 1e-9 {
					return base
				}
				return noiseName(f, base)
			}
			diff := func(a, key string) string {
				da, db := bands[name(a)][key], bands[name(VariantBaseline)][key]
				if len(da.Values) == 0 || len(db.Values) == 0 {
					return "n/a"
				}
				var d []float64
				for i := range min(len(da.Values), len(db.Values)) {
					d = append(d, da.Values[i]-db.Values[i])
				}
				t, err := stats.TTest(d, 0)
				if err != nil {
					return "n/a"
				}
				return fmtInterval(metrics.Describe(key), t.Estimate, t.Lo, t.Hi)
			}
			w("| %.3g | %s | %s | %s | %s |\n", f, diff(VariantAdaptation(s.AdaptForm), metrics.KeyChainCoverage), diff(VariantAdaptation(s.AdaptForm), metrics.KeyReachRMST),
				diff(VariantMomentum, metrics.KeyReachRMST), diff(VariantMomentum, metrics.KeyProgress))
		}
	}
}

// holdColumns are the hold test's metrics, in the order of its table.
var holdColumns = []string{metrics.KeyHoldDrift50, metrics.KeyHoldDrift200, metrics.KeyHoldDrift1000, metrics.KeyHoldSettled, metrics.KeyFixedPoints}

// writeHold writes the hold test's table: per condition, its metrics over networks.
func writeHold(w func(string, ...any), tr *TaskResult) {
	if _, ok := tr.Bands[CondLeak][VariantBaseline][metrics.KeyHoldDrift50]; !ok {
		return
	}
	w("\n### Hold test\n\nThe baseline cell without noise and with zero input, from the replay's starts (states along held-out paths): how far the decoded position drifts, how many chains come to rest, at how many places. A network that holds what it is left at drifts 0; one with a few discrete attractors drifts to them. Means over networks [95 %% t interval].\n\n| condition |")
	for _, k := range holdColumns {
		w(" %s |", metrics.Describe(k).Label())
	}
	w("\n|---|")
	for range holdColumns {
		w("---|")
	}
	w("\n")
	for _, cond := range []string{CondLeak, CondNoLeak} {
		bands, ok := tr.Bands[cond][VariantBaseline]
		if !ok {
			continue
		}
		w("| %s |", cond)
		for _, k := range holdColumns {
			w(" %s |", ci(metrics.Describe(k), bands[k]))
		}
		w("\n")
	}
}

// coreOrder lists the core variants present, in a fixed order.
func coreOrder(bands map[string]map[string]Band) []string {
	order := []string{VariantBaseline}
	for _, f := range model.AdaptForms {
		order = append(order, VariantAdaptation(f))
	}
	order = append(order, VariantMomentum, VariantMomentumFixed)
	for _, f := range model.AdaptForms {
		order = append(order, VariantBoth(f))
	}
	order = append(order, VariantUntrained)
	var out []string
	for _, name := range order {
		if _, ok := bands[name]; ok {
			out = append(out, name)
		}
	}
	return out
}

// tableCell escapes the pipes of s (|x|, |·|) so that it stays one cell of a Markdown table.
func tableCell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
