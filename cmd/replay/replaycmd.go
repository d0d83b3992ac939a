package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	iofs "io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/replaylab/replay/geom"
	"github.com/replaylab/replay/internal/atomicfile"
	"github.com/replaylab/replay/internal/settings"
	"github.com/replaylab/replay/internal/sysmem"
	"github.com/replaylab/replay/replaylib"
	"github.com/replaylab/replay/replaylib/model"
	"github.com/replaylab/replay/replaylib/plots"
	"github.com/replaylab/replay/replaylib/replay"
	"github.com/replaylab/replay/replaylib/training"
)

// Bounds of replay's animation flags: beyond them a GIF takes longer to draw than to replay and
// more memory than it is worth.
const (
	maxAnimChains = 64
	maxAnimFrames = 1000
	maxCompare    = 8
)

func runReplay(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	a, err := parseReplayArgs(args, stderr)
	if err != nil {
		return err
	}
	cfg, rc, variants, err := replaySettings(a)
	if err != nil {
		return err
	}
	if err := replayOutDir(a, rc, stdout); err != nil {
		return err
	}
	lock, err := lockDir(a.out, "--out")
	if err != nil {
		return err
	}
	defer lock.Release()
	run, err := openReplayModel(a, cfg, stderr)
	if err != nil {
		return err
	}
	eng, err := replay.FromRun(run)
	if err != nil {
		return err
	}
	starts := replay.StartPositions(run.Task(), rc.Chains, rc.Seed)
	if a.fixedStart {
		for i := range starts {
			starts[i] = geom.Point{X: a.startX, Y: a.startY}
		}
	}
	shown := min(a.animChains, rc.Chains) // chains in the animation
	var anim [][]geom.Point
	if a.animate != "" {
		anim = make([][]geom.Point, shown)
	}
	trajPath, err := writeTrajectories(ctx, a, eng, rc, starts, anim, stderr)
	if err != nil {
		return err
	}
	start := "starts of fresh task paths"
	if a.fixedStart {
		start = fmt.Sprintf("every chain at (%g, %g)", a.startX, a.startY)
	}
	if err := atomicfile.WriteJSON(filepath.Join(a.out, replayConfigFile), struct {
		Task       string        `json:"task"`
		Model      string        `json:"model"`
		Checkpoint int           `json:"checkpoint_step"` // the training step of the weights replayed
		Steps      int           `json:"training_steps"`  // of the run's configured steps
		Start      string        `json:"start"`
		Replay     replay.Config `json:"replay"`
	}{cfg.Task, a.modelDir, run.GlobalStep(), cfg.Steps, start, rc}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "replay: %d chains × %d steps of %s → %s (measure with: replay metrics --traj %s)\n",
		rc.Chains, rc.Steps, cfg.Task, trajPath, trajPath)
	if a.animate == "" {
		return nil
	}
	return writeReplayAnimation(ctx, a, run, eng, variants, starts, anim, shown, stdout)
}

// replayArgs are the replay command's flags, parsed and checked.
type replayArgs struct {
	modelDir, out, set, animate string
	startX, startY              float64
	fixedStart                  bool // --x and --y given
	animChains, animFrames      int
	compare                     compareFlag
}

