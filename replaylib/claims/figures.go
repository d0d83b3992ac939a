package claims

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"

	"gonum.org/v1/plot"

	"github.com/replaylab/replay/geom"
	"github.com/replaylab/replay/replaylib/metrics"
	"github.com/replaylab/replay/replaylib/model"
	"github.com/replaylab/replay/replaylib/plots"
	"github.com/replaylab/replay/replaylib/stats"
	"github.com/replaylab/replay/replaylib/theory"
	"github.com/replaylab/replay/replaylib/training"
)

// FiguresDir is the figures' sub-directory of the output directory.
const FiguresDir = "figures"

// Figure is one figure of a reproduction: its panels (one, or a grid) as values, for notebooks,
// which show them as SVG, and once written its files relative to the output directory.
type Figure struct {
	Name    string         `json:"name"`          // file base name, e.g. "tmaze-training"
	Title   string         `json:"title"`         // one line
	Caption string         `json:"caption"`       // what the figure shows, for the report
	Panels  [][]*plot.Plot `json:"-"`             // rows of panels
	PNG     string         `json:"png,omitempty"` // the PNG file, once written (WriteFigures)
	SVG     string         `json:"svg,omitempty"` // the SVG file, once written
}

// Panel size of the figures.
const (
	panelW = plots.Width
	panelH = plots.Height
)

// RenderSVG renders the figure as SVG text.
func (f Figure) RenderSVG() (string, error) { return plots.TilesSVG(f.Panels, panelW, panelH) }

// RenderPNG renders the figure as PNG.
func (f Figure) RenderPNG() ([]byte, error) { return plots.TilesPNG(f.Panels, panelW, panelH) }

// Figures draws every figure of res (nothing is written).
func Figures(res *Result) ([]Figure, error) {
	var out []Figure
	for _, tr := range res.Tasks {
		figs, err := taskFigures(res, tr)
		if err != nil {
			return nil, fmt.Errorf("%s figures: %w", tr.Task, err)
		}
		out = append(out, figs...)
	}
	th, err := theoryFigures(res.Theory)
	if err != nil {
		return nil, err
	}
	return append(out, th...), nil
}

// WriteFigures draws every figure of res into dir/figures (PNG and SVG) and returns them with
// their paths relative to dir.
func WriteFigures(res *Result, dir string) ([]Figure, error) {
	figs, err := Figures(res)
	if err != nil {
		return nil, err
	}
	for i, f := range figs {
		if _, err := plots.SaveTiles(f.Panels, filepath.Join(dir, FiguresDir, f.Name), panelW, panelH); err != nil {
			return nil, fmt.Errorf("figure %s: %w", f.Name, err)
		}
		figs[i].PNG = filepath.Join(FiguresDir, f.Name+".png")
		figs[i].SVG = filepath.Join(FiguresDir, f.Name+".svg")
	}
	return figs, nil
}

func one(p *plot.Plot) [][]*plot.Plot { return [][]*plot.Plot{{p}} }

// taskFigures draws one task's figures.
func taskFigures(res *Result, tr *TaskResult) ([]Figure, error) {
	cfg, err := trainingConfigOf(res, tr)
	if err != nil {
		return nil, err
	}
	ts, err := newTaskSetup(cfg, res.Seed)
	if err != nil {
		return nil, err
	}
	f := &taskFigs{res: res, tr: tr, s: res.Size, ts: ts}
	if err := f.training(); err != nil {
		return nil, err
	}
	f.reps = tr.Replays[CondLeak]
	if len(f.reps) == 0 {
		return f.figs, nil
	}
	f.first = f.reps[0]
	f.show = []string{VariantBaseline, VariantAdaptation(f.s.AdaptForm), VariantMomentum, VariantBoth(f.s.AdaptForm), VariantUntrained}
	for _, build := range []func() error{f.replay, f.occupancy, f.holdAndMixing, f.variants, f.reach, f.momentumSweep, f.heatMaps, f.noise, f.forms} {
		if err := build(); err != nil {
			return nil, err
		}
	}
	return f.figs, nil
}

// taskFigs builds the figures of one task, in the report's order.
type taskFigs struct {
	res   *Result
	tr    *TaskResult
	s     Size
	ts    *taskSetup
	reps  []*ReplayResult // the leak networks' replays
	first *ReplayResult   // network 1's
	show  []string        // the core variants shown (the reference form's)
	figs  []Figure
}

