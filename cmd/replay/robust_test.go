package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/replaylab/replay/internal/atomicfile"
	"github.com/replaylab/replay/internal/dirlock"
	"github.com/replaylab/replay/replaylib/claims"
	"github.com/replaylab/replay/replaylib/replay"
	"github.com/replaylab/replay/replaylib/training"
)

// badInput is one bad command line: its exit code and a fragment of its one-line message.
type badInput struct {
	name string
	args []string
	code int
	want string
}

// untrainedModel writes a run directory holding only a config.json of a small T-maze network:
// enough for every check replay makes before it loads a checkpoint.
func untrainedModel(t *testing.T) string {
	t.Helper()
	cfg, err := training.DefaultConfig("tmaze")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Model.Hidden = 16
	dir := t.TempDir()
	if err := atomicfile.WriteJSON(filepath.Join(dir, training.ConfigFile), cfg); err != nil {
		t.Fatal(err)
	}
	return dir
}

// badInputs is the table of TestBadInputs: specific cases for every flag of every command, the
// cases the project's users reported, and (generated) two bad values for every --set key.
func badInputs(t *testing.T) []badInput {
	tmp := t.TempDir()
	file := filepath.Join(tmp, "file")
	os.WriteFile(file, []byte("x"), 0o644)
	unwritable := filepath.Join(file, "sub") // a directory under a regular file: never writable
	model := untrainedModel(t)
	noConfig := t.TempDir()
	corruptModel := t.TempDir()
	os.WriteFile(filepath.Join(corruptModel, training.ConfigFile), []byte("{\"task\": tmaze"), 0o644)
	csvFile := func(name, content string) string {
		p := filepath.Join(tmp, name)
		os.WriteFile(p, []byte(content), 0o644)
		return p
	}
	bigChain := csvFile("bigchain.csv", "chain,t,x,y\n0,0,0.1,0.2\n1000000000,0,0.1,0.2\n")
	nanRow := csvFile("nan.csv", "chain,t,x,y\n0,0,NaN,0.2\n")
	infRow := csvFile("inf.csv", "chain,t,x,y\n0,0,0.1,+Inf\n")
	noHeader := csvFile("noheader.csv", "0,0,0.1,0.2\n")
	gap := csvFile("gap.csv", "chain,t,x,y\n0,0,0.1,0.2\n2,0,0.1,0.2\n")
	backwards := csvFile("backwards.csv", "chain,t,x,y\n0,1,0.1,0.2\n0,1,0.1,0.2\n")
	tgap := csvFile("tgap.csv", "chain,t,x,y\n0,0,0.1,0.2\n0,1,0.1,0.2\n0,5,0.1,0.2\n")
	uneven := csvFile("uneven.csv", "chain,t,x,y\n0,0,0.1,0.2\n0,1,0.1,0.2\n1,0,0.1,0.2\n")
	longLine := csvFile("longline.csv", "chain,t,x,y\n0,0,0.1,"+strings.Repeat("1", 10000)+"\n")
	oneRow := csvFile("onerow.csv", "chain,t,x,y\n0,0,0.1,0.2\n")
	empty := csvFile("empty.csv", "")
	rep := func(args ...string) []string { return append([]string{"replay", "--model", model}, args...) }

	cases := []badInput{
		// The command itself.
		{"unknown command", []string{"frobnicate"}, 2, "unknown command frobnicate"},
		{"unknown command with a newline", []string{"a\nb"}, 2, `unknown command "a\nb"`},
		{"unknown flag", []string{"--bogus"}, 2, "flag provided but not defined: -bogus"},

		// reproduce
		{"reproduce --out unwritable", []string{"reproduce", "--size", "tiny", "--out", unwritable}, 1, "--out"},
		{"reproduce --seed not a number", []string{"reproduce", "--seed", "abc"}, 2, "-seed"},
		{"reproduce --seed negative", []string{"reproduce", "--seed", "-1"}, 2, "-seed"},
		{"reproduce --quick and --full", []string{"reproduce", "--quick", "--full"}, 2, "choose one"},
		{"reproduce --full=maybe", []string{"reproduce", "--full=maybe"}, 2, "-full"},
		{"reproduce --quick=2", []string{"reproduce", "--quick=2"}, 2, "-quick"},
		{"reproduce --size bogus", []string{"reproduce", "--size", "huge"}, 2, "--size"},
		{"reproduce --size with --quick", []string{"reproduce", "--size", "tiny", "--quick"}, 2, "choose one"},
		{"reproduce --set newline", []string{"reproduce", "--set", "hidden=8\nnetworks=2"}, 2, "control characters"},
		{"reproduce --set without =", []string{"reproduce", "--set", "hidden"}, 2, "want key=value"},
		{"reproduce --set unknown key", []string{"reproduce", "--set", "colour=red"}, 2, "unknown key"},
		{"reproduce hidden beyond memory", []string{"reproduce", "--set", "batch_size=16384;seq_len=10000", "--out", tmp}, 2, "needs about"},
		{"reproduce chains beyond memory", []string{"reproduce", "--set", "hidden=4096;chains=65536", "--out", tmp}, 2, "chains=65536: replay needs about"},
		{"reproduce --retrain=maybe", []string{"reproduce", "--retrain=maybe"}, 2, "-retrain"},
		{"reproduce --ensembles=maybe", []string{"reproduce", "--ensembles=maybe"}, 2, "-ensembles"},
		{"reproduce --shard 3/2", []string{"reproduce", "--shard", "3/2"}, 2, "--shard"},
		{"reproduce --shard abc", []string{"reproduce", "--shard", "abc"}, 2, "--shard"},
		{"reproduce --shard 1/2x", []string{"reproduce", "--shard", "1/2x"}, 2, "--shard"},
		{"reproduce --set duplicate key", []string{"reproduce", "--set", "hidden=8;hidden=16"}, 2, "given twice"},
		{"reproduce --set empty key", []string{"reproduce", "--set", "=5"}, 2, "the key before = is empty"},
		{"replay --x without --y", []string{"replay", "--model", tmp, "--x", "0.1"}, 2, "--x and --y: give both"},
		{"reproduce --only bogus", []string{"reproduce", "--only", "bogus"}, 2, "--only"},
		{"reproduce --workers 0", []string{"reproduce", "--workers", "0"}, 2, "--workers=0: must be in [1, 64]"},
		{"reproduce --workers 65", []string{"reproduce", "--workers", "65"}, 2, "--workers=65: must be in [1, 64]"},
		{"reproduce extra argument", []string{"reproduce", "extra"}, 2, "unexpected argument extra"},

		// report and status
		{"report without --from", []string{"report"}, 2, "--from: required"},
		{"report --from nowhere", []string{"report", "--from", filepath.Join(tmp, "nowhere")}, 2, "not the output of 'replay reproduce'"},
		{"report --from a file", []string{"report", "--from", file}, 2, "not the output of 'replay reproduce'"},
		{"report --out with a newline", []string{"report", "--from", tmp, "--out", "a\nb"}, 2, "--out: '\\n'"},
		{"report --out unwritable", []string{"report", "--from", tmp, "--out", unwritable}, 1, "--out"},
		{"status without DIR", []string{"status"}, 2, "usage: replay status DIR"},
		{"status two DIRs", []string{"status", tmp, tmp}, 2, "usage: replay status DIR"},
		{"status nowhere", []string{"status", filepath.Join(tmp, "nowhere")}, 2, "not the output of 'replay reproduce'"},
		{"status --bogus", []string{"status", "--bogus", tmp}, 2, "-bogus"},

		// train
		{"train without --out", []string{"train"}, 2, "--out: required"},
		{"train --out unwritable", []string{"train", "--out", unwritable, "--set", "steps=1"}, 1, "--out"},
		{"train --task circle", []string{"train", "--task", "circle", "--out", tmp}, 2, `task "circle": unknown`},
		{"train --seed not a number", []string{"train", "--out", tmp, "--seed", "x"}, 2, "-seed"},
		{"train --seed that wraps", []string{"train", "--out", tmp, "--seed", "18446744073709551615"}, 2, "--seed 18446744073709551615: want an integer in [0, 1844674407370955161]"},
		{"train --progress=maybe", []string{"train", "--out", tmp, "--progress=maybe"}, 2, "-progress"},
		{"train --set newline", []string{"train", "--out", tmp, "--set", "steps=1\n2"}, 2, `--set: '\n' at byte 7: control characters are not allowed`},
		{"train --set tab", []string{"train", "--out", tmp, "--set", "steps=1\t"}, 2, "control characters"},
		{"train batch_size=MaxInt64", []string{"train", "--out", tmp, "--set", "batch_size=9223372036854775807"}, 2, "batch_size=9223372036854775807: want an integer in [1, 16777216]"},
		{"train batch_size beyond memory", []string{"train", "--out", tmp, "--set", "batch_size=16000000"}, 2, "batch_size=16000000: training needs about"},
		{"train hidden=1000000", []string{"train", "--out", tmp, "--set", "hidden=1000000"}, 2, "hidden=1000000: want an integer in [1, 65536]"},
		{"train hidden beyond memory", []string{"train", "--out", tmp, "--set", "hidden=65536"}, 2, "hidden=65536: training needs about"},
		{"train steps reads its range", []string{"train", "--out", tmp, "--set", "steps=x"}, 2, "want an integer in [0, "},
		{"train alpha=2", []string{"train", "--out", tmp, "--set", "alpha=2"}, 2, "alpha=2: leak must be in (0, 1]"},

		// replay
		{"replay without --model", []string{"replay"}, 2, "--model: required"},
		{"replay --model nowhere", []string{"replay", "--model", filepath.Join(tmp, "nowhere")}, 2, "not a directory"},
		{"replay --model a file", []string{"replay", "--model", file}, 2, "not a directory"},
		{"replay --model without config.json", []string{"replay", "--model", noConfig}, 2, "not a training run (no config.json)"},
		{"replay --model with a corrupt config.json", []string{"replay", "--model", corruptModel}, 1, filepath.Join(corruptModel, "config.json")},
		{"replay --out unwritable", rep("--out", unwritable), 1, "--out"},
		{"replay --x NaN", rep("--x", "NaN"), 2, "--x NaN: want a finite number"},
		{"replay --x Inf", rep("--x", "Inf"), 2, "--x +Inf: want a finite number"},
		{"replay start far outside", rep("--x", "1e300", "--y", "0"), 2, "the start must be within"},
		{"replay --y -Inf", rep("--y", "-Inf"), 2, "--y -Inf: want a finite number"},
		{"replay --x not a number", rep("--x", "left"), 2, "-x"},
		{"replay --animate empty", rep("--animate", ""), 2, "--animate: want a file name"},
		{"replay --animate-chains 0", rep("--animate", "a.gif", "--animate-chains", "0"), 2, "--animate-chains=0: want an integer in [1, 64]"},
		{"replay --animate-chains huge", rep("--animate", "a.gif", "--animate-chains", "1000000000"), 2, "--animate-chains"},
		{"replay --animate-frames 0", rep("--animate", "a.gif", "--animate-frames", "0"), 2, "--animate-frames=0: want an integer in [1, 1000]"},
		{"replay --animate-frames huge", rep("--animate", "a.gif", "--animate-frames", "99999999999"), 2, "-animate-frames"},
		{"replay --compare without --animate", rep("--compare", "momentum=0.7"), 2, "--compare: needs --animate"},
		{"replay --compare bad value", rep("--animate", "a.gif", "--compare", "momentum=abc"), 2, "--compare momentum=abc"},
		{"replay --compare run key", rep("--animate", "a.gif", "--compare", "chains=3"), 2, "--compare chains: unknown key"},
		{"replay --compare nine variants", rep(append([]string{"--animate", "a.gif"}, slices.Repeat([]string{"--compare", "momentum=0.7"}, 9)...)...), 2, "--compare: 9 variants, want at most 8"},
		{"replay --set newline", rep("--set", "chains=2\n"), 2, "control characters"},
		{"replay chains=1000000000", rep("--set", "chains=1000000000"), 2, "chains=1000000000: want an integer in [1, 1048576]"},
		{"replay chains beyond memory", rep("--set", "chains=1048576;steps_per_call=1000"), 2, "replay needs about"},
		{"replay trajectories beyond disk", rep("--set", "chains=1048576;steps=16777216;steps_per_call=1", "--out", tmp), 2, "trajectories.csv needs about"},
		{"replay extra argument", rep("extra"), 2, "unexpected argument extra"},

		// metrics
		{"metrics without --traj", []string{"metrics"}, 2, "--traj: required"},
		{"metrics --traj nowhere", []string{"metrics", "--traj", filepath.Join(tmp, "nowhere.csv")}, 2, "not a file"},
		{"metrics --traj a directory", []string{"metrics", "--traj", tmp}, 2, "not a file"},
		{"metrics --task bogus", []string{"metrics", "--task", "maze", "--traj", nanRow}, 2, `task "maze": unknown`},
		{"metrics --seed negative", []string{"metrics", "--seed", "-3", "--traj", nanRow}, 2, "-seed"},
		{"metrics --format xml", []string{"metrics", "--format", "xml", "--traj", nanRow}, 2, "--format"},
		{"metrics --describe=maybe", []string{"metrics", "--describe=maybe"}, 2, "-describe"},
		{"metrics chain 1e9", []string{"metrics", "--traj", bigChain}, 1, "row 3: chain 1000000000: must be in [0, 1048576)"},
		{"metrics NaN position", []string{"metrics", "--traj", nanRow}, 1, "row 2: position (NaN, 0.2) is not finite"},
		{"metrics Inf position", []string{"metrics", "--traj", infRow}, 1, "is not finite"},
		{"metrics without header", []string{"metrics", "--traj", noHeader}, 1, "want a header chain,t,x,y"},
		{"metrics empty file", []string{"metrics", "--traj", empty}, 1, "want a header chain,t,x,y"},
		{"metrics chain gap", []string{"metrics", "--traj", gap}, 1, "chain 1 has no rows"},
		{"metrics t not increasing", []string{"metrics", "--traj", backwards}, 1, "t must increase along a chain"},
		{"metrics t with a gap", []string{"metrics", "--traj", tgap}, 1, "row 4: chain 0 jumps from t=1 to t=5"},
		{"metrics chains of unequal lengths", []string{"metrics", "--traj", uneven}, 1, "chain 1 has 1 steps, chain 0 has 2"},
		{"metrics long line", []string{"metrics", "--traj", longLine}, 1, "line 2: longer than 4096 bytes"},
		{"metrics one row", []string{"metrics", "--traj", oneRow}, 1, "every chain has a single row (t = 0): the measures need at least 2 steps per chain"},

		// datasets
		{"datasets --task bogus", []string{"datasets", "--task", "maze"}, 2, `task "maze": unknown`},
		{"datasets --n 0", []string{"datasets", "--n", "0"}, 2, "--n 0: want an integer in [1, "},
		{"datasets --n huge", []string{"datasets", "--n", "100000000000"}, 2, "--n 100000000000: want an integer in [1, 1073741824]"},
		{"datasets --n beyond int64", []string{"datasets", "--n", "99999999999999999999"}, 2, "-n"},
		{"datasets --n beyond memory", []string{"datasets", "--task", "placecells", "--format", "json", "--n", "100000000", "--steps", "1000"}, 2, "--n=100000000: generating the paths needs about"},
		{"datasets --n beyond disk", []string{"datasets", "--task", "tmaze", "--n", "1000000000", "--steps", "1000", "--out", filepath.Join(tmp, "x.csv")}, 2, "writing the export needs about"},
		{"datasets --steps 0", []string{"datasets", "--steps", "0"}, 2, "--steps 0: want an integer in [1, "},
		{"datasets --steps huge", []string{"datasets", "--steps", "2000000"}, 2, "--steps 2000000"},
		{"datasets --k -1", []string{"datasets", "--k", "-1"}, 2, "--k -1: want an integer in [0, "},
		{"datasets --k huge", []string{"datasets", "--k", "9223372036854775807"}, 2, "--k 9223372036854775807"},
		{"datasets --seed negative", []string{"datasets", "--seed", "-1"}, 2, "-seed"},
		{"datasets --format xml", []string{"datasets", "--format", "xml"}, 2, "--format"},
		{"datasets --out unwritable", []string{"datasets", "--task", "tmaze", "--n", "1", "--out", filepath.Join(unwritable, "x.csv")}, 1, "--out"},
	}

	// Two bad values of every --set key: a word, and a non-finite or negative number.
	type setKeys struct {
		cmd  []string
		keys string
	}
	for _, c := range []setKeys{
		{[]string{"train", "--out", tmp}, trainSettings(&training.Config{}).Keys()},
		{[]string{"replay", "--model", model}, replaySetters(&replay.Config{}).Keys()},
		{[]string{"reproduce", "--out", tmp}, claims.SetKeys()},
	} {
		for _, key := range strings.Split(c.keys, ", ") {
			for _, v := range []string{"abc", "NaN", "-1e300"} {
				cases = append(cases, badInput{c.cmd[0] + " --set " + key + "=" + v, append(slices.Clone(c.cmd), "--set", key+"="+v), 2, key})
			}
		}
	}
	// A newline in every flag's value.
	for _, cmd := range []string{"reproduce", "report", "train", "replay", "metrics", "datasets"} {
		for _, flagName := range commandFlags(t, cmd) {
			cases = append(cases, badInput{cmd + " --" + flagName + " with a newline", []string{cmd, "--" + flagName + "=1\n2"}, 2, flagName})
		}
	}
	return cases
}

