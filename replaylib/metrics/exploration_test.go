package metrics

import (
	"math"
	"strings"
	"testing"

	"github.com/replaylab/replay/datasets"
	"github.com/replaylab/replay/geom"
)

// lGrid is an L-shaped environment on a grid of unit cells: cells (0,0), (1,0) and (0,1) are
// inside, (1,1) is in the bounding box but outside the environment.
func lGrid(t *testing.T) *geom.Grid {
	t.Helper()
	env, err := datasets.NewEnvironment("L", poly(0, 0, 2, 0, 2, 1, 1, 1, 1, 2, 0, 2), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	g, err := geom.NewGrid(env, 1)
	if err != nil || g.NumInside != 3 {
		t.Fatalf("grid %+v (%v), want 3 inside cells", g, err)
	}
	return g
}

func TestExplorationPerChain(t *testing.T) {
	g := lGrid(t)
	traj := [][]P{
		poly(0.5, 0.5, 1.5, 0.5, 0.5, 1.5),                     // one point in each inside cell
		poly(0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 1.5, 0.5, 1.5, 1.5), // 3:1 over two cells, one point in the outside cell
		poly(0.2, 0.2, 0.7, 0.9),                               // one cell
		poly(5, 5, 1.5, 1.5),                                   // never inside
	}
	e, err := ExplorationPerChain(g, traj)
	if err != nil {
		t.Fatal(err)
	}
	h31 := -(0.75*math.Log(0.75) + 0.25*math.Log(0.25)) // 0.5623
	want := ChainExploration{
		Coverage:          []float64{1, 2.0 / 3, 1.0 / 3, 0},
		Entropy:           []float64{math.Log(3), h31, 0, 0},
		NormalisedEntropy: []float64{1, h31 / math.Log(3), 0, 0},
		InsideFraction:    []float64{1, 0.8, 1, 0},
	}
	for c := range traj {
		for _, f := range []struct {
			name      string
			got, want float64
		}{
			{"coverage", e.Coverage[c], want.Coverage[c]},
			{"entropy", e.Entropy[c], want.Entropy[c]},
			{"normalised entropy", e.NormalisedEntropy[c], want.NormalisedEntropy[c]},
			{"inside fraction", e.InsideFraction[c], want.InsideFraction[c]},
		} {
			if math.Abs(f.got-f.want) > 1e-12 {
				t.Errorf("chain %d %s = %g, want %g", c, f.name, f.got, f.want)
			}
		}
	}
	env1, _ := datasets.NewEnvironment("cell", poly(0, 0, 1, 0, 1, 1, 0, 1), nil, nil)
	g1, _ := geom.NewGrid(env1, 1)
	for name, err := range map[string]error{
		"one-cell grid": second(ExplorationPerChain(g1, traj)),
		"nil grid":      second(ExplorationPerChain(nil, traj)),
		"NaN":           second(ExplorationPerChain(g, [][]P{poly(0, math.Inf(1))})),
	} {
		if err == nil {
			t.Errorf("%s accepted", name)
		}
	}
}

func TestOccupancyTV(t *testing.T) {
	g := lGrid(t)
	// Replay: cell (0,0) 2/4, (1,0) 1/4, outside cell (1,1) 1/4. Train: (0,0) 1/4, (0,1) 2/4, off the
	// grid 1/4 (same outside bin). TV = ½(0.25 + 0.25 + 0.5 + 0) = 0.5.
	replay := poly(0.5, 0.5, 0.2, 0.1, 1.5, 0.5, 1.5, 1.5)
	train := poly(0.5, 0.5, 0.5, 1.5, 0.3, 1.9, 5, 5)
	if tv, err := OccupancyTV(g, replay, train); err != nil || math.Abs(tv-0.5) > 1e-12 {
		t.Errorf("TV = %g (%v), want 0.5", tv, err)
	}
	if tv, _ := OccupancyTV(g, replay, replay[:2]); math.Abs(tv-0.5) > 1e-12 { // ½(0.5 + 0.25 + 0.25)
		t.Errorf("TV against all-in-(0,0) = %g, want 0.5", tv)
	}
	if tv, _ := OccupancyTV(g, poly(0.5, 0.5), poly(1.5, 0.5)); tv != 1 {
		t.Errorf("TV of disjoint occupancies = %g, want 1", tv)
	}
	if _, err := OccupancyTV(g, replay, poly(0, math.NaN())); err == nil || !strings.Contains(err.Error(), "train[0]") {
		t.Errorf("NaN training point: %v", err)
	}
	if _, err := OccupancyTV(g, nil, train); err == nil {
		t.Error("empty replay accepted")
	}
}

// The entropy is summed in a fixed order, so repeated calls agree bit for bit (results files of two
// runs must be byte-identical). A 20×20 grid with uneven counts makes the order matter.
func TestExplorationPerChainIsBitReproducible(t *testing.T) {
	env, err := datasets.NewEnvironment("square", poly(0, 0, 20, 0, 20, 20, 0, 20), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	g, err := geom.NewGrid(env, 1)
	if err != nil {
		t.Fatal(err)
	}
	var path []P
	for i := range 5000 {
		x := float64(i*7919%400) / 20
		path = append(path, P{X: x, Y: math.Mod(float64(i*i)*0.37, 20)})
	}
	first, err := ExplorationPerChain(g, [][]P{path})
	if err != nil {
		t.Fatal(err)
	}
	for range 30 {
		again, _ := ExplorationPerChain(g, [][]P{path})
		if math.Float64bits(again.Entropy[0]) != math.Float64bits(first.Entropy[0]) {
			t.Fatalf("entropy %v then %v: the sum depends on map order", first.Entropy[0], again.Entropy[0])
		}
	}
}
