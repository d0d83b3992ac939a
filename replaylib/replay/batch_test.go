package replay

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/replaylab/replay/geom"
	"github.com/replaylab/replay/replaylib"
	"github.com/replaylab/replay/replaylib/model"
	"github.com/replaylab/replay/replaylib/training"
)

// batchMembers are one member per cell structure a replay unit runs (plain, each adaptation form,
// momentum under both noise conventions, each form with momentum, a slow relative form), with
// two seeds and two chain counts.
func batchMembers(trained model.CellParams, steps, burnin, perCall int) []Member {
	base := DefaultConfig(trained)
	base.Steps, base.Burnin, base.StepsPerCall, base.Chains = steps, burnin, perCall, 7
	var cfgs []Config
	add := func(mod func(c *Config)) {
		c := base
		mod(&c)
		cfgs = append(cfgs, c)
	}
	add(func(c *Config) {})
	for _, f := range model.AdaptForms {
		add(func(c *Config) { c.Cell.AdaptForm, c.Cell.AdaptStrength, c.Cell.AdaptTau = f, 0.6, 4 })
		add(func(c *Config) {
			c.Cell.AdaptForm, c.Cell.AdaptStrength, c.Cell.AdaptTau, c.Cell.Momentum = f, 0.4, 6, 0.6
			c.Chains, c.Seed = 3, 9
		})
	}
	add(func(c *Config) { c.Cell.Momentum = 0.7 })
	add(func(c *Config) { c.Cell.Momentum, c.Noise = 0.7, NoiseFixed })
	add(func(c *Config) {
		c.Cell.AdaptForm, c.Cell.AdaptStrength, c.Cell.AdaptSlowTau, c.Cell.Alpha = model.AdaptRelative, 1, 3, 0.3
	})
	add(func(c *Config) { c.Cell.AdaptForm, c.Cell.AdaptStrength = model.AdaptShunting, 0 }) // a form without adaptation
	members := make([]Member, len(cfgs))
	for i, c := range cfgs {
		members[i] = Member{Config: c}
	}
	return members
}

// firstMembers are the first n of batchMembers for run's cell (no burn-in), each starting from
// the task's start positions of seed 3.
func firstMembers(run *training.Run, n, steps, perCall int) []Member {
	members := batchMembers(run.Config.Model.Cell, steps, 0, perCall)[:n]
	for i := range members {
		members[i].Start = Start{Positions: StartPositions(run.Task(), members[i].Config.Chains, 3)}
	}
	return members
}