// commandFlags lists a command's flags from its --help.
func commandFlags(t *testing.T, cmd string) []string {
	t.Helper()
	code, _, help := runCLI(t, cmd, "--help")
	if code != 0 {
		t.Fatalf("%s --help: exit %d", cmd, code)
	}
	var names []string
	for _, m := range regexp.MustCompile(`(?m)^  -([a-z-]+)`).FindAllStringSubmatch(help, -1) {
		names = append(names, m[1])
	}
	if len(names) == 0 && cmd != "status" {
		t.Fatalf("%s --help lists no flags:\n%s", cmd, help)
	}
	return names
}

// TestBadInputs: every bad command line exits with its code (2 for bad usage and values, 1 for a
// failure while running) and one line naming what is wrong, never a stack trace, and fast (no
// command trains or replays before it has checked its settings). The table has a case for every
// flag and every --set key of every command.
func TestBadInputs(t *testing.T) {
	t.Setenv("REPLAY_MEMORY_LIMIT", "24GB") // the estimates' limits do not depend on the machine
	cases := badInputs(t)
	t.Logf("%d bad command lines", len(cases))
	for _, c := range cases {
		start := time.Now()
		code, _, errOut := runCLI(t, c.args...)
		line := strings.TrimSuffix(errOut, "\n")
		if i := strings.Index(line, "\nreplay: backend"); i >= 0 {
			line = line[:i]
		}
		switch {
		case code != c.code:
			t.Errorf("%s: %q: exit %d, want %d; stderr %q", c.name, c.args, code, c.code, errOut)
		case strings.Contains(line, "\n") || line == "":
			t.Errorf("%s: stderr is not one line: %q", c.name, errOut)
		case !strings.Contains(line, c.want):
			t.Errorf("%s: stderr %q lacks %q", c.name, line, c.want)
		case strings.Contains(errOut, "goroutine") || strings.Contains(errOut, "panic"):
			t.Errorf("%s: stack trace: %q", c.name, errOut)
		}
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("%s: took %s before refusing", c.name, d)
		}
	}
	// Coverage: every flag and every --set key of every command has a case.
	has := func(pred func([]string) bool) bool {
		return slices.ContainsFunc(cases, func(c badInput) bool { return pred(c.args) })
	}
	for _, cmd := range []string{"reproduce", "report", "train", "replay", "metrics", "datasets"} {
		for _, f := range commandFlags(t, cmd) {
			specific := has(func(a []string) bool {
				return a[0] == cmd && slices.ContainsFunc(a[1:], func(s string) bool {
					return (s == "--"+f || strings.HasPrefix(s, "--"+f+"=")) && !strings.Contains(s, "\n")
				})
			})
			if !specific {
				t.Errorf("%s --%s: no bad-input case", cmd, f)
			}
		}
		keys := map[string]string{"train": trainSettings(&training.Config{}).Keys(), "replay": replaySetters(&replay.Config{}).Keys(), "reproduce": claims.SetKeys()}[cmd]
		for _, key := range strings.Split(keys, ", ") {
			if key != "" && !has(func(a []string) bool {
				return a[0] == cmd && slices.Contains(a, "--set") && strings.HasPrefix(a[slices.Index(a, "--set")+1], key+"=")
			}) {
				t.Errorf("%s --set %s: no bad-input case", cmd, key)
			}
		}
	}
}

