package training

import (
	"context"
	"fmt"
	"testing"

	"github.com/replaylab/replay/replaylib"
)

// TestInTurnEqualsRunsAlone: three runs trained in turn with one compiled step end with every
// variable (weights, Adam's moments, carried state) and every evaluation bit for bit as when each
// trains alone, whole paths and windows alike; the second run was trained part-way before (it
// resumes at another step than the others), and the first run holds its own state at the end.
func TestInTurnEqualsRunsAlone(t *testing.T) {
	backend := replaylib.MustBackend()
	for _, horizon := range []int{0, 80} {
		t.Run(fmt.Sprintf("horizon=%d", horizon), func(t *testing.T) {
			cfgs := ensembleConfigs(t, horizon)
			alone := trainAlone(t, backend, cfgs)
			var turns []*Run
			for _, c := range cfgs {
				b, err := Open(backend, c, t.TempDir())
				if err != nil {
					t.Fatal(err)
				}
				turns = append(turns, b)
			}
			part, cancel := context.WithCancel(context.Background())
			turns[1].OnEvaluate = func(e LogEntry) {
				if e.Step == 12 {
					cancel()
				}
			}
			if err := turns[1].Train(part); err == nil {
				t.Fatal("the part-way run was not interrupted")
			}
			turns[1].OnEvaluate = nil
			if err := TrainInTurn(context.Background(), turns); err != nil {
				t.Fatal(err)
			}
			for m := range cfgs {
				a, b := weights(t, alone[m]), weights(t, turns[m])
				if len(a) != len(b) || len(a) < 14 {
					t.Fatalf("run %d: %d variables alone, %d in turn", m, len(a), len(b))
				}
				for name, va := range a {
					vb := b[name]
					for i := range va {
						if va[i] != vb[i] {
							t.Fatalf("run %d: %s[%d]: alone %g, in turn %g", m, name, i, va[i], vb[i])
						}
					}
				}
				ha, hb := alone[m].History, turns[m].History
				if len(ha) != len(hb) {
					t.Fatalf("run %d: %d evaluations alone, %d in turn", m, len(ha), len(hb))
				}
				for i := range ha {
					if ha[i].Step != hb[i].Step || ha[i].EvalLoss != hb[i].EvalLoss || ha[i].TrainLoss != hb[i].TrainLoss {
						t.Fatalf("run %d evaluation %d: alone %+v, in turn %+v", m, i, ha[i], hb[i])
					}
				}
			}
		})
	}
}