// parseReplayArgs parses and checks the replay command's flags (the model is read later).
func parseReplayArgs(args []string, stderr io.Writer) (*replayArgs, error) {
	fs := flag.NewFlagSet("replay", flag.ContinueOnError)
	modelDir := fs.String("model", "", "run directory written by 'replay train' (required; only read)")
	out := fs.String("out", "", "output directory (default: MODEL/replay, or ./<model's name>-replay when MODEL is not writable)")
	set := fs.String("set", "", "replay settings \"key=value;…\": "+replaySetters(&replay.Config{}).Keys()+" (noise: fixed or sqrt-momentum)")
	startX := fs.Float64("x", 0, "start position x (with --y; default: starts of fresh task paths)")
	startY := fs.Float64("y", 0, "start position y")
	animate := fs.String("animate", "", "also write an animated GIF of the replay to this path (relative to --out, e.g. replay.gif)")
	animChains := fs.Int("animate-chains", plots.DefaultAnimationMaxChains, fmt.Sprintf("chains shown in the animation (the first ones; 1 … %d)", maxAnimChains))
	animFrames := fs.Int("animate-frames", plots.DefaultAnimationFrames, fmt.Sprintf("frames of the animation, sampling the steps evenly (1 … %d)", maxAnimFrames))
	var compare compareFlag
	fs.Var(&compare, "compare", fmt.Sprintf("replay a variant of the model with these cell settings \"key=value;…\" (alpha, noise_sd, noise, adapt_strength, adapt_tau, adapt_form, adapt_slow_tau, momentum) applied over --set, from the same starts with the same noise seed, and animate it beside the replay; repeat for more variants (at most %d; needs --animate)", maxCompare))
	if err := parseFlags(fs, args, stderr); err != nil {
		return nil, err
	}
	if *modelDir == "" {
		return nil, usagef("--model: required (a run directory from 'replay train')")
	}
	visited := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { visited[f.Name] = true })
	switch {
	case len(compare) > 0 && *animate == "":
		return nil, usagef("--compare: needs --animate (the variants are only shown in the animation)")
	case len(compare) > maxCompare:
		return nil, usagef("--compare: %d variants, want at most %d", len(compare), maxCompare)
	case *animChains < 1 || *animChains > maxAnimChains:
		return nil, usagef("--animate-chains=%d: want an integer in [1, %d]", *animChains, maxAnimChains)
	case *animFrames < 1 || *animFrames > maxAnimFrames:
		return nil, usagef("--animate-frames=%d: want an integer in [1, %d]", *animFrames, maxAnimFrames)
	case !finite(*startX):
		return nil, usagef("--x %g: want a finite number", *startX)
	case !finite(*startY):
		return nil, usagef("--y %g: want a finite number", *startY)
	case visited["x"] != visited["y"]:
		return nil, usagef("--x and --y: give both (the start position) or neither")
	case visited["animate"] && strings.TrimSpace(*animate) == "":
		return nil, usagef("--animate: want a file name, e.g. replay.gif")
	}
	return &replayArgs{modelDir: *modelDir, out: *out, set: *set, animate: *animate, startX: *startX, startY: *startY,
		fixedStart: visited["x"], animChains: *animChains, animFrames: *animFrames, compare: compare}, nil
}

// replaySettings reads the model's training configuration and makes the replay's settings and the
// compared variants from the flags, refusing what does not fit the machine.
func replaySettings(a *replayArgs) (training.Config, replay.Config, []variant, error) {
	if st, err := os.Stat(a.modelDir); err != nil || !st.IsDir() {
		return training.Config{}, replay.Config{}, nil, usagef("--model %s: not a directory", a.modelDir)
	}
	cfg, err := training.ReadConfig(a.modelDir)
	if errors.Is(err, iofs.ErrNotExist) {
		return training.Config{}, replay.Config{}, nil, usagef("--model %s: not a training run (no %s)", a.modelDir, training.ConfigFile)
	}
	if err != nil {
		return training.Config{}, replay.Config{}, nil, fmt.Errorf("--model: %w", err)
	}
	if a.fixedStart {
		task, err := cfg.NewTask()
		if err != nil {
			return training.Config{}, replay.Config{}, nil, fmt.Errorf("--model: %w", err)
		}
		env := task.Env()
		lo, hi := env.Bounds()
		pad := env.Size() // a start may lie off the track, not far outside the environment
		if a.startX < lo.X-pad || a.startX > hi.X+pad || a.startY < lo.Y-pad || a.startY > hi.Y+pad {
			return training.Config{}, replay.Config{}, nil, usagef("--x %g --y %g: the start must be within [%g, %g] × [%g, %g] (the %s environment, with a margin of its size)",
				a.startX, a.startY, lo.X-pad, hi.X+pad, lo.Y-pad, hi.Y+pad, cfg.Task)
		}
	}
	rc := replay.DefaultConfig(cfg.Model.Cell)
	if err := replaySetters(&rc).Apply(a.set); err != nil {
		return training.Config{}, replay.Config{}, nil, settingsUsage("--set", err)
	}
	if err := rc.Validate(); err != nil {
		return training.Config{}, replay.Config{}, nil, usagef("%v", err)
	}
	variants, err := compareVariants(rc, a.set, a.compare)
	if err != nil {
		return training.Config{}, replay.Config{}, nil, err
	}
	panels := 0
	if a.animate != "" {
		panels = len(variants)
	}
	if err := replayFits(rc, cfg.Model, a.animChains, panels, a.animFrames); err != nil {
		return training.Config{}, replay.Config{}, nil, usagef("%v", err)
	}
	return cfg, rc, variants, nil
}