func (f *taskFigs) add(name, title, caption string, panels [][]*plot.Plot) {
	f.figs = append(f.figs, Figure{Name: f.tr.Task + "-" + name, Title: f.tr.Task + ": " + title, Caption: caption, Panels: panels})
}

// training: the training curves, with and without leak (k = ∞), bands over networks; the masking
// figure where the size has several k.
func (f *taskFigs) training() error {
	s, tr := f.s, f.tr
	var curves []plots.Series
	for _, alpha := range []float64{1, s.LeakAlpha} {
		if c, ok := trainingCurve(tr, alpha, MaskNone); ok {
			curves = append(curves, c)
		}
	}
	p, err := plots.Lines(plots.Axes{Title: tr.Task + ": training at k = ∞", X: "training step", Y: "decoded position error (fraction of size)"}, curves, plots.LineOptions{LogY: true})
	if err != nil {
		return err
	}
	f.add("training", "training, with and without leak", fmt.Sprintf("Decoded position error on a fixed evaluation batch during training with observations only at t = 0 (k = ∞); lines are means over the %d networks of each condition, bands their range.", s.Networks), one(p))
	if len(s.MaskKs) > 1 {
		p, err := maskingFigure(tr, s)
		if err != nil {
			return err
		}
		f.add("masking", "final error under masking", "Final decoded position error against the masking difficulty k (observation every k+1 steps), each α at its own best learning rate; means with 95 % intervals over networks.", one(p))
	}
	return nil
}

// replay: network 1's decoded replay of each shown variant, and the no-leak baseline's.
func (f *taskFigs) replay() error {
	s, tr, ts := f.s, f.tr, f.ts
	var row []*plot.Plot
	var rows [][]*plot.Plot
	for _, name := range f.show {
		v := f.first.Variant(name)
		if v == nil {
			continue
		}
		p, err := plots.Trajectories(name, ts.env, v.Sample, sampleChains)
		if err != nil {
			return err
		}
		if row = append(row, p); len(row) == 3 {
			rows, row = append(rows, row), nil
		}
	}
	if nr := tr.Replays[CondNoLeak]; len(nr) > 0 {
		if v := nr[0].Variant(VariantBaseline); v != nil {
			p, err := plots.Trajectories("no leak: baseline", ts.env, v.Sample, sampleChains)
			if err != nil {
				return err
			}
			row = append(row, p)
		}
	}
	if len(row) > 0 {
		rows = append(rows, row)
	}
	f.add("replay", "replay trajectories", fmt.Sprintf("Decoded replay of network 1: %d chains of each variant (thinned to %d points), from the same starts under the same noise. The reference adaptation form is %s.", sampleChains, samplePoints, s.AdaptForm), rows)
	return nil
}

// occupancy: training positions and the replay of each variant, summed over networks.
func (f *taskFigs) occupancy() error {
	ts := f.ts
	occ := []*plot.Plot{}
	p, err := plots.Occupancy("training positions", ts.env, ts.grid, ts.train)
	if err != nil {
		return err
	}
	occ = append(occ, p)
	for _, name := range f.show[:4] {
		counts := make([]float64, ts.grid.NX*ts.grid.NY)
		for _, r := range f.reps {
			if v := r.Variant(name); v != nil && len(v.Occupancy) == len(counts) {
				for i, c := range v.Occupancy {
					counts[i] += c
				}
			}
		}
		p, err := plots.OccupancyCounts(name, ts.env, ts.grid, counts)
		if err != nil {
			return err
		}
		occ = append(occ, p)
	}
	f.add("occupancy", "where replay spends its time", fmt.Sprintf("Occupancy of training positions and of each variant's decoded replay, pooled over the %d networks.", len(f.reps)), [][]*plot.Plot{occ[:3], occ[3:]})
	return nil
}

