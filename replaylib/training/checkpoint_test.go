package training

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/ml/context/checkpoints"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"

	"github.com/replaylab/replay/replaylib"
)

// smallConfig is a run of a few steps that saves at every fourth.
func smallConfig(t *testing.T) Config {
	t.Helper()
	cfg, err := DefaultConfig("tmaze")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Model.Hidden, cfg.BatchSize, cfg.SeqLen, cfg.EvalBatch = 16, 8, 12, 8
	cfg.Steps, cfg.CheckpointEvery, cfg.LogEvery = 12, 4, 4
	return cfg
}

func trainTo(t *testing.T, cfg Config, dir string) *Run {
	t.Helper()
	return trainWith(t, replaylib.MustBackend(), cfg, dir)
}

func trainWith(t *testing.T, backend backends.Backend, cfg Config, dir string) *Run {
	t.Helper()
	run, err := Open(backend, cfg, dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := run.Train(context.Background()); err != nil {
		t.Fatal(err)
	}
	return run
}

// sameWeights compares every float variable of two runs bit for bit, but the learning rate
// (GoMLX's trainer deletes it when it is created, the schedule sets it at each step).
func sameWeights(t *testing.T, a, b *Run) {
	t.Helper()
	wa, wb := weights(t, a), weights(t, b)
	lr := "/" + optimizers.Scope + "/" + optimizers.ParamLearningRate
	delete(wa, lr)
	delete(wb, lr)
	if len(wa) != len(wb) || len(wa) < 6 {
		var only []string
		for name := range wa {
			if _, ok := wb[name]; !ok {
				only = append(only, "first only: "+name)
			}
		}
		for name := range wb {
			if _, ok := wa[name]; !ok {
				only = append(only, "second only: "+name)
			}
		}
		t.Fatalf("variables: %d and %d (%v)", len(wa), len(wb), only)
	}
	for name, va := range wa {
		vb, ok := wb[name]
		if !ok || len(va) != len(vb) {
			t.Fatalf("%s: missing or of another size", name)
		}
		for i := range va {
			if va[i] != vb[i] {
				t.Fatalf("%s[%d]: %g and %g", name, i, va[i], vb[i])
			}
		}
	}
}

// snapshot lists a directory tree's files with their sizes and modification times.
func snapshot(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		out = append(out, fmt.Sprint(p, info.ModTime(), info.Mode(), info.Size()))
		return nil
	})
	return out
}

