package nb

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/gomlx/gomlx/backends"
	"github.com/janpfeifer/gonb/gonbui"
	"github.com/janpfeifer/gonb/gonbui/comms"
	"github.com/janpfeifer/gonb/gonbui/dom"
	"github.com/janpfeifer/gonb/gonbui/widgets"
	"gonum.org/v1/plot"

	"github.com/replaylab/replay/geom"
	"github.com/replaylab/replay/replaylib"
	"github.com/replaylab/replay/replaylib/claims"
	"github.com/replaylab/replay/replaylib/metrics"
	"github.com/replaylab/replay/replaylib/model"
	"github.com/replaylab/replay/replaylib/plots"
	"github.com/replaylab/replay/replaylib/replay"
	"github.com/replaylab/replay/replaylib/training"
)

// HTML ids of the playground's sliders (a browser test moves them).
const (
	SliderMomentum      = "replay-slider-momentum"
	SliderAdaptStrength = "replay-slider-adapt-strength"
	SliderAdaptTau      = "replay-slider-adapt-tau"
	SliderAlpha         = "replay-slider-alpha"
	SliderNoise         = "replay-slider-noise"
)

// PlaygroundOptions configure Playground.
type PlaygroundOptions struct {
	Chains, Steps int // each replay (default 64 × 600)
	// Idle ends the playground after this long without a change (default 15 minutes; a few
	// seconds where no front end answers, as in a headless run).
	Idle time.Duration
}

// A slider's range: the widget moves over integers 0 … ticks, mapped linearly to [lo, hi].
type knob struct {
	id         string // HTML id of the slider
	label      string
	lo, hi     float64
	ticks      int
	value      float64
	widget     *widgets.SliderBuilder
	valueHTML  string
	listenChan *comms.AddressChan[int]
}

func (k *knob) tick() int {
	return int(math.Round((k.value - k.lo) / (k.hi - k.lo) * float64(k.ticks)))
}
func (k *knob) set(t int) { k.value = k.lo + (k.hi-k.lo)*float64(t)/float64(k.ticks) }

// Playground shows sliders for λv, b_a, τ_a, α and σ_q/σ_train and selectors for the task and the
// adaptation form; moving one replays the reproduction's trained leaky network 1 of that task
// with the new values (no recompilation: values are graph inputs) and updates the trajectory
// plot, the occupancy map and the key numbers in place. It returns after opt.Idle without a
// change, or when "Done" is pressed, leaving the last figures in the notebook. Without a front
// end (a headless run) it shows the figures for the default values and returns.
func Playground(res *claims.Result, opt PlaygroundOptions) error {
	if opt.Chains == 0 {
		opt.Chains = 64
	}
	if opt.Steps == 0 {
		opt.Steps = 600
	}
	if opt.Idle == 0 {
		opt.Idle = 15 * time.Minute
	}
	backend, err := replaylib.NewBackend()
	if err != nil {
		return err
	}
	plan, err := claims.NewPlan(res.Size, res.Seed)
	if err != nil {
		return err
	}
	pg := &playground{res: res, opt: opt, backend: backend, plan: plan, tasks: res.Size.Tasks, forms: model.AdaptForms,
		nets: map[string]*playgroundNetwork{}, first: true,
		figID: "replay-playground-fig-" + gonbui.UniqueID(), numbersID: "replay-playground-numbers-" + gonbui.UniqueID(),
		knobs: []*knob{
			{id: SliderMomentum, label: "λv (momentum)", lo: 0.1, hi: 1, ticks: 18, value: 1},
			{id: SliderAdaptStrength, label: "b_a (adaptation)", lo: 0, hi: 1, ticks: 20, value: 0},
			{id: SliderAdaptTau, label: "τ_a (steps)", lo: 1, hi: 51, ticks: 25, value: res.Size.AdaptTau},
			{id: SliderAlpha, label: "α (leak)", lo: 0.05, hi: 1, ticks: 19, value: res.Size.LeakAlpha},
			{id: SliderNoise, label: "σ_q / σ_train", lo: 0, hi: 3, ticks: 30, value: math.Sqrt2},
		}}
	if err := pg.render(); err != nil {
		return err
	}
	if !gonbui.IsNotebook {
		return nil
	}
	return pg.interact()
}

