package claims

import (
	"bytes"
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/replaylab/replay/internal/jsonsafe"
	"github.com/replaylab/replay/replaylib/metrics"
	"github.com/replaylab/replay/replaylib/model"
)

// TestValuesCSVReadsBack: the committed quick run as values.csv has its columns on every row, one
// row per number of its bands, training values and checks, and reading a row back gives the same
// float64 as metrics.json holds, found by plain column values (no formatted keys).
func TestValuesCSVReadsBack(t *testing.T) {
	res := committedResult(t)
	raw, err := ValuesCSV(res)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(raw)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := rows[0]; len(got) != len(ValuesColumns) || got[0] != "task" || got[len(got)-1] != "value" {
		t.Fatalf("header %v", got)
	}
	col := map[string]int{}
	for i, c := range ValuesColumns {
		col[c] = i
	}
	want := 0
	for _, tr := range res.Tasks {
		for _, tn := range tr.Training {
			want += len(tn.Values)
		}
		for _, byVariant := range tr.Bands {
			for _, byMetric := range byVariant {
				for _, b := range byMetric {
					want += len(b.Values)
				}
			}
		}
	}
	for _, c := range res.Claims {
		for _, ch := range c.Checks {
			want += len(ch.ValuesA) + len(ch.ValuesB) + len(ch.Diffs)
		}
	}
	if len(rows)-1 != want {
		t.Errorf("%d rows, want one per number: %d", len(rows)-1, want)
	}
	// Look some up by their columns, as a pandas user would filter them.
	find := func(match map[string]string) []string {
		var out []string
		for _, r := range rows[1:] {
			ok := true
			for k, v := range match {
				ok = ok && r[col[k]] == v
			}
			if ok {
				out = append(out, r[col["value"]])
			}
		}
		return out
	}
	tr := res.Tasks[1]
	band := tr.Bands[CondLeak][VariantMomentum][metrics.KeyW1].Values
	got := find(map[string]string{"task": tr.Task, "kind": "replay", "condition": CondLeak, "variant": VariantMomentum, "metric": metrics.KeyW1})
	if len(got) != len(band) {
		t.Fatalf("%d momentum W1 rows on %s, want %d", len(got), tr.Task, len(band))
	}
	for i, s := range got {
		if x, err := strconv.ParseFloat(s, 64); err != nil || x != band[i] {
			t.Errorf("network %d: %q reads as %g (%v), metrics.json has %g", i+1, s, x, err, band[i])
		}
	}
	tn := tr.Training[0]
	c := tn.Unit.Condition
	got = find(map[string]string{"task": tr.Task, "kind": "training", "alpha": strconv.FormatFloat(c.Alpha, 'g', -1, 64),
		"mask_k": "inf", "learning_rate": strconv.FormatFloat(c.LR, 'g', -1, 64), "network": strconv.Itoa(tn.Unit.Index), "metric": metrics.KeyFinalError})
	if len(got) != 1 || got[0] != strconv.FormatFloat(tn.Values[metrics.KeyFinalError], 'g', -1, 64) {
		t.Errorf("final error of %s network %d: %v, metrics.json %g", tr.Task, tn.Unit.Index, got, tn.Values[metrics.KeyFinalError])
	}
	// A b_a × λ_v map's cell and a noise variant, selected by their settings rather than their names.
	for _, c := range []struct {
		variant string
		match   map[string]string
	}{
		{heatName(model.AdaptRate, 0.5, 0.4), map[string]string{"family": FamilyHeat, "adapt_form": "rate", "adapt_strength": "0.5", "momentum": "0.4"}},
		{noiseName(2, VariantBaseline), map[string]string{"family": FamilyNoise, "adapt_strength": "0", "momentum": "1", "noise_factor": "2"}},
	} {
		band := tr.Bands[CondLeak][c.variant][metrics.KeyW1].Values
		c.match["task"], c.match["kind"], c.match["condition"], c.match["metric"] = tr.Task, "replay", CondLeak, metrics.KeyW1
		got := find(c.match)
		if len(band) == 0 || len(got) != len(band) || got[0] != strconv.FormatFloat(band[0], 'g', -1, 64) {
			t.Errorf("%v: %v, want %s's W1 %v", c.match, got, c.variant, band)
		}
	}
	for i, r := range rows[1:] {
		if r[col["kind"]] == "replay" && r[col["family"]] == "" {
			t.Fatalf("row %d: replay variant %q without its settings", i+1, r[col["variant"]])
		}
	}
	ch := res.Claims[0].Checks[0]
	got = find(map[string]string{"task": res.Claims[0].Task, "kind": "check", "claim": "1", "check": ch.Statement, "side": "difference"})
	if len(got) != len(ch.Diffs) {
		t.Errorf("check %q: %d differences, want %d", ch.Statement, len(got), len(ch.Diffs))
	}
}

