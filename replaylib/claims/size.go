package claims

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/replaylab/replay/datasets"
	"github.com/replaylab/replay/internal/settings"
	"github.com/replaylab/replay/replaylib/model"
	"github.com/replaylab/replay/replaylib/training"
)

// MaskNone is the masking difficulty k at which the network sees the observation only at t = 0
// (pure path integration): the networks that replay are trained at it, since between observations
// the network must hold its position on its own, which replay needs indefinitely.
const MaskNone = 1 << 20

// MaskName is k as the report writes it: the number, or "∞" for MaskNone (s₀ only).
func MaskName(k int) string {
	if k >= MaskNone {
		return "∞"
	}
	return strconv.Itoa(k)
}

// Size is the budget of a reproduction: which tasks, how many networks of what size trained how
// long, and how long and how widely they replay. The decision rules (package doc, docs/claims.md)
// do not depend on it. Steps are steps of the cell; T_q counts replay steps after the burn-in.
type Size struct {
	Name     string   `json:"name"`     // "quick", "full", "tiny", or a caller's own
	Tasks    []string `json:"tasks"`    // datasets task names, in report order
	Networks int      `json:"networks"` // M independently trained networks per condition

	LeakAlpha     float64   `json:"leak_alpha"`     // α of the leaky condition; the other is α = 1
	Hidden        int       `json:"hidden"`         // N on the 2D tasks
	PlaceHidden   int       `json:"place_hidden"`   // N on the place-cell task
	PlaceCells    int       `json:"place_cells"`    // number of place cells
	TrainSteps    int       `json:"train_steps"`    // Adam steps on the 2D tasks
	PlaceSteps    int       `json:"place_steps"`    // Adam steps on the place-cell task
	BatchSize     int       `json:"batch_size"`     // paths per step
	SeqLen        int       `json:"seq_len"`        // unrolled steps per path
	LearningRates []float64 `json:"learning_rates"` // grid tried for every α; each α keeps its best
	MaskKs        []int     `json:"mask_ks"`        // claim 1's masking curves (MaskNone: s₀ only)
	NoiseSD       float64   `json:"noise_sd"`       // σ_train

	// The training recipe that teaches holding (each omitted when zero, which is the default task
	// and one window per path): paths of Horizon steps seen in windows of SeqLen (training.Config's
	// horizon), stops on every task, turn-backs on the triangle, longer end dwells on the T-maze
	// (datasets.Behaviour). Replay is judged against the default task whatever these are.
	Horizon       int     `json:"horizon,omitempty"`         // training path length (0: SeqLen)
	StopRate      float64 `json:"stop_rate,omitempty"`       // probability per moving step that a stop begins
	StopSteps     float64 `json:"stop_steps,omitempty"`      // mean length of a stop (steps)
	ReversalRate  float64 `json:"reversal_rate,omitempty"`   // the triangle's turn-back probability per step
	EndDwellSteps float64 `json:"end_dwell_steps,omitempty"` // the T-maze's mean extra steps at an end (0: its default)

	// GateOnly runs only what the baseline gate and the hold test need: the leaky networks at k = ∞
	// and their baseline replay (no networks without leak, no modifiers, no claims). The recipe
	// search runs its candidates so.
	GateOnly bool `json:"gate_only,omitempty"`

	Chains      int `json:"chains"`       // chains per replay of the core variants
	Burnin      int `json:"burnin"`       // replay steps discarded before t = 0
	ReplaySteps int `json:"replay_steps"` // T_q of the core variants
	SweepChains int `json:"sweep_chains"` // chains per replay of the sweeps
	SweepSteps  int `json:"sweep_steps"`  // T_q of the sweeps

	AdaptStrength float64         `json:"adapt_strength"` // b_a of the adaptation variants
	AdaptTau      float64         `json:"adapt_tau"`      // τ_a of the adaptation variants
	AdaptForm     model.AdaptForm `json:"adapt_form"`     // the reference form (claims 2 and 4 are judged for every form)
	Momentum      float64         `json:"momentum"`       // λ_v of the momentum variants

	MomentumSweep []float64 `json:"momentum_sweep"` // claim 3's λ_v sweep
	HeatStrengths []float64 `json:"heat_strengths"` // b_a axis of the b_a × λ_v maps
	HeatMomenta   []float64 `json:"heat_momenta"`   // λ_v axis of the b_a × λ_v maps
	AdaptTaus     []float64 `json:"adapt_taus"`     // τ_a of the adaptation-forms table
	NoiseFactors  []float64 `json:"noise_factors"`  // σ_q/σ_train of the robustness sweep
}

