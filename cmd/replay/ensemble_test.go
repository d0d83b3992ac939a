package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReproduceEnsemblesTrainTheSameNetworks: with --ensembles the tiny reproduction trains each
// condition's two networks as one ensemble and writes the same training units as a run that trains
// them alone: the same IDs, learning curves whose evaluations agree within float32 rounding at the
// start (1e-5) and stay within 1e-3 over the tiny run's 60 steps.
func TestReproduceEnsemblesTrainTheSameNetworks(t *testing.T) {
	together, alone := t.TempDir(), t.TempDir()
	code, out, errOut := runCLI(t, "reproduce", "--size", "tiny", "--only", "train", "--ensembles", "--out", together)
	if code != 0 {
		t.Fatalf("--ensembles: exit %d: %s %s", code, out, errOut)
	}
	if n := strings.Count(out, "as one ensemble"); n != 2 { // tmaze × 2 α
		t.Errorf("%d ensembles in the log, want 2:\n%s", n, out)
	}
	if code, out, errOut := runCLI(t, "reproduce", "--size", "tiny", "--only", "train", "--out", alone); code != 0 || strings.Contains(out, "ensemble") {
		t.Fatalf("alone: exit %d: %s %s", code, out, errOut)
	}
	files, _ := filepath.Glob(filepath.Join(alone, "units", "train-*.json"))
	if len(files) != 4 {
		t.Fatalf("%d training units alone, want 4", len(files))
	}
	type unit struct {
		History []struct {
			Step     int     `json:"step"`
			EvalLoss float64 `json:"eval_loss"`
		} `json:"history"`
	}
	read := func(path string) unit {
		var u unit
		raw, err := os.ReadFile(path)
		if err == nil {
			err = json.Unmarshal(raw, &u)
		}
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	for _, f := range files {
		a, b := read(f), read(filepath.Join(together, "units", filepath.Base(f)))
		if len(a.History) != len(b.History) || len(a.History) < 3 {
			t.Fatalf("%s: %d evaluations alone, %d together", filepath.Base(f), len(a.History), len(b.History))
		}
		worst := 0.0
		for i := range a.History {
			x, y := a.History[i], b.History[i]
			rel := math.Abs(x.EvalLoss-y.EvalLoss) / x.EvalLoss
			tol := 1e-3
			if i < 2 {
				tol = 1e-5
			}
			if x.Step != y.Step || rel > tol {
				t.Errorf("%s evaluation %d: step %d loss %g alone, step %d loss %g together", filepath.Base(f), i, x.Step, x.EvalLoss, y.Step, y.EvalLoss)
			}
			worst = math.Max(worst, rel)
		}
		t.Logf("%s: largest relative difference of the evaluation loss %.1e", filepath.Base(f), worst)
	}
}