// TestSecondRunIntoALockedDirectoryRefuses: train and replay refuse at once an output directory
// another process writes into, naming it.
func TestSecondRunIntoALockedDirectoryRefuses(t *testing.T) {
	out := t.TempDir()
	lock, err := dirlock.Acquire(filepath.Join(out, LockFile), dirlock.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Release()
	model := untrainedModel(t)
	for _, args := range [][]string{
		{"train", "--task", "tmaze", "--out", out, "--progress=false", "--set", "steps=2;hidden=8"},
		{"replay", "--model", model, "--out", out},
	} {
		start := time.Now()
		code, _, errOut := runCLI(t, args...)
		if code != 1 || !strings.Contains(errOut, "--out "+out+": another process holds this directory") {
			t.Errorf("%v: exit %d, %q", args[0], code, errOut)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%v: refused after %s", args[0], d)
		}
	}
}

// TestReplayReadOnlyModel: replay reads a model directory without writing into it; when the
// directory is not writable, the output goes to ./<model>-replay. An edited config.json is an
// error naming what differs.
func TestReplayReadOnlyModel(t *testing.T) {
	model := filepath.Join(t.TempDir(), "tmaze-model")
	trainTinyModel(t, model, "steps=6;hidden=8;batch_size=4;seq_len=6;eval_batch=4;log_every=3")
	os.Remove(filepath.Join(model, LockFile))
	before := dirState(t, model)
	makeReadOnly(t, model)
	t.Chdir(t.TempDir())
	code, out, errOut := runCLI(t, "replay", "--model", model, "--set", "chains=3;steps=5;steps_per_call=5")
	if code != 0 {
		t.Fatalf("replay of a read-only model: exit %d: %s", code, errOut)
	}
	if _, err := os.Stat(filepath.Join("tmaze-model-replay", "trajectories.csv")); err != nil || !strings.Contains(out, "is not writable; writing to tmaze-model-replay") {
		t.Errorf("output not in ./tmaze-model-replay (%v): %s", err, out)
	}
	if after := dirState(t, model); !slices.Equal(before, after) {
		t.Errorf("replay changed the model directory:\n%v\n%v", before, after)
	}
}

// TestReplayEditedConfig: a config.json whose task or readout no longer matches the checkpoint is
// refused, naming the field; a corrupt one names the file.
func TestReplayEditedConfig(t *testing.T) {
	model := t.TempDir()
	trainTinyModel(t, model, "steps=4;hidden=8;batch_size=4;seq_len=6;eval_batch=4;log_every=2")
	path := filepath.Join(model, training.ConfigFile)
	original, _ := os.ReadFile(path)
	for field, edit := range map[string]func(map[string]any){
		"task":          func(m map[string]any) { m["task"] = "triangle" },
		"model.readout": func(m map[string]any) { m["model"].(map[string]any)["readout"] = "xent" },
	} {
		var m map[string]any
		json.Unmarshal(original, &m)
		edit(m)
		data, _ := json.Marshal(m)
		os.WriteFile(path, data, 0o644)
		code, _, errOut := runCLI(t, "replay", "--model", model, "--set", "chains=2;steps=3;steps_per_call=3")
		if code != 1 || !strings.Contains(errOut, "differs in ["+field+"]") || strings.Count(strings.TrimSpace(errOut), "\n") > 1 {
			t.Errorf("config.json with %s edited: exit %d, %q", field, code, errOut)
		}
	}
	os.WriteFile(path, []byte("{\"task\":"), 0o644)
	if code, _, errOut := runCLI(t, "replay", "--model", model); code != 1 || !strings.Contains(errOut, path+": unexpected end of JSON input") {
		t.Errorf("corrupt config.json: exit %d, %q", code, errOut)
	}
}

// dirState lists a directory tree's names, sizes, modes and times.
func dirState(t *testing.T, dir string) []string {
	var out []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, _ := d.Info()
		out = append(out, fmt.Sprint(p, info.Size(), info.ModTime()))
		return nil
	})
	return out
}

