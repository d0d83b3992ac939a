package jsonsafe

import (
	"encoding/json"
	"math"
	"testing"
)

type inner struct {
	X float64 `json:"x"`
	Y float32
}

type outer struct {
	A      float64            `json:"a"`
	List   []float64          `json:"list"`
	Map    map[string]float64 `json:"map"`
	In     *inner             `json:"in"`
	Any    any                `json:"any"`
	hidden float64
	Skip   float64 `json:"-"`
}

func TestNonFiniteBecomeNull(t *testing.T) {
	v := outer{A: math.NaN(), List: []float64{1, math.Inf(1)}, Map: map[string]float64{"k": math.Inf(-1), "ok": 2},
		In: &inner{X: 3, Y: float32(math.NaN())}, Any: []any{math.NaN(), "s"}, hidden: 5}
	raw, err := MarshalIndent(v, "", "")
	if err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatalf("%s: %v", raw, err)
	}
	want := `{"a":null,"list":[1,null],"map":{"k":null,"ok":2},"in":{"x":3,"Y":null},"any":[null,"s"]}`
	compact, _ := json.Marshal(back)
	var w map[string]any
	json.Unmarshal([]byte(want), &w)
	wantCompact, _ := json.Marshal(w)
	if string(compact) != string(wantCompact) {
		t.Errorf("got %s, want %s", compact, wantCompact)
	}
	if v.List[1] != math.Inf(1) || !math.IsNaN(v.A) {
		t.Error("the original was modified")
	}
}

// TestUnmarshalReadsNullsAsNaN: what MarshalIndent wrote as null comes back as NaN (in struct
// fields, embedded structs, pointers, maps and slices), while a missing field, a null slice and
// finite numbers read as encoding/json reads them.
func TestUnmarshalReadsNullsAsNaN(t *testing.T) {
	type Inner struct {
		X float64 `json:"x"`
	}
	type Embedded struct {
		E float32 `json:"e"`
	}
	type Record struct {
		Embedded
		A      float64            `json:"a"`
		B      float64            `json:"b,omitempty"`
		P      *float64           `json:"p"`
		Values map[string]float64 `json:"values"`
		List   []float64          `json:"list"`
		Nested []Inner            `json:"nested"`
		ByKey  map[string]Inner   `json:"by_key"`
		Empty  []float64          `json:"empty"`
	}
	one := 1.0
	in := Record{Embedded: Embedded{E: float32(math.NaN())}, A: math.NaN(), P: &one,
		Values: map[string]float64{"u": math.Inf(1), "v": 2}, List: []float64{3, math.NaN()},
		Nested: []Inner{{X: math.NaN()}, {X: 4}}, ByKey: map[string]Inner{"k": {X: math.NaN()}}}
	raw, err := MarshalIndent(in, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	var out Record
	if err := Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	nan := func(x float64) bool { return math.IsNaN(x) }
	if !nan(out.A) || !nan(float64(out.E)) || !nan(out.Values["u"]) || out.Values["v"] != 2 || out.List[0] != 3 || !nan(out.List[1]) ||
		!nan(out.Nested[0].X) || out.Nested[1].X != 4 || !nan(out.ByKey["k"].X) {
		t.Errorf("read back %+v from %s", out, raw)
	}
	if out.B != 0 || out.P == nil || *out.P != 1 || out.Empty != nil {
		t.Errorf("omitted, pointer or null slice: B %g, P %v, Empty %v", out.B, out.P, out.Empty)
	}
	if err := Unmarshal([]byte(`{"a": "text"}`), &out); err == nil {
		t.Error("a string for a float was accepted")
	}
}
