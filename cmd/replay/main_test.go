package main

import (
	"bytes"
	"context"
	"encoding/json"
	"image/gif"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/replaylab/replay/replaylib/claims"
)

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// trainTinyModel runs 'replay train' on the T-maze into dir with the --set value set (a tiny
// network, seconds to train) and fails the test unless it succeeds.
func trainTinyModel(t *testing.T, dir, set string) {
	t.Helper()
	if code, _, errOut := runCLI(t, "train", "--task", "tmaze", "--out", dir, "--progress=false", "--set", set); code != 0 {
		t.Fatalf("train: exit %d: %s", code, errOut)
	}
}

// reportNumbers reads metrics.json without the fields that measure time (they differ between runs).
func reportNumbers(t *testing.T, dir string) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, "metrics.json"))
	if err != nil {
		t.Fatal(err)
	}
	numbers, err := claims.NumbersWithoutTimes(raw)
	if err != nil {
		t.Fatalf("metrics.json: %v", err)
	}
	return numbers
}

// TestReproduceTinyEndToEnd runs the whole pipeline at the tiny size: plan, unit files, report,
// metrics.json with a verdict for every claim; a second run redoes nothing; the same plan run as
// two shards (training, then replay) and merged with 'replay report' gives the same numbers.
func TestReproduceTinyEndToEnd(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := runCLI(t, "reproduce", "--size", "tiny", "--out", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, f := range []string{"plan.json", "report.md", "metrics.json"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s missing or empty (%v)", f, err)
		}
	}
	units, _ := filepath.Glob(filepath.Join(dir, "units", "*.json"))
	if len(units) != 8 { // tmaze × 2 α × 2 networks × (train + replay)
		t.Errorf("%d unit files, want 8", len(units))
	}
	var m struct {
		Schema string `json:"schema"`
		Tasks  []struct {
			Task string         `json:"task"`
			Gate map[string]any `json:"gate"`
		} `json:"tasks"`
		Claims []struct {
			ID      int              `json:"id"`
			Verdict string           `json:"verdict"`
			Checks  []map[string]any `json:"checks"`
		} `json:"claims"`
	}
	raw, _ := os.ReadFile(filepath.Join(dir, "metrics.json"))
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	if m.Schema != "replay-metrics/2" || len(m.Tasks) != 1 || m.Tasks[0].Gate == nil {
		t.Fatalf("metrics.json: schema %q, %d tasks", m.Schema, len(m.Tasks))
	}
	if len(m.Claims) != 1+4+1+4+1 { // claim 1, 2 per form, 3, 4 per form, 5
		t.Errorf("%d claims, want 11", len(m.Claims))
	}
	for _, c := range m.Claims {
		if c.Verdict != "held" && c.Verdict != "reversed" && c.Verdict != "inconclusive" || len(c.Checks) == 0 {
			t.Errorf("claim %d: verdict %q with %d checks", c.ID, c.Verdict, len(c.Checks))
		}
	}
	report, _ := os.ReadFile(filepath.Join(dir, "report.md"))
	for _, want := range []string{"## Verdicts", "## Baseline gate", "### Claim 3", "Holm"} {
		if !strings.Contains(string(report), want) {
			t.Errorf("report.md lacks %q", want)
		}
	}
	if !strings.Contains(out, "held,") {
		t.Errorf("stdout lacks the summary line:\n%s", out)
	}
	// Second run: nothing to redo.
	code, out, errOut = runCLI(t, "reproduce", "--size", "tiny", "--out", dir)
	if code != 0 || strings.Contains(out, "== ") {
		t.Errorf("second run: exit %d, ran units again: %s %s", code, out, errOut)
	}
	// Two shards into one directory, training then replay, merged by 'replay report'; the second
	// replay shard's units are run by an unsharded --only replay.
	sharded := t.TempDir()
	for _, run := range [][]string{
		{"--shard", "0/2", "--only", "train"}, {"--shard", "1/2", "--only", "train"},
		{"--shard", "0/2", "--only", "replay"}, {"--only", "replay"},
	} {
		// One unit at a time here, two in the unsharded run: the numbers must not depend on it.
		args := append([]string{"reproduce", "--size", "tiny", "--out", sharded, "--workers", "1"}, run...)
		code, out, errOut := runCLI(t, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s %s", run, code, out, errOut)
		}
		// Until the last, each run leaves units to the others: said once, not an error.
		if last := len(run) == 2; last != strings.Contains(out, "report.md") || !last && !strings.Contains(out, "units of the plan are left") {
			t.Errorf("%v: %s", run, out)
		}
	}
	code, out, errOut = runCLI(t, "status", sharded)
	if code != 0 || !strings.Contains(out, "8 done, 0 running, 0 left") {
		t.Errorf("status: exit %d: %s %s", code, out, errOut)
	}
	if code, _, errOut := runCLI(t, "report", "--from", sharded); code != 0 {
		t.Fatalf("report: exit %d: %s", code, errOut)
	}
	if a, b := reportNumbers(t, dir), reportNumbers(t, sharded); a != b {
		t.Errorf("sharded and unsharded runs differ:\n%.600s\n%.600s", a, b)
	}
}