func TestBatchEqualsMembersAlone(t *testing.T) {
	run := trained(t)
	eng := engine(t, run)
	members := batchMembers(run.Config.Model.Cell, 45, 3, 10)
	for i := range members {
		members[i].Start = Start{Positions: StartPositions(run.Task(), members[i].Config.Chains, uint64(20+i))}
	}
	got := make([][][]geom.Point, len(members))
	err := eng.RunBatch(context.Background(), members, func(m, t int, pos []geom.Point) error {
		if len(got[m]) != t {
			return nil
		}
		got[m] = append(got[m], append([]geom.Point(nil), pos...))
		return nil
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	worst := 0.0
	for m, mem := range members {
		alone, err := engine(t, run).Trajectories(context.Background(), mem.Config, mem.Start)
		if err != nil {
			t.Fatal(err)
		}
		if len(got[m]) != mem.Config.Steps+1 {
			t.Fatalf("member %d: %d observed steps, want %d", m, len(got[m]), mem.Config.Steps+1)
		}
		for c := range alone {
			for s, p := range alone[c] {
				q := got[m][s][c]
				worst = math.Max(worst, math.Max(math.Abs(p.X-q.X), math.Abs(p.Y-q.Y)))
			}
		}
	}
	// The same arithmetic chain by chain: bit for bit on pure Go. XLA's CPU matrix product rounds
	// differently with the number of rows (a few float32 ulps at the first steps already).
	tol := 1e-5
	if strings.Contains(eng.backend.Name(), "(go)") {
		tol = 0
	}
	if worst > tol {
		t.Errorf("batch vs members alone on %s: largest difference %.3g, want ≤ %g", eng.backend.Name(), worst, tol)
	}
	t.Logf("batch vs members alone: largest difference %.3g", worst)
}

func TestBatchOutputsArePerMember(t *testing.T) {
	run := trained(t)
	eng := engine(t, run)
	members := firstMembers(run, 3, 12, 5)
	seen := map[[2]int]int{}
	err := eng.RunBatch(context.Background(), members, nil, func(m, t int, y []float32) error {
		seen[[2]int{m, t}] = len(y)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for m, mem := range members {
		for step := 0; step <= 12; step++ {
			if n := seen[[2]int{m, step}]; n != mem.Config.Chains*run.Config.Model.OutputDim {
				t.Fatalf("member %d step %d: %d readouts, want %d", m, step, n, mem.Config.Chains*run.Config.Model.OutputDim)
			}
		}
	}
}

func TestBatchRefusesMismatchedMembers(t *testing.T) {
	run := trained(t)
	eng := engine(t, run)
	members := firstMembers(run, 2, 10, 5)
	members[1].Config.Steps = 11
	err := eng.RunBatch(context.Background(), members, nil, nil)
	if err == nil || !strings.Contains(err.Error(), "member 1 has steps=11") {
		t.Errorf("mismatched steps: %v, want an error naming member 1's steps", err)
	}
	members[1].Config.Steps, members[1].Config.Chains = 10, 0
	if err := eng.RunBatch(context.Background(), members, nil, nil); err == nil || !strings.Contains(err.Error(), "member 1: chains=0") {
		t.Errorf("a member with 0 chains: %v, want an error naming member 1's chains", err)
	}
	if err := eng.RunBatch(context.Background(), nil, nil, nil); err == nil {
		t.Error("an empty batch ran")
	}
}

// BenchmarkReplayVariants replays the variants of a quick-size network (N = 64, 200 steps) one
// after another (Run) and side by side (RunBatch), warm (compiled), reporting chain-steps per
// second: the eleven core variants of 256 chains, and 56 sweep variants of 64 chains.
func BenchmarkReplayVariants(b *testing.B) {
	cfg, _ := training.DefaultConfig("triangle")
	cfg.Model.Hidden, cfg.Steps = 64, 0
	run, err := training.Open(replaylib.MustBackend(), cfg, "")
	if err != nil {
		b.Fatal(err)
	}
	eng, err := FromRun(run)
	if err != nil {
		b.Fatal(err)
	}
	cells := batchMembers(cfg.Model.Cell, 200, 0, DefaultStepsPerCall)
	for _, set := range []struct {
		name            string
		members, chains int
	}{{"Core", 11, 256}, {"Sweeps", 56, 64}} {
		var members []Member
		for i := range set.members {
			m := cells[i%len(cells)]
			m.Config.Chains, m.Config.Seed = set.chains, 1
			m.Start = Start{Positions: StartPositions(run.Task(), set.chains, 1)}
			members = append(members, m)
		}
		chainSteps := float64(set.members * set.chains * 200)
		oneByOne := func() {
			for _, m := range members {
				if err := eng.Run(context.Background(), m.Config, m.Start, nil); err != nil {
					b.Fatal(err)
				}
			}
		}
		batch := func() {
			if err := eng.RunBatch(context.Background(), members, nil, nil); err != nil {
				b.Fatal(err)
			}
		}
		for _, bench := range []struct {
			name string
			run  func()
		}{{"OneByOne", oneByOne}, {"Batch", batch}} {
			b.Run(set.name+"/"+bench.name, func(b *testing.B) {
				bench.run() // compile
				b.ResetTimer()
				for b.Loop() {
					bench.run()
				}
				b.ReportMetric(float64(b.N)*chainSteps/b.Elapsed().Seconds(), "chain-steps/s")
			})
		}
	}
}
