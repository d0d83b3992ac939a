// Package docker tests the image of docker/Dockerfile as a user meets it: the test builds the image,
// starts a container with its default command (JupyterLab) and a bind-mounted results/, checks that
// JupyterLab answers on port 8888 with the gonb kernel, executes the quickstart notebook inside the
// running container, and checks what it wrote to results/ on the host: the notebook's figures, its
// backend line (XLA) and the owner of every file (the ids given to the build).
//
// The base is the Dockerfile's default (the official Go image) where REPLAY_DOCKER_BASE names it;
// otherwise the test makes a stand-in for it from Debian's packages and the Go module proxy
// (docker/stand-in-base.sh), kept between runs on one machine. The container runs without a network
// (--network none): nothing may be downloaded at run time. A Docker daemon is used where one answers,
// and started (dockerd --bridge=none --iptables=false, stopped afterwards) where the test runs as
// root and Debian's docker.io is installed (.ci/install installs it, and mmdebstrap). Where neither
// works the test skips with one line, unless REPLAY_DOCKER=required (set by .ci/test), which makes
// that a failure.
package docker

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// imageTag is the tag of the image the test builds; it is kept, so that a second run on one machine
// reuses the build's cached layers.
const imageTag = "replay-test:latest"

// standInIDs are the user and group ids the image is built with when the test runs as root: the
// Dockerfile refuses root as its user, so the test stands in for a host user with these ids and
// gives it the results directory.
const standInIDs = 4321

// TestImageBuildsAndRuns builds docker/Dockerfile, runs JupyterLab in a container and executes the
// quickstart notebook in it (see the package comment).
func TestImageBuildsAndRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the Docker test builds an image and executes a notebook in it (minutes)")
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	startDaemon(t)
	base := os.Getenv("REPLAY_DOCKER_BASE")
	if base == "" {
		base = standInBase(t, root)
	}
	t.Logf("base image %s (%s)", base, since(t0))

	uid, gid := os.Getuid(), os.Getgid()
	if uid == 0 {
		uid, gid = standInIDs, standInIDs
	}
	tb := time.Now()
	docker(t, 45*time.Minute, root, "build", "--network", "host",
		"--build-arg", "BASE="+base,
		"--build-arg", "UID="+strconv.Itoa(uid), "--build-arg", "GID="+strconv.Itoa(gid),
		"-t", imageTag, "-f", "docker/Dockerfile", ".")
	t.Logf("image %s built in %s (user %d:%d)", imageTag, since(tb), uid, gid)

	// Root as the image's user is refused at once, with one line that says why (every step before
	// it comes from the build's cache).
	refused := exec.Command("docker", "build", "--network", "host", "--build-arg", "BASE="+base,
		"--build-arg", "UID=0", "--build-arg", "GID=0", "-f", "docker/Dockerfile", ".")
	refused.Dir = root
	if out, err := refused.CombinedOutput(); err == nil || !strings.Contains(string(out), "build-arg UID=0: the image's user cannot be root") {
		t.Errorf("a build with UID=0 should fail with its one-line reason; err %v, output:\n%s", err, lastLines(string(out), 15))
	}

	results := filepath.Join(t.TempDir(), "results")
	if err := os.Mkdir(results, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(results, uid, gid); err != nil {
		t.Fatal(err)
	}
	token := randomHex(t, 16)
	name := "replay-test-" + randomHex(t, 4)
	docker(t, time.Minute, root, "run", "--detach", "--name", name, "--network", "none",
		"--env", "JUPYTER_TOKEN="+token,
		"--volume", results+":/home/replay/replay/results", imageTag)
	t.Cleanup(func() {
		if t.Failed() {
			logs, _ := exec.Command("docker", "logs", "--tail", "40", name).CombinedOutput()
			t.Logf("container log (last lines):\n%s", logs)
		}
		exec.Command("docker", "rm", "--force", name).Run()
	})

	// JupyterLab answers on port 8888, inside the container, with the gonb kernel.
	tj := time.Now()
	var specs string
	for deadline := time.Now().Add(2 * time.Minute); ; {
		out, err := exec.Command("docker", "exec", name, "curl", "--silent", "--fail",
			"--header", "Authorization: token "+token, "http://127.0.0.1:8888/api/kernelspecs").Output()
		if err == nil {
			specs = string(out)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("JupyterLab does not answer on port 8888 after 2 minutes: %v", err)
		}
		time.Sleep(time.Second)
	}
	var kernels struct {
		Kernelspecs map[string]json.RawMessage `json:"kernelspecs"`
	}
	if err := json.Unmarshal([]byte(specs), &kernels); err != nil {
		t.Fatalf("JupyterLab's /api/kernelspecs is not JSON: %v\n%s", err, specs)
	}
	if _, ok := kernels.Kernelspecs["gonb"]; !ok {
		t.Fatalf("JupyterLab answers on port 8888 but has no gonb kernel: %s", specs)
	}
	t.Logf("JupyterLab answers on port 8888 with the gonb kernel after %s", since(tj))

	// The quickstart notebook, executed in the running container, writes to results/.
	tn := time.Now()
	docker(t, 30*time.Minute, root, "exec",
		"--env", "REPLAY_NB_MODE=quick", // models in results/notebooks-quick, the notebooks' default
		name, "jupyter", "nbconvert", "--to", "notebook", "--execute",
		"--ExecutePreprocessor.timeout=1200", "--ExecutePreprocessor.kernel_name=gonb",
		"--output-dir", "results", "notebooks/00-quickstart.ipynb")
	t.Logf("quickstart executed in the container in %s", since(tn))
	checkQuickstart(t, filepath.Join(results, "00-quickstart.ipynb"))
	checkOwners(t, results, uid, gid)
}

