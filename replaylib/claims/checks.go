package claims

import (
	"fmt"
	"strings"

	"github.com/replaylab/replay/replaylib/metrics"
	"github.com/replaylab/replay/replaylib/model"
	"github.com/replaylab/replay/replaylib/stats"
)

// The protocol's claims and checks as data: judge decides them, the report and the notebooks show
// what judge made of them, and docs/claims.md holds CheckTableMarkdown (a test keeps it current).
// Adding a check is one row of Checks.

// Role is one side of a check, in the claim's words: a core variant of the leak networks (its
// CoreVariants name; a per-form one is the claim's form's), or a training condition.
type Role string

const (
	RoleLeak       Role = "leak"            // the leak networks (claim 1)
	RoleNoLeak     Role = "no leak"         // the networks trained without leak (claim 1)
	RoleBaseline   Role = VariantBaseline   // the leak networks' baseline replay
	RoleAdaptation Role = variantAdaptation // adaptation of the claim's form
	RoleMomentum   Role = VariantMomentum   // momentum alone
	RoleBoth       Role = variantBoth       // adaptation of the claim's form with momentum
)

// Source says where a check's values come from.
type Source string

const (
	// SourceVariants: two replay variants of the leak networks, compared network by network under
	// common random numbers (and chain by chain in the bootstrap, for per-chain metrics).
	SourceVariants Source = "variants"
	// SourceConditions: the baseline replay of the leak and the no-leak networks, paired by index
	// (the same seeds).
	SourceConditions Source = "conditions"
	// SourceTraining: a training metric of the leak and the no-leak networks, each condition at its
	// own learning rate, one check per masking k of the size.
	SourceTraining Source = "training"
)

// Check is one row of the protocol: the claim it belongs to, what is compared and in which
// direction. Its statement (CheckResult.Statement) is "<Name>: <A> <op> <B>", with the masking k
// after the name for training checks and the margin after B for non-inferiority checks.
type Check struct {
	Claim  int
	Name   string // what is measured, in words: "coverage per chain"
	Doc    string // what docs/claims.md adds to the name ("" for nothing)
	Metric string // a metrics.Catalog key
	A, B   Role
	Source Source
	// Direction is the claimed sign of A − B − Margin·B.
	Direction stats.Direction
	// Margin, relative to B (non-inferiority checks; 0 for none): the check asks A − (1 + Margin)·B
	// to lie in Direction.
	Margin float64
	// Abs compares |value| (the residual autocorrelation, whose sign is not the claim).
	Abs bool
}

// Claim is one claim of the protocol: its title and whether it is judged once per adaptation form.
type Claim struct {
	ID      int
	Short   string // the claim in a word or two, as the docs' check table names it
	PerForm bool   // judged once per adaptation form (claims 2 and 4); the size's form is primary
	// Title is the claim in words, with the size's values where it names them.
	Title func(Size) string
	// Theory is the docs' description of a claim decided exactly by the theory (claim 5), which
	// has no rows in Checks.
	Theory string
}

// claim4Tolerance is the tolerance of claim 4's Pareto condition, relative to the value compared
// with: speed back to within 10 % of the baseline's, coverage kept within 10 % of adaptation's.
const claim4Tolerance = 0.10

// Claims are the protocol's claims, in the order the report gives them.
var Claims = []Claim{
	{ID: 1, Short: "leak", Title: func(s Size) string {
		return fmt.Sprintf("Leak (α=%g): better, faster training under masking; replay closer to the data", s.LeakAlpha)
	}},
	{ID: 2, Short: "adaptation", PerForm: true, Title: func(Size) string {
		return "Adaptation: more exploration, slower replay, non-Markov"
	}},
	{ID: 3, Short: "momentum", Title: func(s Size) string {
		return fmt.Sprintf("Momentum (λv=%g, noise σ·√λv): faster, temporally compressed replay", s.Momentum)
	}},
	{ID: 4, Short: "adaptation + momentum", PerForm: true, Title: func(Size) string {
		return "Adaptation + momentum: exploration kept, speed restored"
	}},
	{ID: 5, Short: "theory", Theory: "the OU score slope changes by > 10 %; the mixture score's affine fit has R² < 0.99; the best constant leak is positive"},
}

