//go:build look

package plots

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"

	"github.com/replaylab/replay/datasets"
	"github.com/replaylab/replay/geom"
	"github.com/replaylab/replay/replaylib/metrics"
)

// TestLook writes every kind of figure, with realistic data, to $PLOTS_LOOK_DIR (default
// /tmp/plots-look) for a person to look at. It asserts nothing, so it is built only with the tag
// look: go test -tags look -run Look ./replaylib/plots.
func TestLook(t *testing.T) {
	dir := lookDir(t, "/tmp/plots-look")
	rng := rand.New(rand.NewPCG(3, 4))
	save := func(name string, p *plot.Plot, err error, w, h vg.Length) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := Save(p, filepath.Join(dir, name), w, h); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}

	// Training error of three models over 2000 steps, mean and spread over 5 networks.
	var training []Series
	for i, m := range []struct {
		name       string
		floor, tau float64
	}{{"α=1, k=0 (no leak)", 0.02, 500}, {"α=0.5, k=3 (leak)", 0.008, 300}, {"α=0.5, k=3, λv=0.7", 0.005, 250}} {
		s := Series{Name: m.name}
		for step := 10; step <= 2000; step += 10 {
			x := float64(step)
			var vals []float64
			for range 5 {
				vals = append(vals, (m.floor+0.5*math.Exp(-x/m.tau))*math.Exp(0.15*rng.NormFloat64()))
			}
			mean, lo, hi := meanRange(vals)
			s.X, s.Y, s.Lo, s.Hi = append(s.X, x), append(s.Y, mean), append(s.Lo, lo), append(s.Hi, hi)
		}
		_ = i
		training = append(training, s)
	}
	p, err := Lines(Axes{Title: "tmaze: training, with and without leak", X: "training step", Y: "position error (fraction of size)"}, training, LineOptions{LogY: true})
	save("lines-training", p, err, Width, Height)
	p, err = Lines(Axes{Title: "tmaze: training (3 in panel)", X: "training step", Y: "position error"}, training, LineOptions{LogY: true})
	save("lines-training-narrow", p, err, 3*vg.Inch, 2.5*vg.Inch)

	// A sweep with markers, a NaN point and a single series.
	sweep := Series{Name: "path length per step (u)"}
	for _, l := range []float64{0, 0.25, 0.5, 0.7, 0.8, 0.9, 0.95, 1} {
		v := 0.02 + 0.05*(1-l)
		if l == 0.8 {
			v = math.NaN()
		}
		sweep.X, sweep.Y = append(sweep.X, l), append(sweep.Y, v)
		sweep.Lo, sweep.Hi = append(sweep.Lo, v*0.9), append(sweep.Hi, v*1.1)
	}
	p, err = Lines(Axes{Title: "tmaze: momentum sweep, path length", X: "λv (1 = no momentum)", Y: "path length per step (u)"}, []Series{sweep}, LineOptions{Markers: true})
	save("lines-sweep", p, err, Width, Height)

	// MSD on log–log axes over a short range.
	var msd []Series
	for i, name := range []string{"data", "no momentum", "momentum"} {
		s := Series{Name: name}
		for _, lag := range []float64{1, 2, 3, 5, 8, 13, 20, 30, 50} {
			s.X, s.Y = append(s.X, lag), append(s.Y, 0.001*math.Pow(lag, 1+0.3*float64(i)))
		}
		msd = append(msd, s)
	}
	p, err = Lines(Axes{Title: "tmaze: mean squared displacement", X: "lag (steps)", Y: "MSD (u²)"}, msd, LineOptions{LogX: true, LogY: true, Markers: true})
	save("lines-msd", p, err, Width, Height)

	// Twelve bars with long labels and asymmetric intervals.
	var labels []string
	var vals, lo, hi []float64
	for _, a := range []string{"baseline", "adaptation", "momentum", "adaptation+momentum"} {
		for _, v := range []string{"absolute", "relative", "shuffled"} {
			labels = append(labels, a+"/"+v)
			x := 40 + 60*rng.Float64()
			vals, lo, hi = append(vals, x), append(lo, x-3-5*rng.Float64()), append(hi, x+3+10*rng.Float64())
		}
	}
	vals[5] = math.NaN()
	entries := make([]Bar, len(labels))
	for i := range labels {
		entries[i] = Bar{Label: labels[i], Value: vals[i], Lo: lo[i], Hi: hi[i]}
	}
	p, err = Bars(Axes{Title: "tmaze: restricted mean reach time (τ = 100)", Y: "restricted mean reach time (steps)"}, entries)
	save("bars-twelve", p, err, Width, Height)
	p, err = Bars(Axes{Title: "short labels", Y: "reach rate"}, []Bar{{"leak", 0.62, 0.55, 0.7}, {"no leak", 0.31, 0.22, 0.4}, {"momentum", 0.75, 0.7, 0.79}})
	save("bars-short", p, err, Width, Height)

	// A 4 × 3 heat map, values 0.01–0.05, one missing.
	xs := []float64{0, 0.25, 0.5, 1}
	ys := []float64{1, 0.7, 0.4}
	z := make([][]float64, len(ys))
	for iy := range ys {
		for ix := range xs {
			z[iy] = append(z[iy], 0.01+0.04*(float64(ix)/3)*(1-float64(iy)/3)+0.003*rng.Float64())
		}
	}
	z[2][3] = math.NaN()
	p, err = Heatmap(Axes{Title: "tmaze: path length per step over b_a × λ_v", X: "b_a (adaptation)", Y: "λ_v (momentum)"}, xs, ys, z, HeatmapOptions{Format: "%.3f", Unit: "path length per step (u)"})
	save("heatmap", p, err, Width, Height)

	// T-maze trajectories and occupancy.
	tm, err := datasets.NewTMaze(datasets.DefaultTMazeParams())
	if err != nil {
		t.Fatal(err)
	}
	env := tm.Env()
	traj := make([][]geom.Point, 12)
	for c := range traj {
		traj[c] = make([]geom.Point, 80)
		tm.Paths(traj[c], rng)
	}
	p, err = Trajectories("tmaze: replay trajectories (first 8 chains)", env, traj, 8)
	save("trajectories", p, err, Width, Height)
	grid, err := geom.NewGrid(env, 0.05)
	if err != nil {
		t.Fatal(err)
	}
	pts := metrics.Flatten(traj)
	p, err = Occupancy("tmaze: replay occupancy", env, grid, pts)
	save("occupancy", p, err, Width, Height)
	p, err = OccupancyCounts("tmaze: replay counts", env, grid, grid.Counts(pts))
	save("occupancy-counts", p, err, Width, Height)
	var at, vec []geom.Point
	for _, q := range pts[:60] {
		at, vec = append(at, q), append(vec, geom.Point{X: -q.X, Y: 0.6 - q.Y})
	}
	p, err = Quiver("tmaze: leak field", env, Arrows{At: at, Vec: vec, Scale: 0.1, Color: Color(1)})
	save("quiver", p, err, Width, Height)

	// Kaplan–Meier curves with bands.
	var km []Series
	for i, name := range []string{"no leak", "leak", "leak + momentum"} {
		s := Series{Name: name}
		surv := 1.0
		for step := 1; step <= 100; step++ {
			if rng.Float64() < 0.15 {
				surv *= 1 - (0.03+0.03*float64(i))*(1+rng.Float64())
				se := 0.05 * math.Sqrt(surv)
				s.X, s.Y = append(s.X, float64(step)), append(s.Y, surv)
				s.Lo, s.Hi = append(s.Lo, math.Max(0, surv-2*se)), append(s.Hi, math.Min(1, surv+2*se))
			}
		}
		s.X, s.Y = append(s.X, 100), append(s.Y, surv)
		s.Lo, s.Hi = append(s.Lo, s.Lo[len(s.Lo)-1]), append(s.Hi, s.Hi[len(s.Hi)-1])
		km = append(km, s)
	}
	p, err = KaplanMeier("tmaze: time to reach the other arm", km)
	save("kaplan-meier", p, err, Width, Height)

	// The edge cases of the render tests: NaNs, single series and points, empty data.
	for name, p := range figures(t) {
		save("edge-"+name, p, nil, Width, Height)
	}

	// A multi-panel figure.
	a, _ := Lines(Axes{Title: "training", X: "training step", Y: "position error"}, training, LineOptions{LogY: true})
	b, _ := Heatmap(Axes{Title: "path length", X: "b_a", Y: "λ_v"}, xs, ys, z, HeatmapOptions{Format: "%.2f", Unit: "u/step"})
	c, _ := Trajectories("replay", env, traj, 5)
	d, _ := Occupancy("occupancy", env, grid, pts)
	if _, err := SaveTiles([][]*plot.Plot{{a, b}, {c, d}}, filepath.Join(dir, "tiles"), Width, Height); err != nil {
		t.Fatal(err)
	}
}

// meanRange returns the mean, minimum and maximum of xs.
func meanRange(xs []float64) (mean, lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, x := range xs {
		mean += x / float64(len(xs))
		lo, hi = math.Min(lo, x), math.Max(hi, x)
	}
	return
}

// lookDir is $PLOTS_LOOK_DIR, or def when it is not set, made if missing.
func lookDir(t *testing.T, def string) string {
	dir := os.Getenv("PLOTS_LOOK_DIR")
	if dir == "" {
		dir = def
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}
