package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/replaylab/replay/datasets"
	"github.com/replaylab/replay/internal/atomicfile"
	"github.com/replaylab/replay/replaylib/model"
	"github.com/replaylab/replay/replaylib/plots"
	"github.com/replaylab/replay/replaylib/replay"
	"github.com/replaylab/replay/replaylib/settings"
	"github.com/replaylab/replay/replaylib/training"
)

func runReplay(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("replay", flag.ContinueOnError)
	modelDir := fs.String("model", "", "run directory written by 'replay train' (required)")
	out := fs.String("out", "", "output directory (default: MODEL/replay)")
	set := fs.String("set", "", "replay settings \"key=value;…\": chains, steps, burnin, steps_per_call, seed, noise_sd, noise (fixed|sqrt-momentum), alpha, adapt_strength, adapt_tau, adapt_form, adapt_slow_tau, momentum")
	startX := fs.Float64("x", 0, "start position x (with --y; default: starts of fresh task paths)")
	startY := fs.Float64("y", 0, "start position y")
	animate := fs.String("animate", "", "also write an animated GIF of the replay to this path (relative to --out, e.g. replay.gif)")
	animChains := fs.Int("animate-chains", plots.DefaultAnimationMaxChains, "chains shown in the animation (the first ones)")
	animFrames := fs.Int("animate-frames", plots.DefaultAnimationFrames, "frames of the animation, sampling the steps evenly")
	var compare compareFlag
	fs.Var(&compare, "compare", "replay a variant of the model with these cell settings \"key=value;…\" (alpha, noise_sd, noise, adapt_strength, adapt_tau, adapt_form, adapt_slow_tau, momentum) applied over --set, from the same starts with the same noise seed, and animate it beside the replay; repeat for more variants (needs --animate)")
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	if *modelDir == "" {
		return usagef("--model: required (a run directory from 'replay train')")
	}
	switch {
	case len(compare) > 0 && *animate == "":
		return usagef("--compare: needs --animate (the variants are only shown in the animation)")
	case *animChains < 1:
		return usagef("--animate-chains=%d: want an integer ≥ 1", *animChains)
	case *animFrames < 1:
		return usagef("--animate-frames=%d: want an integer ≥ 1", *animFrames)
	}
	if *out == "" {
		*out = filepath.Join(*modelDir, "replay")
	}
	data, err := os.ReadFile(filepath.Join(*modelDir, training.ConfigFile))
	if err != nil {
		return fmt.Errorf("--model %s: not a training run (%w)", *modelDir, err)
	}
	var cfg training.Config
	if err := json.Unmarshal(data, &cfg); err != nil {
		return fmt.Errorf("--model %s: %w", *modelDir, err)
	}
	rc := replay.DefaultConfig(cfg.Model.Cell)
	s := cellSetters(&rc)
	for k, set := range map[string]func(string) error{
		"chains": settings.Int(&rc.Chains, 1), "steps": settings.Int(&rc.Steps, 1), "steps_per_call": settings.Int(&rc.StepsPerCall, 1),
		"burnin": settings.Int(&rc.Burnin, 0), "seed": settings.Uint(&rc.Seed),
	} {
		s[k] = set
	}
	if err := s.Apply(*set); err != nil {
		return usagef("%v", err)
	}
	if err := rc.Validate(); err != nil {
		return usagef("%v", err)
	}
	variants, err := compareVariants(rc, *set, compare)
	if err != nil {
		return err
	}
	run, err := openRun(*out, cfg, *modelDir)
	if err != nil {
		return err
	}
	if run.GlobalStep() == 0 {
		return fmt.Errorf("--model %s: holds no trained checkpoint", *modelDir)
	}
	eng, err := replay.FromRun(run)
	if err != nil {
		return err
	}
	starts := replay.StartPositions(run.Task(), rc.Chains, rc.Seed)
	visited := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { visited[f.Name] = true })
	if visited["x"] || visited["y"] {
		for i := range starts {
			starts[i] = datasets.Point{X: *startX, Y: *startY}
		}
	}
	shown := min(*animChains, rc.Chains) // chains in the animation
	var anim [][]datasets.Point
	if *animate != "" {
		anim = make([][]datasets.Point, shown)
	}
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	w.WriteString("chain,t,x,y\n")
	var line []byte
	err = eng.Run(ctx, rc, replay.Start{Positions: starts}, func(t int, pos []datasets.Point) error {
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
			w.Write(line)
		}
		if t%max(1, rc.Steps/10) == 0 {
			fmt.Fprintf(stdout, "replay: step %d/%d\n", t, rc.Steps)
		}
		return nil
	})
	if err != nil {
		return err
	}
	w.Flush()
	trajPath := filepath.Join(*out, "trajectories.csv")
	if err := atomicfile.Write(trajPath, buf.Bytes()); err != nil {
		return err
	}
	if err := atomicfile.WriteJSON(filepath.Join(*out, "replay-config.json"), struct {
		Task   string        `json:"task"`
		Replay replay.Config `json:"replay"`
	}{cfg.Task, rc}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "replay: %d chains × %d steps of %s → %s (measure with: replay metrics --task %s --traj %s)\n",
		rc.Chains, rc.Steps, cfg.Task, trajPath, cfg.Task, trajPath)
	if *animate == "" {
		return nil
	}
	panels := []plots.AnimationPanel{{Title: variants[0].title, Chains: anim}}
	for _, v := range variants[1:] {
		// A chain's noise depends only on the seed and its index, so the shown chains alone,
		// from the same starts, see the same noise as in the full replay.
		v.rc.Chains = shown
		traj, err := eng.Trajectories(ctx, v.rc, replay.Start{Positions: starts[:shown]})
		if err != nil {
			return fmt.Errorf("--compare %q: %w", v.spec, err)
		}
		panels = append(panels, plots.AnimationPanel{Title: v.title, Chains: traj})
	}
	gifData, err := plots.Animation(run.Task().Env(), panels, plots.AnimationOptions{Frames: *animFrames, MaxChains: shown})
	if err != nil {
		return err
	}
	gifPath := *animate
	if !filepath.IsAbs(gifPath) {
		gifPath = filepath.Join(*out, gifPath)
	}
	if err := atomicfile.Write(gifPath, gifData); err != nil {
		return fmt.Errorf("--animate: %w", err)
	}
	fmt.Fprintf(stdout, "replay: animation of %d chains, %d panel(s) side by side → %s\n", shown, len(panels), gifPath)
	return nil
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
// earlier one ("replay defaults" when there are none).
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
			return "replay defaults"
		}
		return strings.Join(parts, ", ")
	}
	baseSettings := settingsOf(set)
	vs := []variant{{rc: base, title: title(baseSettings)}}
	for _, spec := range compare {
		rc := base
		if strings.TrimSpace(spec) == "" {
			return nil, usagef("--compare %q: want cell settings \"key=value;…\"", spec)
		}
		if err := cellSetters(&rc).Apply(spec); err != nil {
			return nil, usagef("%s", strings.Replace(err.Error(), "--set", "--compare", 1))
		}
		if err := rc.Validate(); err != nil {
			return nil, usagef("--compare %q: %v", spec, err)
		}
		vs = append(vs, variant{rc: rc, spec: spec, title: title(append(append([]kv(nil), baseSettings...), settingsOf(spec)...))})
	}
	return vs, nil
}
