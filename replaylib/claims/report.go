package claims

import (
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"strings"

	"github.com/replaylab/replay/replaylib/atomicfile"
)

// Files written by WriteReport.
const (
	ReportFile  = "report.md"
	MetricsFile = "metrics.json"
)

// jsonSafe replaces the nonFinite sentinel (standing for ±Inf or NaN, which JSON cannot hold) by
// null, recursively.
func jsonSafe(v any) any {
	switch x := v.(type) {
	case float64:
		if x >= nonFinite {
			return nil
		}
		return x
	case map[string]any:
		for k, e := range x {
			x[k] = jsonSafe(e)
		}
		return x
	case []any:
		for i, e := range x {
			x[i] = jsonSafe(e)
		}
		return x
	}
	return v
}

// WriteReport writes report.md and metrics.json into dir, atomically.
func WriteReport(res *Result, dir string, figures []string) error {
	raw, err := marshalFinite(res)
	if err != nil {
		return err
	}
	if err := atomicfile.Write(filepath.Join(dir, MetricsFile), raw); err != nil {
		return err
	}
	return atomicfile.Write(filepath.Join(dir, ReportFile), []byte(Markdown(res, figures)))
}

// MetricsSchema names the layout of metrics.json.
const MetricsSchema = "replay-metrics/1"

// marshalFinite marshals with ±Inf/NaN as null (encoding/json refuses them).
func marshalFinite(res *Result) ([]byte, error) {
	tree, err := toTree(res)
	if err != nil {
		return nil, err
	}
	return json.MarshalIndent(jsonSafe(tree), "", "  ")
}

func toTree(res *Result) (any, error) {
	// json.Marshal fails on Inf, so first replace non-finite floats by a sentinel string.
	raw, err := json.Marshal(finiteCopy(res))
	if err != nil {
		return nil, err
	}
	var tree map[string]any
	if err := json.Unmarshal(raw, &tree); err != nil {
		return nil, err
	}
	tree["schema"] = MetricsSchema
	return tree, nil
}

// finiteCopy returns a copy of res whose non-finite numbers are replaced by the nonFinite sentinel.
func finiteCopy(res *Result) *Result {
	c := *res
	fix := func(s *Stat) {
		vals := make([]float64, len(s.Values))
		for i, v := range s.Values {
			vals[i] = clampInf(v)
		}
		s.Values, s.Mean, s.SD = vals, clampInf(s.Mean), clampInf(s.SD)
	}
	var tasks []*TaskResult
	for _, tr := range res.Tasks {
		t := *tr
		var vs []*Variant
		for _, list := range [][]*Variant{tr.Variants, tr.Sweep} {
			for _, v := range list {
				w := *v
				for _, s := range []*Stat{&w.W1, &w.W2, &w.KL, &w.ReachMedian, &w.ReachMean, &w.ReachNever, &w.PathLength, &w.Compression,
					&w.Coverage, &w.Regions, &w.IncAutocorr, &w.MSDExponent, &w.IAT, &w.Inside} {
					fix(s)
				}
				vs = append(vs, &w)
			}
		}
		t.Variants, t.Sweep = vs[:len(tr.Variants)], vs[len(tr.Variants):]
		tasks = append(tasks, &t)
	}
	c.Tasks = tasks
	var claims []Claim
	for _, cl := range res.Claims {
		cc := cl
		cc.Checks = append([]Check(nil), cl.Checks...)
		for i := range cc.Checks {
			cc.Checks[i].A, cc.Checks[i].B = clampInf(cc.Checks[i].A), clampInf(cc.Checks[i].B)
		}
		claims = append(claims, cc)
	}
	c.Claims = claims
	return &c
}

// nonFinite stands for ±Inf or NaN between finiteCopy and jsonSafe.
const nonFinite = 1e300

func clampInf(x float64) float64 {
	if math.IsInf(x, 0) || math.IsNaN(x) {
		return nonFinite
	}
	return x
}

func num(x float64, format string) string {
	switch {
	case math.IsInf(x, 1):
		return "never"
	case math.IsNaN(x):
		return "n/a"
	}
	return fmt.Sprintf(format, x)
}

func stat(s Stat, format string) string {
	if len(s.Values) < 2 || math.IsInf(s.Mean, 0) || s.SD == 0 {
		return num(s.Mean, format)
	}
	return num(s.Mean, format) + " ± " + num(s.SD, format)
}