// replayOutDir chooses the output directory (MODEL/replay, or beside the working directory when
// MODEL is not writable) and checks that it is writable and has room for the trajectories.
func replayOutDir(a *replayArgs, rc replay.Config, stdout io.Writer) error {
	if a.out == "" {
		a.out = filepath.Join(a.modelDir, "replay")
		if checkWritable(a.out) != nil {
			abs, _ := filepath.Abs(a.modelDir)
			alt := filepath.Base(abs) + "-replay"
			fmt.Fprintf(stdout, "replay: %s is not writable; writing to %s (set --out to choose)\n", a.modelDir, alt)
			a.out = alt
		}
	}
	if err := checkWritable(a.out); err != nil {
		return err
	}
	if free, ok := sysmem.DiskFree(a.out); ok {
		csvBytes := func(chains, steps int) float64 { return trajRowBytes * float64(chains) * float64(steps+1) }
		if err := sysmem.FitDisk("trajectories.csv", csvBytes(rc.Chains, rc.Steps), float64(free), a.out,
			sysmem.Field{Name: "chains", Value: rc.Chains, Min: 1, With: func(v int) float64 { return csvBytes(v, rc.Steps) }},
			sysmem.Field{Name: "steps", Value: rc.Steps, Min: 1, With: func(v int) float64 { return csvBytes(rc.Chains, v) }},
		); err != nil {
			return usagef("%v", err)
		}
	}
	return nil
}

// openReplayModel opens the trained network read-only, warning about a run that is not trained to
// its last step.
func openReplayModel(a *replayArgs, cfg training.Config, stderr io.Writer) (*training.Run, error) {
	backend, err := replaylib.NewBackend()
	if err != nil {
		return nil, err
	}
	run, err := training.OpenReadOnly(backend, a.modelDir)
	if err != nil {
		return nil, fmt.Errorf("--model: %w", err)
	}
	for _, w := range run.Warnings {
		fmt.Fprintf(stderr, "replay replay: warning: %s\n", w)
	}
	switch {
	case run.GlobalStep() == 0 && cfg.Steps == 0:
		// A run trained for 0 steps (train --set steps=0) is an untrained network on purpose: its
		// initial weights, a reference for what training adds.
		fmt.Fprintf(stderr, "replay replay: %s is untrained (steps=0): replaying its initial weights\n", a.modelDir)
	case run.GlobalStep() == 0:
		return nil, fmt.Errorf("--model %s: holds no trained checkpoint", a.modelDir)
	}
	if run.GlobalStep() < cfg.Steps {
		fmt.Fprintf(stderr, "replay replay: warning: %s is trained to step %d of %d (still training, or stopped); replaying those weights\n",
			a.modelDir, run.GlobalStep(), cfg.Steps)
	}
	return run, nil
}

// writeTrajectories replays rc from starts into MODEL's trajectories.csv (atomically), keeping the
// first chains' positions in anim for the animation; it returns the file's path.
func writeTrajectories(ctx context.Context, a *replayArgs, eng *replay.Engine, rc replay.Config, starts []geom.Point, anim [][]geom.Point, stderr io.Writer) (string, error) {
	trajPath := filepath.Join(a.out, "trajectories.csv")
	f, err := atomicfile.Create(trajPath)
	if err != nil {
		return "", err
	}
	defer f.Abort()
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString("chain,t,x,y\n")
	var line []byte
	err = eng.Run(ctx, rc, replay.Start{Positions: starts}, func(t int, pos []geom.Point) error {
		for c := range anim {
			anim[c] = append(anim[c], pos[c])
		}
		for c, p := range pos {
			line = strconv.AppendInt(line[:0], int64(c), 10)
			line = append(line, ',')
			line = strconv.AppendInt(line, int64(t), 10)
			line = append(line, ',')
			line = strconv.AppendFloat(line, p.X, 'g', 7, 64)
			line = append(line, ',')
			line = strconv.AppendFloat(line, p.Y, 'g', 7, 64)
			line = append(line, '\n')
			if _, err := w.Write(line); err != nil {
				return fmt.Errorf("writing %s: %w", trajPath, err)
			}
		}
		if t%max(1, rc.Steps/10) == 0 {
			fmt.Fprintf(stderr, "replay: step %d/%d\n", t, rc.Steps) // progress on stderr
		}
		return nil
	})
	if err != nil {
		if ctx.Err() != nil {
			return "", fmt.Errorf("replay stopped: %w (nothing written)", ctx.Err())
		}
		return "", err
	}
	if err := w.Flush(); err != nil {
		return "", fmt.Errorf("writing %s: %w", trajPath, err)
	}
	if err := f.Commit(); err != nil {
		return "", err
	}
	return trajPath, nil
}

