package stats

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
)

// greater is a check of "A − B > 0" with the given estimate, interval and p.
func greater(name string, est, lo, hi, p float64) Check {
	return Check{Name: name, Direction: Greater, Estimate: est, Lo: lo, Hi: hi, P: p}
}

func TestDecideHand(t *testing.T) {
	cases := []struct {
		name   string
		checks []Check
		want   []Verdict
		claim  Verdict
	}{
		{"all held", // 0.001 ≤ 0.025, 0.01 ≤ 0.05
			[]Check{greater("a", 1, 0.5, 1.5, 0.001), greater("b", 0.2, 0.05, 0.4, 0.01)},
			[]Verdict{Held, Held}, Held},
		{"one reversed", // claimed Less, effect clearly positive; the other check is not rejected
			[]Check{{Name: "a", Direction: Less, Estimate: 1, Lo: 0.5, Hi: 1.5, P: 0.001}, greater("b", 0.1, -0.2, 0.4, 0.5)},
			[]Verdict{Reversed, Inconclusive}, Reversed},
		{"held and reversed", // a reversed check outweighs a held one
			[]Check{greater("a", 1, 0.5, 1.5, 0.001), greater("b", -1, -1.5, -0.5, 0.002)},
			[]Verdict{Held, Reversed}, Reversed},
		{"held and not rejected",
			[]Check{greater("a", 1, 0.5, 1.5, 0.001), greater("b", 0.1, -0.2, 0.4, 0.2)},
			[]Verdict{Held, Inconclusive}, Inconclusive},
		{"Holm stops", // p = 0.01, 0.04, 0.03: only 0.01 is rejected although 0.04 < 0.05 and 0.03 < 0.05
			[]Check{greater("a", 1, 0.2, 2, 0.01), greater("b", 1, 0.2, 2, 0.04), greater("c", 1, 0.2, 2, 0.03)},
			[]Verdict{Held, Inconclusive, Inconclusive}, Inconclusive},
		{"interval touches 0", // rejected, but the interval reaches 0: not on either side
			[]Check{greater("a", 1, 0, 2, 0.001)},
			[]Verdict{Inconclusive}, Inconclusive},
		{"estimate and interval disagree",
			[]Check{greater("a", 0.1, -2, -1, 0.001)},
			[]Verdict{Inconclusive}, Inconclusive},
		{"point interval", // a test without an interval passes Lo = Hi = Estimate
			[]Check{{Name: "a", Direction: Less, Estimate: -3, Lo: -3, Hi: -3, P: 0.004}},
			[]Verdict{Held}, Held},
	}
	for _, c := range cases {
		d, err := Decide(c.checks, DecideOptions{})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if d.Alpha != DefaultAlpha || len(d.Checks) != len(c.checks) {
			t.Fatalf("%s: alpha %v, %d decisions", c.name, d.Alpha, len(d.Checks))
		}
		for i, w := range c.want {
			if d.Checks[i].Name != c.checks[i].Name || d.Checks[i].Verdict != w {
				t.Errorf("%s: check %s: %s, want %s", c.name, d.Checks[i].Name, d.Checks[i].Verdict, w)
			}
		}
		if d.Verdict != c.claim {
			t.Errorf("%s: claim %s, want %s", c.name, d.Verdict, c.claim)
		}
	}
}