// playground is the state of one Playground: the networks opened so far, the knobs, the task and
// form selected, and where its figure and numbers are shown.
type playground struct {
	res              *claims.Result
	opt              PlaygroundOptions
	backend          backends.Backend
	plan             claims.Plan
	tasks            []string
	forms            []model.AdaptForm
	nets             map[string]*playgroundNetwork
	knobs            []*knob
	task, form       int // indices into tasks and forms
	figID, numbersID string
	first            bool // the first render (kept as PNG in a rendered notebook)
}

// playgroundNetwork is a task's trained leaky network 1 and its replay engine.
type playgroundNetwork struct {
	run *training.Run
	eng *replay.Engine
}

// open returns the network of task, opening it the first time.
func (pg *playground) open(task string) (*playgroundNetwork, error) {
	if n, ok := pg.nets[task]; ok {
		return n, nil
	}
	run, err := claims.OpenNetwork(pg.backend, Dir(), pg.plan, claims.NetworkID{Task: task, Alpha: pg.res.Size.LeakAlpha, Index: 1})
	if err != nil {
		return nil, err
	}
	eng, err := replay.FromRun(run)
	if err != nil {
		return nil, err
	}
	n := &playgroundNetwork{run: run, eng: eng}
	pg.nets[task] = n
	return n, nil
}

// render replays the selected task's network with the knobs' values, measures it and shows the
// figure and numbers (in place in a notebook; printed outside one).
func (pg *playground) render() error {
	n, err := pg.open(pg.tasks[pg.task])
	if err != nil {
		return err
	}
	knobs, opt := pg.knobs, pg.opt
	cell := n.run.Config.Model.Cell
	cell.Momentum, cell.AdaptStrength, cell.AdaptTau, cell.Alpha = knobs[0].value, knobs[1].value, knobs[2].value, knobs[3].value
	cell.AdaptForm = pg.forms[pg.form]
	cell.NoiseSD = knobs[4].value * n.run.Config.Model.Cell.NoiseSD
	rc := replay.Config{Chains: opt.Chains, Steps: opt.Steps, Burnin: 50, StepsPerCall: replay.DefaultStepsPerCall,
		Cell: cell, Noise: replay.NoiseSqrtMomentum, Seed: 1}
	start := replay.Start{Positions: replay.StartPositions(n.run.Task(), opt.Chains, 1)}
	t0 := time.Now()
	traj, err := n.eng.Trajectories(context.Background(), rc, start)
	if err != nil {
		return err
	}
	values, err := claims.Measure(context.Background(), traj, claims.MeasureOptions{Task: pg.tasks[pg.task], PlaceCells: n.run.Config.PlaceCells, Seed: 1})
	if err != nil {
		return err
	}
	took := time.Since(t0)
	title := fmt.Sprintf("%s: λv=%.2f, b_a=%.2f (%s), τ_a=%.0f, α=%.2f, σ_q=%.2f·σ", pg.tasks[pg.task], cell.Momentum, cell.AdaptStrength, cell.AdaptForm,
		cell.AdaptTau, cell.Alpha, knobs[4].value)
	return pg.show(n.run.Task().Env(), traj, values, title, took)
}