// holdAndMixing: the hold test's drift field (where noiseless replay takes each start, and where
// it rests), then the autocorrelation of the decoded position and split-R̂ over replay time.
func (f *taskFigs) holdAndMixing() error {
	tr, first := f.tr, f.first
	if hold := holdFigure(tr, f.ts); hold != nil {
		f.add("hold", "the hold test: noiseless replay from states along the track", fmt.Sprintf("Network 1's baseline cell replayed without noise and with zero input from %d starts along held-out paths: an arrow from each start's decoded position to where it is after %d and after %d steps; black dots are the places where chains come to rest (area: share of chains). A network that holds its position has arrows of length 0. The panel of the training positions is what a sampling drift should approximate: the score of the training positions, as the mean shift of their kernel density estimate at each start (the kernel covariance H times ∇log p̂, in position units), its arrows lengthened by the factor in its title.", len(first.Hold.Starts), first.Hold.Lags[0], first.Hold.Lags[len(first.Hold.Lags)-1]), [][]*plot.Plot{hold})
	}
	if p, err := mixingFigure(tr, f.show[:4]); err != nil {
		return err
	} else if p != nil {
		f.add("mixing", "how replay mixes", fmt.Sprintf("Left: autocorrelation of the decoded position against the lag, about the pooled mean of all chains (chains that stay in different places keep it near 1; chains that mix lose it within their correlation time). Right: split-R̂ of the chains over steps 0 … t against t, with the gate's bound R̂ = %g. Lines are means over the %d leaky networks, bands their range. Both say whether the chains agree with each other, not whether they sample the task: chains that all settle in one place agree too (see the occupancy figure and W1).", GateRHat, len(f.reps)), [][]*plot.Plot{p})
	}
	return nil
}

// variants: bars of the claims' metrics over the core variants.
func (f *taskFigs) variants() error {
	tr := f.tr
	var names []string
	for _, n := range coreOrder(tr.Bands[CondLeak]) {
		if n != VariantUntrained {
			names = append(names, n)
		}
	}
	var bars [][]*plot.Plot
	var brow []*plot.Plot
	for _, key := range []string{metrics.KeyReachRMST, metrics.KeyProgress, metrics.KeyChainCoverage, metrics.KeyW1Ratio} {
		d := metrics.Describe(key)
		entries := make([]plots.Bar, len(names))
		for i, n := range names {
			entries[i] = bandBar(n, tr.Bands[CondLeak][n][key])
		}
		p, err := plots.Bars(plots.Axes{Title: d.Name, Y: d.Label()}, entries)
		if err != nil {
			return err
		}
		if brow = append(brow, p); len(brow) == 2 {
			bars, brow = append(bars, brow), nil
		}
	}
	f.add("variants", "the claims' metrics per variant", fmt.Sprintf("Means with 95 %% intervals over the %d leaky networks, for every core variant.", len(f.reps)), bars)
	return nil
}

// reach: Kaplan–Meier curves of the reach times, chains of all networks pooled.
func (f *taskFigs) reach() error {
	tr := f.tr
	var km []plots.Series
	for _, name := range f.show[:4] {
		var sample stats.ReachSample
		for _, r := range f.reps {
			if v := r.Variant(name); v != nil && v.Reach != nil {
				sample.Times = append(sample.Times, v.Reach.Times...)
				sample.Reached = append(sample.Reached, v.Reach.Reached...)
			}
		}
		if len(sample.Times) == 0 {
			continue
		}
		k, err := stats.NewKaplanMeier(sample)
		if err != nil {
			return err
		}
		km = append(km, reachCurve(name, k))
	}
	if len(km) > 0 {
		p, err := plots.KaplanMeier(tr.Task+": chains not yet at a target", km)
		if err != nil {
			return err
		}
		f.add("reach", "reach times", "Kaplan–Meier estimate of the fraction of chains that have not yet entered a target region (another end of the track than the start's), chains of all networks pooled; chains that never reach are censored at T_q.", one(p))
	}
	return nil
}

