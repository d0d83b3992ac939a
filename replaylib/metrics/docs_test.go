package metrics

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestClaimsDocHoldsTheCatalog: docs/claims.md's metrics table is the catalog's, as
// `replay metrics --describe` prints it (regenerate it from there after changing the catalog).
func TestClaimsDocHoldsTheCatalog(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "docs", "claims.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), CatalogMarkdown()) {
		t.Error("docs/claims.md does not hold the metrics catalog's table: paste the output of `go run ./cmd/replay metrics --describe` into it")
	}
}

// TestCatalogTableCells: every row of the catalog's Markdown table has exactly its five cells,
// although some descriptions hold |x| (escaped as \|).
func TestCatalogTableCells(t *testing.T) {
	for _, row := range strings.Split(strings.TrimSpace(CatalogMarkdown()), "\n") {
		if n := strings.Count(row, "|") - strings.Count(row, `\|`); n != 6 {
			t.Errorf("%d cell separators, want 6: %s", n, row)
		}
	}
}

// TestFmtNoNegativeZero: a small negative value rounded to zero prints as zero, not "-0"
// (an interval read "[-0, 1]").
func TestFmtNoNegativeZero(t *testing.T) {
	for _, c := range []struct {
		key  string
		x    float64
		want string
	}{{KeyReachRMST, -0.2, "0"}, {KeyInside, -1e-5, "0.000"}, {KeyPlateauChange, -1e-5, "+0.000"}, {KeyPlateauChange, -0.02, "-0.020"}, {KeyReachRMST, -3, "-3"}} {
		if got := Describe(c.key).Fmt(c.x); got != c.want {
			t.Errorf("%s.Fmt(%g) = %q, want %q", c.key, c.x, got, c.want)
		}
	}
}