// makeReadOnly makes dir unwritable for this process (chattr +i for root, who ignores
// permissions), or skips the test.
func makeReadOnly(t *testing.T, dir string) {
	t.Helper()
	if os.Geteuid() != 0 {
		os.Chmod(dir, 0o555)
		t.Cleanup(func() { os.Chmod(dir, 0o755) })
		return
	}
	if err := exec.Command("chattr", "+i", dir).Run(); err != nil {
		t.Skipf("cannot make %s read-only as root (chattr: %v)", dir, err)
	}
	t.Cleanup(func() { exec.Command("chattr", "-i", dir).Run() })
	if f, err := os.Create(filepath.Join(dir, "probe")); err == nil {
		f.Close()
		t.Skipf("%s is still writable after chattr +i", dir)
	}
}

// TestInternalErrorIsOneLine: a panic in a command is one line, exit 1, with its stack only when
// REPLAY_DEBUG=1.
func TestInternalErrorIsOneLine(t *testing.T) {
	saved := commands
	t.Cleanup(func() { commands = saved })
	commands = append(slices.Clone(commands), struct {
		name, summary string
		run           func(ctx context.Context, args []string, stdout, stderr io.Writer) error
	}{"explode", "", func(context.Context, []string, io.Writer, io.Writer) error {
		var m map[string]int
		m["x"] = 1 // assignment to a nil map
		return nil
	}})
	code, _, errOut := runCLI(t, "explode")
	want := "replay explode: internal error: assignment to entry in nil map; please report it with the command line (REPLAY_DEBUG=1 shows where)\n"
	if code != 1 || errOut != want {
		t.Errorf("exit %d, stderr %q; want 1 and %q", code, errOut, want)
	}
	t.Setenv(DebugEnv, "1")
	if _, _, errOut := runCLI(t, "explode"); !strings.Contains(errOut, "goroutine") || !strings.HasPrefix(errOut, want) {
		t.Errorf("with %s=1: stderr %q, want the line and the stack", DebugEnv, errOut)
	}
}