// Checks are the protocol's checks, by claim; within a claim, in the order Holm's correction and
// the report list them.
var Checks = []Check{
	{Claim: 1, Name: "final position error", Doc: "each condition at its own learning rate", Metric: metrics.KeyFinalError, A: RoleLeak, B: RoleNoLeak, Source: SourceTraining, Direction: stats.Less},
	{Claim: 1, Name: "area under the error curve", Metric: metrics.KeyErrorAUC, A: RoleLeak, B: RoleNoLeak, Source: SourceTraining, Direction: stats.Less},
	{Claim: 1, Name: "replay W1 to training positions", Doc: "the two conditions' baseline replays", Metric: metrics.KeyW1, A: RoleLeak, B: RoleNoLeak, Source: SourceConditions, Direction: stats.Less},

	{Claim: 2, Name: "coverage per chain", Metric: metrics.KeyChainCoverage, A: RoleAdaptation, B: RoleBaseline, Source: SourceVariants, Direction: stats.Greater},
	{Claim: 2, Name: "occupancy entropy per chain", Metric: metrics.KeyChainEntropy, A: RoleAdaptation, B: RoleBaseline, Source: SourceVariants, Direction: stats.Greater},
	{Claim: 2, Name: "restricted mean reach time", Doc: "slower", Metric: metrics.KeyReachRMST, A: RoleAdaptation, B: RoleBaseline, Source: SourceVariants, Direction: stats.Greater},
	{Claim: 2, Name: "|residual autocorrelation|", Doc: "non-Markov", Metric: metrics.KeyResidualAC, A: RoleAdaptation, B: RoleBaseline, Source: SourceVariants, Direction: stats.Greater, Abs: true},

	{Claim: 3, Name: "restricted mean reach time", Metric: metrics.KeyReachRMST, A: RoleMomentum, B: RoleBaseline, Source: SourceVariants, Direction: stats.Less},
	{Claim: 3, Name: "progress along the track per step", Metric: metrics.KeyProgress, A: RoleMomentum, B: RoleBaseline, Source: SourceVariants, Direction: stats.Greater},
	{Claim: 3, Name: fmt.Sprintf("net displacement at %d steps", displacementLag), Metric: metrics.KeyDisplacement, A: RoleMomentum, B: RoleBaseline, Source: SourceVariants, Direction: stats.Greater},

	{Claim: 4, Name: "restricted mean reach time", Doc: "against adaptation alone", Metric: metrics.KeyReachRMST, A: RoleBoth, B: RoleAdaptation, Source: SourceVariants, Direction: stats.Less},
	{Claim: 4, Name: "restricted mean reach time", Doc: "non-inferiority: back to within 10 % of the baseline's", Metric: metrics.KeyReachRMST, A: RoleBoth, B: RoleBaseline, Source: SourceVariants, Direction: stats.Less, Margin: claim4Tolerance},
	{Claim: 4, Name: "coverage per chain", Doc: "non-inferiority: kept within 10 % of adaptation's", Metric: metrics.KeyChainCoverage, A: RoleBoth, B: RoleAdaptation, Source: SourceVariants, Direction: stats.Greater, Margin: -claim4Tolerance},
}

// ChecksOf returns the rows of Checks of one claim, in order.
func ChecksOf(claim int) []Check {
	var out []Check
	for _, c := range Checks {
		if c.Claim == claim {
			out = append(out, c)
		}
	}
	return out
}

// op is the comparison a direction claims, as statements write it.
func op(d stats.Direction) string {
	if d == stats.Less {
		return "<"
	}
	return ">"
}

// Statement is the check in words for masking k (training checks; ignored otherwise):
// "coverage per chain: adaptation > baseline", "final position error, k=∞: leak < no leak",
// "restricted mean reach time: adaptation+momentum < baseline + 10%".
func (c Check) Statement(k int) string {
	name := c.Name
	if c.Source == SourceTraining {
		name += ", k=" + MaskName(k)
	}
	s := fmt.Sprintf("%s: %s %s %s", name, c.A, op(c.Direction), c.B)
	switch {
	case c.Margin > 0:
		s += fmt.Sprintf(" + %g%%", 100*c.Margin)
	case c.Margin < 0:
		s += fmt.Sprintf(" − %g%%", -100*c.Margin)
	}
	return s
}

// variant is the replay variant a role names for adaptation form f: the core variant of that name
// (its form's, for a per-form one), or for a training condition its baseline replay.
func (r Role) variant(f model.AdaptForm) string {
	for _, cv := range CoreVariants {
		if cv.Name == string(r) {
			if cv.PerForm {
				return cv.Name + "/" + string(f)
			}
			return cv.Name
		}
	}
	return VariantBaseline
}

// spec is the check as judge measures it, for adaptation form f and masking k.
func (c Check) spec(f model.AdaptForm, k int) checkSpec {
	sp := checkSpec{statement: c.Statement(k), metric: c.Metric, a: c.A.variant(f), b: c.B.variant(f),
		dir: c.Direction, margin: c.Margin, abs: c.Abs, source: c.Source}
	if c.Source == SourceTraining {
		sp.training = "k=" + MaskName(k)
	}
	return sp
}

// specs are the checks of claim cl as judge measures them on one task: for adaptation form f, and
// training checks once per masking k of s (each k's checks together, in row order).
func (cl Claim) specs(s Size, f model.AdaptForm) []checkSpec {
	var out []checkSpec
	rows := ChecksOf(cl.ID)
	for _, k := range s.MaskKs {
		for _, c := range rows {
			if c.Source == SourceTraining {
				out = append(out, c.spec(f, k))
			}
		}
	}
	for _, c := range rows {
		if c.Source != SourceTraining {
			out = append(out, c.spec(f, 0))
		}
	}
	return out
}

// CheckTableMarkdown is the protocol's check table as docs/claims.md holds it: one row per check,
// the claim named on its first row, and claim 5's exact tests.
func CheckTableMarkdown() string {
	var b strings.Builder
	b.WriteString("| claim | check | metric | direction |\n|---|---|---|---|\n")
	for _, cl := range Claims {
		claim := fmt.Sprintf("%d %s", cl.ID, cl.Short)
		if cl.PerForm {
			claim += " (per form)"
		}
		if cl.Theory != "" {
			fmt.Fprintf(&b, "| %s | %s | exact | — |\n", claim, cl.Theory)
			continue
		}
		for _, c := range ChecksOf(cl.ID) {
			check := c.Name
			var notes []string
			if c.Source == SourceTraining {
				notes = append(notes, "at each masking k")
			}
			if c.Doc != "" {
				notes = append(notes, c.Doc)
			}
			if len(notes) > 0 {
				check += " (" + strings.Join(notes, "; ") + ")"
			}
			dir := fmt.Sprintf("%s %s %s", c.A, op(c.Direction), c.B)
			if c.Margin != 0 {
				dir = fmt.Sprintf("%s %s %g × %s", c.A, op(c.Direction), 1+c.Margin, c.B)
			}
			fmt.Fprintf(&b, "| %s | %s | `%s` | %s |\n", claim, tableCell(check), c.Metric, dir)
			claim = fmt.Sprint(cl.ID)
		}
	}
	return b.String()
}