// momentumSweep: claim 3's metrics as λv goes from 1 down.
func (f *taskFigs) momentumSweep() error {
	s, tr := f.s, f.tr
	var sweepRows []*plot.Plot
	for _, key := range []string{metrics.KeyProgress, metrics.KeyReachRMST, metrics.KeyChainCoverage} {
		d := metrics.Describe(key)
		ser := plots.Series{Name: "σ·√λv noise"}
		for _, lam := range s.MomentumSweep {
			b := tr.Bands[CondLeak][sweepName(lam)][key]
			ser.X, ser.Y = append(ser.X, lam), append(ser.Y, b.Mean)
			ser.Lo, ser.Hi = append(ser.Lo, b.Lo), append(ser.Hi, b.Hi)
		}
		p, err := plots.Lines(plots.Axes{Title: d.Name, X: "λv (1 = no momentum)", Y: d.Label()}, []plots.Series{ser}, plots.LineOptions{Markers: true})
		if err != nil {
			return err
		}
		sweepRows = append(sweepRows, p)
	}
	f.add("momentum-sweep", "momentum sweep", fmt.Sprintf("Replay (%d chains × %d steps) as λv goes from 1 to %g: means with 95 %% intervals over networks.", s.SweepChains, s.SweepSteps, s.MomentumSweep[len(s.MomentumSweep)-1]), [][]*plot.Plot{sweepRows})
	return nil
}

// heatMaps: b_a × λv maps, one figure per adaptation form.
func (f *taskFigs) heatMaps() error {
	s, tr := f.s, f.tr
	for _, form := range model.AdaptForms {
		var hrows [][]*plot.Plot
		var hrow []*plot.Plot
		for _, key := range []string{metrics.KeyProgress, metrics.KeyChainCoverage, metrics.KeyW1Ratio, metrics.KeyInside} {
			d := metrics.Describe(key)
			z := make([][]float64, len(s.HeatMomenta))
			for iy, lam := range s.HeatMomenta {
				z[iy] = make([]float64, len(s.HeatStrengths))
				for ix, b := range s.HeatStrengths {
					z[iy][ix] = math.NaN()
					if band, ok := tr.Bands[CondLeak][heatVariant(form, b, lam)][key]; ok {
						z[iy][ix] = band.Mean
					}
				}
			}
			p, err := plots.Heatmap(plots.Axes{Title: d.Name, X: "b_a (adaptation)", Y: "λv (momentum)"}, s.HeatStrengths, s.HeatMomenta, z, plots.HeatmapOptions{Format: d.Format, Unit: d.Label()})
			if err != nil {
				return err
			}
			if hrow = append(hrow, p); len(hrow) == 2 {
				hrows, hrow = append(hrows, hrow), nil
			}
		}
		f.add("heat-"+string(form), fmt.Sprintf("b_a × λv, %s adaptation", form), fmt.Sprintf("Means over networks of replay with %s adaptation of strength b_a (τ_a = %g) and momentum λv (σ·√λv noise).", form, s.AdaptTau), hrows)
	}
	return nil
}

// noise: each variant's difference from the baseline at each replay noise σq.
func (f *taskFigs) noise() error {
	s, tr := f.s, f.tr
	var nrow []*plot.Plot
	for _, c := range []struct {
		variant, key string
	}{{VariantAdaptation(s.AdaptForm), metrics.KeyChainCoverage}, {VariantMomentum, metrics.KeyProgress}, {VariantMomentum, metrics.KeyReachRMST}} {
		d := metrics.Describe(c.key)
		ser := plots.Series{Name: c.variant + " − baseline"}
		for _, factor := range s.NoiseFactors {
			name := func(base string) string {
				if math.Abs(factor-math.Sqrt2) < 1e-9 {
					return base
				}
				return noiseName(factor, base)
			}
			a, b := tr.Bands[CondLeak][name(c.variant)][c.key], tr.Bands[CondLeak][name(VariantBaseline)][c.key]
			var diffs []float64
			for i := range min(len(a.Values), len(b.Values)) {
				diffs = append(diffs, a.Values[i]-b.Values[i])
			}
			band := newBand(diffs)
			ser.X, ser.Y = append(ser.X, factor), append(ser.Y, band.Mean)
			ser.Lo, ser.Hi = append(ser.Lo, band.Lo), append(ser.Hi, band.Hi)
		}
		p, err := plots.Lines(plots.Axes{Title: c.variant + ": " + d.Name, X: "σ_q / σ_train", Y: "difference (" + d.Unit + ")"}, []plots.Series{ser}, plots.LineOptions{Markers: true})
		if err != nil {
			return err
		}
		nrow = append(nrow, p)
	}
	f.add("noise", "robustness to the replay noise", "Each variant's difference from the baseline (network by network; mean and 95 % interval) at each replay noise σ_q: does each direction survive?", [][]*plot.Plot{nrow})
	return nil
}