// Quick finishes in about 12 minutes on 2 CPU cores with XLA (a documented subset of Full: small
// networks, one learning rate, masking only at k = ∞, fewer chains in the sweeps).
func Quick() Size {
	return Size{Name: "quick", Tasks: []string{"triangle", "tmaze", "placecells"}, Networks: 5,
		LeakAlpha: 0.2, Hidden: 64, PlaceHidden: 64, PlaceCells: 128, TrainSteps: 2000, PlaceSteps: 1500,
		BatchSize: 32, SeqLen: 50, LearningRates: []float64{3e-3}, MaskKs: []int{MaskNone}, NoiseSD: 0.03,
		Chains: 256, Burnin: 100, ReplaySteps: 2000, SweepChains: 64, SweepSteps: 1000,
		AdaptStrength: 0.5, AdaptTau: 5, AdaptForm: model.AdaptHidden, Momentum: 0.7,
		MomentumSweep: []float64{1, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3},
		HeatStrengths: []float64{0, 0.5, 1}, HeatMomenta: []float64{1, 0.7, 0.4},
		AdaptTaus: []float64{5, 20, 50}, NoiseFactors: []float64{1, math.Sqrt2, 2, 3}}
}

// Full is the whole grid at the size of the predecessor paper's model (Krishna et al., ICLR 2024, "Sufficient
// conditions for offline reactivation in recurrent neural networks"), for XLA on a GPU: N = 512, 512 place cells,
// batches of 200 paths of 100 steps, a learning-rate grid per α and the masking curves of claim 1.
func Full() Size {
	s := Quick()
	s.Name, s.Hidden, s.PlaceHidden, s.PlaceCells = "full", 512, 512, 512
	s.TrainSteps, s.PlaceSteps, s.BatchSize, s.SeqLen = 5000, 5000, 200, 100
	s.LearningRates = []float64{1e-3, 3e-3, 1e-2}
	s.MaskKs = []int{0, 2, 4, 9, 19, MaskNone}
	s.NoiseSD = 0.01
	s.Chains, s.ReplaySteps, s.SweepChains, s.SweepSteps = 1024, 5000, 512, 2000
	s.HeatStrengths, s.HeatMomenta = []float64{0, 0.1, 0.25, 0.5, 1}, []float64{1, 0.9, 0.7, 0.5, 0.3}
	return s
}

// Tiny is for tests: seconds, not minutes (the same pipeline with every number small).
func Tiny() Size {
	s := Quick()
	s.Name, s.Tasks, s.Networks = "tiny", []string{"tmaze"}, 2
	s.Hidden, s.PlaceHidden, s.PlaceCells, s.TrainSteps, s.PlaceSteps, s.BatchSize, s.SeqLen = 16, 16, 32, 60, 60, 8, 16
	s.Chains, s.Burnin, s.ReplaySteps, s.SweepChains, s.SweepSteps = 16, 10, 60, 8, 30
	s.MomentumSweep, s.HeatStrengths, s.HeatMomenta = []float64{1, 0.7}, []float64{0, 0.5}, []float64{1, 0.7}
	s.AdaptTaus, s.NoiseFactors = []float64{5}, []float64{math.Sqrt2, 2}
	return s
}

// SizeByName returns "quick", "full" or "tiny".
func SizeByName(name string) (Size, error) {
	switch name {
	case "quick":
		return Quick(), nil
	case "full":
		return Full(), nil
	case "tiny":
		return Tiny(), nil
	}
	return Size{}, fmt.Errorf("size %q: want quick, full or tiny", name)
}