// writeReplayAnimation animates the replay's first chains beside each compared variant's, replayed
// from the same starts with the same noise, into the --animate file.
func writeReplayAnimation(ctx context.Context, a *replayArgs, run *training.Run, eng *replay.Engine, variants []variant, starts []geom.Point, anim [][]geom.Point, shown int, stdout io.Writer) error {
	animPanels := []plots.AnimationPanel{{Title: variants[0].title, Chains: anim}}
	for _, v := range variants[1:] {
		// A chain's noise depends only on the seed and its index, so the shown chains alone,
		// from the same starts, see the same noise as in the full replay.
		v.rc.Chains = shown
		traj, err := eng.Trajectories(ctx, v.rc, replay.Start{Positions: starts[:shown]})
		if err != nil {
			return fmt.Errorf("--compare %s: %w", settings.Quote(v.spec), err)
		}
		animPanels = append(animPanels, plots.AnimationPanel{Title: v.title, Chains: traj})
	}
	gifData, err := interruptible(ctx, func() ([]byte, error) {
		return plots.Animation(run.Task().Env(), animPanels, plots.AnimationOptions{Frames: a.animFrames, MaxChains: shown})
	})
	if err != nil {
		return fmt.Errorf("--animate: %w", err)
	}
	gifPath := a.animate
	if !filepath.IsAbs(gifPath) {
		gifPath = filepath.Join(a.out, gifPath)
	}
	if err := atomicfile.Write(gifPath, gifData); err != nil {
		return fmt.Errorf("--animate: %w", err)
	}
	fmt.Fprintf(stdout, "replay: animation of %d chains, %d panel(s) side by side → %s\n", shown, len(animPanels), gifPath)
	return nil
}

// trajRowBytes is about the size of one row of trajectories.csv ("12,345,-0.1234567,0.7654321").
const trajRowBytes = 36

// replayFits checks the replay's memory estimate against the machine: the chains' states and the
// noise of one call (double-buffered), the readouts, the weights, and, when animating, the shown
// chains' trajectories of every panel and the frames of the GIF.
func replayFits(rc replay.Config, m model.Config, animChains, panels, frames int) error {
	est := replayBytes(m, animChains, panels, frames)
	budget, source := sysmem.Budget()
	fields := []sysmem.Field{
		{Name: "chains", Value: rc.Chains, Min: 1, With: func(v int) float64 { return est(v, rc.StepsPerCall, rc.Steps) }},
		{Name: "steps_per_call", Value: rc.StepsPerCall, Min: 1, With: func(v int) float64 { return est(rc.Chains, v, rc.Steps) }},
	}
	if panels > 0 {
		fields = append(fields, sysmem.Field{Name: "steps", Value: rc.Steps, Min: 1, With: func(v int) float64 { return est(rc.Chains, rc.StepsPerCall, v) }})
	}
	return sysmem.Fit("replay", est(rc.Chains, rc.StepsPerCall, rc.Steps), budget, source, fields...)
}

// replayBytes returns the memory estimate of a replay of a network of m by chains, steps per call
// and steps.
func replayBytes(m model.Config, animChains, panels, frames int) func(chains, stepsPerCall, steps int) float64 {
	return func(chains, stepsPerCall, steps int) float64 {
		C, H, k, S := float64(chains), float64(m.Hidden), float64(stepsPerCall), float64(steps)
		out := float64(m.OutputDim)
		b := 3 * 4 * 4 * C * H                                      // h, a, v, h̄: inputs, results, temporaries
		b += 3 * 4 * k * C * H                                      // noise: the next call's, the current, the device's copy
		b += k * C * (2*4*3 + 16 + 4*out*2)                         // decoded positions and readouts of a call
		b += 3 * 4 * (H*H + H*(float64(m.InputDim+m.ObsDim)+out+2)) // weights
		b += C * float64(m.ObsDim) * 4 * 3                          // start observations and states
		if panels > 0 {
			shown := math.Min(float64(animChains), C)
			b += shown * (S + 1) * 16 * float64(panels)                           // trajectories of the shown chains
			b += float64(min(frames, steps+1)) * float64(panels) * animFrameBytes // GIF frames
		}
		return b + 256<<20
	}
}

