package claims

import (
	"fmt"
	"math"

	"github.com/replaylab/replay/replaylib/model"
	"github.com/replaylab/replay/replaylib/replay"
)

// Families of replay variants.
const (
	FamilyCore     = "core"     // the variants the claims compare
	FamilyMomentum = "momentum" // claim 3's λ_v sweep
	FamilyHeat     = "heat"     // b_a × λ_v maps, per adaptation form
	FamilyForms    = "forms"    // adaptation forms × τ_a
	FamilyNoise    = "noise"    // σ_q/σ_train robustness
)

// Core variant names.
const (
	VariantBaseline      = "baseline"
	VariantMomentum      = "momentum"
	VariantMomentumFixed = "momentum (fixed σ)"
	VariantUntrained     = "untrained"
)

// VariantAdaptation is the adaptation variant of a form.
func VariantAdaptation(f model.AdaptForm) string { return variantAdaptation + "/" + string(f) }

// VariantBoth is the adaptation + momentum variant of a form.
func VariantBoth(f model.AdaptForm) string { return variantBoth + "/" + string(f) }

// Name stems of the core variants made once per adaptation form ("<stem>/<form>").
const (
	variantAdaptation = "adaptation"
	variantBoth       = "adaptation+momentum"
)

// CoreVariant is one row of the core variants every leaky network replays (the ones the checks
// compare, and their controls): which of the size's modifiers its cell turns on. Adding a core
// variant is one row; a check then names it through a Role.
type CoreVariant struct {
	// Name is the variant's name, or for a PerForm row the stem of "<stem>/<form>".
	Name string
	// PerForm makes one variant per adaptation form, with the size's b_a and τ_a.
	PerForm bool
	// Momentum sets λ_v to the size's momentum.
	Momentum bool
	// Noise is how σ_q scales with momentum ("" for the default, σ·√λ_v).
	Noise replay.NoiseConvention
	// Untrained replays an untrained network of the same architecture (a control).
	Untrained bool
}

// CoreVariants are the core variants, in the order a replay unit runs and reports them.
var CoreVariants = []CoreVariant{
	{Name: VariantBaseline},
	{Name: variantAdaptation, PerForm: true},
	{Name: VariantMomentum, Momentum: true},
	{Name: VariantMomentumFixed, Momentum: true, Noise: replay.NoiseFixed},
	{Name: variantBoth, PerForm: true, Momentum: true},
	{Name: VariantUntrained, Untrained: true},
}

// VariantSpec is one replay setting of a network.
type VariantSpec struct {
	Name        string                 `json:"name"`                // a core name (VariantBaseline, VariantAdaptation(f), …) or a sweep's
	Family      string                 `json:"family"`              // FamilyCore, FamilyMomentum, …
	Cell        model.CellParams       `json:"cell"`                // NoiseSD is σ_q before the noise convention
	Noise       replay.NoiseConvention `json:"noise"`               // how σ_q scales with momentum
	NoiseFactor float64                `json:"noise_factor"`        // σ_q/σ_train
	Chains      int                    `json:"chains"`              // Size.Chains for the core variants, else Size.SweepChains
	Steps       int                    `json:"steps"`               // T_q: Size.ReplaySteps for the core variants, else Size.SweepSteps
	Untrained   bool                   `json:"untrained,omitempty"` // replay an untrained network of the same architecture
	// Base is, in the noise family, the core variant this one repeats at another σ_q.
	Base string `json:"base,omitempty"`
}

// variants lists the replay variants of a network trained with cell (its α and σ_train):
// everything for the leaky condition; the baseline alone for α = 1 (claim 1 compares it).
func (s Size) variants(trained model.CellParams, leaky bool) []VariantSpec {
	base := trained
	base.NoiseSD = replay.DefaultNoiseFactor * trained.NoiseSD
	mk := func(name, family string, mod func(*model.CellParams)) VariantSpec {
		c := base
		if mod != nil {
			mod(&c)
		}
		v := VariantSpec{Name: name, Family: family, Cell: c, Noise: replay.NoiseSqrtMomentum,
			NoiseFactor: replay.DefaultNoiseFactor, Chains: s.Chains, Steps: s.ReplaySteps}
		if family != FamilyCore {
			v.Chains, v.Steps = s.SweepChains, s.SweepSteps
		}
		return v
	}
	if !leaky || s.GateOnly {
		return []VariantSpec{mk(VariantBaseline, FamilyCore, nil)}
	}
	out := s.coreVariants(mk)
	out = append(out, s.sweepVariants(mk)...)
	return append(out, s.noiseVariants(mk, out, trained)...)
}

