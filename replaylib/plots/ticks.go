package plots

import (
	"math"
	"strconv"

	"gonum.org/v1/plot"
)

// Plain-decimal range of tick labels; outside it labels use the exponent form.
const (
	plainMin = 1e-4
	plainMax = 1e6
)

// TickLabel formats v as a tick label for an axis whose ticks are step apart (step ≤ 0 or
// non-finite: no rounding), choosing plain or exponent notation from v alone. Every tick
// label of this package follows one rule, so that no label carries digits its axis does
// not resolve ("975", never "975.00"):
//
//   - A value is rounded to the precision of the tick step (step 0.25: two decimals; step 200:
//     hundreds) and written with the fewest digits that give the rounded value back, so
//     trailing zeros and float noise (0.30000000000000004) never show: 0.1 → "0.1",
//     975 → "975", 0.25 → "0.25", 1 → "1".
//   - Plain decimals are used for magnitudes in [1e-4, 1e6), so 1e-4 → "0.0001" and
//     250000 → "250000"; smaller non-zero or larger magnitudes use Go's exponent form with
//     at least two exponent digits: 1e-05 → "1e-05", 2.5e6 → "2.5e+06".
//   - On a linear axis (LinearTicks) the notation is chosen once for the whole axis: if any
//     labelled tick needs the exponent form, all labels use it (0, 5e+05, 1e+06). On a log
//     axis (LogTicks) each label chooses for itself, so decades read 0.001, 0.01, 0.1, 1, 10.
//   - Zero is "0", never "-0".
func TickLabel(v, step float64) string {
	d, ok := decimals(step)
	if ok {
		v = roundTo(v, d)
	}
	return formatValue(v, needsExponent(v))
}

