package claims

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestReadingOrderNamesEveryFile: the package doc's reading order names every source file of the
// package once, and no file that does not exist.
func TestReadingOrderNamesEveryFile(t *testing.T) {
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	order := string(doc)[strings.Index(string(doc), "# Reading order"):]
	named := map[string]int{}
	for _, m := range regexp.MustCompile(`\b[a-z]+\.go\b`).FindAllString(order, -1) {
		named[m]++
	}
	files, _ := filepath.Glob("*.go")
	files = slices.DeleteFunc(files, func(f string) bool { return strings.HasSuffix(f, "_test.go") || f == "doc.go" })
	for _, f := range files {
		if named[f] != 1 {
			t.Errorf("%s is named %d times in the reading order, want once", f, named[f])
		}
		delete(named, f)
	}
	for f := range named {
		t.Errorf("the reading order names %s, which is not a file of the package", f)
	}
}
