package plots

import (
	"math"
	"reflect"
	"strings"
	"testing"
)

func TestTickLabel(t *testing.T) {
	for _, c := range []struct {
		v, step float64
		want    string
	}{
		{975, 25, "975"},
		{975, 0, "975"},
		{0.1, 0.1, "0.1"},
		{0.30000000000000004, 0.1, "0.3"},
		{0.25, 0.25, "0.25"},
		{1, 0.25, "1"},
		{1e-4, 1e-4, "0.0001"},
		{1e-5, 1e-5, "1e-05"},
		{2.5e-5, 5e-6, "2.5e-05"},
		{250000, 50000, "250000"},
		{2.5e6, 5e5, "2.5e+06"},
		{1234.5678, 100, "1200"},
		{-0.0000000001, 0.5, "0"},
		{-0.5, 0.5, "-0.5"},
		{0, 0, "0"},
		{0.7, 0, "0.7"},
		{1999.9999999, 500, "2000"},
	} {
		if got := TickLabel(c.v, c.step); got != c.want {
			t.Errorf("TickLabel(%g, %g) = %q, want %q", c.v, c.step, got, c.want)
		}
	}
}

func majorLabels(lo, hi float64, log bool) []string {
	var ls []string
	if log {
		for _, tk := range (LogTicks{}).Ticks(lo, hi) {
			if tk.Label != "" {
				ls = append(ls, tk.Label)
			}
		}
		return ls
	}
	for _, tk := range (LinearTicks{}).Ticks(lo, hi) {
		if tk.Label != "" {
			ls = append(ls, tk.Label)
		}
	}
	return ls
}

func TestLinearTicks(t *testing.T) {
	for _, c := range []struct {
		lo, hi float64
		want   []string
	}{
		{0, 1000, []string{"0", "200", "400", "600", "800", "1000"}},
		{0, 2000, []string{"0", "500", "1000", "1500", "2000"}},
		{0, 1, []string{"0", "0.2", "0.4", "0.6", "0.8", "1"}},
		{0.01, 0.05, []string{"0.01", "0.02", "0.03", "0.04", "0.05"}},
		{970, 980, []string{"970", "972", "974", "976", "978", "980"}},
		{-0.35, 0.6, []string{"-0.2", "0", "0.2", "0.4", "0.6"}},
		{0, 3e-5, []string{"0", "1e-05", "2e-05", "3e-05"}},
		{0, 1.2e-5, []string{"0", "2.5e-06", "5e-06", "7.5e-06", "1e-05"}},
		{0, 4e-4, []string{"0", "0.0001", "0.0002", "0.0003", "0.0004"}},
		{0, 3e6, []string{"0", "1e+06", "2e+06", "3e+06"}},
		{0, 2.2e6, []string{"0", "5e+05", "1e+06", "1.5e+06", "2e+06"}},
	} {
		got := majorLabels(c.lo, c.hi, false)
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("LinearTicks(%g, %g) labels %q, want %q", c.lo, c.hi, got, c.want)
		}
	}
	// Over many ranges, no label carries trailing zeros or float noise, and labelled ticks
	// lie in the range.
	for _, r := range [][2]float64{{0, 0.3}, {0.1, 0.7}, {-3, 17}, {0.001, 0.0123}, {100, 1234}, {0, 1.9e7}, {2.3, 2.31}} {
		for _, tk := range (LinearTicks{}).Ticks(r[0], r[1]) {
			if tk.Value < r[0]-1e-9*math.Abs(r[1]) || tk.Value > r[1]+1e-9*math.Abs(r[1]) {
				t.Errorf("range %v: tick %g outside", r, tk.Value)
			}
			l := tk.Label
			if l == "" {
				continue
			}
			mant, _, _ := strings.Cut(l, "e")
			if strings.Contains(mant, ".") && strings.HasSuffix(mant, "0") || len(mant) > 8 {
				t.Errorf("range %v: label %q has spurious digits", r, l)
			}
		}
	}
	if got := (LinearTicks{}).Ticks(2, 2); len(got) != 1 || got[0].Label != "2" {
		t.Errorf("LinearTicks(2, 2) = %v", got)
	}
	if got := (LinearTicks{}).Ticks(math.NaN(), 1); got != nil {
		t.Errorf("LinearTicks(NaN, 1) = %v, want none", got)
	}
}

func TestLogTicks(t *testing.T) {
	for _, c := range []struct {
		lo, hi float64
		want   []string
	}{
		{1, 1e4, []string{"1", "10", "100", "1000", "10000"}},
		{0.0005, 2, []string{"0.001", "0.01", "0.1", "1"}},
		{0.01, 0.5, []string{"0.01", "0.02", "0.05", "0.1", "0.2", "0.5"}},
		{3, 40, []string{"5", "10", "20"}},
		{1e-8, 1, []string{"1e-08", "1e-06", "0.0001", "0.01", "1"}},
		{1e-12, 1e6, []string{"1e-12", "1e-09", "1e-06", "0.001", "1", "1000", "1e+06"}},
		{0.3, 0.45, []string{"0.3", "0.35", "0.4", "0.45"}},
	} {
		got := majorLabels(c.lo, c.hi, true)
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("LogTicks(%g, %g) labels %q, want %q", c.lo, c.hi, got, c.want)
		}
	}
	// Minor ticks between the labelled decades; every tick positive.
	minor := 0
	for _, tk := range (LogTicks{}).Ticks(1, 1e4) {
		if tk.Value <= 0 {
			t.Fatalf("tick %g on a log axis", tk.Value)
		}
		if tk.Label == "" {
			minor++
		}
	}
	if minor != 4*8 {
		t.Errorf("%d minor ticks over 4 decades, want 32", minor)
	}
}
