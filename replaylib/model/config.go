package model

import (
	"fmt"
)

// AdaptForm says how the adaptation state a acts on the cell and what drives it. Every form
// updates a_{t+1} = a_t + (1/τ_a)(b_a·d_t − a_t) with its own drive d_t:
//
//	hidden    d_t = h_t,          a subtracted inside the ReLU (pre_t − a_t)
//	rate      d_t = ReLU(pre_t),  a subtracted inside the ReLU
//	relative  d_t = h_t − h̄_t,   a subtracted inside the ReLU; h̄ is a slow average of h,
//	          h̄_{t+1} = h̄_t + (1/τ_s)(h_t − h̄_t): recently activated units fatigue, a steady
//	          pattern is not damped (no global gain cut)
//	shunting  d_t = ReLU(pre_t),  a multiplies the leak: f_t = h_t + α(ReLU(pre_t) − (1 + a_t) h_t)
type AdaptForm string

// The adaptation forms.
const (
	AdaptHidden   AdaptForm = "hidden"
	AdaptRate     AdaptForm = "rate"
	AdaptRelative AdaptForm = "relative"
	AdaptShunting AdaptForm = "shunting"
)

// AdaptForms lists every adaptation form.
var AdaptForms = []AdaptForm{AdaptHidden, AdaptRate, AdaptRelative, AdaptShunting}

// subtractive reports whether a is subtracted inside the ReLU.
func (f AdaptForm) subtractive() bool {
	return f == AdaptHidden || f == AdaptRate || f == AdaptRelative
}

func (f AdaptForm) valid() bool {
	for _, g := range AdaptForms {
		if f == g {
			return true
		}
	}
	return false
}

// ReadoutKind says how outputs are compared with targets.
type ReadoutKind string

const (
	// ReadoutMSE compares outputs and targets by mean squared error (positions, 2D tasks).
	ReadoutMSE ReadoutKind = "mse"
	// ReadoutCrossEntropy compares softmax(y) with the place-cell target distribution by
	// cross-entropy (the outputs are logits).
	ReadoutCrossEntropy ReadoutKind = "xent"
)

// CellParams are the dynamical parameters of the cell. They are not weights: the same trained
// weights can run with other values at replay.
type CellParams struct {
	Alpha         float64   `json:"alpha"`          // leak α ∈ (0, 1]; 1 = no leak
	AdaptStrength float64   `json:"adapt_strength"` // b_a ≥ 0; 0 = no adaptation
	AdaptTau      float64   `json:"adapt_tau"`      // τ_a ≥ 1 steps
	AdaptForm     AdaptForm `json:"adapt_form"`     // how a acts and what drives it
	AdaptSlowTau  float64   `json:"adapt_slow_tau"` // τ_s ≥ 1 steps of the slow average h̄ (AdaptRelative)
	Momentum      float64   `json:"momentum"`       // λ_v ∈ (0, 1]; 1 = no momentum (first-order cell)
	NoiseSD       float64   `json:"noise_sd"`       // σ ≥ 0, s.d. of the noise added to h per step
}

// Documented defaults (docs/model.md gives the reasons).
const (
	DefaultHidden       = 128
	DefaultAlpha        = 1.0
	DefaultAdaptTau     = 5.0
	DefaultAdaptSlowTau = 50.0
	DefaultMomentum     = 1.0
	DefaultNoiseSD      = 0.03
	// MaxNoiseSD bounds σ: beyond it float32 states overflow within a few steps.
	MaxNoiseSD = 1e3
	// MaxAdaptStrength bounds b_a: a gain far beyond it only drives the state to ±Inf.
	MaxAdaptStrength = 100.0
	// MaxTau bounds the time constants τ_a and τ_s (steps).
	MaxTau = 1e6
	// RecurrentInitIdentity and RecurrentInitSD set W_rec's start, RecurrentInitIdentity·I +
	// N(0, RecurrentInitSD²/N): a leaky integrator with spectral radius ≈ 0.8. (A full identity
	// start, IRNN, sums every observation input and trained 10× slower here: 24% position error
	// after 300 steps against 2%.)
	RecurrentInitIdentity = 0.5
	RecurrentInitSD       = 0.3
	DefaultAdaptStrength  = 0.0
)