// forms: coverage and dwell time per adaptation form and τa, against the baseline.
func (f *taskFigs) forms() error {
	s, tr := f.s, f.tr
	base := tr.Bands[CondLeak][VariantBaseline]
	cov := []plots.Bar{bandBar("baseline", base[metrics.KeyChainCoverage])}
	dwell := []plots.Bar{bandBar("baseline", base[metrics.KeyDwellTime])}
	for _, form := range model.AdaptForms {
		for _, tau := range s.AdaptTaus {
			label := fmt.Sprintf("%s τa=%g", form, tau)
			b := tr.Bands[CondLeak][formsName(form, tau)]
			cov = append(cov, bandBar(label, b[metrics.KeyChainCoverage]))
			dwell = append(dwell, bandBar(label, b[metrics.KeyDwellTime]))
		}
	}
	pc, err := plots.Bars(plots.Axes{Title: "coverage per chain", Y: metrics.Describe(metrics.KeyChainCoverage).Label()}, cov)
	if err != nil {
		return err
	}
	pd, err := plots.Bars(plots.Axes{Title: "mean dwell time", Y: metrics.Describe(metrics.KeyDwellTime).Label()}, dwell)
	if err != nil {
		return err
	}
	f.add("forms", "adaptation forms", fmt.Sprintf("Exploration and escape per adaptation form and time constant (b_a = %g), against the baseline: means with 95 %% intervals over networks.", s.AdaptStrength), [][]*plot.Plot{{pc, pd}})
	return nil
}

// bandBar is a bar of a band: its mean with its 95 % interval.
func bandBar(label string, b Band) plots.Bar {
	return plots.Bar{Label: label, Value: b.Mean, Lo: b.Lo, Hi: b.Hi}
}

// trainingConfigOf finds the training configuration of a task's networks (for its environment).
func trainingConfigOf(res *Result, tr *TaskResult) (training.Config, error) {
	for _, t := range tr.Training {
		return t.Config, nil
	}
	return training.Config{}, fmt.Errorf("task %s has no trained network", tr.Task)
}

// trainingCurve is the mean error curve of (α, k) at its chosen rate, with the range over networks.
func trainingCurve(tr *TaskResult, alpha float64, k int) (plots.Series, bool) {
	key := trainingGroup(alpha, k)
	lr, ok := tr.LearningRates[key]
	if !ok {
		return plots.Series{}, false
	}
	var hs [][]training.LogEntry
	for _, t := range tr.Training {
		c := t.Unit.Condition
		if c.Alpha == alpha && c.MaskK == k && c.LR == lr {
			hs = append(hs, t.History)
		}
	}
	if len(hs) == 0 {
		return plots.Series{}, false
	}
	name := fmt.Sprintf("α = %g", alpha)
	if alpha == 1 {
		name += " (no leak)"
	}
	s := plots.Series{Name: name}
	for i, e := range hs[0] {
		vals := []float64{}
		for _, h := range hs {
			if i < len(h) && h[i].Step == e.Step {
				vals = append(vals, h[i].PosErrRel)
			}
		}
		s.X = append(s.X, float64(max(e.Step, 1)))
		s.Y = append(s.Y, mean(vals))
		s.Lo, s.Hi = append(s.Lo, slices.Min(vals)), append(s.Hi, slices.Max(vals))
	}
	return s, true
}

// maskingFigure plots the final error against k for both α.
func maskingFigure(tr *TaskResult, s Size) (*plot.Plot, error) {
	var series []plots.Series
	for _, alpha := range []float64{1, s.LeakAlpha} {
		ser := plots.Series{Name: fmt.Sprintf("α = %g", alpha)}
		for _, k := range s.MaskKs {
			b, ok := tr.TrainingBands[trainingGroup(alpha, k)][metrics.KeyFinalError]
			if !ok {
				continue
			}
			x := float64(k + 1)
			if k >= MaskNone {
				x = float64(s.SeqLen + 1) // "∞": no observation within the path
			}
			ser.X, ser.Y = append(ser.X, x), append(ser.Y, b.Mean)
			ser.Lo, ser.Hi = append(ser.Lo, b.Lo), append(ser.Hi, b.Hi)
		}
		series = append(series, ser)
	}
	return plots.Lines(plots.Axes{Title: tr.Task + ": final error under masking", X: "k + 1 (steps between observations; right end: none)", Y: "final position error (fraction of size)"},
		series, plots.LineOptions{LogX: true, Markers: true})
}

