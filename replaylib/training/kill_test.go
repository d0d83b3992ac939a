package training

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/ml/context/checkpoints"

	"github.com/replaylab/replay/replaylib"
)

// KillTestsEnv sets the number of kills of TestKillAnyInstantResumes (default killTestsDefault).
const KillTestsEnv = "REPLAY_KILL_TESTS"

const (
	killTestsDefault = 12
	// killWindow: a kill comes at a uniformly random instant this long after the child's first
	// step (a step with its save takes a few milliseconds here).
	killWindow   = 60 * time.Millisecond
	killChildEnv = "TRAINING_KILL_CHILD"
)

// killBackend is the pure-Go backend: it starts at once (the kill test starts hundreds of
// processes) and is as deterministic as XLA.
func killBackend(t *testing.T) backends.Backend {
	b, err := replaylib.CreateBackend(replaylib.SimpleGoConfig)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// killConfig saves at every step, so that a kill at a random instant often lands in a save.
func killConfig(t *testing.T) Config {
	cfg := smallConfig(t)
	cfg.Steps, cfg.CheckpointEvery, cfg.LogEvery = 60, 1, 1
	return cfg
}

// TestKillAnyInstantResumes kills a training process (this test binary again, trained by the child
// branch below) with SIGKILL at random instants, mostly inside checkpoint saves since it saves at
// every step, and checks that every restart resumes (from a step no earlier than the last
// restart's) and that each run, once it finishes, has bit for bit the weights of an
// uninterrupted one. REPLAY_KILL_TESTS=1000 kills a thousand times.
func TestKillAnyInstantResumes(t *testing.T) {
	if dir := os.Getenv(killChildEnv); dir != "" {
		killChild(t, dir)
		return
	}
	kills := killTestsDefault
	if v := os.Getenv(KillTestsEnv); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("%s=%q: want a number of kills ≥ 1", KillTestsEnv, v)
		}
		kills = n
	}
	cfg := killConfig(t)
	backend := killBackend(t)
	reference := trainWith(t, backend, cfg, t.TempDir())
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	var killed, inSave, restarts, runs int
	var dir string
	lastStep := 0
	for killed < kills {
		if dir == "" {
			dir = filepath.Join(t.TempDir(), "run")
			lastStep = 0
		}
		child := exec.Command(os.Args[0], "-test.run=^TestKillAnyInstantResumes$", "-test.v")
		child.Env = append(os.Environ(), killChildEnv+"="+dir)
		out, err := child.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		child.Stderr = nil
		if err := child.Start(); err != nil {
			t.Fatal(err)
		}
		restarts++
		lines := bufio.NewScanner(out)
		opened, stepped, done := -1, false, false
		var warnings []string
		for !stepped && !done && lines.Scan() {
			line := lines.Text()
			switch {
			case strings.HasPrefix(line, "opened at step "):
				opened, _ = strconv.Atoi(strings.TrimPrefix(line, "opened at step "))
			case strings.HasPrefix(line, "warning: "):
				warnings = append(warnings, line)
			case strings.HasPrefix(line, "step "):
				stepped = true
			case line == "done":
				done = true
			case strings.HasPrefix(line, "failed: "):
				child.Process.Kill()
				child.Wait()
				t.Fatalf("restart %d in %s: %s", restarts, dir, line)
			}
		}
		if opened < 0 {
			child.Process.Kill()
			child.Wait()
			t.Fatalf("restart %d in %s: the child did not open the run", restarts, dir)
		}
		if opened < lastStep || len(warnings) > 0 {
			child.Process.Kill()
			child.Wait()
			t.Fatalf("restart %d in %s: resumed at step %d after reaching %d; warnings %q", restarts, dir, opened, lastStep, warnings)
		}
		lastStep = opened
		if stepped {
			// A step with its save takes a few milliseconds here: kill within the next few steps.
			time.Sleep(time.Duration(rng.Int64N(int64(killWindow))))
			child.Process.Kill()
			killed++
		}
		for lines.Scan() {
			if lines.Text() == "done" {
				done = true
			}
		}
		err = child.Wait()
		if !done || err != nil {
			if !stepped {
				t.Fatalf("restart %d in %s: the child stopped (%v) before training", restarts, dir, err)
			}
			if leftover(dir) {
				inSave++
			}
			continue
		}
		// This run finished: it must equal the uninterrupted one.
		run, err := Open(backend, cfg, dir)
		if err != nil || run.GlobalStep() != cfg.Steps {
			t.Fatalf("finished run in %s: step %d, %v", dir, run.GlobalStep(), err)
		}
		sameWeights(t, reference, run)
		runs++
		dir = ""
	}
	// The last run (when unfinished) must resume too and end at the uninterrupted weights.
	if dir != "" {
		run, err := Open(backend, cfg, dir)
		if err != nil || len(run.Warnings) > 0 || run.GlobalStep() < lastStep {
			t.Fatalf("last run in %s: %v, warnings %q", dir, err, run.Warnings)
		}
		if err := run.Train(context.Background()); err != nil {
			t.Fatal(err)
		}
		sameWeights(t, reference, run)
		runs++
	}
	t.Logf("%d kills (%d left a save half done), %d restarts, all resumed; %d runs finished with the uninterrupted weights", killed, inSave, restarts, runs)
}

// leftover reports whether a killed save left something behind: a staged file or a data file
// without its .json.
func leftover(dir string) bool {
	if entries, _ := os.ReadDir(filepath.Join(dir, StagingDir)); len(entries) > 0 {
		return true
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if base, ok := strings.CutSuffix(e.Name(), checkpoints.BinDataSuffix); ok {
			if _, err := os.Stat(filepath.Join(dir, base+checkpoints.JsonNameSuffix)); err != nil {
				return true
			}
		}
	}
	return false
}

// killChild trains the kill test's run in dir, reporting on stdout where it resumed and each step.
func killChild(t *testing.T, dir string) {
	run, err := Open(killBackend(t), killConfig(t), dir)
	if err != nil {
		fmt.Printf("failed: %v\n", err)
		os.Exit(3)
	}
	fmt.Printf("opened at step %d\n", run.GlobalStep())
	for _, w := range run.Warnings {
		fmt.Printf("warning: %s\n", w)
	}
	run.OnEvaluate = func(e LogEntry) { fmt.Printf("step %d\n", e.Step) }
	if err := run.Train(context.Background()); err != nil {
		fmt.Printf("failed: %v\n", err)
		os.Exit(4)
	}
	fmt.Println("done")
	os.Exit(0)
}