// TestTruncatedNewestCheckpointResumes: a run whose newest checkpoint was cut short (a 32-byte
// .bin and an empty .json, as a kill during GoMLX's save left them) resumes from the one before
// with one warning, sets the unreadable pair aside, and ends with the weights of an uninterrupted
// run; opened read-only it loads the same checkpoint and writes nothing.
func TestTruncatedNewestCheckpointResumes(t *testing.T) {
	cfg := smallConfig(t)
	full := trainTo(t, cfg, t.TempDir())
	dir := t.TempDir()
	trainTo(t, cfg, dir)
	bases, err := listCheckpoints(dir)
	if err != nil || len(bases) != KeepCheckpoints {
		t.Fatalf("checkpoints %v (%v), want %d", bases, err, KeepCheckpoints)
	}
	newest := bases[len(bases)-1]
	bin, js := filepath.Join(dir, newest+".bin"), filepath.Join(dir, newest+".json")
	data, _ := os.ReadFile(bin)
	os.WriteFile(bin, data[:32], 0o644)
	os.WriteFile(js, nil, 0o644)

	before := snapshot(t, dir)
	ro, err := OpenReadOnly(replaylib.MustBackend(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if ro.GlobalStep() != 8 || len(ro.Warnings) != 1 || !strings.Contains(ro.Warnings[0], newest) || !strings.Contains(ro.Warnings[0], "reading "+bases[0]+" instead") {
		t.Errorf("read-only: step %d, warnings %q; want step 8 and a warning naming %s", ro.GlobalStep(), ro.Warnings, newest)
	}
	if after := snapshot(t, dir); !slices.Equal(before, after) {
		t.Errorf("read-only open changed the directory:\n%v\n%v", before, after)
	}
	if err := ro.Train(context.Background()); err == nil {
		t.Error("training a read-only run: no error")
	}

	run, err := Open(replaylib.MustBackend(), cfg, dir)
	if err != nil {
		t.Fatal(err)
	}
	if run.GlobalStep() != 8 || len(run.Warnings) != 1 || !strings.Contains(run.Warnings[0], "set aside as *.unreadable") {
		t.Fatalf("resumed at step %d with warnings %q; want step 8 and a warning", run.GlobalStep(), run.Warnings)
	}
	for _, p := range []string{bin, js} {
		if _, err := os.Stat(p + UnreadableSuffix); err != nil {
			t.Errorf("unreadable file not set aside: %v", err)
		}
	}
	if n := len(run.History); n == 0 || run.History[n-1].Step != 8 {
		t.Errorf("history ends at %+v, want step 8", run.History[len(run.History)-1])
	}
	if err := run.Train(context.Background()); err != nil {
		t.Fatal(err)
	}
	sameWeights(t, full, run)
	again, err := Open(replaylib.MustBackend(), cfg, dir)
	if err != nil || again.GlobalStep() != 12 || len(again.Warnings) != 0 {
		t.Errorf("reopened: step %d, warnings %q, error %v", again.GlobalStep(), again.Warnings, err)
	}
}

// TestInterruptedSaveLeftovers: what a save killed at any point leaves (a staged pair, a data file
// renamed without its .json) neither blocks nor changes a resume.
func TestInterruptedSaveLeftovers(t *testing.T) {
	cfg := smallConfig(t)
	dir := t.TempDir()
	trainTo(t, cfg, dir)
	staging := filepath.Join(dir, StagingDir)
	os.WriteFile(filepath.Join(staging, "checkpoint-n0000000-20260101-000000-step-00000013.json"), nil, 0o644)
	os.WriteFile(filepath.Join(staging, "checkpoint-n0000000-20260101-000000-step-00000013.bin"), []byte("gomlx"), 0o644)
	orphan := filepath.Join(dir, "checkpoint-n0099999-20260101-000000-step-00000013.bin")
	os.WriteFile(orphan, []byte("gomlx_checkpoints"), 0o644)
	run, err := Open(replaylib.MustBackend(), cfg, dir)
	if err != nil || run.GlobalStep() != 12 || len(run.Warnings) != 0 {
		t.Fatalf("open: step %d, warnings %q, error %v", run.GlobalStep(), run.Warnings, err)
	}
	if _, err := os.Stat(orphan); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("orphan data file kept (%v)", err)
	}
	if entries, _ := os.ReadDir(staging); len(entries) != 0 {
		t.Errorf("staging directory holds %d files after open", len(entries))
	}
}

// TestFailedFirstAttemptDoesNotBlock: a config.json without a checkpoint beside it (an attempt that
// failed before its first save, or a corrupt one) does not bind the directory.
func TestFailedFirstAttemptDoesNotBlock(t *testing.T) {
	cfg := smallConfig(t)
	dir := t.TempDir()
	if _, err := Open(replaylib.MustBackend(), cfg, dir); err != nil {
		t.Fatal(err)
	}
	other := cfg
	other.Model.Cell.Alpha = 0.5
	if _, err := Open(replaylib.MustBackend(), other, dir); err != nil {
		t.Fatalf("a config.json without checkpoints blocked the directory: %v", err)
	}
	os.WriteFile(filepath.Join(dir, ConfigFile), []byte("{garbage"), 0o644)
	run, err := Open(replaylib.MustBackend(), cfg, dir)
	if err != nil {
		t.Fatalf("a corrupt config.json without checkpoints blocked the directory: %v", err)
	}
	if err := run.Train(context.Background()); err != nil {
		t.Fatal(err)
	}
	// With checkpoints, another config is refused, and a corrupt config.json is named.
	if _, err := Open(replaylib.MustBackend(), other, dir); !errors.Is(err, ErrConfigMismatch) {
		t.Errorf("another config over checkpoints: %v, want ErrConfigMismatch", err)
	}
	os.WriteFile(filepath.Join(dir, ConfigFile), []byte("{garbage"), 0o644)
	for _, open := range []func() error{
		func() error { _, err := Open(replaylib.MustBackend(), cfg, dir); return err },
		func() error { _, err := OpenReadOnly(replaylib.MustBackend(), dir); return err },
	} {
		if err := open(); err == nil || !strings.Contains(err.Error(), filepath.Join(dir, ConfigFile)) {
			t.Errorf("corrupt config.json: error %v, want one naming the file", err)
		}
	}
}

// TestEditedConfigIsNoticed: a config.json edited after training (task, readout, hidden, a cell
// value) no longer matches its checkpoints, and opening the run says so.
func TestEditedConfigIsNoticed(t *testing.T) {
	cfg := smallConfig(t)
	dir := t.TempDir()
	trainTo(t, cfg, dir)
	original, _ := os.ReadFile(filepath.Join(dir, ConfigFile))
	for field, edit := range map[string]func(c *Config){
		"task":    func(c *Config) { c.Task = "triangle" },
		"readout": func(c *Config) { c.Model.Readout = "xent" },
		"hidden":  func(c *Config) { c.Model.Hidden = 32 },
		"model":   func(c *Config) { c.Model.Cell.Alpha = 0.3 },
	} {
		edited := cfg
		edit(&edited)
		data, _ := json.Marshal(edited)
		os.WriteFile(filepath.Join(dir, ConfigFile), data, 0o644)
		_, err := OpenReadOnly(replaylib.MustBackend(), dir)
		if !errors.Is(err, ErrConfigMismatch) || !strings.Contains(err.Error(), field) {
			t.Errorf("config.json with %s edited: error %v, want ErrConfigMismatch naming %s", field, err, field)
		}
		if _, err := Open(replaylib.MustBackend(), edited, dir); !errors.Is(err, ErrConfigMismatch) {
			t.Errorf("training on with %s edited in config.json and the command: error %v, want ErrConfigMismatch", field, err)
		}
	}
	os.WriteFile(filepath.Join(dir, ConfigFile), original, 0o644)
	if _, err := OpenReadOnly(replaylib.MustBackend(), dir); err != nil {
		t.Errorf("restored config.json: %v", err)
	}
	// Checkpoints that do not record their config (written before they did) are checked by the
	// shapes of their weights.
	bases, _ := listCheckpoints(dir)
	for _, base := range bases {
		path := filepath.Join(dir, base+".json")
		raw, _ := os.ReadFile(path)
		var meta map[string]any
		if err := json.Unmarshal(raw, &meta); err != nil {
			t.Fatal(err)
		}
		meta["Params"] = slices.DeleteFunc(meta["Params"].([]any), func(p any) bool { return p.(map[string]any)["Key"] == configParam })
		raw, _ = json.Marshal(meta)
		os.WriteFile(path, raw, 0o644)
	}
	edited := cfg
	edited.Model.Hidden = 32
	data, _ := json.Marshal(edited)
	os.WriteFile(filepath.Join(dir, ConfigFile), data, 0o644)
	if _, err := OpenReadOnly(replaylib.MustBackend(), dir); !errors.Is(err, ErrConfigMismatch) || !strings.Contains(err.Error(), "holds rnn/W_enc of shape [2 16]") || !strings.Contains(err.Error(), "needs shape [2 32]") {
		t.Errorf("hidden edited over checkpoints without a recorded config: %v", err)
	}
	os.WriteFile(filepath.Join(dir, ConfigFile), original, 0o644)
	if run, err := OpenReadOnly(replaylib.MustBackend(), dir); err != nil || run.GlobalStep() != cfg.Steps {
		t.Errorf("checkpoints without a recorded config: %v", err)
	}
}

// TestMemoryBound: sizes beyond the machine are refused before anything is allocated, naming
// the setting and the largest value that fits.
func TestMemoryBound(t *testing.T) {
	t.Setenv("REPLAY_MEMORY_LIMIT", "8GiB")
	cfg := smallConfig(t)
	cfg.BatchSize = MaxBatch
	start := time.Now()
	_, err := Open(replaylib.MustBackend(), cfg, "")
	if err == nil || !strings.HasPrefix(err.Error(), "batch_size=16777216: training needs about") || !strings.Contains(err.Error(), "must be ≤ ") {
		t.Errorf("error %v", err)
	}
	if time.Since(start) > 2*time.Second {
		t.Errorf("refusing took %s", time.Since(start))
	}
	cfg = smallConfig(t)
	cfg.Model.Hidden = 60_000
	if err := cfg.CheckFits(); err == nil || !strings.HasPrefix(err.Error(), "hidden=60000:") {
		t.Errorf("hidden 60000: %v", err)
	}
	if err := smallConfig(t).CheckFits(); err != nil {
		t.Errorf("small run refused: %v", err)
	}
	def, _ := DefaultConfig("placecells")
	if err := def.CheckFits(); err != nil {
		t.Errorf("default place-cell run refused: %v", err)
	}
}

// TestHostileCheckpointFiles: a newest checkpoint whose .bin is a symbolic link to /dev/zero, a
// FIFO, or a sparse file far larger than its layout is skipped at once (read-only) with a warning
// naming it, and the run opens at the checkpoint before — no unbounded read, no hang.
func TestHostileCheckpointFiles(t *testing.T) {
	cfg := smallConfig(t)
	src := t.TempDir()
	trainTo(t, cfg, src)
	bases, err := listCheckpoints(src)
	if err != nil || len(bases) < 2 {
		t.Fatalf("checkpoints %v (%v)", bases, err)
	}
	newest := bases[len(bases)-1]
	for name, spoil := range map[string]func(bin string) error{
		"link to /dev/zero": func(bin string) error { os.Remove(bin); return os.Symlink("/dev/zero", bin) },
		"FIFO":              func(bin string) error { os.Remove(bin); return syscall.Mkfifo(bin, 0o644) },
		"sparse 1.5 GB":     func(bin string) error { return os.Truncate(bin, 3<<29) },
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			entries, _ := os.ReadDir(src)
			for _, e := range entries {
				if e.Type().IsRegular() {
					raw, _ := os.ReadFile(filepath.Join(src, e.Name()))
					os.WriteFile(filepath.Join(dir, e.Name()), raw, 0o644)
				}
			}
			if err := spoil(filepath.Join(dir, newest+checkpoints.BinDataSuffix)); err != nil {
				t.Skipf("cannot make it here: %v", err)
			}
			done := make(chan struct{})
			var ro *Run
			go func() {
				defer close(done)
				ro, err = OpenReadOnly(replaylib.MustBackend(), dir)
			}()
			select {
			case <-done:
			case <-time.After(60 * time.Second):
				t.Fatal("opening the run hangs")
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(ro.Warnings) != 1 || !strings.Contains(ro.Warnings[0], newest) || !strings.Contains(ro.Warnings[0], "reading "+bases[len(bases)-2]) {
				t.Errorf("warnings %q; want one naming %s and reading the one before", ro.Warnings, newest)
			}
		})
	}
}