// theoryFigures draws claim 5's figures.
func theoryFigures(th TheoryResult) ([]Figure, error) {
	xs := theory.Linspace(-1, 3, 121)
	var scores []plots.Series
	for _, t := range theory.Linspace(th.T0, th.T, 4) {
		s := plots.Series{Name: fmt.Sprintf("t = %.2f", t)}
		for _, x := range xs {
			s.X, s.Y = append(s.X, x), append(s.Y, th.OU.Score(x, t))
		}
		scores = append(scores, s)
	}
	p1, err := plots.Lines(plots.Axes{Title: "OU score over time", X: "x", Y: "∇log p_t(x)"}, scores, plots.LineOptions{})
	if err != nil {
		return nil, err
	}
	mix := plots.Series{Name: "time-mixture score"}
	fit := plots.Series{Name: fmt.Sprintf("constant leak −%.2f(x − %.2f)", th.Fit.Leak, th.Fit.Centre)}
	for _, x := range xs {
		mix.X, mix.Y = append(mix.X, x), append(mix.Y, th.OU.MixtureScore(x, th.T0, th.T))
		fit.X, fit.Y = append(fit.X, x), append(fit.Y, -th.Fit.Leak*(x-th.Fit.Centre))
	}
	p2, err := plots.Lines(plots.Axes{Title: fmt.Sprintf("Mixture score and best constant leak (R² = %.2f)", th.Fit.R2), X: "x", Y: "score"}, []plots.Series{mix, fit}, plots.LineOptions{})
	if err != nil {
		return nil, err
	}
	return []Figure{{Name: "theory", Title: "theory: the time-varying score and its constant-leak fit",
		Caption: "Left: the score of an OU process's marginal changes with time. Right: a network without a clock sees the mixture over time, whose score is not affine; its best affine fit is a leak.",
		Panels:  [][]*plot.Plot{{p1, p2}}}}, nil
}

// reachCurve is the Kaplan–Meier curve of k as plots.StepSeries draws it, its last value held to
// the largest observed time, as StepSeries asks: a variant whose chains never reach is a line at
// S = 1 (with no drops at all it would otherwise draw nothing).
func reachCurve(name string, k stats.KaplanMeier) plots.Series {
	times := make([]float64, len(k.Times))
	for i, t := range k.Times {
		times[i] = float64(t)
	}
	survival := slices.Clone(k.Survival)
	if n := len(times); n == 0 || times[n-1] < float64(k.MaxTime) {
		last := 1.0
		if n > 0 {
			last = survival[n-1]
		}
		times, survival = append(times, float64(k.MaxTime)), append(survival, last)
	}
	return plots.StepSeries(name, times, survival)
}

// scoreArrowScale is the factor the hold figure draws the score arrows with: the mean shift is at
// the kernel's scale, from a thousandth to a tenth of the environment's size by task, so its
// arrows are drawn with a mean length of scoreArrowLength of the size, the factor rounded to one
// significant digit (and named in the panel's title).
func scoreArrowScale(meanLength, size float64) float64 {
	if !(meanLength > 0) {
		return 1
	}
	f := scoreArrowLength * size / meanLength
	digits := math.Pow(10, math.Floor(math.Log10(f)))
	return math.Round(f/digits) * digits
}

// scoreArrowLength is the mean length of the hold figure's score arrows, as a share of the
// environment's size.
const scoreArrowLength = 0.04