// Limits on a Size: beyond them a run cannot fit a machine's memory or a report's figures.
const (
	maxNetworks = 100
	maxHidden   = 4096
	maxSteps    = 1_000_000
	maxChains   = 1 << 16
	maxGrid     = 32
)

// Validate returns an error naming the first field out of its allowed range.
func (s Size) Validate() error {
	for _, check := range []func() error{s.validateCounts, s.validateTasks, s.validateCell, s.validateGrids, s.validateRecipe, s.validateMasks} {
		if err := check(); err != nil {
			return err
		}
	}
	return nil
}

// validateCounts checks the integer budgets against their ranges.
func (s Size) validateCounts() error {
	ints := []struct {
		name    string
		v, lo   int
		hi      int
		appears bool
	}{
		{"networks", s.Networks, 2, maxNetworks, true},
		{"hidden", s.Hidden, 2, maxHidden, true},
		{"place_hidden", s.PlaceHidden, 2, maxHidden, true},
		{"place_cells", s.PlaceCells, 4, maxHidden, true},
		{"train_steps", s.TrainSteps, 1, maxSteps, true},
		{"place_steps", s.PlaceSteps, 1, maxSteps, true},
		{"batch_size", s.BatchSize, 1, 1 << 14, true},
		{"seq_len", s.SeqLen, 2, 10_000, true},
		{"chains", s.Chains, 2, maxChains, true},
		{"burnin", s.Burnin, 0, maxSteps, true},
		{"replay_steps", s.ReplaySteps, 10, maxSteps, true},
		{"sweep_chains", s.SweepChains, 2, maxChains, true},
		{"sweep_steps", s.SweepSteps, 10, maxSteps, true},
	}
	for _, f := range ints {
		if f.v < f.lo || f.v > f.hi {
			return fmt.Errorf("%s=%d: must be in [%d, %d]", f.name, f.v, f.lo, f.hi)
		}
	}
	return nil
}

// validateTasks checks that there are tasks and that each is known.
func (s Size) validateTasks() error {
	if len(s.Tasks) == 0 {
		return fmt.Errorf("tasks: empty, want some of %v", datasets.TaskNames)
	}
	for _, t := range s.Tasks {
		if _, err := datasets.NewDefaultTask(t); err != nil {
			return fmt.Errorf("tasks: %w", err)
		}
	}
	return nil
}

// validateCell checks the cell's values (α, σ, b_a, τ_a, λv) and adaptation form.
func (s Size) validateCell() error {
	floats := []struct {
		name   string
		v      float64
		lo, hi float64
		open   bool // lo excluded
	}{
		{"leak_alpha", s.LeakAlpha, 0, 1, true},
		{"noise_sd", s.NoiseSD, 0, 1, true},
		{"adapt_strength", s.AdaptStrength, 0, model.MaxAdaptStrength, true},
		{"adapt_tau", s.AdaptTau, 1, model.MaxTau, false},
		{"momentum", s.Momentum, 0, 1, true},
	}
	for _, f := range floats {
		if math.IsNaN(f.v) || f.v > f.hi || f.v < f.lo || f.open && f.v == f.lo {
			left := "["
			if f.open {
				left = "("
			}
			return fmt.Errorf("%s=%g: must be in %s%g, %g]", f.name, f.v, left, f.lo, f.hi)
		}
	}
	if s.LeakAlpha == 1 {
		return fmt.Errorf("leak_alpha=1: must be < 1 (the other condition is α = 1)")
	}
	cell := model.DefaultCellParams()
	cell.AdaptForm = s.AdaptForm
	return cell.Validate()
}