// DefaultCellParams is the training default: a plain ReLU cell with noise (α = 1: no leak; no
// adaptation; λ_v = 1: no momentum; σ = DefaultNoiseSD). The adaptation form is AdaptHidden and
// τ_a, τ_s their defaults, used once b_a is set.
func DefaultCellParams() CellParams {
	return CellParams{Alpha: DefaultAlpha, AdaptTau: DefaultAdaptTau, AdaptForm: AdaptHidden,
		AdaptSlowTau: DefaultAdaptSlowTau, Momentum: DefaultMomentum, NoiseSD: DefaultNoiseSD}
}

// Adapting reports whether the adaptation state is active.
func (c CellParams) Adapting() bool { return c.AdaptStrength != 0 }

// HasMomentum reports whether the momentum state is active.
func (c CellParams) HasMomentum() bool { return c.Momentum != 1 }

// Validate returns an error naming the first field out of its allowed range.
func (c CellParams) Validate() error {
	switch {
	case !(c.Alpha > 0 && c.Alpha <= 1):
		return fmt.Errorf("alpha=%g: leak must be in (0, 1]", c.Alpha)
	case !(c.AdaptStrength >= 0 && c.AdaptStrength <= MaxAdaptStrength):
		return fmt.Errorf("adapt_strength=%g: must be in [0, %g]", c.AdaptStrength, MaxAdaptStrength)
	case !(c.AdaptTau >= 1 && c.AdaptTau <= MaxTau):
		return fmt.Errorf("adapt_tau=%g: must be in [1, %g] steps", c.AdaptTau, MaxTau)
	case !c.AdaptForm.valid():
		return fmt.Errorf("adapt_form=%q: must be one of %v", c.AdaptForm, AdaptForms)
	case !(c.AdaptSlowTau >= 1 && c.AdaptSlowTau <= MaxTau):
		return fmt.Errorf("adapt_slow_tau=%g: must be in [1, %g] steps", c.AdaptSlowTau, MaxTau)
	case !(c.Momentum > 0 && c.Momentum <= 1):
		return fmt.Errorf("momentum=%g: λv must be in (0, 1]", c.Momentum)
	case !(c.NoiseSD >= 0 && c.NoiseSD <= MaxNoiseSD):
		return fmt.Errorf("noise_sd=%g: must be in [0, %g]", c.NoiseSD, MaxNoiseSD)
	}
	return nil
}

// Config is the architecture: sizes, readout and the cell's parameters during training.
type Config struct {
	Hidden    int         `json:"hidden"`     // N
	InputDim  int         `json:"input_dim"`  // velocity + masked observation
	ObsDim    int         `json:"obs_dim"`    // encoder input s_0
	OutputDim int         `json:"output_dim"` // readout size
	Readout   ReadoutKind `json:"readout"`    // the training loss, and so what the outputs mean
	Cell      CellParams  `json:"cell"`       // the cell's values during training
}

// Validate returns an error naming the first field out of its allowed range.
func (c Config) Validate() error {
	switch {
	case c.Hidden < 1:
		return fmt.Errorf("hidden=%d: must be ≥ 1", c.Hidden)
	case c.InputDim < 1:
		return fmt.Errorf("input_dim=%d: must be ≥ 1", c.InputDim)
	case c.ObsDim < 1:
		return fmt.Errorf("obs_dim=%d: must be ≥ 1", c.ObsDim)
	case c.OutputDim < 1:
		return fmt.Errorf("output_dim=%d: must be ≥ 1", c.OutputDim)
	case c.Readout != ReadoutMSE && c.Readout != ReadoutCrossEntropy:
		return fmt.Errorf("readout=%q: must be %q or %q", c.Readout, ReadoutMSE, ReadoutCrossEntropy)
	}
	return c.Cell.Validate()
}