// TestCommittedValuesAreTheSample: docs/report-sample/values.csv is the committed run's metrics.json
// as ValuesCSV writes it (a value the run could not compute is empty there; metrics.json keeps it as
// null, which reads back as 0).
func TestCommittedValuesAreTheSample(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "docs", "report-sample", ValuesFile))
	if err != nil {
		t.Fatal(err)
	}
	committed, err := csv.NewReader(bytes.NewReader(raw)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	derived, err := ValuesCSV(committedResult(t))
	if err != nil {
		t.Fatal(err)
	}
	want, err := csv.NewReader(bytes.NewReader(derived)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(committed) != len(want) {
		t.Fatalf("docs/report-sample/values.csv has %d rows, metrics.json gives %d: regenerate it with replay report", len(committed), len(want))
	}
	last := len(ValuesColumns) - 1
	for i := range want {
		for j := range want[i] {
			if committed[i][j] != want[i][j] && !(j == last && committed[i][j] == "" && want[i][j] == "0") {
				t.Fatalf("docs/report-sample/values.csv row %d, %s: %q, metrics.json gives %q", i, ValuesColumns[j], committed[i][j], want[i][j])
			}
		}
	}
}

// TestMetricsJSONReadsBack: the committed metrics.json, with a value that could not be measured
// (NaN, written as null) in a float field and in a list, read with jsonsafe.Unmarshal and written
// again as WriteReport writes it, is the same bytes: nothing is lost or turned from "not measured"
// into 0 on the way through Go (encoding/json alone reads those nulls as 0).
func TestMetricsJSONReadsBack(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "docs", "report-sample", MetricsFile))
	if err != nil {
		t.Fatal(err)
	}
	var sample Result
	if err := jsonsafe.Unmarshal(raw, &sample); err != nil {
		t.Fatal(err)
	}
	c := &sample.Claims[0].Checks[0]
	if len(c.ValuesA) == 0 {
		t.Fatal("the sample's first check has no values")
	}
	c.Margin, c.ValuesA[0] = math.NaN(), math.NaN()
	written, err := jsonsafe.MarshalIndent(&sample, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	var res Result
	if err := jsonsafe.Unmarshal(written, &res); err != nil {
		t.Fatal(err)
	}
	if c := res.Claims[0].Checks[0]; !math.IsNaN(c.Margin) || !math.IsNaN(c.ValuesA[0]) {
		t.Fatalf("nulls read back as %g and %g, want NaN", c.Margin, c.ValuesA[0])
	}
	again, err := jsonsafe.MarshalIndent(&res, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(written, again) {
		a, b := string(written), string(again)
		i := 0
		for i < min(len(a), len(b)) && a[i] == b[i] {
			i++
		}
		t.Errorf("metrics.json differs after a round trip at byte %d: %q vs %q", i, a[max(0, i-80):min(len(a), i+80)], b[max(0, i-80):min(len(b), i+80)])
	}
}
