package sysmem

import (
	"math"
	"strings"
	"testing"
)

func TestParseBytes(t *testing.T) {
	for in, want := range map[string]int64{
		"123": 123, "8G": 8 << 30, "8GiB": 8 << 30, "8GB": 8e9, "512 MB": 512e6, "1.5k": 1536, "2T": 2 << 40, "7B": 7,
	} {
		if got, err := ParseBytes(in); err != nil || got != want {
			t.Errorf("ParseBytes(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "abc", "-1G", "NaN", "1e30T", "8 parsecs", "8GX"} {
		if _, err := ParseBytes(in); err == nil {
			t.Errorf("ParseBytes(%q): no error", in)
		}
	}
}

func TestMemory(t *testing.T) {
	t.Setenv(LimitEnv, "3GiB")
	if n, src := Memory(); n != 3<<30 || src != LimitEnv {
		t.Errorf("with %s=3GiB: %d from %s", LimitEnv, n, src)
	}
	t.Setenv(LimitEnv, "")
	if n, src := Memory(); n < 1<<26 {
		t.Errorf("machine memory %d bytes (%s): implausible", n, src)
	}
}

// TestCheckLimit: an unset or valid limit passes; one that Memory would ignore is an error naming it.
func TestCheckLimit(t *testing.T) {
	for v, ok := range map[string]bool{"": true, "8GiB": true, "512MiB": true, "abc": false, "0": false, "-1GiB": false, "1e309": false} {
		t.Setenv(LimitEnv, v)
		if err := CheckLimit(); (err == nil) != ok || err != nil && !strings.Contains(err.Error(), LimitEnv) {
			t.Errorf("%s=%q: %v", LimitEnv, v, err)
		}
	}
}

func TestFitNamesTheField(t *testing.T) {
	hidden, chains := 128, 1_000_000_000
	est := func(h, c int) float64 { return 64 * float64(h) * float64(c) }
	fields := []Field{
		{"chains", chains, 1, func(v int) float64 { return est(hidden, v) }},
		{"hidden", hidden, 1, func(v int) float64 { return est(v, chains) }},
	}
	err := Fit("replay", est(hidden, chains), 8e9, "memory", fields...)
	if err == nil || !strings.HasPrefix(err.Error(), "chains=1000000000: replay needs about 8.2 TB of memory; must be ≤ 976562 ") {
		t.Errorf("error %v", err)
	}
	if err := Fit("replay", est(hidden, 10), 8e9, "memory", fields...); err != nil {
		t.Errorf("fitting size refused: %v", err)
	}
	if m := MaxFor(func(v int) float64 { return float64(v) }, 1e30, 1, math.MaxInt); m != math.MaxInt {
		t.Errorf("MaxFor up to MaxInt: %d", m)
	}
	if m := MaxFor(func(v int) float64 { return float64(v) }, 0.5, 1, 10); m != 0 {
		t.Errorf("MaxFor with nothing fitting: %d, want lo−1", m)
	}
}

func TestFormat(t *testing.T) {
	for b, want := range map[float64]string{512e9: "512 GB", 3.2e6: "3.2 MB", 12: "12 bytes", 2.4e25: "2.4e+13 TB"} {
		if got := Format(b); got != want {
			t.Errorf("Format(%g) = %q, want %q", b, got, want)
		}
	}
}

func TestDiskFree(t *testing.T) {
	if n, ok := DiskFree(t.TempDir() + "/not/yet/there"); ok && n <= 0 {
		t.Errorf("DiskFree: %d bytes", n)
	}
}