// Markdown renders the report.
func Markdown(res *Result, figures []string) string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	w("# Replay reproduction report\n\n")
	w("Paper: *Leakage and Second-Order Dynamics Improve Hippocampal RNN Replay* (arXiv 2602.18401).  \n")
	w("Size **%s** (hidden %d, %d training steps of batch %d × %d steps, masking k ∈ %v, %d chains × %d replay steps, %d replay seeds), seed %d, backend %s, %.0f s.\n\n",
		res.Size.Name, res.Size.Hidden, res.Size.TrainSteps, res.Size.BatchSize, res.Size.SeqLen, res.Size.MaskKs,
		res.Size.Chains, res.Size.ReplaySteps, res.Size.ReplaySeeds, res.Seed, res.Backend, res.Seconds)
	w("Values are mean ± s.d. over replay seeds. Reach time: steps until a chain first enters the target region. The claims compare the *restricted mean* reach time, the mean of min(τ, T_q) over all chains (a chain that never reaches counts T_q), because the median is undefined (\"never\") whenever half the chains never reach; the tables also give the censored median and the fraction that never reach. Distances are in environment units (u).\n\n")
	w("## Claims\n\n| # | task | claim | held |\n|---|---|---|---|\n")
	for _, c := range res.Claims {
		w("| %d | %s | %s | %s |\n", c.ID, c.Task, c.Title, yesNo(c.Held))
	}
	for _, c := range res.Claims {
		w("\n### Claim %d — %s (%s): %s\n\n| check | value | compared with | held |\n|---|---|---|---|\n", c.ID, c.Title, c.Task, yesNo(c.Held))
		for _, ch := range c.Checks {
			w("| %s | %s | %s | %s |\n", ch.Statement, num(ch.A, "%.4g"), num(ch.B, "%.4g"), yesNo(ch.Held))
		}
	}
	for _, tr := range res.Tasks {
		w("\n## %s\n\nReplay starts at (%.2f, %.2f) (%s); target regions %v. Active path length per step %.4f u.\n\n",
			tr.Task, tr.Start.X, tr.Start.Y, tr.StartMode, tr.Targets, tr.ActivePathLength)
		w("### Training (final decoded position error, fraction of environment size %.2f u)\n\n| model | α | k | error | time (s) |\n|---|---|---|---|---|\n", tr.EnvSize)
		for _, m := range tr.Training {
			w("| %s | %g | %d | %.2f%% | %.0f |\n", m.Name, m.Alpha, m.MaskK, 100*m.FinalErr, m.Seconds)
		}
		w("\n### Replay variants\n\n| variant | W1 (u) | KDE-KL | reach mean (steps) | reach median | never | length/step (u) | compression | coverage | regions | lag-1 autocorr | MSD β | inside |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
		for _, v := range append(append([]*Variant{}, tr.Variants...), tr.Sweep...) {
			w("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", v.Name, stat(v.W1, "%.3f"), stat(v.KL, "%.2f"),
				stat(v.ReachMean, "%.0f"), stat(v.ReachMedian, "%.0f"), stat(v.ReachNever, "%.2f"), stat(v.PathLength, "%.4f"), stat(v.Compression, "%.2f"),
				stat(v.Coverage, "%.2f"), stat(v.Regions, "%.2f"), stat(v.IncAutocorr, "%.2f"), stat(v.MSDExponent, "%.2f"), stat(v.Inside, "%.2f"))
		}
	}
	th := res.Theory
	w("\n## Theory (claim 5)\n\nOU example θ=%g, μ=%g, σ=%g from N(%g, %g): score slope −1/v(t) goes from %.1f to %.1f over t ∈ [%g, %g]; the time-mixture score's best affine fit has leak %.2f (centre %.2f) and R² = %.3f.\n",
		th.OU.Theta, th.OU.Mu, th.OU.Sigma, th.OU.M0, th.OU.V0, th.ScoreSlopes[0], th.ScoreSlopes[len(th.ScoreSlopes)-1], th.T0, th.T, th.Fit.Leak, th.Fit.Centre, th.Fit.R2)
	if len(figures) > 0 {
		w("\n## Figures\n\n")
		for _, f := range figures {
			w("![%s](%s)\n\n", f, f)
		}
	}
	return b.String()
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "**no**"
}
