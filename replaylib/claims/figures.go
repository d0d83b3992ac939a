package claims

import (
	"fmt"
	"path/filepath"

	"gonum.org/v1/plot"

	"github.com/replaylab/replay/replaylib/metrics"
	"github.com/replaylab/replay/replaylib/plots"
	"github.com/replaylab/replay/replaylib/theory"
)

// FiguresDir is the figures' sub-directory of the output directory.
const FiguresDir = "figures"

// WriteFigures draws every figure of res into dir/figures (PNG and SVG) and returns the PNG paths
// relative to dir.
func WriteFigures(res *Result, dir string) ([]string, error) {
	var out []string
	save := func(p *plot.Plot, err error, name string) error {
		if err != nil {
			return fmt.Errorf("figure %s: %w", name, err)
		}
		if _, err := plots.Save(p, filepath.Join(dir, FiguresDir, name), plots.Width, plots.Height); err != nil {
			return err
		}
		out = append(out, filepath.Join(FiguresDir, name+".png"))
		return nil
	}
	for _, tr := range res.Tasks {
		env := tr.task.Env()
		// Training curves.
		var curves []plots.Series
		for _, m := range tr.Training {
			s := plots.Series{Name: fmt.Sprintf("α=%g, k=%d", m.Alpha, m.MaskK)}
			for _, e := range m.History {
				s.X = append(s.X, float64(e.Step))
				s.Y = append(s.Y, 100*e.PosErrRel)
			}
			curves = append(curves, s)
		}
		p, err := plots.Lines(tr.Task+": training, with and without leak", "training step", "position error (% of size)", curves, false, true)
		if err := save(p, err, tr.Task+"-training"); err != nil {
			return nil, err
		}
		// Replay trajectories and occupancy.
		for i, v := range tr.Variants {
			p, err := plots.Trajectories(fmt.Sprintf("%s replay: %s", tr.Task, v.Name), env, v.trajectories, 6)
			if err := save(p, err, fmt.Sprintf("%s-replay-%d", tr.Task, i)); err != nil {
				return nil, err
			}
		}
		p, err = plots.Occupancy(tr.Task+" training paths", env, tr.grid, metrics.Flatten(tr.active))
		if err := save(p, err, tr.Task+"-occupancy-training"); err != nil {
			return nil, err
		}
		for i, v := range tr.Variants {
			if v.Name == VariantUntrained {
				continue
			}
			p, err := plots.Occupancy(fmt.Sprintf("%s replay: %s", tr.Task, v.Name), env, tr.grid, metrics.Flatten(v.trajectories))
			if err := save(p, err, fmt.Sprintf("%s-occupancy-%d", tr.Task, i)); err != nil {
				return nil, err
			}
		}
		// Bars per variant.
		var names []string
		var reach, reachSD, w1, w1SD, comp, compSD, cov, covSD []float64
		for _, v := range tr.Variants {
			names = append(names, v.Name)
			reach, reachSD = append(reach, v.ReachMean.Mean), append(reachSD, v.ReachMean.SD)
			w1, w1SD = append(w1, v.W1.Mean), append(w1SD, v.W1.SD)
			comp, compSD = append(comp, v.Compression.Mean), append(compSD, v.Compression.SD)
			cov, covSD = append(cov, v.Coverage.Mean), append(covSD, v.Coverage.SD)
		}
		for _, b := range []struct {
			name, title, unit string
			vals, sds         []float64
		}{
			{"reach", fmt.Sprintf("%s: mean reach time (never counts %d)", tr.Task, res.Size.ReplaySteps), "steps", reach, reachSD},
			{"w1", tr.Task + ": replay W1 to training positions", "W1 (u)", w1, w1SD},
			{"compression", tr.Task + ": temporal compression", "replay / active length per step", comp, compSD},
			{"coverage", tr.Task + ": coverage", "fraction of grid cells visited", cov, covSD},
		} {
			p, err := plots.Bars(b.title, b.unit, names, b.vals, b.sds)
			if err := save(p, err, tr.Task+"-bars-"+b.name); err != nil {
				return nil, err
			}
		}
		// λv sweep.
		sweepLen := plots.Series{Name: "path length per step (u)"}
		sweepReach := plots.Series{Name: "restricted mean reach time (steps)"}
		for _, v := range tr.Sweep {
			sweepLen.X = append(sweepLen.X, v.Cell.Momentum)
			sweepLen.Y = append(sweepLen.Y, v.PathLength.Mean)
			sweepReach.X = append(sweepReach.X, v.Cell.Momentum)
			sweepReach.Y = append(sweepReach.Y, v.ReachMean.Mean)
		}
		p, err = plots.Lines(tr.Task+": momentum sweep, path length", "λv (1 = no momentum)", "path length per step (u)", []plots.Series{sweepLen}, false, false)
		if err := save(p, err, tr.Task+"-sweep-length"); err != nil {
			return nil, err
		}
		p, err = plots.Lines(tr.Task+": momentum sweep, reach time", "λv (1 = no momentum)", "mean reach time, never = T_q (steps)", []plots.Series{sweepReach}, false, false)
		if err := save(p, err, tr.Task+"-sweep-reach"); err != nil {
			return nil, err
		}
		// Increment autocorrelation and MSD.
		var ac, msd []plots.Series
		for _, v := range tr.Variants {
			if v.Name == VariantUntrained {
				continue
			}
			a := plots.Series{Name: v.Name}
			for lag, x := range v.Autocorr {
				a.X, a.Y = append(a.X, float64(lag+1)), append(a.Y, x)
			}
			ac = append(ac, a)
			m := plots.Series{Name: v.Name}
			for k, lag := range v.MSDLags {
				m.X, m.Y = append(m.X, float64(lag)), append(m.Y, v.MSD[k])
			}
			msd = append(msd, m)
		}
		p, err = plots.Lines(tr.Task+": increment autocorrelation", "lag (steps)", "autocorrelation of decoded increments", ac, false, false)
		if err := save(p, err, tr.Task+"-autocorr"); err != nil {
			return nil, err
		}
		p, err = plots.Lines(tr.Task+": mean squared displacement", "lag (steps)", "MSD (u²)", msd, true, true)
		if err := save(p, err, tr.Task+"-msd"); err != nil {
			return nil, err
		}
	}
	// Theory: the OU score over time and the mixture score with its best affine fit.
	th := res.Theory
	xs := theory.Linspace(-1, 3, 121)
	var scoreSeries []plots.Series
	for _, t := range theory.Linspace(th.T0, th.T, 4) {
		s := plots.Series{Name: fmt.Sprintf("score at t=%.2f", t)}
		for _, x := range xs {
			s.X, s.Y = append(s.X, x), append(s.Y, th.OU.Score(x, t))
		}
		scoreSeries = append(scoreSeries, s)
	}
	mix := plots.Series{Name: "time-mixture score"}
	fit := plots.Series{Name: fmt.Sprintf("constant leak −%.2f(x − %.2f)", th.Fit.Leak, th.Fit.Centre)}
	for _, x := range xs {
		mix.X, mix.Y = append(mix.X, x), append(mix.Y, th.OU.MixtureScore(x, th.T0, th.T))
		fit.X, fit.Y = append(fit.X, x), append(fit.Y, -th.Fit.Leak*(x-th.Fit.Centre))
	}
	p, err := plots.Lines("OU score over time", "x", "∇log p_t(x)", scoreSeries, false, false)
	if err := save(p, err, "theory-score-over-time"); err != nil {
		return nil, err
	}
	p, err = plots.Lines(fmt.Sprintf("Mixture score and best constant leak (R²=%.2f)", th.Fit.R2), "x", "score", []plots.Series{mix, fit}, false, false)
	if err := save(p, err, "theory-mixture-score"); err != nil {
		return nil, err
	}
	return out, nil
}