func TestBadCommandLinesExit2WithOneLine(t *testing.T) {
	for _, args := range [][]string{
		{"reproduce", "--bogus"},
		{"reproduce", "--set", "hidden=-3"},
		{"reproduce", "--set", "colour=red"},
		{"reproduce", "--quick", "--full"},
		{"train", "--task", "circle", "--out", t.TempDir()},
		{"train", "--out", t.TempDir(), "--set", "alpha=2"},
		{"replay"},
		{"datasets", "--format", "xml"},
		{"frobnicate"},
	} {
		code, _, errOut := runCLI(t, args...)
		if code != 2 || strings.Count(strings.TrimSpace(errOut), "\n") != 0 || errOut == "" {
			t.Errorf("%v: exit %d, stderr %q; want 2 and one line", args, code, errOut)
		}
	}
	_, _, errOut := runCLI(t, "train", "--out", t.TempDir(), "--set", "alpha=2")
	if !strings.Contains(errOut, "alpha") {
		t.Errorf("bad alpha: %q does not name the field", errOut)
	}
}

func TestUnwritableOutputFailsCleanly(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o644)
	code, _, errOut := runCLI(t, "reproduce", "--size", "tiny", "--out", filepath.Join(file, "out"))
	if code != 1 || !strings.Contains(errOut, "--out") || strings.Contains(errOut, "goroutine") {
		t.Errorf("exit %d, stderr %q; want 1 and a message naming --out", code, errOut)
	}
}