// show draws the replay and its occupancy and the key numbers.
func (pg *playground) show(env *geom.Environment, traj [][]geom.Point, values map[string]float64, title string, took time.Duration) error {
	grid, err := geom.NewGrid(env, env.Size()/25)
	if err != nil {
		return err
	}
	p1, err := plots.Trajectories(title, env, traj, 8)
	if err != nil {
		return err
	}
	p2, err := plots.Occupancy("occupancy", env, grid, metrics.Flatten(traj))
	if err != nil {
		return err
	}
	if !gonbui.IsNotebook {
		fmt.Println(title)
		for _, key := range []string{metrics.KeyProgress, metrics.KeyReachRMST, metrics.KeyChainCoverage} {
			fmt.Printf("  %s: %s\n", metrics.Describe(key).Name, metrics.Describe(key).Fmt(values[key]))
		}
		return nil
	}
	var rows []string
	for _, key := range []string{metrics.KeyProgress, metrics.KeyReachRMST, metrics.KeyChainCoverage, metrics.KeyW1Ratio, metrics.KeyInside} {
		d := metrics.Describe(key)
		rows = append(rows, fmt.Sprintf("<td>%s</td><td><b>%s</b> %s</td>", d.Name, d.Fmt(values[key]), d.Unit))
	}
	numbers := fmt.Sprintf(`<table style="font-family:sans-serif;font-size:small"><tr>%s</tr></table><p style="font-size:x-small;color:#555">%d chains × %d steps, replayed and measured in %s</p>`,
		strings.Join(rows, "</tr><tr>"), pg.opt.Chains, pg.opt.Steps, took.Round(time.Millisecond))
	if pg.first && pngFigures() {
		// A rendered notebook keeps the default values' figure as a PNG image.
		png, err := plots.TilesPNG([][]*plot.Plot{{p1, p2}}, plots.Width, plots.Height)
		if err != nil {
			return err
		}
		displayPNG(png)
	} else {
		svg, err := plots.TilesSVG([][]*plot.Plot{{p1, p2}}, plots.Width, plots.Height)
		if err != nil {
			return err
		}
		gonbui.UpdateHTML(pg.figID, svg)
	}
	gonbui.UpdateHTML(pg.numbersID, numbers)
	pg.first = false
	return nil
}

// interact shows the sliders and selectors and renders again after each change, until "Done" or
// opt.Idle without a change. Widgets need a front end that answers; a headless run has none, and
// the figure of the default values stays.
func (pg *playground) interact() error {
	div := dom.CreateTransientDiv()
	ready := make(chan struct{})
	var taskSel, formSel *widgets.SelectBuilder
	var done *widgets.ButtonBuilder
	go func() {
		for _, k := range pg.knobs {
			dom.Append(div, fmt.Sprintf(`<div style="font-family:sans-serif;font-size:small"><label>%s</label> `, k.label))
			k.widget = widgets.Slider(0, k.ticks, k.tick()).WithHtmlId(k.id).AppendTo(div).Done()
			k.valueHTML = "replay-knob-" + gonbui.UniqueID()
			dom.Append(div, fmt.Sprintf(` <span id="%s">%.2f</span></div>`, k.valueHTML, k.value))
		}
		taskSel = widgets.Select(pg.tasks).AppendTo(div).Done()
		var names []string
		for _, f := range pg.forms {
			names = append(names, string(f))
		}
		formSel = widgets.Select(names).AppendTo(div).Done()
		done = widgets.Button("Done").AppendTo(div).Done()
		close(ready)
	}()
	select {
	case <-ready:
	case <-time.After(10 * time.Second):
		Markdown("*(no front end answered: the figure above is for the default values; open the notebook in JupyterLab to move the sliders)*")
		return nil
	}
	// A slider's listener only passes its tick on: the knobs are set here, between renders, so
	// render never reads a value a listener is writing.
	type move struct{ knob, tick int }
	changed := make(chan move, 16)
	for i, k := range pg.knobs {
		k.listenChan = k.widget.Listen().LatestOnly()
		go func() {
			for v := range k.listenChan.C {
				changed <- move{i, v}
			}
		}()
	}
	taskChan, formChan, doneChan := taskSel.Listen().LatestOnly(), formSel.Listen().LatestOnly(), done.Listen()
	for {
		select {
		case m := <-changed:
			k := pg.knobs[m.knob]
			k.set(m.tick)
			dom.SetInnerText(k.valueHTML, fmt.Sprintf("%.2f", k.value))
		case t := <-taskChan.C:
			pg.task = t
		case f := <-formChan.C:
			pg.form = f
		case <-doneChan.C:
			dom.Persist(div)
			return nil
		case <-time.After(pg.opt.Idle):
			dom.Persist(div)
			return nil
		}
		if err := pg.render(); err != nil {
			Error(err)
		}
	}
}
