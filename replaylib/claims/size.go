package claims

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
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

// setters maps --set keys to the fields they change.
var setters = map[string]func(s *Size, v string) error{
	"tasks":          func(s *Size, v string) error { s.Tasks = strings.Split(v, ","); return nil },
	"hidden":         intField(func(s *Size) *int { return &s.Hidden }, 1),
	"train_steps":    intField(func(s *Size) *int { return &s.TrainSteps }, 0),
	"batch_size":     intField(func(s *Size) *int { return &s.BatchSize }, 1),
	"seq_len":        intField(func(s *Size) *int { return &s.SeqLen }, 2),
	"chains":         intField(func(s *Size) *int { return &s.Chains }, 2),
	"replay_steps":   intField(func(s *Size) *int { return &s.ReplaySteps }, 10),
	"replay_seeds":   intField(func(s *Size) *int { return &s.ReplaySeeds }, 1),
	"leak_alpha":     floatField(func(s *Size) *float64 { return &s.LeakAlpha }),
	"noise_sd":       floatField(func(s *Size) *float64 { return &s.NoiseSD }),
	"adapt_strength": floatField(func(s *Size) *float64 { return &s.AdaptStrength }),
	"adapt_tau":      floatField(func(s *Size) *float64 { return &s.AdaptTau }),
	"momentum":       floatField(func(s *Size) *float64 { return &s.Momentum }),
	"mask_ks": func(s *Size, v string) error {
		s.MaskKs = nil
		for _, f := range strings.Split(v, ",") {
			k, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || k < 0 {
				return fmt.Errorf("mask_ks=%q: want comma-separated integers ≥ 0", v)
			}
			s.MaskKs = append(s.MaskKs, k)
		}
		return nil
	},
	"momentum_sweep": func(s *Size, v string) error {
		s.MomentumSweep = nil
		for _, f := range strings.Split(v, ",") {
			x, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
			if err != nil || !(x > 0 && x <= 1) {
				return fmt.Errorf("momentum_sweep=%q: want comma-separated values in (0, 1]", v)
			}
			s.MomentumSweep = append(s.MomentumSweep, x)
		}
		return nil
	},
}

func intField(get func(*Size) *int, minValue int) func(*Size, string) error {
	return func(s *Size, v string) error {
		x, err := strconv.Atoi(v)
		if err != nil || x < minValue {
			return fmt.Errorf("want an integer ≥ %d, got %q", minValue, v)
		}
		*get(s) = x
		return nil
	}
}

func floatField(get func(*Size) *float64) func(*Size, string) error {
	return func(s *Size, v string) error {
		x, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return fmt.Errorf("want a number, got %q", v)
		}
		*get(s) = x
		return nil
	}
}

// SetKeys lists the keys Set accepts.
func SetKeys() []string {
	keys := make([]string, 0, len(setters))
	for k := range setters {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Set applies "key=value;key=value" overrides (GoMLX --set style).
func (s *Size) Set(settings string) error {
	for _, kv := range strings.Split(settings, ";") {
		kv = strings.TrimSpace(kv)
		if kv == "" {
			continue
		}
		key, value, ok := strings.Cut(kv, "=")
		if !ok {
			return fmt.Errorf("--set %q: want key=value", kv)
		}
		set, known := setters[strings.TrimSpace(key)]
		if !known {
			return fmt.Errorf("--set %s: unknown key, want one of %s", key, strings.Join(SetKeys(), ", "))
		}
		if err := set(s, strings.TrimSpace(value)); err != nil {
			return fmt.Errorf("--set %s: %w", key, err)
		}
	}
	return nil
}
