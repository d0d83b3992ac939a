package plots

import (
	"fmt"

	"gonum.org/v1/plot"
)

// StepSeries returns a survival curve as a Series whose straight segments draw the
// right-continuous step function S: S = 1 from t = 0 (or from times[0], if that is ≤ 0) up to
// times[0], then survival[j] on [times[j], times[j+1]), ending at the last time. times are the
// drop times, ascending, and survival the value after each drop, as stats.KaplanMeier reports
// them (Times, Survival). To hold the last value on to a horizon τ (the largest observed
// time), append τ to times and repeat the last survival value. Lines draws the result.
// times and survival of different lengths give an empty series.
func StepSeries(name string, times, survival []float64) Series {
	s := Series{Name: name}
	if len(times) != len(survival) {
		return s
	}
	s.X, s.Y = stepXY(times, survival)
	return s
}

// stepXY turns drop times and values after each drop into the vertices of the step function
// that starts at 1 (two vertices per time: before and after the drop, so that curves and
// bounds stepped at the same times have the same length).
func stepXY(times, vals []float64) (xs, ys []float64) {
	if len(times) == 0 {
		return nil, nil
	}
	prev := 1.0
	if times[0] > 0 {
		xs, ys = append(xs, 0), append(ys, 1)
	} else {
		prev = vals[0]
	}
	for j, t := range times {
		xs, ys = append(xs, t, t), append(ys, prev, vals[j])
		prev = vals[j]
	}
	return xs, ys
}

// KaplanMeier draws survival curves (the fraction of chains that have not yet reached, against
// the step) as step functions on [0, 1]. Each curve holds the drop times in X and the
// survival after each drop in Y, as StepSeries takes them, with optional pointwise bounds
// in Lo and Hi stepped the same way (drawn as a band). Curves are coloured and listed as by
// Lines.
func KaplanMeier(title string, curves []Series) (*plot.Plot, error) {
	stepped := make([]Series, len(curves))
	for i, c := range curves {
		if err := c.validate(i); err != nil {
			return nil, err
		}
		s := StepSeries(c.Name, c.X, c.Y)
		if c.Lo != nil {
			_, s.Lo = stepXY(c.X, c.Lo)
			_, s.Hi = stepXY(c.X, c.Hi)
		}
		stepped[i] = s
	}
	p, err := Lines(Axes{Title: title, X: "step", Y: "survival S(t) = P(not yet reached)"}, stepped, LineOptions{})
	if err != nil {
		return nil, fmt.Errorf("KaplanMeier: %w", err)
	}
	p.Y.Min, p.Y.Max = 0, 1
	if p.X.Min > 0 {
		p.X.Min = 0
	}
	return p, nil
}