// variantMaker makes a variant of a family from the trained cell changed by mod (nil: unchanged).
type variantMaker func(name, family string, mod func(*model.CellParams)) VariantSpec

// adaptWith sets a cell's adaptation: form f, strength b, time constant tau.
func adaptWith(f model.AdaptForm, b, tau float64) func(*model.CellParams) {
	return func(c *model.CellParams) { c.AdaptForm, c.AdaptStrength, c.AdaptTau = f, b, tau }
}

// coreVariants are the rows of CoreVariants, per-form rows once per adaptation form.
func (s Size) coreVariants(mk variantMaker) []VariantSpec {
	var out []VariantSpec
	for _, cv := range CoreVariants {
		forms := []model.AdaptForm{""}
		if cv.PerForm {
			forms = model.AdaptForms
		}
		for _, f := range forms {
			name := cv.Name
			if cv.PerForm {
				name += "/" + string(f)
			}
			v := mk(name, FamilyCore, func(c *model.CellParams) {
				if cv.PerForm {
					adaptWith(f, s.AdaptStrength, s.AdaptTau)(c)
				}
				if cv.Momentum {
					c.Momentum = s.Momentum
				}
			})
			if cv.Noise != "" {
				v.Noise = cv.Noise
			}
			v.Untrained = cv.Untrained
			out = append(out, v)
		}
	}
	return out
}

// sweepVariants are the λv sweep, the b_a × λv maps (per form; b_a = 0 is the sweep's) and the
// forms × τa grid.
func (s Size) sweepVariants(mk variantMaker) []VariantSpec {
	var out []VariantSpec
	for _, lam := range s.MomentumSweep {
		out = append(out, mk(sweepName(lam), FamilyMomentum, func(c *model.CellParams) { c.Momentum = lam }))
	}
	for _, f := range model.AdaptForms {
		for _, b := range s.HeatStrengths {
			if b == 0 {
				continue // no adaptation: the momentum sweep's variants (heatBand reads them)
			}
			for _, lam := range s.HeatMomenta {
				out = append(out, mk(heatName(f, b, lam), FamilyHeat, func(c *model.CellParams) {
					adaptWith(f, b, s.AdaptTau)(c)
					c.Momentum = lam
				}))
			}
		}
		for _, tau := range s.AdaptTaus {
			out = append(out, mk(formsName(f, tau), FamilyForms, adaptWith(f, s.AdaptStrength, tau)))
		}
	}
	return out
}

// noiseVariants repeat the reference form's core variants (from core) at each other replay noise.
func (s Size) noiseVariants(mk variantMaker, core []VariantSpec, trained model.CellParams) []VariantSpec {
	var out []VariantSpec
	robust := []string{VariantBaseline, VariantAdaptation(s.AdaptForm), VariantMomentum, VariantBoth(s.AdaptForm)}
	for _, factor := range s.NoiseFactors {
		if math.Abs(factor-replay.DefaultNoiseFactor) < 1e-9 {
			continue // the core variants themselves
		}
		for _, name := range robust {
			var c VariantSpec
			for _, v := range core {
				if v.Name == name {
					c = v
				}
			}
			v := mk(noiseName(factor, name), FamilyNoise, nil)
			v.Cell, v.Base, v.NoiseFactor = c.Cell, name, factor
			v.Cell.NoiseSD = factor * trained.NoiseSD
			out = append(out, v)
		}
	}
	return out
}

func sweepName(lam float64) string { return fmt.Sprintf("λv=%g", lam) }

// heatVariant is the variant holding the b_a × λv map's cell: without adaptation, the momentum
// sweep's variant at λv (when the sweep has that λv).
func heatVariant(f model.AdaptForm, b, lam float64) string {
	if b == 0 {
		return sweepName(lam)
	}
	return heatName(f, b, lam)
}

func heatName(f model.AdaptForm, b, lam float64) string {
	return fmt.Sprintf("heat/%s/ba=%g/λv=%g", f, b, lam)
}

func formsName(f model.AdaptForm, tau float64) string { return fmt.Sprintf("forms/%s/τa=%g", f, tau) }

func noiseName(factor float64, base string) string {
	return fmt.Sprintf("σq=%.3g·σ/%s", factor, base)
}

// replayConfig is the replay.Config of a variant for a network.
func (v VariantSpec) replayConfig(s Size, noiseSeed uint64) replay.Config {
	return replay.Config{Chains: v.Chains, Steps: v.Steps, Burnin: s.Burnin, StepsPerCall: replay.DefaultStepsPerCall,
		Cell: v.Cell, Noise: v.Noise, Seed: noiseSeed}
}