// checkQuickstart fails the test if the executed notebook has an error output, no image or no
// "replay: backend" line naming XLA.
func checkQuickstart(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("the executed quickstart is not in results/: %v", err)
	}
	var nb struct {
		Cells []struct {
			Outputs []struct {
				OutputType string                     `json:"output_type"`
				Ename      string                     `json:"ename"`
				Evalue     string                     `json:"evalue"`
				Text       json.RawMessage            `json:"text"`
				Data       map[string]json.RawMessage `json:"data"`
			} `json:"outputs"`
		} `json:"cells"`
	}
	if err := json.Unmarshal(data, &nb); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	images := 0
	var backend []string
	for _, c := range nb.Cells {
		for _, o := range c.Outputs {
			if o.OutputType == "error" {
				t.Errorf("quickstart cell error: %s: %s", o.Ename, o.Evalue)
			}
			for line := range strings.Lines(jupyterText(o.Text)) {
				if strings.HasPrefix(line, "panic:") {
					t.Errorf("quickstart panicked: %s", line)
				}
				if strings.HasPrefix(line, "replay: backend ") {
					backend = append(backend, strings.TrimSpace(line))
				}
			}
			for mime, raw := range o.Data {
				// a figure: an image, or HTML with inline SVG (the notebooks' default) or an <img>
				text := jupyterText(raw)
				html := mime == "text/html" && (strings.Contains(text, "<svg") || strings.Contains(text, "<img"))
				if strings.HasPrefix(mime, "image/") || html {
					images++
				}
			}
		}
	}
	if images == 0 {
		t.Errorf("the executed quickstart shows no image")
	}
	if len(backend) == 0 {
		t.Fatalf("the executed quickstart printed no \"replay: backend\" line")
	}
	for _, line := range backend {
		if !strings.Contains(strings.ToLower(line), "xla") {
			t.Errorf("the quickstart ran on %q, not on XLA: the image's plugin was not found", line)
		}
	}
	t.Logf("quickstart: %d images; %s", images, backend[0])
}

// jupyterText returns a notebook output's text, stored as a string or as a list of strings.
func jupyterText(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var lines []string
	json.Unmarshal(raw, &lines)
	return strings.Join(lines, "")
}

