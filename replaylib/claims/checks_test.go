package claims

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/replaylab/replay/replaylib/metrics"
	"github.com/replaylab/replay/replaylib/model"
	"github.com/replaylab/replay/replaylib/stats"
)

var updateDocs = flag.Bool("update", false, "rewrite docs/claims.md's check table from Checks")

// TestCheckTableIsPinned spells out every check of the protocol: which claim, metric, sides,
// direction, margin and source. A change to Checks must change this list too, on purpose.
func TestCheckTableIsPinned(t *testing.T) {
	want := []string{
		"1 final_error leak<no leak training",
		"1 error_auc leak<no leak training",
		"1 w1 leak<no leak conditions",
		"2 chain_coverage adaptation>baseline variants",
		"2 chain_entropy adaptation>baseline variants",
		"2 reach_rmst adaptation>baseline variants",
		"2 |residual_autocorr| adaptation>baseline variants",
		"3 reach_rmst momentum<baseline variants",
		"3 progress momentum>baseline variants",
		"3 displacement momentum>baseline variants",
		"4 reach_rmst adaptation+momentum<adaptation variants",
		"4 reach_rmst adaptation+momentum<1.1×baseline variants",
		"4 chain_coverage adaptation+momentum>0.9×adaptation variants",
	}
	var got []string
	for _, c := range Checks {
		metric, b := c.Metric, string(c.B)
		if c.Abs {
			metric = "|" + metric + "|"
		}
		if c.Margin != 0 {
			b = fmt.Sprintf("%g×%s", 1+c.Margin, c.B)
		}
		got = append(got, fmt.Sprintf("%d %s %s%s%s %s", c.Claim, metric, c.A, op(c.Direction), b, c.Source))
		if metrics.Describe(c.Metric).Key != c.Metric {
			t.Errorf("check %q: metric %q is not in the catalog", c.Name, c.Metric)
		}
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("the check table changed:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, cl := range Claims {
		if n := len(ChecksOf(cl.ID)); (n == 0) != (cl.Theory != "") {
			t.Errorf("claim %d: %d checks, theory %q: a claim has checks or is decided by the theory", cl.ID, n, cl.Theory)
		}
	}
}

// TestCheckStatements: the statements results and reports carry, built from the rows.
func TestCheckStatements(t *testing.T) {
	for _, c := range []struct {
		check Check
		k     int
		want  string
	}{
		{ChecksOf(1)[0], MaskNone, "final position error, k=∞: leak < no leak"},
		{ChecksOf(1)[1], 4, "area under the error curve, k=4: leak < no leak"},
		{ChecksOf(1)[2], 4, "replay W1 to training positions: leak < no leak"},
		{ChecksOf(2)[3], 0, "|residual autocorrelation|: adaptation > baseline"},
		{ChecksOf(3)[2], 0, "net displacement at 50 steps: momentum > baseline"},
		{ChecksOf(4)[1], 0, "restricted mean reach time: adaptation+momentum < baseline + 10%"},
		{ChecksOf(4)[2], 0, "coverage per chain: adaptation+momentum > adaptation − 10%"},
	} {
		if got := c.check.Statement(c.k); got != c.want {
			t.Errorf("statement %q, want %q", got, c.want)
		}
	}
}

// committedResult reads the committed quick run's results (its bands; no per-chain data).
func committedResult(t *testing.T) *Result {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "docs", "report-sample", "metrics.json"))
	if err != nil {
		t.Fatal(err)
	}
	var res Result
	if err := json.Unmarshal(raw, &res); err != nil {
		t.Fatal(err)
	}
	return &res
}

// TestJudgeRederivesTheCommittedChecks: judging the committed quick run's bands again from the
// table gives its claims: the same checks in the same order, with the same sides, values and t
// analysis (the bootstrap is left out: metrics.json keeps no per-chain data to redo it).
func TestJudgeRederivesTheCommittedChecks(t *testing.T) {
	res := committedResult(t)
	committed := res.Claims
	got, err := judge(res)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(committed) {
		t.Fatalf("%d claims judged, %d committed (regenerate docs/report-sample after changing the protocol)", len(got), len(committed))
	}
	for i, c := range got {
		w := committed[i]
		if c.ID != w.ID || c.Task != w.Task || c.Form != w.Form || c.Title != w.Title || c.Primary != w.Primary || len(c.Checks) != len(w.Checks) {
			t.Errorf("claim %d: %d %s %s %q (%d checks), committed %d %s %s %q (%d checks)", i, c.ID, c.Task, c.Form, c.Title, len(c.Checks), w.ID, w.Task, w.Form, w.Title, len(w.Checks))
			continue
		}
		for j, ch := range c.Checks {
			wc := w.Checks[j]
			if ch.Statement != wc.Statement || ch.Metric != wc.Metric || ch.A != wc.A || ch.B != wc.B || ch.Direction != wc.Direction || ch.Margin != wc.Margin {
				t.Errorf("claim %d %s %s check %d: %q %s %s/%s, committed %q %s %s/%s", c.ID, c.Task, c.Form, j, ch.Statement, ch.Metric, ch.A, ch.B, wc.Statement, wc.Metric, wc.A, wc.B)
				continue
			}
			if fmt.Sprint(ch.Diffs) != fmt.Sprint(wc.Diffs) || !sameFloat(ch.T.Estimate, wc.T.Estimate) || !sameFloat(ch.T.P, wc.T.P) {
				t.Errorf("claim %d %s %s %q: differences %v (t %g), committed %v (t %g)", c.ID, c.Task, c.Form, ch.Statement, ch.Diffs, ch.T.Estimate, wc.Diffs, wc.T.Estimate)
			}
		}
	}
}

