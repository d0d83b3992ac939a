package stats

import (
	"fmt"
	"math"
)

// Direction is the claimed sign of an effect A − B.
type Direction string

const (
	// Greater claims A − B > 0.
	Greater Direction = "greater"
	// Less claims A − B < 0.
	Less Direction = "less"
)

// sign is +1 for Greater, −1 for Less, 0 otherwise.
func (d Direction) sign() int {
	switch d {
	case Greater:
		return 1
	case Less:
		return -1
	}
	return 0
}

// Verdict is the three-valued outcome of a check or of a claim. It marshals to
// JSON as its string value: "held", "reversed" or "inconclusive".
type Verdict string

const (
	// Held means the test rejected H0 and the effect lies on the claimed side.
	Held Verdict = "held"
	// Reversed means the test rejected H0 and the effect lies on the opposite side.
	Reversed Verdict = "reversed"
	// Inconclusive means the test did not reject H0, or the estimate and the interval do not lie
	// together on one side of 0.
	Inconclusive Verdict = "inconclusive"
)

// Valid reports whether v is one of Held, Reversed, Inconclusive.
func (v Verdict) Valid() bool { return v == Held || v == Reversed || v == Inconclusive }

// UnmarshalText accepts only "held", "reversed" and "inconclusive", so that a
// report read back from JSON cannot carry a misspelt verdict.
func (v *Verdict) UnmarshalText(b []byte) error {
	w := Verdict(b)
	if !w.Valid() {
		return badInput("Verdict", fmt.Sprintf("%q", b), `must be "held", "reversed" or "inconclusive"`)
	}
	*v = w
	return nil
}

// Check is one directional comparison of a claim: the claim says the effect
// A − B lies in Direction; Estimate is its point estimate, [Lo, Hi] its
// confidence interval and P the two-sided p-value of H0: effect = 0. A test that
// gives no interval may pass Lo = Hi = Estimate.
type Check struct {
	Name      string    `json:"name"`
	Direction Direction `json:"direction"`
	Estimate  float64   `json:"estimate"`
	Lo        float64   `json:"lo"`
	Hi        float64   `json:"hi"`
	P         float64   `json:"p"`
}

// side is +1 when estimate and interval are both above 0, −1 when both are
// below 0, and 0 otherwise (interval touches 0, or they disagree).
func (c Check) side() int {
	switch {
	case c.Estimate > 0 && c.Lo > 0:
		return 1
	case c.Estimate < 0 && c.Hi < 0:
		return -1
	}
	return 0
}

func (c Check) validate(i int) error {
	field := func(name string) string { return fmt.Sprintf("checks[%d].%s", i, name) }
	if c.Direction.sign() == 0 {
		return badInput(field("Direction"), fmt.Sprintf("%q", c.Direction), `must be "greater" or "less"`)
	}
	for _, x := range []struct {
		name string
		v    float64
	}{{"Estimate", c.Estimate}, {"Lo", c.Lo}, {"Hi", c.Hi}} {
		if math.IsNaN(x.v) || math.IsInf(x.v, 0) {
			return badInput(field(x.name), x.v, "must be a finite number")
		}
	}
	if c.Lo > c.Hi {
		return badInput(field("Lo"), c.Lo, fmt.Sprintf("must not exceed Hi = %v", c.Hi))
	}
	if !(c.P >= 0 && c.P <= 1) {
		return badInput(field("P"), c.P, "a p-value must lie in [0, 1]")
	}
	return nil
}

// Decision is a Check with the outcome of the Holm procedure over its claim.
type Decision struct {
	Check
	// Threshold is the Holm level α/(m − i + 1) at this check's rank i.
	Threshold float64 `json:"threshold"`
	// AdjustedP is the Holm-adjusted p-value (see HolmAdjusted).
	AdjustedP float64 `json:"adjusted_p"`
	// Rejected says whether Holm rejected H0: effect = 0.
	Rejected bool    `json:"rejected"`
	Verdict  Verdict `json:"verdict"` // the check's verdict (see Decide)
}

// ClaimDecision is the outcome of one claim: the verdict of each check and the
// claim's verdict from them (see ClaimVerdict).
type ClaimDecision struct {
	Verdict Verdict    `json:"verdict"` // ClaimVerdict of the checks' verdicts
	Alpha   float64    `json:"alpha"`   // the family-wise level used
	Checks  []Decision `json:"checks"`  // in the order of the checks given to Decide
}

// DecideOptions configures Decide. The zero value asks for the defaults.
type DecideOptions struct {
	// Alpha is the family-wise error level over the claim's checks, in (0, 1);
	// 0 means DefaultAlpha.
	Alpha float64
}

// Decide runs Holm's step-down procedure over the checks of one claim at level
// opts.Alpha and gives each check its verdict: Held if H0 was rejected and the
// estimate and the whole interval lie on the claimed side of 0, Reversed if it
// was rejected and they lie on the other side, Inconclusive otherwise. The
// claim's verdict is ClaimVerdict of the checks' verdicts.
func Decide(checks []Check, opts DecideOptions) (ClaimDecision, error) {
	alpha := opts.Alpha
	if alpha == 0 {
		alpha = DefaultAlpha
	}
	if err := checkOpenUnit("DecideOptions.Alpha", alpha); err != nil {
		return ClaimDecision{}, err
	}
	if len(checks) == 0 {
		return ClaimDecision{}, badInput("len(checks)", 0, "a claim needs at least one check")
	}
	p := make([]float64, len(checks))
	for i, c := range checks {
		if err := c.validate(i); err != nil {
			return ClaimDecision{}, err
		}
		p[i] = c.P
	}
	rejected, err := Holm(p, alpha)
	if err != nil {
		return ClaimDecision{}, err
	}
	adjusted, err := HolmAdjusted(p)
	if err != nil {
		return ClaimDecision{}, err
	}
	m := len(checks)
	out := ClaimDecision{Alpha: alpha, Checks: make([]Decision, m)}
	verdicts := make([]Verdict, m)
	for i, k := range ascending(p) {
		c := checks[k]
		d := Decision{Check: c, Threshold: alpha / float64(m-i), AdjustedP: adjusted[k], Rejected: rejected[k], Verdict: Inconclusive}
		if s := c.side(); d.Rejected && s != 0 {
			if s == c.Direction.sign() {
				d.Verdict = Held
			} else {
				d.Verdict = Reversed
			}
		}
		out.Checks[k] = d
		verdicts[k] = d.Verdict
	}
	out.Verdict = ClaimVerdict(verdicts)
	return out, nil
}

// ClaimVerdict combines the verdicts of a claim's checks: Held if every check
// held, Reversed if at least one check reversed, Inconclusive otherwise
// (including for no checks, and for any value that is not a valid Verdict).
func ClaimVerdict(checks []Verdict) Verdict {
	if len(checks) == 0 {
		return Inconclusive
	}
	all := true
	for _, v := range checks {
		if v == Reversed {
			return Reversed
		}
		all = all && v == Held
	}
	if all {
		return Held
	}
	return Inconclusive
}
