package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// TestReproduceTinyEndToEnd runs the whole pipeline at the tiny size and checks the files and
// metrics.json's schema; a second run reuses the trained models.
func TestReproduceTinyEndToEnd(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := runCLI(t, "reproduce", "--size", "tiny", "--out", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, f := range []string{"report.md", "metrics.json", "figures/triangle-training.png", "figures/tmaze-replay-1.svg",
		"figures/tmaze-sweep-reach.png", "figures/theory-mixture-score.png", "models/tmaze-alpha0.2-k16/config.json"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s missing or empty (%v)", f, err)
		}
	}
	raw, err := os.ReadFile(filepath.Join(dir, "metrics.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Schema string `json:"schema"`
		Size   struct {
			Name string `json:"name"`
		} `json:"size"`
		Tasks []struct {
			Task     string `json:"task"`
			Training []struct {
				History []map[string]any `json:"history"`
			} `json:"training"`
			Variants []struct {
				Name        string         `json:"name"`
				W1          map[string]any `json:"w1"`
				ReachMedian map[string]any `json:"reach_median"`
				Coverage    map[string]any `json:"coverage"`
			} `json:"variants"`
			Sweep []map[string]any `json:"momentum_sweep"`
		} `json:"tasks"`
		Claims []struct {
			ID     int              `json:"id"`
			Task   string           `json:"task"`
			Held   *bool            `json:"held"`
			Checks []map[string]any `json:"checks"`
		} `json:"claims"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("metrics.json: %v", err)
	}
	if m.Schema != "replay-metrics/1" || m.Size.Name != "tiny" || len(m.Tasks) != 2 {
		t.Fatalf("metrics.json: schema %q size %q tasks %d", m.Schema, m.Size.Name, len(m.Tasks))
	}
	for _, task := range m.Tasks {
		if len(task.Variants) != 8 || len(task.Sweep) != 2 || len(task.Training) != 2 || len(task.Training[0].History) < 2 {
			t.Errorf("%s: %d variants, %d sweep points, %d models", task.Task, len(task.Variants), len(task.Sweep), len(task.Training))
		}
		for _, v := range task.Variants {
			if _, ok := v.W1["mean"].(float64); !ok {
				t.Errorf("%s/%s: w1.mean is %v, want a number", task.Task, v.Name, v.W1["mean"])
			}
			if _, ok := v.ReachMedian["values"]; !ok {
				t.Errorf("%s/%s: reach_median has no values", task.Task, v.Name)
			}
		}
	}
	if len(m.Claims) != 9 {
		t.Errorf("%d claims, want 4 per task + theory = 9", len(m.Claims))
	}
	for _, c := range m.Claims {
		if c.Held == nil || len(c.Checks) == 0 {
			t.Errorf("claim %d/%s: held %v with %d checks", c.ID, c.Task, c.Held, len(c.Checks))
		}
	}
	report, _ := os.ReadFile(filepath.Join(dir, "report.md"))
	for _, want := range []string{"## Claims", "### Claim 3", "| leak |", "![figures/triangle-training.png]"} {
		if !strings.Contains(string(report), want) {
			t.Errorf("report.md lacks %q", want)
		}
	}
	if !strings.Contains(out, "claims held") {
		t.Errorf("stdout lacks the summary line:\n%s", out)
	}
	// Second run: models are reused, not retrained.
	code, out, errOut = runCLI(t, "reproduce", "--size", "tiny", "--out", dir)
	if code != 0 || strings.Count(out, "reusing trained checkpoint") != 4 {
		t.Errorf("second run: exit %d, %d reuses (want 4); %s", code, strings.Count(out, "reusing trained checkpoint"), errOut)
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
	code, _, errOut := runCLI(t, "train", "--task", "tmaze", "--out", dir, "--progress=false",
		"--set", "steps=40;hidden=16;batch_size=8;seq_len=12;eval_batch=8;log_every=20")
	if code != 0 {
		t.Fatalf("train: exit %d: %s", code, errOut)
	}
	code, _, errOut = runCLI(t, "replay", "--model", dir, "--set", "chains=8;steps=30;steps_per_call=10;momentum=0.8")
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
	code, out, errOut := runCLI(t, "metrics", "--task", "tmaze", "--traj", traj, "--target", "right arm")
	if code != 0 {
		t.Fatalf("metrics: exit %d: %s", code, errOut)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil || m["chains"].(float64) != 8 {
		t.Errorf("metrics output %q (%v)", out, err)
	}
	code, out, _ = runCLI(t, "datasets", "--task", "triangle", "--n", "2", "--steps", "3")
	if code != 0 || strings.Count(out, "\n") != 1+2*4 {
		t.Errorf("datasets csv: exit %d, %d lines", code, strings.Count(out, "\n"))
	}
}