// TestInterruptStopsWithinASecond: a cancelled context (Ctrl-C) stops long train, replay,
// datasets and metrics commands within a second, and train leaves a checkpoint to resume from.
func TestInterruptStopsWithinASecond(t *testing.T) {
	model := t.TempDir()
	trainTinyModel(t, model, "steps=2;hidden=8;batch_size=4;seq_len=6;eval_batch=4")
	bigCSV := filepath.Join(t.TempDir(), "big.csv")
	var b bytes.Buffer
	b.WriteString("chain,t,x,y\n")
	// Long enough that reading and measuring it outlast the interrupt (half a second) by far.
	for i := range 1_000_000 {
		fmt.Fprintf(&b, "%d,%d,0.1,0.2\n", i%4, i/4)
	}
	os.WriteFile(bigCSV, b.Bytes(), 0o644)
	for _, c := range []struct {
		name string
		args []string
		wait time.Duration // past the start (backend, compilation)
	}{
		{"train", []string{"train", "--task", "tmaze", "--out", t.TempDir(), "--progress=false", "--set", "steps=1000000;hidden=8;batch_size=4;seq_len=6;eval_batch=4;log_every=100000"}, 3 * time.Second},
		{"replay", []string{"replay", "--model", model, "--out", t.TempDir(), "--set", "chains=4;steps=10000000;steps_per_call=10"}, 3 * time.Second},
		{"datasets", []string{"datasets", "--task", "tmaze", "--n", "100000000", "--steps", "10"}, time.Second},
		{"metrics", []string{"metrics", "--task", "tmaze", "--traj", bigCSV}, 500 * time.Millisecond},
	} {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan int, 1)
		var stderr bytes.Buffer
		go func() { done <- run(ctx, c.args, io.Discard, &stderr) }()
		time.Sleep(c.wait)
		cancel()
		stopped := time.Now()
		select {
		case code := <-done:
			if d := time.Since(stopped); d > time.Second {
				t.Errorf("%s: stopped %s after the interrupt", c.name, d)
			}
			if code == 0 {
				t.Errorf("%s: exit 0 after an interrupt", c.name)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: still running 10 s after the interrupt", c.name)
		}
		if c.name == "train" && !strings.Contains(stderr.String(), "checkpoint saved") {
			t.Errorf("train: %q, want the interrupted run to say it saved a checkpoint", stderr.String())
		}
	}
}