// checkOwners fails the test if results/ holds fewer than two files or any entry under it is not
// owned by uid:gid.
func checkOwners(t *testing.T, dir string, uid, gid int) {
	t.Helper()
	files := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		st, ok := info.Sys().(*syscall.Stat_t)
		if !ok {
			return fmt.Errorf("%s: no owner in its file information", path)
		}
		if int(st.Uid) != uid || int(st.Gid) != gid {
			t.Errorf("%s is owned by %d:%d, not by the build's %d:%d", path, st.Uid, st.Gid, uid, gid)
		}
		if !d.IsDir() {
			files++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 2 {
		t.Fatalf("results/ holds %d files after the quickstart (its notebook and models expected)", files)
	}
	t.Logf("results/: %d files, all owned by %d:%d", files, uid, gid)
}

// startDaemon makes sure a Docker daemon answers: the one running, or one the test starts (and stops
// when it ends). It skips or fails, as REPLAY_DOCKER says, where there is none.
func startDaemon(t *testing.T) {
	t.Helper()
	required := os.Getenv("REPLAY_DOCKER") == "required"
	unavailable := func(format string, args ...any) {
		t.Helper()
		msg := fmt.Sprintf(format, args...)
		if required {
			t.Fatalf("REPLAY_DOCKER=required, but no Docker: %s", msg)
		}
		t.Skipf("no Docker: %s (Debian's docker.io, which bash .ci/install installs where it runs as root; REPLAY_DOCKER=required makes this a failure)", msg)
	}
	if _, err := exec.LookPath("docker"); err != nil {
		unavailable("docker not found")
	}
	if daemonAnswers() {
		return
	}
	dockerd, err := exec.LookPath("dockerd")
	if err != nil {
		unavailable("no daemon answers and dockerd is not installed")
	}
	if os.Geteuid() != 0 {
		unavailable("no daemon answers, and only root can start dockerd")
	}
	logPath := filepath.Join(t.TempDir(), "dockerd.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(dockerd, "--bridge=none", "--iptables=false", "--ip6tables=false")
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		unavailable("dockerd does not start: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait(); logFile.Close() }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
	})
	for deadline := time.Now().Add(time.Minute); !daemonAnswers(); {
		select {
		case err := <-exited:
			log, _ := os.ReadFile(logPath)
			unavailable("dockerd exited (%v): %s", err, lastLine(string(log)))
		case <-time.After(500 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(logPath)
			unavailable("dockerd does not answer after a minute: %s", lastLine(string(log)))
		}
	}
	t.Logf("started dockerd (--bridge=none --iptables=false)")
}

// daemonAnswers reports whether a Docker daemon answers the client.
func daemonAnswers() bool {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return exec.CommandContext(ctx, "docker", "info", "--format", "{{.ServerVersion}}").Run() == nil
}

// standInBase makes (or finds) the stand-in base image with docker/stand-in-base.sh and returns its
// tag.
func standInBase(t *testing.T, root string) string {
	t.Helper()
	for _, tool := range []string{"mmdebstrap", "go"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("REPLAY_DOCKER") == "required" {
				t.Fatalf("REPLAY_DOCKER=required, but %s is not installed to make the stand-in base (or name a base in REPLAY_DOCKER_BASE)", tool)
			}
			t.Skipf("%s not found: it makes the stand-in base image (Debian's mmdebstrap; or name a base in REPLAY_DOCKER_BASE)", tool)
		}
	}
	out := run(t, 15*time.Minute, root, "bash", "docker/stand-in-base.sh")
	return lastLine(out)
}

// docker runs the docker client with args in dir and fails the test, with the end of its output, if
// it fails or runs longer than limit.
func docker(t *testing.T, limit time.Duration, dir string, args ...string) string {
	t.Helper()
	return run(t, limit, dir, "docker", args...)
}

// run runs a command in dir and returns its standard output; it fails the test, with the end of
// the command's output, if the command fails or runs longer than limit.
func run(t *testing.T, limit time.Duration, dir, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	var stdout, both bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &both
	if err := cmd.Run(); err != nil {
		all := both.String() + stdout.String()
		if len(all) > 6000 {
			all = "…" + all[len(all)-6000:]
		}
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args[:min(len(args), 3)], " "), err, all)
	}
	return stdout.String()
}

// randomHex returns n random bytes in hex.
func randomHex(t *testing.T, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// lastLines returns the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// lastLine returns the last non-empty line of s.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// since formats the time since t0 in seconds.
func since(t0 time.Time) string {
	return fmt.Sprintf("%.0f s", time.Since(t0).Seconds())
}