// validateGrids checks the lists of values the grids and sweeps run over, and that the b_a × λv
// maps read only λv values the momentum sweep runs.
func (s Size) validateGrids() error {
	lists := []struct {
		name   string
		v      []float64
		lo, hi float64
		open   bool
	}{
		{"learning_rates", s.LearningRates, 0, 0.5, true},
		{"momentum_sweep", s.MomentumSweep, 0, 1, true},
		{"heat_strengths", s.HeatStrengths, 0, model.MaxAdaptStrength, false},
		{"heat_momenta", s.HeatMomenta, 0, 1, true},
		{"adapt_taus", s.AdaptTaus, 1, model.MaxTau, false},
		{"noise_factors", s.NoiseFactors, 0, 100, true},
	}
	for _, l := range lists {
		if len(l.v) == 0 || len(l.v) > maxGrid {
			return fmt.Errorf("%s: %d values, want 1 to %d", l.name, len(l.v), maxGrid)
		}
		for _, x := range l.v {
			if math.IsNaN(x) || x > l.hi || x < l.lo || l.open && x == l.lo {
				open := "["
				if l.open {
					open = "("
				}
				return fmt.Errorf("%s: value %g outside %s%g, %g]", l.name, x, open, l.lo, l.hi)
			}
		}
	}
	// The b_a = 0 column of the b_a × λv maps reads the momentum sweep's variants (heatVariant).
	if slices.Contains(s.HeatStrengths, 0) {
		for _, lam := range s.HeatMomenta {
			if !slices.Contains(s.MomentumSweep, lam) {
				return fmt.Errorf("heat_momenta: value %g is not in momentum_sweep %v (the maps' b_a = 0 column replays the momentum sweep): add it there, or leave 0 out of heat_strengths", lam, s.MomentumSweep)
			}
		}
	}
	return nil
}

// validateRecipe checks the training recipe beyond the task's defaults: horizon, stops, turn-backs,
// end dwells.
func (s Size) validateRecipe() error {
	if s.Horizon != 0 && (s.Horizon < s.SeqLen || s.Horizon > training.MaxHorizon || s.Horizon%s.SeqLen != 0) {
		return fmt.Errorf("horizon=%d: must be 0 or a multiple of seq_len=%d in [%d, %d]", s.Horizon, s.SeqLen, s.SeqLen, training.MaxHorizon)
	}
	if err := (datasets.Stops{Rate: s.StopRate, Steps: s.StopSteps}).Validate(); err != nil {
		return err
	}
	if math.IsNaN(s.ReversalRate) || s.ReversalRate < 0 || s.ReversalRate >= 1 {
		return fmt.Errorf("reversal_rate=%g: must be in [0, 1)", s.ReversalRate)
	}
	if math.IsNaN(s.EndDwellSteps) || s.EndDwellSteps < 0 || s.EndDwellSteps > maxSteps {
		return fmt.Errorf("end_dwell_steps=%g: must be in [0, %d]", s.EndDwellSteps, maxSteps)
	}
	return nil
}

// validateMasks checks the masking grid, which must include no masking (the replaying networks').
func (s Size) validateMasks() error {
	if len(s.MaskKs) == 0 || len(s.MaskKs) > maxGrid {
		return fmt.Errorf("mask_ks: %d values, want 1 to %d", len(s.MaskKs), maxGrid)
	}
	hasNone := false
	for _, k := range s.MaskKs {
		if k < 0 || k > MaskNone {
			return fmt.Errorf("mask_ks: %d outside [0, %d]", k, MaskNone)
		}
		hasNone = hasNone || k == MaskNone
	}
	if !hasNone {
		return fmt.Errorf("mask_ks: must include none (s₀ only), the masking the replaying networks are trained at")
	}
	return nil
}