// TestTrainResumesPastATruncatedCheckpoint: with the newest checkpoint pair of a finished run cut
// short (a 32-byte .bin, an empty .json: what a kill during GoMLX's own save left), the same train
// command resumes from the checkpoint before with one warning line and finishes.
func TestTrainResumesPastATruncatedCheckpoint(t *testing.T) {
	out := t.TempDir()
	args := []string{"train", "--task", "tmaze", "--out", out, "--progress=false",
		"--set", "steps=8;hidden=8;batch_size=4;seq_len=6;eval_batch=4;log_every=4;checkpoint_every=4"}
	if code, _, errOut := runCLI(t, args...); code != 0 {
		t.Fatalf("train: exit %d: %s", code, errOut)
	}
	newest, _ := filepath.Glob(filepath.Join(out, "checkpoint-*-step-00000008.bin"))
	if len(newest) != 1 {
		t.Fatalf("checkpoint of step 8: %v", newest)
	}
	data, _ := os.ReadFile(newest[0])
	os.WriteFile(newest[0], data[:32], 0o644)
	os.WriteFile(strings.TrimSuffix(newest[0], ".bin")+".json", nil, 0o644)
	code, stdout, errOut := runCLI(t, args...)
	warnings := regexp.MustCompile(`(?m)^replay train: warning: .*$`).FindAllString(errOut, -1)
	if code != 0 || len(warnings) != 1 || !strings.Contains(stdout, "from step 4 to 8") || !strings.Contains(stdout, "train: step 8") {
		t.Errorf("rerun: exit %d, warnings %q, stdout %q", code, warnings, stdout)
	}
}

