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