// formatValue writes v with the fewest digits that read back as v.
func formatValue(v float64, exp bool) string {
	if v == 0 {
		return "0"
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	if exp {
		return strconv.FormatFloat(v, 'e', -1, 64)
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// needsExponent reports whether v falls outside the plain-decimal range.
func needsExponent(v float64) bool {
	a := math.Abs(v)
	return a != 0 && (a < plainMin || a >= plainMax)
}

// decimals returns the number of decimal places d (negative: rounding to tens, hundreds…)
// that the step resolves: the smallest d with step·10^d an integer (to 1e-6 relative).
func decimals(step float64) (int, bool) {
	if !(step > 0) || math.IsInf(step, 0) {
		return 0, false
	}
	d0 := -int(math.Floor(math.Log10(step)))
	for d := d0; d < d0+8; d++ {
		s := scale10(step, d)
		if math.Abs(s-math.Round(s)) <= 1e-6*s {
			return d, true
		}
	}
	return d0 + 8, true
}

// scale10 returns v·10^d, dividing by the exact power 10^−d when d < 0 and multiplying
// when d ≥ 0, so that rounding back is exact.
func scale10(v float64, d int) float64 {
	if d >= 0 {
		return v * math.Pow10(d)
	}
	return v / math.Pow10(-d)
}

// roundTo rounds v to d decimal places (d < 0: to a multiple of 10^−d), giving the double
// nearest to the decimal result, and maps −0 to 0.
func roundTo(v float64, d int) float64 {
	var r float64
	if d >= 0 {
		r = math.Round(v*math.Pow10(d)) / math.Pow10(d)
	} else {
		r = math.Round(v/math.Pow10(-d)) * math.Pow10(-d)
	}
	if r == 0 {
		return 0
	}
	return r
}

// LinearTicks is a plot.Ticker for linear axes: about N labelled ticks (0: 5) at multiples of
// 1, 2, 2.5 or 5 times a power of ten, with unlabelled minor ticks between them, labelled by
// the package's tick-label rule with one notation for the whole axis.
type LinearTicks struct {
	// N is the wanted number of labelled ticks; 0 means 5.
	N int
}

var _ plot.Ticker = LinearTicks{}

// Ticks implements plot.Ticker.
func (t LinearTicks) Ticks(lo, hi float64) []plot.Tick {
	if math.IsNaN(lo) || math.IsNaN(hi) || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		return nil
	}
	if lo > hi {
		lo, hi = hi, lo
	}
	if lo == hi {
		return []plot.Tick{{Value: lo, Label: TickLabel(lo, 0)}}
	}
	n := t.N
	if n <= 0 {
		n = 5
	}
	step, mant := niceStep(lo, hi, n)
	d, _ := decimals(step)
	k0, k1 := math.Ceil(lo/step-1e-9), math.Floor(hi/step+1e-9)
	var vals []float64
	for k := k0; k <= k1; k++ {
		vals = append(vals, roundTo(k*step, d))
	}
	exp := false
	for _, v := range vals {
		exp = exp || needsExponent(v)
	}
	var ticks []plot.Tick
	for _, v := range vals {
		ticks = append(ticks, plot.Tick{Value: v, Label: formatValue(v, exp)})
	}
	// Minor ticks: fifths of steps of 1, 2.5 and 5, quarters of steps of 2.
	parts := 5.0
	if mant == 2 {
		parts = 4
	}
	minor := step / parts
	for k := math.Ceil(lo/minor - 1e-9); k <= math.Floor(hi/minor+1e-9); k++ {
		if math.Mod(k, parts) == 0 {
			continue
		}
		ticks = append(ticks, plot.Tick{Value: k * minor})
	}
	return ticks
}

// niceStep returns the step among {1, 2, 2.5, 5}·10^k whose number of ticks in [lo, hi] is
// closest to n (ties: the larger step; 2.5 only when it is closer by more than one tick, as
// its multiples read less easily), and the step's mantissa.
func niceStep(lo, hi float64, n int) (step, mantissa float64) {
	raw := (hi - lo) / float64(n)
	mag := math.Pow10(int(math.Floor(math.Log10(raw))))
	bestErr := math.Inf(1)
	for _, e := range []float64{mag * 10, mag, mag / 10} { // larger steps first: they win ties
		for _, m := range []float64{5, 2.5, 2, 1} {
			s := m * e
			count := math.Floor(hi/s+1e-9) - math.Ceil(lo/s-1e-9) + 1
			if count < 2 {
				continue
			}
			err := math.Abs(count - float64(n))
			if m == 2.5 {
				err += 1.01
			}
			if err < bestErr {
				step, mantissa, bestErr = s, m, err
			}
		}
	}
	if step == 0 { // the range holds fewer than two multiples of any candidate
		return raw, 1
	}
	return step, mantissa
}

// LogTicks is a plot.Ticker for log axes. Over more than 6 decades it labels every k-th power
// of ten (k chosen for at most about 7 labels) with the other powers as minor ticks; over 2 to
// 6 decades it labels every power of ten with minor ticks at 2–9 times each; over a short
// range (≤ 2 decades) it labels 1, 2 and 5 times each power of ten. When that leaves fewer
// than two labels in the range, it falls back to LinearTicks. Each label chooses its own
// notation (0.001, 0.01, …, 1e-05). A range that is not positive also gets LinearTicks.
type LogTicks struct{}

var _ plot.Ticker = LogTicks{}

// Ticks implements plot.Ticker.
func (LogTicks) Ticks(lo, hi float64) []plot.Tick {
	if lo > hi {
		lo, hi = hi, lo
	}
	if !(lo > 0) || math.IsInf(hi, 0) || lo == hi {
		return LinearTicks{}.Ticks(lo, hi)
	}
	llo, lhi := math.Log10(lo), math.Log10(hi)
	kmin, kmax := int(math.Floor(llo)), int(math.Ceil(lhi))
	in := func(v float64) bool { return v >= lo*(1-1e-9) && v <= hi*(1+1e-9) }
	var labelled, minor []int // mantissas per decade
	stride := 1
	switch span := lhi - llo; {
	case span > 6:
		stride = int(math.Ceil(float64(kmax-kmin) / 6))
		labelled = []int{1}
	case span > 2:
		labelled, minor = []int{1}, []int{2, 3, 4, 5, 6, 7, 8, 9}
	default:
		labelled, minor = []int{1, 2, 5}, []int{3, 4, 6, 7, 8, 9}
	}
	var ticks []plot.Tick
	nLabels := 0
	for k := kmin; k <= kmax; k++ {
		for _, m := range labelled {
			v := mantissaPow10(m, k)
			if !in(v) {
				continue
			}
			if m == 1 && stride > 1 && mod(k, stride) != 0 {
				ticks = append(ticks, plot.Tick{Value: v})
				continue
			}
			ticks = append(ticks, plot.Tick{Value: v, Label: formatValue(v, needsExponent(v))})
			nLabels++
		}
		for _, m := range minor {
			if v := mantissaPow10(m, k); in(v) {
				ticks = append(ticks, plot.Tick{Value: v})
			}
		}
	}
	if nLabels < 2 {
		return LinearTicks{}.Ticks(lo, hi)
	}
	return ticks
}

// mantissaPow10 returns the double nearest to m·10^k.
func mantissaPow10(m, k int) float64 {
	if k >= 0 {
		return float64(m) * math.Pow10(k)
	}
	return float64(m) / math.Pow10(-k)
}

func mod(a, b int) int {
	r := a % b
	if r < 0 {
		r += b
	}
	return r
}