// TestTrainReplayMetricsPipeline: the single-stage commands chain through their files.
func TestTrainReplayMetricsPipeline(t *testing.T) {
	dir := t.TempDir()
	trainTinyModel(t, dir, "steps=40;hidden=16;batch_size=8;seq_len=12;eval_batch=8;log_every=20")
	code, _, errOut := runCLI(t, "replay", "--model", dir, "--set", "chains=8;steps=30;steps_per_call=10;momentum=0.8")
	if code != 0 {
		t.Fatalf("replay: exit %d: %s", code, errOut)
	}
	traj := filepath.Join(dir, "replay", "trajectories.csv")
	data, err := os.ReadFile(traj)
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(string(data), "\n"); lines != 1+8*31 {
		t.Errorf("trajectories.csv has %d lines, want header + 8 chains × 31 steps", lines)
	}
	var rc struct {
		Checkpoint int    `json:"checkpoint_step"`
		Steps      int    `json:"training_steps"`
		Start      string `json:"start"`
	}
	if raw, err := os.ReadFile(filepath.Join(dir, "replay", "replay-config.json")); err != nil || json.Unmarshal(raw, &rc) != nil ||
		rc.Checkpoint != 40 || rc.Steps != 40 || !strings.Contains(rc.Start, "fresh task paths") {
		t.Errorf("replay-config.json: %+v (%v)", rc, err)
	}
	// The task comes from replay-config.json beside the trajectories; another --task is refused.
	code, out, errOut := runCLI(t, "metrics", "--traj", traj, "--format", "json")
	if code != 0 {
		t.Fatalf("metrics: exit %d: %s", code, errOut)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil || m["chains"].(float64) != 8 || m["task"] != "tmaze" {
		t.Fatalf("metrics output %q (%v)", out, err)
	}
	if code, _, errOut := runCLI(t, "metrics", "--task", "triangle", "--traj", traj); code != 2 || !strings.Contains(errOut, "was of tmaze") {
		t.Errorf("metrics --task triangle on a T-maze replay: exit %d, %q", code, errOut)
	}
	for _, key := range []string{"w1", "reach_rmst", "progress", "chain_coverage", "kde_kl"} {
		if _, ok := m[key].(float64); !ok {
			t.Errorf("metrics: %s is %v, want a number", key, m[key])
		}
	}
	code, out, _ = runCLI(t, "datasets", "--task", "triangle", "--n", "2", "--steps", "3")
	if code != 0 || strings.Count(out, "\n") != 1+2*4 {
		t.Errorf("datasets csv: exit %d, %d lines", code, strings.Count(out, "\n"))
	}
}

// TestUntrainedArenaReplay: a run trained for 0 steps replays its initial weights (with a line
// saying so) on the predecessor's arena task, and its KL from waking is measured.
func TestUntrainedArenaReplay(t *testing.T) {
	dir := t.TempDir()
	if code, _, errOut := runCLI(t, "train", "--task", "arena", "--out", dir, "--progress=false", "--set", "steps=0;hidden=16;batch_size=4;eval_batch=4"); code != 0 {
		t.Fatalf("train steps=0: exit %d: %s", code, errOut)
	}
	code, _, errOut := runCLI(t, "replay", "--model", dir, "--set", "chains=6;steps=40;steps_per_call=20")
	if code != 0 || !strings.Contains(errOut, "untrained (steps=0)") {
		t.Fatalf("replay of an untrained run: exit %d: %q", code, errOut)
	}
	code, out, errOut := runCLI(t, "metrics", "--traj", filepath.Join(dir, "replay", "trajectories.csv"), "--format", "json")
	if code != 0 {
		t.Fatalf("metrics: exit %d: %s", code, errOut)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil || m["task"] != "arena" {
		t.Fatalf("metrics output %q (%v)", out, err)
	}
	// An untrained network's replay stays near its starts or collapses: far from waking.
	if kl, ok := m["kde_kl"].(float64); !ok || !(kl > 0.1) {
		t.Errorf("kde_kl of an untrained network's replay = %v, want a number > 0.1", m["kde_kl"])
	}
}

// TestReplayAnimateCompare: 'replay --animate' writes a GIF of the replay beside
// trajectories.csv, with one panel per --compare variant; bad animation flags exit 2 naming the
// flag.
func TestReplayAnimateCompare(t *testing.T) {
	dir := t.TempDir()
	trainTinyModel(t, dir, "steps=20;hidden=16;batch_size=8;seq_len=12;eval_batch=8;log_every=10")
	set := "chains=6;steps=40;steps_per_call=10"
	code, out, errOut := runCLI(t, "replay", "--model", dir, "--set", set, "--animate", "anim.gif",
		"--animate-chains", "4", "--animate-frames", "12",
		"--compare", "momentum=0.7", "--compare", "adapt_strength=0.5; momentum=0.7")
	if code != 0 {
		t.Fatalf("replay --animate: exit %d: %s", code, errOut)
	}
	gifPath := filepath.Join(dir, "replay", "anim.gif")
	if !strings.Contains(out, gifPath) {
		t.Errorf("stdout does not name %s:\n%s", gifPath, out)
	}
	data, err := os.ReadFile(gifPath)
	if err != nil {
		t.Fatal(err)
	}
	g, err := gif.DecodeAll(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s: %v", gifPath, err)
	}
	if len(g.Image) != 12 || g.Config.Width%3 != 0 || g.Config.Width < 3*g.Config.Height/2 {
		t.Errorf("%d frames of %d × %d; want 12 frames of three panels side by side", len(g.Image), g.Config.Width, g.Config.Height)
	}
	if _, err := os.Stat(filepath.Join(dir, "replay", "trajectories.csv")); err != nil {
		t.Error(err)
	}
	for _, c := range []struct {
		args []string
		flag string
	}{
		{[]string{"--animate", "a.gif", "--compare", "momentum=abc"}, "--compare momentum=abc"},
		{[]string{"--animate", "a.gif", "--compare", "chains=3"}, "--compare chains"},
		{[]string{"--animate", "a.gif", "--compare", "momentum=2"}, "--compare"},
		{[]string{"--animate", "a.gif", "--compare", ""}, "--compare"},
		{[]string{"--compare", "momentum=0.7"}, "--compare"},
		{[]string{"--animate", "a.gif", "--animate-chains", "0"}, "--animate-chains"},
		{[]string{"--animate", "a.gif", "--animate-frames", "-1"}, "--animate-frames"},
	} {
		code, _, errOut := runCLI(t, append([]string{"replay", "--model", dir, "--set", set}, c.args...)...)
		if code != 2 || strings.Count(strings.TrimSpace(errOut), "\n") != 0 || !strings.Contains(errOut, c.flag) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and one line naming %s", c.args, code, errOut, c.flag)
		}
	}
}
