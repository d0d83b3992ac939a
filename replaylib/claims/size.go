package claims

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/replaylab/replay/replaylib/settings"
)

// Size is the budget of a reproduction run.
type Size struct {
	Name          string    `json:"name"`
	Tasks         []string  `json:"tasks"`
	Hidden        int       `json:"hidden"`
	TrainSteps    int       `json:"train_steps"`
	BatchSize     int       `json:"batch_size"`
	SeqLen        int       `json:"seq_len"`
	MaskKs        []int     `json:"mask_ks"`    // masking difficulties for claim 1's training sweep
	LeakAlpha     float64   `json:"leak_alpha"` // α of the leaky model (the other has α = 1)
	NoiseSD       float64   `json:"noise_sd"`   // σ during training
	Chains        int       `json:"chains"`
	ReplaySteps   int       `json:"replay_steps"`
	ReplaySeeds   int       `json:"replay_seeds"` // spread over replay seeds
	AdaptStrength float64   `json:"adapt_strength"`
	AdaptTau      float64   `json:"adapt_tau"`
	Momentum      float64   `json:"momentum"`       // λ_v of the momentum variant
	MomentumSweep []float64 `json:"momentum_sweep"` // λ_v values of the sweep
}

// Quick finishes in about 10–15 minutes on 2 cores with simplego.
func Quick() Size {
	return Size{Name: "quick", Tasks: []string{"triangle", "tmaze"}, Hidden: 128, TrainSteps: 1500, BatchSize: 32, SeqLen: 50,
		MaskKs: []int{9, 50}, LeakAlpha: 0.2, NoiseSD: 0.03, Chains: 256, ReplaySteps: 1000, ReplaySeeds: 2,
		AdaptStrength: 0.5, AdaptTau: 5, Momentum: 0.7, MomentumSweep: []float64{1, 0.9, 0.8, 0.7, 0.6}}
}

// Full is paper-sized (for XLA on a GPU).
func Full() Size {
	s := Quick()
	s.Name, s.Hidden, s.TrainSteps, s.BatchSize, s.SeqLen = "full", 512, 5000, 200, 100
	s.MaskKs = []int{0, 4, 19, 100}
	s.Chains, s.ReplaySteps, s.ReplaySeeds = 512, 2000, 5
	return s
}

// Tiny is for tests: seconds, not minutes.
func Tiny() Size {
	s := Quick()
	s.Name, s.Hidden, s.TrainSteps, s.BatchSize, s.SeqLen = "tiny", 24, 60, 8, 16
	s.MaskKs = []int{16}
	s.Chains, s.ReplaySteps, s.ReplaySeeds = 16, 60, 2
	s.MomentumSweep = []float64{1, 0.7}
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

// setters returns the --set keys of a Size and the fields they change.
func (s *Size) setters() settings.Setters {
	return settings.Setters{
		"tasks":          func(v string) error { s.Tasks = strings.Split(v, ","); return nil },
		"hidden":         settings.Int(&s.Hidden, 1),
		"train_steps":    settings.Int(&s.TrainSteps, 0),
		"batch_size":     settings.Int(&s.BatchSize, 1),
		"seq_len":        settings.Int(&s.SeqLen, 2),
		"chains":         settings.Int(&s.Chains, 2),
		"replay_steps":   settings.Int(&s.ReplaySteps, 10),
		"replay_seeds":   settings.Int(&s.ReplaySeeds, 1),
		"leak_alpha":     settings.Float(&s.LeakAlpha),
		"noise_sd":       settings.Float(&s.NoiseSD),
		"adapt_strength": settings.Float(&s.AdaptStrength),
		"adapt_tau":      settings.Float(&s.AdaptTau),
		"momentum":       settings.Float(&s.Momentum),
		"mask_ks": func(v string) error {
			s.MaskKs = nil
			for _, f := range strings.Split(v, ",") {
				k, err := strconv.Atoi(strings.TrimSpace(f))
				if err != nil || k < 0 {
					return fmt.Errorf("want comma-separated integers ≥ 0")
				}
				s.MaskKs = append(s.MaskKs, k)
			}
			return nil
		},
		"momentum_sweep": func(v string) error {
			s.MomentumSweep = nil
			for _, f := range strings.Split(v, ",") {
				x, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
				if err != nil || !(x > 0 && x <= 1) {
					return fmt.Errorf("want comma-separated values in (0, 1]")
				}
				s.MomentumSweep = append(s.MomentumSweep, x)
			}
			return nil
		},
	}
}

// SetKeys lists the keys Set accepts.
func SetKeys() string { return (&Size{}).setters().Keys() }

// Set applies "key=value;key=value" overrides (GoMLX --set style).
func (s *Size) Set(spec string) error { return s.setters().Apply(spec) }
