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
