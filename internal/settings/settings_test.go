package settings

import (
	"errors"
	"math"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestApply(t *testing.T) {
	var n, m int
	var x float64
	var u uint64
	s := Setters{"n": Int(&n, 1), "m": IntRange(&m, 0, 10), "x": Float(&x), "seed": Uint(&u)}
	if err := s.Apply(" n=3; x = -0.5 ;;seed=7;m=10"); err != nil || n != 3 || x != -0.5 || u != 7 || m != 10 {
		t.Fatalf("apply: %v, n=%d x=%g u=%d m=%d", err, n, x, u, m)
	}
	for spec, want := range map[string]string{
		"n=0":                           "n=0: want an integer ≥ 1",
		"n=9223372036854775808":         "want an integer ≥ 1",
		"m=11":                          "m=11: want an integer in [0, 10]",
		"x=abc":                         "x=abc: want a finite number",
		"x=NaN":                         "x=NaN: want a finite number",
		"x=-Inf":                        "want a finite number",
		"x=1e400":                       "want a finite number",
		"seed=-1":                       "want an integer in [0, 18446744073709551615]",
		"colour=1":                      "unknown key, want one of m, n, seed, x",
		"n":                             "n: want key=value",
		"n=1\n2":                        `settings: '\n' at byte 3: control characters are not allowed`,
		"x=\x1b[31m1":                   "control characters",
		"n=\xff":                        "not UTF-8",
		"n=" + strings.Repeat("9", 100): "want an integer ≥ 1",
		"=5":                            "=5: the key before = is empty",
		"n=2;x=1;n=3":                   "n: given twice",
		"x=1_0":                         "x=1_0: want a finite number",
	} {
		err := s.Apply(spec)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want it to contain %q", spec, err, want)
		} else if strings.ContainsAny(err.Error(), "\n\r") {
			t.Errorf("%q: error %q spans several lines", spec, err)
		}
	}
	if err := s.Apply(strings.Repeat(";", MaxSpecLen+1)); err == nil {
		t.Error("a spec over MaxSpecLen bytes was accepted")
	}
}

func TestIntRangeText(t *testing.T) {
	for _, c := range []struct {
		lo, hi int
		want   string
	}{
		{1, math.MaxInt, "≥ 1"}, {math.MinInt, 5, "≤ 5"}, {0, 10, "in [0, 10]"}, {math.MinInt, math.MaxInt, ""},
	} {
		if got := IntRangeText(c.lo, c.hi); got != c.want {
			t.Errorf("IntRangeText(%d, %d) = %q, want %q", c.lo, c.hi, got, c.want)
		}
	}
}

// FuzzApply: any spec gives either no error or a one-line error; no setter stores a value out of
// its range or a non-finite number.
func FuzzApply(f *testing.F) {
	for _, seed := range []string{"n=3; x=-0.5;;seed=7", "n=0", "x=NaN", "x=1e400", "colour=red", "n", "n=1\n2",
		"m=5;m=11", "=", ";;;", "x=0x1p-2", "seed=18446744073709551616", "n=+7", "x=1_000", "n= 4 ;x =\t2"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		n, m, x := 1, 0, 0.0
		var u uint64
		s := Setters{"n": Int(&n, 1), "m": IntRange(&m, 0, 10), "x": Float(&x), "seed": Uint(&u)}
		err := s.Apply(spec)
		if err != nil {
			msg := err.Error()
			if strings.ContainsAny(msg, "\n\r") || !utf8.ValidString(msg) {
				t.Fatalf("%q: error %q is not one line of UTF-8", spec, msg)
			}
			if len(msg) > 1000 {
				t.Fatalf("%q: error of %d bytes", spec, len(msg))
			}
		}
		if n < 1 || m < 0 || m > 10 || math.IsNaN(x) || math.IsInf(x, 0) {
			t.Fatalf("%q: stored n=%d m=%d x=%g out of range (error %v)", spec, n, m, x, err)
		}
	})
}

// TestErrorNamesNoFlag: Apply's errors are *Error, whose text names no command-line flag, and
// which a command words as its own flag.
func TestErrorNamesNoFlag(t *testing.T) {
	var n int
	err := Setters{"n": Int(&n, 1)}.Apply("n=0")
	se, ok := errors.AsType[*Error](err)
	if !ok {
		t.Fatalf("error %v (%T), want a *Error", err, err)
	}
	if got, want := err.Error(), "setting n=0: want an integer ≥ 1"; got != want {
		t.Errorf("error %q, want %q", got, want)
	}
	if got, want := se.Flag("--compare"), "--compare n=0: want an integer ≥ 1"; got != want {
		t.Errorf("as a flag %q, want %q", got, want)
	}
	whole := &Error{Err: errors.New("too long")}
	if whole.Error() != "settings: too long" || whole.Flag("--set") != "--set: too long" {
		t.Errorf("spec error %q, as a flag %q", whole.Error(), whole.Flag("--set"))
	}
}
