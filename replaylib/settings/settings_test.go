package settings

import (
	"strings"
	"testing"
)

func TestApply(t *testing.T) {
	var n int
	var x float64
	var u uint64
	s := Setters{"n": Int(&n, 1), "x": Float(&x), "seed": Uint(&u)}
	if err := s.Apply(" n=3; x = -0.5 ;;seed=7"); err != nil || n != 3 || x != -0.5 || u != 7 {
		t.Fatalf("apply: %v, n=%d x=%g u=%d", err, n, x, u)
	}
	for spec, want := range map[string]string{
		"n=0":      "n=0: want an integer ≥ 1",
		"x=abc":    "x=abc: want a number",
		"colour=1": "unknown key, want one of n, seed, x",
		"n":        `"n": want key=value`,
	} {
		if err := s.Apply(spec); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want it to contain %q", spec, err, want)
		}
	}
}