func TestDecideThresholds(t *testing.T) {
	checks := []Check{greater("a", 1, 0.2, 2, 0.01), greater("b", 1, 0.2, 2, 0.04), greater("c", 1, 0.2, 2, 0.03)}
	d, err := Decide(checks, DecideOptions{Alpha: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	// α = 0.1: ranks a (1), c (2), b (3) → thresholds 0.1/3, 0.1/2, 0.1; all rejected.
	// Adjusted: 0.03, max(0.03, 0.06) = 0.06, max(0.06, 0.04) = 0.06.
	want := []struct{ thr, adj float64 }{{0.1 / 3, 0.03}, {0.1, 0.06}, {0.05, 0.06}}
	for i, w := range want {
		c := d.Checks[i]
		if math.Abs(c.Threshold-w.thr) > 1e-15 || math.Abs(c.AdjustedP-w.adj) > 1e-15 || !c.Rejected || c.Verdict != Held {
			t.Errorf("check %s: %+v, want threshold %v adjusted %v, held", c.Name, c, w.thr, w.adj)
		}
	}
	if d.Verdict != Held || d.Alpha != 0.1 {
		t.Errorf("claim %s at α %v, want held at 0.1", d.Verdict, d.Alpha)
	}
}

func TestClaimVerdict(t *testing.T) {
	cases := []struct {
		in   []Verdict
		want Verdict
	}{
		{nil, Inconclusive},
		{[]Verdict{Held}, Held},
		{[]Verdict{Held, Held, Held}, Held},
		{[]Verdict{Held, Inconclusive}, Inconclusive},
		{[]Verdict{Inconclusive, Inconclusive}, Inconclusive},
		{[]Verdict{Held, Reversed}, Reversed},
		{[]Verdict{Inconclusive, Reversed, Held}, Reversed},
		{[]Verdict{Held, "bogus"}, Inconclusive},
	}
	for _, c := range cases {
		if got := ClaimVerdict(c.in); got != c.want {
			t.Errorf("ClaimVerdict(%v) = %s, want %s", c.in, got, c.want)
		}
	}
}

func TestVerdictJSON(t *testing.T) {
	d, err := Decide([]Check{greater("w1", 1, 0.5, 1.5, 0.001)}, DecideOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"verdict":"held"`, `"direction":"greater"`, `"name":"w1"`, `"rejected":true`, `"adjusted_p":0.001`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON %s lacks %s", b, want)
		}
	}
	for v, want := range map[Verdict]string{Held: `"held"`, Reversed: `"reversed"`, Inconclusive: `"inconclusive"`} {
		b, _ := json.Marshal(v)
		if string(b) != want {
			t.Errorf("json.Marshal(%v) = %s, want %s", v, b, want)
		}
		var back Verdict
		if err := json.Unmarshal(b, &back); err != nil || back != v {
			t.Errorf("round trip of %s: %v, %v", b, back, err)
		}
	}
	var back ClaimDecision
	if err := json.Unmarshal(b, &back); err != nil || back.Verdict != Held || back.Checks[0].Verdict != Held {
		t.Errorf("ClaimDecision round trip: %+v, %v", back, err)
	}
	var v Verdict
	if err := json.Unmarshal([]byte(`"maybe"`), &v); err == nil || !strings.Contains(err.Error(), "held") {
		t.Errorf(`unmarshal "maybe": err = %v, want a message listing the allowed values`, err)
	}
}

func TestDecideBadInput(t *testing.T) {
	ok := greater("a", 1, 0.5, 1.5, 0.01)
	with := func(f func(*Check)) []Check { c := ok; f(&c); return []Check{ok, c} }
	cases := []struct {
		name, field string
		checks      []Check
		opts        DecideOptions
	}{
		{"no checks", "len(checks)", nil, DecideOptions{}},
		{"alpha", "DecideOptions.Alpha", []Check{ok}, DecideOptions{Alpha: 1.5}},
		{"alpha NaN", "DecideOptions.Alpha", []Check{ok}, DecideOptions{Alpha: math.NaN()}},
		{"direction", "checks[1].Direction", with(func(c *Check) { c.Direction = "" }), DecideOptions{}},
		{"NaN estimate", "checks[1].Estimate", with(func(c *Check) { c.Estimate = math.NaN() }), DecideOptions{}},
		{"Inf hi", "checks[1].Hi", with(func(c *Check) { c.Hi = math.Inf(1) }), DecideOptions{}},
		{"lo above hi", "checks[1].Lo", with(func(c *Check) { c.Lo = 2 }), DecideOptions{}},
		{"p above 1", "checks[1].P", with(func(c *Check) { c.P = 2 }), DecideOptions{}},
		{"p NaN", "checks[1].P", with(func(c *Check) { c.P = math.NaN() }), DecideOptions{}},
	}
	for _, c := range cases {
		_, err := Decide(c.checks, c.opts)
		if !errors.Is(err, ErrBadInput) || !strings.Contains(err.Error(), c.field) {
			t.Errorf("%s: err = %v, want ErrBadInput naming %q", c.name, err, c.field)
		}
	}
}