// animFrameBytes is about the memory of one panel of one GIF frame.
const animFrameBytes = 2e5

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// interruptible runs work and returns its result, or ctx's error as soon as ctx is cancelled (the
// work is then abandoned: for work that cannot be stopped, such as drawing an animation).
func interruptible[T any](ctx context.Context, work func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				var zero T
				done <- result{zero, fmt.Errorf("internal error: %v", p)}
			}
		}()
		v, err := work()
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}

// replaySetters are replay's --set keys: the cell's and the run's sizes and seed.
func replaySetters(rc *replay.Config) settings.Setters {
	s := cellSetters(rc)
	s["chains"] = settings.IntRange(&rc.Chains, 1, replay.MaxChains)
	s["steps"] = settings.IntRange(&rc.Steps, 1, replay.MaxSteps)
	s["steps_per_call"] = settings.IntRange(&rc.StepsPerCall, 1, 1000)
	s["burnin"] = settings.IntRange(&rc.Burnin, 0, replay.MaxSteps)
	s["seed"] = settings.Uint(&rc.Seed)
	return s
}

// cellSetters are the --set keys of the replay-time cell and noise convention: the ones --compare
// may change.
func cellSetters(rc *replay.Config) settings.Setters {
	return settings.Setters{
		"noise_sd": settings.Float(&rc.Cell.NoiseSD), "alpha": settings.Float(&rc.Cell.Alpha),
		"adapt_strength": settings.Float(&rc.Cell.AdaptStrength), "adapt_tau": settings.Float(&rc.Cell.AdaptTau),
		"adapt_slow_tau": settings.Float(&rc.Cell.AdaptSlowTau), "momentum": settings.Float(&rc.Cell.Momentum),
		"adapt_form": func(v string) error { rc.Cell.AdaptForm = model.AdaptForm(v); return nil },
		"noise":      func(v string) error { rc.Noise = replay.NoiseConvention(v); return nil },
	}
}

// compareFlag collects the repeated --compare values.
type compareFlag []string

func (c *compareFlag) String() string { return strings.Join(*c, " | ") }

func (c *compareFlag) Set(v string) error {
	*c = append(*c, v)
	return nil
}

// variant is one panel of the animation: its replay settings, its title and the --compare value
// it came from ("" for the replay itself).
type variant struct {
	rc          replay.Config
	title, spec string
}

// compareVariants returns the replay itself (base, from the --set value set) and each --compare
// variant: base with the variant's cell settings applied over it. Each is titled by its cell
// settings, those of --set and then of its --compare value, a later value of a key replacing an
// earlier one ("the cell as trained" when there are none).
func compareVariants(base replay.Config, set string, compare []string) ([]variant, error) {
	cellKeys := cellSetters(&replay.Config{})
	type kv struct{ key, value string }
	settingsOf := func(spec string) []kv {
		var out []kv
		for _, part := range strings.Split(spec, ";") {
			k, v, _ := strings.Cut(part, "=")
			if k, v = strings.TrimSpace(k), strings.TrimSpace(v); cellKeys[k] != nil {
				out = append(out, kv{k, v})
			}
		}
		return out
	}
	title := func(kvs []kv) string {
		var parts []string
		seen := map[string]int{}
		for _, p := range kvs {
			if i, ok := seen[p.key]; ok {
				parts[i] = p.key + "=" + p.value // a later value replaces the earlier in place
				continue
			}
			seen[p.key] = len(parts)
			parts = append(parts, p.key+"="+p.value)
		}
		if len(parts) == 0 {
			return "the cell as trained"
		}
		return strings.Join(parts, ", ")
	}
	baseSettings := settingsOf(set)
	vs := []variant{{rc: base, title: title(baseSettings)}}
	for _, spec := range compare {
		rc := base
		if strings.TrimSpace(spec) == "" {
			return nil, usagef("--compare %s: want cell settings \"key=value;…\"", strconv.Quote(spec))
		}
		if err := cellSetters(&rc).Apply(spec); err != nil {
			return nil, settingsUsage("--compare", err)
		}
		if err := rc.Validate(); err != nil {
			return nil, usagef("--compare %s: %v", settings.Quote(spec), err)
		}
		vs = append(vs, variant{rc: rc, spec: spec, title: title(append(append([]kv(nil), baseSettings...), settingsOf(spec)...))})
	}
	return vs, nil
}