// sameFloat: equal, or both NaN.
func sameFloat(a, b float64) bool { return a == b || a != a && b != b }

// TestAddingACheckIsOneRow: a row added to Checks is judged on every task, shown in the report's
// check rows and in the docs' check table, with no other edit.
func TestAddingACheckIsOneRow(t *testing.T) {
	saved := Checks
	t.Cleanup(func() { Checks = saved })
	row := Check{Claim: 3, Name: "occupancy entropy per chain", Metric: metrics.KeyChainEntropy, A: RoleMomentum, B: RoleBaseline, Source: SourceVariants, Direction: stats.Greater}
	Checks = append(append([]Check(nil), saved...), row)

	res := committedResult(t)
	claims, err := judge(res)
	if err != nil {
		t.Fatal(err)
	}
	res.Claims = claims
	statement := "occupancy entropy per chain: momentum > baseline"
	tasks := 0
	for _, c := range claims {
		if c.ID != 3 {
			continue
		}
		last := c.Checks[len(c.Checks)-1]
		if len(c.Checks) != 4 || last.Statement != statement || len(last.ValuesA) == 0 {
			t.Errorf("claim 3 on %s: %d checks, the last %q with %d values; want the new row with values", c.Task, len(c.Checks), last.Statement, len(last.ValuesA))
		}
		var want []float64
		for _, tr := range res.Tasks {
			if tr.Task == c.Task {
				want = tr.Bands[CondLeak][VariantMomentum][metrics.KeyChainEntropy].Values
			}
		}
		if fmt.Sprint(last.ValuesA) != fmt.Sprint(want) {
			t.Errorf("claim 3 on %s: the new check's A values %v, momentum's band %v", c.Task, last.ValuesA, want)
		}
		tasks++
	}
	if tasks != len(res.Tasks) {
		t.Errorf("claim 3 judged on %d tasks, want %d", tasks, len(res.Tasks))
	}
	if md := Markdown(res, nil); strings.Count(md, statement) < len(res.Tasks) {
		t.Errorf("the report shows the new check %d times, want once per task (%d)", strings.Count(md, statement), len(res.Tasks))
	}
	if !strings.Contains(CheckTableMarkdown(), "| 3 | occupancy entropy per chain | `chain_entropy` | momentum > baseline |") {
		t.Errorf("the docs' check table lacks the new row:\n%s", CheckTableMarkdown())
	}
}

// Markers around the generated check table in docs/claims.md.
const (
	checkTableBegin = "<!-- the check table: generated from replaylib/claims/checks.go (go test ./replaylib/claims -run TestClaimsDocHoldsTheCheckTable -update) -->\n"
	checkTableEnd   = "<!-- end of the check table -->\n"
)

// TestClaimsDocHoldsTheCheckTable: docs/claims.md's check table is CheckTableMarkdown (-update
// rewrites it).
func TestClaimsDocHoldsTheCheckTable(t *testing.T) {
	path := filepath.Join("..", "..", "docs", "claims.md")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	i, j := strings.Index(doc, checkTableBegin), strings.Index(doc, checkTableEnd)
	if i < 0 || j < i {
		t.Fatalf("docs/claims.md has no check table between its markers %q and %q", checkTableBegin, checkTableEnd)
	}
	want := doc[:i+len(checkTableBegin)] + CheckTableMarkdown() + doc[j:]
	if want == doc {
		return
	}
	if *updateDocs {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Error("docs/claims.md's check table is not the protocol's: go test ./replaylib/claims -run TestClaimsDocHoldsTheCheckTable -update")
}

// TestAddingAVariantIsOneRow: a row added to CoreVariants is replayed by every leaky network with
// the size's modifiers it names, and a check reaches it by its name as a Role.
func TestAddingAVariantIsOneRow(t *testing.T) {
	saved := CoreVariants
	t.Cleanup(func() { CoreVariants = saved })
	const name = "momentum, untrained"
	CoreVariants = append(append([]CoreVariant(nil), saved...), CoreVariant{Name: name, Momentum: true, Untrained: true})
	s := Quick()
	var found *VariantSpec
	for _, v := range s.variants(model.CellParams{Alpha: s.LeakAlpha, NoiseSD: 0.05}, true) {
		if v.Name == name {
			found = &v
		}
	}
	if found == nil || found.Family != FamilyCore || found.Cell.Momentum != s.Momentum || !found.Untrained || found.Chains != s.Chains {
		t.Fatalf("the new core variant: %+v", found)
	}
	if got := Role(name).variant(model.AdaptHidden); got != name {
		t.Errorf("Role(%q) names variant %q", name, got)
	}
	if got := RoleBoth.variant(model.AdaptRate); got != VariantBoth(model.AdaptRate) {
		t.Errorf("RoleBoth names %q for the rate form, want %q", got, VariantBoth(model.AdaptRate))
	}
}
