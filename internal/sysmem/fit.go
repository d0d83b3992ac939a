package sysmem

import "fmt"

// Field is one integer setting that a size estimate grows with.
type Field struct {
	Name  string
	Value int
	Min   int // the smallest allowed value
	// With is the estimate (bytes) with this field set to v and every other field as it is; it
	// must not decrease as v grows, and must not overflow (compute in float64).
	With func(v int) float64
}

// MaxFor returns the largest v in [lo, hi] with est(v) ≤ budget, or lo−1 if even est(lo) is over.
func MaxFor(est func(v int) float64, budget float64, lo, hi int) int {
	if !(est(lo) <= budget) {
		return lo - 1
	}
	for lo < hi { // invariant: est(lo) ≤ budget
		mid := lo + (hi-lo)/2 + 1
		if est(mid) <= budget {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo
}

// Fit returns nil if need ≤ budget, else an error that names the field most over its share,
// what the whole needs, and the largest value of that field that fits with the others as they
// are: "chains=1000000: replay needs about 512 GB of memory; must be ≤ 45000 with the other
// settings (20 GB of memory here)". what names the work ("replay", "training"), source where the
// budget comes from (Budget's second result).
func Fit(what string, need, budget float64, source string, fields ...Field) error {
	here := fmt.Sprintf("%s of %s here", Format(budget/0.9), source)
	if source == LimitEnv {
		here = fmt.Sprintf("%s=%s", LimitEnv, Format(budget/0.9))
	}
	return fit(what, "memory", need, budget, here, fields)
}

// FitDisk is Fit for the disk space a file written into dir needs, against free bytes there.
func FitDisk(what string, need, free float64, dir string, fields ...Field) error {
	return fit(what, "disk", need, free, fmt.Sprintf("%s free on the disk of %s", Format(free), dir), fields)
}

func fit(what, resource string, need, budget float64, here string, fields []Field) error {
	if need <= budget {
		return nil
	}
	best, bestRatio, bestMax := -1, 0.0, 0
	for i, f := range fields {
		m := MaxFor(f.With, budget, f.Min, max(f.Value, f.Min))
		if m < f.Min || m <= 0 {
			continue // no value of this field fits with the others as they are: another is to blame
		}
		if ratio := float64(f.Value) / float64(m); best < 0 || ratio > bestRatio {
			best, bestRatio, bestMax = i, ratio, m
		}
	}
	if best < 0 {
		return fmt.Errorf("%s needs about %s of %s, more than the %s (use smaller sizes)", what, Format(need), resource, here)
	}
	f := fields[best]
	return fmt.Errorf("%s=%d: %s needs about %s of %s; must be ≤ %d with the other settings (%s)",
		f.Name, f.Value, what, Format(need), resource, bestMax, here)
}