// setters returns the --set keys of a Size and the fields they change.
func (s *Size) setters() settings.Setters {
	floats := func(p *[]float64) func(string) error {
		return func(v string) error {
			var out []float64
			for _, f := range strings.Split(v, ",") {
				x, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
				if err != nil {
					return fmt.Errorf("want comma-separated numbers")
				}
				out = append(out, x)
			}
			*p = out
			return nil
		}
	}
	return settings.Setters{
		"tasks": func(v string) error {
			s.Tasks = nil
			for _, t := range strings.Split(v, ",") {
				s.Tasks = append(s.Tasks, strings.TrimSpace(t))
			}
			return nil
		},
		"networks":        settings.Int(&s.Networks, 2),
		"hidden":          settings.Int(&s.Hidden, 2),
		"place_hidden":    settings.Int(&s.PlaceHidden, 2),
		"place_cells":     settings.Int(&s.PlaceCells, 4),
		"train_steps":     settings.Int(&s.TrainSteps, 1),
		"place_steps":     settings.Int(&s.PlaceSteps, 1),
		"batch_size":      settings.Int(&s.BatchSize, 1),
		"seq_len":         settings.Int(&s.SeqLen, 2),
		"chains":          settings.Int(&s.Chains, 2),
		"burnin":          settings.Int(&s.Burnin, 0),
		"replay_steps":    settings.Int(&s.ReplaySteps, 10),
		"sweep_chains":    settings.Int(&s.SweepChains, 2),
		"sweep_steps":     settings.Int(&s.SweepSteps, 10),
		"leak_alpha":      settings.Float(&s.LeakAlpha),
		"noise_sd":        settings.Float(&s.NoiseSD),
		"horizon":         settings.Int(&s.Horizon, 0),
		"stop_rate":       settings.Float(&s.StopRate),
		"stop_steps":      settings.Float(&s.StopSteps),
		"reversal_rate":   settings.Float(&s.ReversalRate),
		"end_dwell_steps": settings.Float(&s.EndDwellSteps),
		"adapt_strength":  settings.Float(&s.AdaptStrength),
		"adapt_tau":       settings.Float(&s.AdaptTau),
		"adapt_form":      func(v string) error { s.AdaptForm = model.AdaptForm(v); return nil },
		"momentum":        settings.Float(&s.Momentum),
		"learning_rates":  floats(&s.LearningRates),
		"momentum_sweep":  floats(&s.MomentumSweep),
		"heat_strengths":  floats(&s.HeatStrengths),
		"heat_momenta":    floats(&s.HeatMomenta),
		"adapt_taus":      floats(&s.AdaptTaus),
		"noise_factors":   floats(&s.NoiseFactors),
		"mask_ks": func(v string) error {
			s.MaskKs = nil
			for _, f := range strings.Split(v, ",") {
				f = strings.TrimSpace(f)
				if f == "none" || f == "inf" || f == "∞" {
					s.MaskKs = append(s.MaskKs, MaskNone)
					continue
				}
				k, err := strconv.Atoi(f)
				if err != nil || k < 0 {
					return fmt.Errorf("want comma-separated integers ≥ 0 or none")
				}
				s.MaskKs = append(s.MaskKs, k)
			}
			return nil
		},
	}
}

// SetKeys lists the keys Set accepts.
func SetKeys() string { return (&Size{}).setters().Keys() }

// Set applies "key=value;key=value" overrides (GoMLX --set style; keys are the JSON names, see
// SetKeys; lists are comma-separated, and mask_ks takes "none" for MaskNone) and validates the
// result.
func (s *Size) Set(spec string) error {
	if err := s.setters().Apply(spec); err != nil {
		return err
	}
	return s.Validate()
}

// recipe describes the Size's training recipe beyond the default task and one window per path, ""
// when there is none.
func (s Size) recipe() string {
	var parts []string
	if s.Horizon > 0 {
		parts = append(parts, fmt.Sprintf("paths of %d steps in windows of %d (the state carried between windows)", s.Horizon, s.SeqLen))
	}
	if s.StopRate > 0 {
		parts = append(parts, fmt.Sprintf("stops begin with probability %g per step and last %g steps on average", s.StopRate, s.StopSteps))
	}
	if s.ReversalRate > 0 {
		parts = append(parts, fmt.Sprintf("turn-backs on the triangle with probability %g per step", s.ReversalRate))
	}
	if s.EndDwellSteps > 0 {
		parts = append(parts, fmt.Sprintf("%g extra steps on average at the T-maze's ends", s.EndDwellSteps))
	}
	return strings.Join(parts, "; ")
}
