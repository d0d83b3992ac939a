package claims

import (
	"bytes"
	"encoding/csv"
	"maps"
	"math"
	"slices"
	"strconv"

	"github.com/replaylab/replay/replaylib/model"
)

// ValuesFile is the flat table of every number a reproduction measured (WriteReport writes it
// beside metrics.json): one row per value, for pandas (pd.read_csv), R or Go's encoding/csv,
// without rebuilding metrics.json's keys.
const ValuesFile = "values.csv"

// ValuesColumns are the columns of ValuesFile, in order:
//
//   - task: triangle, tmaze, placecells (and "theory" for claim 5's checks);
//   - kind: "training" (a trained network's metric), "replay" (a replay variant's metric) or
//     "check" (a check's per-network value: side a, side b, or their difference);
//   - condition: "leak" or "no leak" (training and replay rows);
//   - alpha, mask_k, learning_rate: the training condition (mask_k "inf" for no masking;
//     learning_rate on training rows only: replay uses the rate chosen per condition);
//   - variant: the replay variant (replay rows), or the side's variant or condition (check rows);
//   - family, adapt_form, adapt_strength, adapt_tau, momentum, noise, noise_factor: the variant's
//     settings as values, to select rows without parsing its name (VariantSpec): its family (core,
//     momentum, heat, forms, noise), the adaptation form and b_a, τ_a ("" and 0, "" without
//     adaptation), λ_v (1: no momentum), how σ_q scales with momentum (sqrt-momentum or fixed) and
//     σ_q/σ_train; empty on rows that name no variant;
//   - claim, form, check, side: the claim's number, its adaptation form ("" if none), the check's
//     statement and "a", "b" or "difference" (check rows);
//   - metric: a key of the metric catalog (replay metrics --describe);
//   - network: m = 1 … networks, the same seeds in every condition;
//   - value: shortest decimal that reads back to the same float64; empty when not finite.
var ValuesColumns = slices.Concat([]string{"task", "kind", "condition", "alpha", "mask_k", "learning_rate", "variant"},
	variantSettingColumns, []string{"claim", "form", "check", "side", "metric", "network", "value"})

// variantSettingColumns are the columns of a variant's settings (variantColumns), after "variant".
var variantSettingColumns = []string{"family", "adapt_form", "adapt_strength", "adapt_tau", "momentum", "noise", "noise_factor"}

// noVariant is the variant columns of a row that names no variant.
var noVariant = make([]string, len(variantSettingColumns))

// variantColumns maps each variant the size replays to its columns in ValuesColumns (family …
// noise_factor).
func variantColumns(s Size, num func(float64) string) map[string][]string {
	out := map[string][]string{}
	for _, v := range s.variants(model.DefaultCellParams(), true) {
		c := v.Cell
		form, tau := "", ""
		if c.AdaptStrength != 0 {
			form, tau = string(c.AdaptForm), num(c.AdaptTau)
		}
		out[v.Name] = []string{v.Family, form, num(c.AdaptStrength), tau, num(c.Momentum), string(v.Noise), num(v.NoiseFactor)}
	}
	return out
}

// ValuesCSV is res as ValuesFile: training and replay rows task by task (conditions, variants and
// metrics in sorted order), then the check rows of every claim in the report's order (claim 5's
// task is "theory").
func ValuesCSV(res *Result) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.Write(ValuesColumns); err != nil {
		return nil, err
	}
	num := func(x float64) string {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return ""
		}
		return strconv.FormatFloat(x, 'g', -1, 64)
	}
	mask := func(k int) string {
		if k >= MaskNone {
			return "inf"
		}
		return strconv.Itoa(k)
	}
	settings := variantColumns(res.Size, num)
	// row writes the columns before the variant's, the variant's settings, and the columns after.
	row := func(before []string, variant string, after ...string) {
		cols, ok := settings[variant]
		if !ok {
			cols = noVariant
		}
		w.Write(slices.Concat(before, []string{variant}, cols, after)) // errors surface in w.Error below
	}
	for _, tr := range res.Tasks {
		for _, t := range tr.Training {
			c := t.Unit.Condition
			for _, key := range slices.Sorted(maps.Keys(t.Values)) {
				row([]string{tr.Task, "training", conditionName(res.Size, c.Alpha), num(c.Alpha), mask(c.MaskK), num(c.LR)}, "",
					"", "", "", "", key, strconv.Itoa(t.Unit.Index), num(t.Values[key]))
			}
		}
		for _, cond := range slices.Sorted(maps.Keys(tr.Bands)) {
			alpha := 1.0
			if cond == CondLeak {
				alpha = res.Size.LeakAlpha
			}
			for _, variant := range slices.Sorted(maps.Keys(tr.Bands[cond])) {
				for _, key := range slices.Sorted(maps.Keys(tr.Bands[cond][variant])) {
					for i, v := range tr.Bands[cond][variant][key].Values {
						row([]string{tr.Task, "replay", cond, num(alpha), mask(MaskNone), ""}, variant,
							"", "", "", "", key, strconv.Itoa(i+1), num(v))
					}
				}
			}
		}
	}
	for _, c := range res.Claims {
		for _, ch := range c.Checks {
			for _, side := range []struct {
				name, variant string
				values        []float64
			}{{"a", ch.A, ch.ValuesA}, {"b", ch.B, ch.ValuesB}, {"difference", "", ch.Diffs}} {
				for i, v := range side.values {
					row([]string{c.Task, "check", "", "", "", ""}, side.variant,
						strconv.Itoa(c.ID), c.Form, ch.Statement, side.name, ch.Metric, strconv.Itoa(i+1), num(v))
				}
			}
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