// mixingFigure returns the mixing panels (autocorrelation against lag, R̂ against replay time) of
// the named variants over the leaky networks, or nil when the run kept no mixing curves.
func mixingFigure(tr *TaskResult, names []string) ([]*plot.Plot, error) {
	reps := tr.Replays[CondLeak]
	var acf, rhat []plots.Series
	for _, name := range names {
		var curves []*MixingCurve
		for _, r := range reps {
			if v := r.Variant(name); v != nil && v.Mixing != nil {
				curves = append(curves, v.Mixing)
			}
		}
		if len(curves) == 0 {
			continue
		}
		acf = append(acf, curveBand(name, curves[0].Lags, curves, func(m *MixingCurve) []float64 { return m.ACF }))
		rhat = append(rhat, curveBand(name, curves[0].Times, curves, func(m *MixingCurve) []float64 { return m.RHat }))
	}
	if len(acf) == 0 {
		return nil, nil
	}
	last := rhat[0].X
	rhat = append(rhat, plots.Series{Name: fmt.Sprintf("gate: R̂ ≤ %g", GateRHat), X: []float64{last[0], last[len(last)-1]}, Y: []float64{GateRHat, GateRHat}})
	left, err := plots.Lines(plots.Axes{Title: tr.Task + ": autocorrelation of the position", X: "lag (steps)", Y: "autocorrelation"}, acf, plots.LineOptions{LogX: true})
	if err != nil {
		return nil, err
	}
	right, err := plots.Lines(plots.Axes{Title: tr.Task + ": split-R̂ over replay time", X: "replay steps t", Y: "split-R̂ of steps 0 … t"}, rhat, plots.LineOptions{LogX: true, LogY: true})
	if err != nil {
		return nil, err
	}
	return []*plot.Plot{left, right}, nil
}

// curveBand is the mean over networks of a curve measured at xs (lag 0 left out: a log axis), with
// the networks' range as its band; curves of other lengths are skipped.
func curveBand(name string, xs []int, curves []*MixingCurve, ys func(*MixingCurve) []float64) plots.Series {
	s := plots.Series{Name: name}
	for i, x := range xs {
		if x <= 0 {
			continue
		}
		sum, n, lo, hi := 0.0, 0, math.Inf(1), math.Inf(-1)
		for _, c := range curves {
			if y := ys(c); len(y) == len(xs) && !math.IsNaN(y[i]) {
				sum, n = sum+y[i], n+1
				lo, hi = math.Min(lo, y[i]), math.Max(hi, y[i])
			}
		}
		if n == 0 {
			continue
		}
		s.X, s.Y = append(s.X, float64(x)), append(s.Y, sum/float64(n))
		s.Lo, s.Hi = append(s.Lo, lo), append(s.Hi, hi)
	}
	return s
}

// holdFigure returns the hold test's panels for network 1 of each condition (nil when the run has no
// hold test): the leaky network after the first and the last lag, the network without leak after
// the last.
func holdFigure(tr *TaskResult, ts *taskSetup) []*plot.Plot {
	var panels []*plot.Plot
	for _, cond := range []string{CondLeak, CondNoLeak} {
		reps := tr.Replays[cond]
		if len(reps) == 0 || reps[0].Hold == nil {
			continue
		}
		h := reps[0].Hold
		at := make([]geom.Point, len(h.FixedPoints))
		weights := make([]float64, len(h.FixedPoints))
		for i, f := range h.FixedPoints {
			at[i], weights[i] = f.At, float64(f.Chains)
		}
		last := h.Lags[len(h.Lags)-1]
		views := []struct {
			after []geom.Point
			lag   int
		}{{h.Short, h.Lags[0]}, {h.Ends, last}}
		if cond == CondNoLeak {
			views = views[1:]
		}
		for i, v := range views {
			title := fmt.Sprintf("%s: after %d noiseless steps (drift %.3f u)", cond, v.lag, h.DriftAt(v.lag))
			p, err := plots.HoldField(title, ts.env, plots.Hold{Starts: h.Starts, After: v.after, FixedPoints: at, Weights: weights}, plots.Color(i))
			if err != nil {
				return nil
			}
			panels = append(panels, p)
		}
		if cond != CondLeak {
			continue
		}
		// What the drift should approximate: the score of the training positions, as the mean
		// shift of their density estimate at each start (H∇log p̂, in position units).
		kde, err := metrics.NewKDE(ts.train)
		if err != nil {
			return nil
		}
		shifts := make([]geom.Point, len(h.Starts))
		length := 0.0
		for i, at := range h.Starts {
			shifts[i] = kde.MeanShift(at)
			length += shifts[i].Norm() / float64(len(h.Starts))
		}
		scale := scoreArrowScale(length, ts.env.Size())
		p, err := plots.Quiver(fmt.Sprintf("training positions: their density's mean shift ×%g", scale), ts.env, plots.Arrows{At: h.Starts, Vec: shifts, Scale: scale, Color: plots.Color(2)})
		if err != nil {
			return nil
		}
		panels = append(panels, p)
	}
	return panels
}
