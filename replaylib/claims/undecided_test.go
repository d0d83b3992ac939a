package claims

import (
	"strings"
	"testing"

	"github.com/replaylab/replay/replaylib/stats"
)

// TestUndecidedReasonsAreTold: a claim left undecided by missing values is not reported as a failed
// gate (the verdict table's footnotes, what would change it), and results written before the
// typed reason existed still read their reason from the note.
func TestUndecidedReasonsAreTold(t *testing.T) {
	res := &Result{Claims: []ClaimResult{
		{ID: 1, Task: "tmaze", Title: "one", Verdict: stats.Inconclusive, Undecided: UndecidedGate, Note: "inconclusive: the baseline does not sample the task (W1)"},
		{ID: 3, Task: "tmaze", Title: "three", Verdict: stats.Inconclusive, Undecided: UndecidedMissing, Note: "not decided: a check has no value on some network"},
		{ID: 5, Task: "theory", Title: "five", Verdict: stats.Held},
	}}
	table := VerdictTable(res)
	for _, want := range []string{"| inconclusive ¹ |", "| inconclusive ² |", "¹ not decided by its checks (the task's baseline failed the gate)",
		"² not decided by its checks (a check has no value on some network)"} {
		if !strings.Contains(table, want) {
			t.Errorf("verdict table lacks %q:\n%s", want, table)
		}
	}
	if strings.Contains(table, "held ¹") || strings.Contains(table, "³") {
		t.Errorf("verdict table marks a decided claim or a third reason:\n%s", table)
	}
	if got := whatWouldChange(res.Claims[1]); strings.Contains(got, "gate") {
		t.Errorf("missing values: what would change says %q, want no gate", got)
	}
	old := ClaimResult{Note: "not decided: a check has no value on some network"}
	if old.Reason() != UndecidedMissing {
		t.Errorf("an old result's reason %q, want %q", old.Reason(), UndecidedMissing)
	}
	if (ClaimResult{Note: "inconclusive: the baseline does not sample the task (x)"}).Reason() != UndecidedGate ||
		(ClaimResult{Note: "not decided: no checks"}).Reason() != UndecidedDecision || (ClaimResult{}).Reason() != "" {
		t.Error("reasons of old notes misread")
	}
}