// TestUnparseableMemoryLimitRefused: a REPLAY_MEMORY_LIMIT the size checks cannot use stops every
// command with exit 2 and a line naming it, instead of being ignored.
func TestUnparseableMemoryLimitRefused(t *testing.T) {
	for _, v := range []string{"abc", "0", "-1GiB", "1e309"} {
		t.Setenv("REPLAY_MEMORY_LIMIT", v)
		code, _, errOut := runCLI(t, "datasets", "--task", "tmaze", "--n", "1", "--steps", "2")
		if code != 2 || !strings.Contains(errOut, "REPLAY_MEMORY_LIMIT") || strings.Count(strings.TrimSpace(errOut), "\n") > 0 {
			t.Errorf("REPLAY_MEMORY_LIMIT=%s: exit %d, %q", v, code, errOut)
		}
	}
}

// TestReproduceRefusesAnotherSeedsDirectory: reproduce into a directory holding a run of another
// seed stops with exit 1 and one line naming both seeds, and leaves its plan.json as it was.
func TestReproduceRefusesAnotherSeedsDirectory(t *testing.T) {
	dir := t.TempDir()
	plan, err := claims.NewPlan(claims.Tiny(), 1)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(plan)
	if err := os.WriteFile(filepath.Join(dir, claims.PlanFile), raw, 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runCLI(t, "reproduce", "--size", "tiny", "--seed", "2", "--out", dir)
	if code != 1 || !strings.Contains(errOut, "holds a run of seed 1, this one is seed 2") {
		t.Errorf("exit %d, %q", code, errOut)
	}
	if after, _ := os.ReadFile(filepath.Join(dir, claims.PlanFile)); string(after) != string(raw) {
		t.Error("plan.json was changed")
	}
}

// TestReportChecksEveryFromDirectory: 'report --from A,B' refuses a B that is missing or holds
// another run's plan, instead of merging A alone.
func TestReportChecksEveryFromDirectory(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	for dir, seed := range map[string]uint64{a: 1, b: 2} {
		plan, err := claims.NewPlan(claims.Tiny(), seed)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := json.Marshal(plan)
		if err := os.WriteFile(filepath.Join(dir, claims.PlanFile), raw, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct{ from, want string }{
		{a + "," + filepath.Join(b, "missing"), "not the output of 'replay reproduce'"},
		{a + "," + b, "another run's"},
	} {
		if code, _, errOut := runCLI(t, "report", "--from", c.from); code != 2 || !strings.Contains(errOut, c.want) {
			t.Errorf("--from %s: exit %d, %q; want 2 and %q", c.from, code, errOut, c.want)
		}
	}
}

// TestDatasetsOutNeverReplacesAFIFO: 'datasets --out' onto a FIFO stops with one line and leaves
// the FIFO in place (a rename would have replaced it, as it replaced /dev/null when run as root).
func TestDatasetsOutNeverReplacesAFIFO(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "paths.csv")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("no FIFO here: %v", err)
	}
	code, _, errOut := runCLI(t, "datasets", "--task", "tmaze", "--n", "2", "--steps", "3", "--out", fifo)
	if code != 1 || !strings.Contains(errOut, "not a regular file (a FIFO)") {
		t.Errorf("exit %d, %q", code, errOut)
	}
	if st, err := os.Lstat(fifo); err != nil || st.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the FIFO is gone: %v %v", st, err)
	}
}

// TestDanglingOutSymlink: an --out that is a symbolic link to nothing is named as such, as a
// directory (report) and as a file (datasets), instead of "mkdir …: file exists".
func TestDanglingOutSymlink(t *testing.T) {
	link := filepath.Join(t.TempDir(), "results")
	if err := os.Symlink(filepath.Join(t.TempDir(), "gone"), link); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runCLI(t, "report", "--from", link, "--out", link); code != 1 || !strings.Contains(errOut, "a symbolic link to") || !strings.Contains(errOut, "does not exist") {
		t.Errorf("report --out a dangling link: exit %d, %q", code, errOut)
	}
	if code, _, errOut := runCLI(t, "datasets", "--task", "tmaze", "--n", "1", "--steps", "2", "--out", link); code != 1 || !strings.Contains(errOut, "not a regular file (a symbolic link)") {
		t.Errorf("datasets --out a dangling link: exit %d, %q", code, errOut)
	}
}
