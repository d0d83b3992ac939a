// Package cluster tests the cluster scripts of this folder: cluster/slurm/submit.sh and its job
// scripts run a sharded tiny reproduction on a one-node Slurm cluster that the test starts and
// stops itself (munge, slurmctld and slurmd in a temporary directory, under a generated
// slurm.conf). Debian's slurm-wlm and munge are installed by .ci/install; the test needs root or
// passwordless sudo to start the daemons and skips, saying why, where it cannot, unless
// REPLAY_SLURM=required (set by .ci/test), which makes that a failure.
package cluster

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"math"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/replaylab/replay/replaylib/claims"
)

// shards is the number of array tasks of each phase.
const shards = 4

// reproduceArgs are the arguments of every reproduction of this test: 8 units (4 training, 4
// replay), so that each array task has one unit of each kind.
var reproduceArgs = []string{"--size", "tiny"}

// TestSlurmShardedReproduction submits a tiny reproduction with cluster/slurm/submit.sh as job
// arrays of 4 (training, replay after it, merge after that) and checks that the merged
// metrics.json has the numbers of one unsharded run. Then it submits again into a fresh
// directory, kills the process of one training task half-way through its unit (between two
// checkpoints, see killTrainUnit), resubmits that shard alone and then the whole chain as it is,
// and checks that no finished unit was redone, that the killed unit resumed from its checkpoint
// and that the merged numbers are again those of the unsharded run.
func TestSlurmShardedReproduction(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the Slurm test starts a cluster and runs a tiny reproduction three times (minutes)")
	}
	t0 := time.Now()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir() // removed after the cluster is stopped (cleanups run last first)
	c := startCluster(t)
	t.Logf("one-node cluster up in %s (node %s, %d CPUs)", since(t0), c.node, runtime.NumCPU())

	tb := time.Now()
	bin := filepath.Join(work, "bin", "replay")
	build := exec.Command("go", "build", "-o", bin, "./cmd/replay")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/replay: %v\n%s", err, out)
	}
	t.Logf("replay built in %s", since(tb))

	// The unsharded reference runs beside the first cluster run.
	ref := filepath.Join(work, "unsharded")
	var refErr error
	var refWG sync.WaitGroup
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() { cancel(); refWG.Wait() }) // first of the cleanups, on failure too
	refWG.Add(1)
	go func() {
		defer refWG.Done()
		tr := time.Now()
		cmd := exec.CommandContext(ctx, bin, append([]string{"reproduce", "--out", ref}, reproduceArgs...)...)
		cmd.Env = c.env
		if out, err := cmd.CombinedOutput(); err != nil {
			refErr = fmt.Errorf("unsharded replay reproduce: %v\n%s", err, tail(string(out), 2000))
			return
		}
		t.Logf("unsharded reference (replay reproduce %s) in %s", strings.Join(reproduceArgs, " "), since(tr))
	}()
	wantNumbers := func() string {
		refWG.Wait()
		if refErr != nil {
			t.Fatal(refErr)
		}
		return reportNumbers(t, ref)
	}

	submit := func(out string) (train, replay, merge string) {
		t.Helper()
		args := append([]string{filepath.Join(root, "cluster", "slurm", "submit.sh"), out, strconv.Itoa(shards)}, reproduceArgs...)
		cmd := exec.Command("bash", args...)
		cmd.Env = append(slices.Clone(c.env), "REPLAY_BIN="+bin, "REPLAY_SBATCH_ARGS=--cpus-per-task=1")
		raw, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("submit.sh: %v\n%s", err, raw)
		}
		ids := map[string]string{}
		for _, m := range regexp.MustCompile(`(?m)^submit: (train|replay|merge) job (\d+)`).FindAllStringSubmatch(string(raw), -1) {
			ids[m[1]] = m[2]
		}
		if len(ids) != 3 {
			t.Fatalf("submit.sh printed %d job IDs, want 3:\n%s", len(ids), raw)
		}
		return ids["train"], ids["replay"], ids["merge"]
	}

	// 1. Sharded through Slurm, merged, against the unsharded run.
	t1 := time.Now()
	sharded := filepath.Join(work, "sharded")
	train, replay, merge := submit(sharded)
	states := c.wait(t, sharded, train, replay, merge)
	expectAll(t, states, "COMPLETED", sharded)
	t.Logf("sharded run through Slurm (train %s, replay %s, merge %s: arrays of %d) in %s", train, replay, merge, shards, since(t1))
	if st := status(t, bin, sharded); !strings.Contains(st, "8 units: 8 done, 0 running, 0 left") {
		t.Errorf("replay status after the merge job: %s", st)
	}
	want := wantNumbers()
	if got := reportNumbers(t, sharded); got != want {
		t.Errorf("merged metrics.json of the Slurm run differs from the unsharded run: %s", firstDifference(got, want))
	}

	// 2. Kill one training task half-way through its unit, resubmit, and check nothing finished is redone.
	t2 := time.Now()
	killed := filepath.Join(work, "killed")
	train, replay, merge = submit(killed)
	unit, shard, step := c.killTrainUnit(t, killed, train)
	t.Logf("killed (SIGKILL) the process of task %s_%d half-way through unit %s: its last checkpoint was at step %d of %d",
		train, shard, unit, step, trainSteps(t, killed))
	states = c.wait(t, killed, train, replay, merge)
	if s := states[train+"_"+strconv.Itoa(shard)]; s != "FAILED" {
		t.Errorf("killed task %s_%d ended %s, want FAILED", train, shard, s)
	}
	for _, id := range []string{replay, merge} {
		for k, s := range states {
			if (k == id || strings.HasPrefix(k, id+"_")) && s != "CANCELLED" {
				t.Errorf("job %s ended %s after a training task failed; want CANCELLED (--kill-on-invalid-dep=yes)", k, s)
			}
		}
	}
	if _, err := os.Stat(filepath.Join(killed, "units", unit+".json")); err == nil {
		t.Fatalf("unit %s has a result although its process was killed while running it", unit)
	}
	st := status(t, bin, killed)
	if !strings.Contains(st, "8 units: 3 done, 0 running, 5 left") || !strings.Contains(st, "left     "+unit) {
		t.Errorf("replay status after the kill: want 3 done, 0 running and %s left:\n%s", unit, st)
	}
	before := unitStamps(t, killed)
	if len(before) != 3 {
		t.Fatalf("%d finished units before the resubmission, want 3", len(before))
	}
	t.Logf("kill case: first submission over in %s, %d units finished, %s left", since(t2), len(before), unit)

	// Resubmit the killed shard alone, as reproduce-array.sbatch documents.
	t3 := time.Now()
	cmd := exec.Command("sbatch", append([]string{"--parsable", "--export=ALL", "--cpus-per-task=1",
		"--array=" + strconv.Itoa(shard), "--output=" + filepath.Join(killed, "logs", "retrain-%A_%a.out"),
		filepath.Join(root, "cluster", "slurm", "reproduce-array.sbatch")}, reproduceArgs...)...)
	cmd.Env = append(slices.Clone(c.env), "REPLAY_OUT="+killed, "REPLAY_PHASE=train", "REPLAY_SHARDS="+strconv.Itoa(shards), "REPLAY_BIN="+bin)
	raw, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("sbatch --array=%d reproduce-array.sbatch: %v\n%s", shard, err, raw)
	}
	retrain := strings.Split(strings.TrimSpace(string(raw)), ";")[0]
	expectAll(t, c.wait(t, killed, retrain), "COMPLETED", killed)
	after := unitStamps(t, killed)
	checkUnchanged(t, before, after)
	if _, ok := after[unit]; !ok || len(after) != 4 {
		t.Fatalf("after resubmitting shard %d: %d finished units (unit %s done: %v), want the 4 training units", shard, len(after), unit, ok)
	}
	first := firstStep(t, filepath.Join(killed, "logs", fmt.Sprintf("retrain-%s_%d.out", retrain, shard)))
	if first <= step {
		t.Errorf("unit %s trained again from step %d, not from its checkpoint at step %d", unit, first, step)
	}
	t.Logf("shard %d resubmitted alone (job %s): %s resumed at step %d and finished in %s, the 3 others untouched", shard, retrain, unit, first, since(t3))

	// Then the whole chain again, as it is: the training array finds every unit done.
	t4 := time.Now()
	before = after
	train, replay, merge = submit(killed)
	expectAll(t, c.wait(t, killed, train, replay, merge), "COMPLETED", killed)
	after = unitStamps(t, killed)
	checkUnchanged(t, before, after)
	if len(after) != 8 {
		t.Errorf("%d unit files after the resubmission, want 8", len(after))
	}
	if st := status(t, bin, killed); !strings.Contains(st, "8 units: 8 done, 0 running, 0 left") {
		t.Errorf("replay status after the resubmission: %s", st)
	}
	if got := reportNumbers(t, killed); got != want {
		t.Errorf("merged metrics.json after the kill and the resubmissions differs from the unsharded run: %s", firstDifference(got, want))
	}
	t.Logf("whole chain resubmitted (train %s, replay %s, merge %s) in %s; test total %s", train, replay, merge, since(t4), since(t0))
}

// cluster is a one-node Slurm cluster with its own munged, all under dir.
type cluster struct {
	dir, conf, node string
	env             []string // os.Environ() with SLURM_CONF: for the clients and the jobs
	priv            []string // prefix that runs a command as root: none, or sudo -n
}

// startCluster starts munged, slurmctld and slurmd and registers their shutdown; where they cannot
// start it skips the test, or fails it under REPLAY_SLURM=required.
func startCluster(t *testing.T) *cluster {
	t.Helper()
	required := os.Getenv("REPLAY_SLURM") == "required"
	unavailable := func(format string, args ...any) {
		t.Helper()
		msg := fmt.Sprintf(format, args...)
		if required {
			t.Fatalf("REPLAY_SLURM=required, but no Slurm cluster: %s", msg)
		}
		t.Skipf("no Slurm cluster: %s (the test needs Debian's slurm-wlm and munge, which bash .ci/install installs, and root or passwordless sudo; REPLAY_SLURM=required makes this a failure)", msg)
	}
	for _, cmd := range []string{"munged", "slurmctld", "slurmd", "sbatch", "squeue", "sinfo", "scontrol", "scancel"} {
		if _, err := exec.LookPath(cmd); err != nil {
			unavailable("%s not found (Debian: slurm-wlm, munge)", cmd)
		}
	}
	c := &cluster{}
	if os.Geteuid() != 0 {
		if _, err := exec.LookPath("sudo"); err != nil {
			unavailable("not root, and no sudo to start the daemons")
		}
		if out, err := exec.Command("sudo", "-n", "true").CombinedOutput(); err != nil {
			unavailable("not root, and sudo -n fails: %s", strings.TrimSpace(string(out)))
		}
		c.priv = []string{"sudo", "-n"}
	}
	mu, err := user.Lookup("munge")
	if err != nil {
		unavailable("no munge user (Debian's munge package creates it): %v", err)
	}
	host, err := os.Hostname()
	if err != nil {
		unavailable("hostname: %v", err)
	}
	c.node, _, _ = strings.Cut(host, ".")

	// The daemons' directory must be reachable by the munge user: not under t.TempDir (0700).
	if c.dir, err = os.MkdirTemp("", "replay-slurm-"); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(c.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	c.conf = filepath.Join(c.dir, "slurm", "slurm.conf")
	c.env = append(os.Environ(), "SLURM_CONF="+c.conf)
	t.Cleanup(func() { c.stop(t) })

	// munged with its own key and socket, as the munge user.
	md := filepath.Join(c.dir, "munge")
	key := make([]byte, 128)
	rand.Read(key)
	if err := os.Mkdir(md, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(md, "munge.key"), key, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := c.asRoot("chown", "-R", "munge:munge", md).CombinedOutput(); err != nil {
		unavailable("chown munge %s: %v: %s", md, err, out)
	}
	socket := filepath.Join(md, "munge.socket")
	margs := []string{"--key-file=" + filepath.Join(md, "munge.key"), "--socket=" + socket,
		"--pid-file=" + filepath.Join(md, "munged.pid"), "--log-file=" + filepath.Join(md, "munged.log"),
		"--seed-file=" + filepath.Join(md, "munged.seed")}
	var munged *exec.Cmd
	if c.priv == nil {
		uid, _ := strconv.Atoi(mu.Uid)
		gid, _ := strconv.Atoi(mu.Gid)
		munged = exec.Command("munged", margs...)
		munged.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{}}}
	} else {
		munged = exec.Command("sudo", append([]string{"-n", "-u", "munge", "munged"}, margs...)...)
	}
	if out, err := munged.CombinedOutput(); err != nil { // it forks and returns once it serves
		unavailable("munged: %v: %s%s", err, out, c.logTail(filepath.Join(md, "munged.log")))
	}
	if !waitFor(20*time.Second, func() bool { _, err := os.Stat(socket); return err == nil }) {
		unavailable("munged did not create %s%s", socket, c.logTail(filepath.Join(md, "munged.log")))
	}

	// slurm.conf: one node, no cgroups, no accounting database, private ports and paths.
	sd := filepath.Join(c.dir, "slurm")
	for _, d := range []string{"state", "spool", "log"} {
		if err := os.MkdirAll(filepath.Join(sd, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	conf := fmt.Sprintf(`# one-node cluster of cluster/slurm_test.go
ClusterName=replaytest
SlurmctldHost=%[1]s(127.0.0.1)
SlurmctldPort=%[2]d
SlurmdPort=%[3]d
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=%[4]s
SlurmUser=root
SlurmdUser=root
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
ReturnToService=2
MinJobAge=3600
KillWait=5
StateSaveLocation=%[5]s/state
SlurmdSpoolDir=%[5]s/spool
SlurmctldPidFile=%[5]s/slurmctld.pid
SlurmdPidFile=%[5]s/slurmd.pid
SlurmctldLogFile=%[5]s/log/slurmctld.log
SlurmdLogFile=%[5]s/log/slurmd.log
NodeName=%[1]s NodeAddr=127.0.0.1 CPUs=%[6]d RealMemory=%[7]d State=UNKNOWN
PartitionName=replaytest Nodes=%[1]s Default=YES MaxTime=INFINITE State=UP
`, c.node, freePort(t), freePort(t), socket, sd, runtime.NumCPU(), memoryMB())
	if err := os.WriteFile(c.conf, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"slurmctld", "slurmd"} {
		cmd := c.asRoot(d, "-f", c.conf)
		if out, err := cmd.CombinedOutput(); err != nil {
			unavailable("%s: %v: %s%s", d, err, out, c.logTail(filepath.Join(sd, "log", d+".log")))
		}
	}
	var last string
	if !waitFor(60*time.Second, func() bool {
		out, _ := c.command("sinfo", "-h", "-o", "%T").CombinedOutput()
		last = strings.TrimSpace(string(out))
		return last == "idle"
	}) {
		unavailable("the node is not idle after 60 s (sinfo: %q)%s%s", last,
			c.logTail(filepath.Join(sd, "log", "slurmctld.log")), c.logTail(filepath.Join(sd, "log", "slurmd.log")))
	}
	return c
}

// stop cancels every job, stops the daemons by their pid files, ends what is left of the jobs'
// processes and removes the cluster's directory.
func (c *cluster) stop(t *testing.T) {
	sd := filepath.Join(c.dir, "slurm")
	if t.Failed() {
		for _, f := range []string{filepath.Join(sd, "log", "slurmctld.log"), filepath.Join(sd, "log", "slurmd.log"), filepath.Join(c.dir, "munge", "munged.log")} {
			if s := c.logTail(f); s != "" {
				t.Log(s)
			}
		}
	}
	if pidAlive(readPid(filepath.Join(sd, "slurmctld.pid"))) {
		c.command("scancel", "--partition=replaytest").Run()
		waitFor(20*time.Second, func() bool {
			out, err := c.command("squeue", "-h").Output()
			return err != nil || strings.TrimSpace(string(out)) == ""
		})
	}
	for _, f := range []string{filepath.Join(sd, "slurmd.pid"), filepath.Join(sd, "slurmctld.pid"), filepath.Join(c.dir, "munge", "munged.pid")} {
		c.kill(t, readPid(f), filepath.Base(f))
	}
	// Job processes (slurmstepd, replay) that outlived slurmd carry this cluster's SLURM_CONF.
	for _, pid := range c.leftovers() {
		t.Logf("ending leftover process %d of this cluster", pid)
		c.kill(t, pid, "leftover")
	}
	if c.priv == nil {
		os.RemoveAll(c.dir)
	} else {
		c.asRoot("rm", "-rf", c.dir).Run()
	}
}

// kill ends a process: SIGTERM, then SIGKILL after 15 s.
func (c *cluster) kill(t *testing.T, pid int, what string) {
	if !pidAlive(pid) {
		return
	}
	c.asRoot("kill", "-TERM", strconv.Itoa(pid)).Run()
	if !waitFor(15*time.Second, func() bool { return !pidAlive(pid) }) {
		t.Logf("%s (pid %d) still runs 15 s after SIGTERM: SIGKILL", what, pid)
		c.asRoot("kill", "-KILL", strconv.Itoa(pid)).Run()
		waitFor(5*time.Second, func() bool { return !pidAlive(pid) })
	}
}

// leftovers lists the processes whose environment holds this cluster's SLURM_CONF.
func (c *cluster) leftovers() []int {
	mark := []byte("SLURM_CONF=" + c.conf + "\x00")
	ents, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		env, err := os.ReadFile(filepath.Join("/proc", e.Name(), "environ"))
		if err == nil && strings.Contains(string(env), string(mark)) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// command runs a Slurm client (or another program) with the cluster's environment.
func (c *cluster) command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Env = c.env
	return cmd
}

// asRoot is command as root (through sudo -n where the test is not root).
func (c *cluster) asRoot(name string, args ...string) *exec.Cmd {
	if c.priv == nil {
		return c.command(name, args...)
	}
	return c.command(c.priv[0], append(append(slices.Clone(c.priv[1:]), "--preserve-env=SLURM_CONF", name), args...)...)
}

func (c *cluster) logTail(path string) string {
	raw, err := os.ReadFile(path)
	if err != nil {
		out, err2 := c.asRoot("tail", "-n", "30", path).Output()
		if err2 != nil {
			return ""
		}
		raw = out
	}
	return "\n--- " + path + " (tail)\n" + tail(string(raw), 3000)
}

// jobRecords returns the state and reason of each record of a job: "ID" for a plain job,
// "ID_task" for array tasks ("ID_1-3" for tasks still pending together).
func (c *cluster) jobRecords(id string) (map[string][2]string, error) {
	out, err := c.command("scontrol", "-o", "show", "job", id).CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("scontrol show job %s: %v: %s", id, err, out)
	}
	recs := map[string][2]string{}
	field := func(line, key string) string {
		m := regexp.MustCompile(`(?:^|\s)` + key + `=(\S+)`).FindStringSubmatch(line)
		if m == nil {
			return ""
		}
		return m[1]
	}
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		line := sc.Text()
		if !strings.Contains(line, "JobState=") {
			continue
		}
		key := id
		if task := field(line, "ArrayTaskId"); task != "" {
			key = id + "_" + task
		}
		recs[key] = [2]string{field(line, "JobState"), field(line, "Reason")}
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("scontrol show job %s: no record: %s", id, out)
	}
	return recs, nil
}

var terminal = map[string]bool{"COMPLETED": true, "FAILED": true, "CANCELLED": true, "TIMEOUT": true, "NODE_FAIL": true,
	"PREEMPTED": true, "BOOT_FAIL": true, "DEADLINE": true, "OUT_OF_MEMORY": true}

// wait polls scontrol until every record of the jobs has ended and returns their states; it
// fails the test on a job that can never start, or after a generous timeout.
func (c *cluster) wait(t *testing.T, out string, ids ...string) map[string]string {
	t.Helper()
	limit := 20 * time.Minute
	if d, ok := t.Deadline(); ok && time.Until(d)-time.Minute < limit {
		limit = time.Until(d) - time.Minute
	}
	end := time.Now().Add(limit)
	lastLog := time.Now()
	stuck := map[string]time.Time{} // records pending on a dependency that failed, since when
	for {
		states := map[string]string{}
		done := true
		for _, id := range ids {
			recs, err := c.jobRecords(id)
			if err != nil {
				t.Fatal(err)
			}
			for k, r := range recs {
				states[k] = r[0]
				if !terminal[r[0]] {
					done = false
				}
				// --kill-on-invalid-dep cancels such a job at the controller's next pass.
				if r[0] == "PENDING" && r[1] == "DependencyNeverSatisfied" {
					if since, ok := stuck[k]; !ok {
						stuck[k] = time.Now()
					} else if time.Since(since) > time.Minute {
						t.Fatalf("job %s can never start (DependencyNeverSatisfied) and was not cancelled%s", k, jobLogs(out))
					}
				}
			}
		}
		if done {
			return states
		}
		if time.Now().After(end) {
			sq, _ := c.command("squeue").CombinedOutput()
			t.Fatalf("jobs %v not done after %s: %v\n%s%s", ids, limit, states, sq, jobLogs(out))
		}
		if time.Since(lastLog) > time.Minute {
			t.Logf("waiting for jobs %v: %v", ids, states)
			lastLog = time.Now()
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// killTrainUnit waits until a training unit is half-way: its process holds the unit's lock (its
// pid is in the lock file) and has written a complete checkpoint, and the unit has no result yet.
// It freezes that process (SIGSTOP), checks that it stopped between two checkpoints (no newer
// checkpoint file appeared), and kills it (SIGKILL), as a node failure or a hard preemption would;
// then it waits for the array task to end and returns the unit, its shard and the step of its last
// checkpoint. A unit that finished before it could be frozen is passed over; it fails if every
// one is.
//
// It kills the process itself rather than with scancel: cancelled while frozen, a task resumed
// (Slurm sends SIGCONT first), trained 15 more steps before SIGTERM ended it, and died writing a
// checkpoint. GoMLX writes checkpoints in place, so that one could not be read and the unit failed
// on every rerun until its newest checkpoint was deleted: a failure of its own, not of sharding.
func (c *cluster) killTrainUnit(t *testing.T, out, train string) (string, int, int) {
	t.Helper()
	end := time.Now().Add(5 * time.Minute)
	for time.Now().Before(end) {
		units := trainUnits(out)
		left := 0
		for k, unit := range units {
			if unitDone(out, unit) {
				continue
			}
			left++
			files, step := checkpoints(out, unit)
			if step == 0 {
				continue
			}
			pid := lockHolder(filepath.Join(out, "units", ".locks", unit+".lock"))
			if pid == 0 {
				continue
			}
			if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
				continue // it has just ended
			}
			if again, _ := checkpoints(out, unit); unitDone(out, unit) || !slices.Equal(files, again) {
				syscall.Kill(pid, syscall.SIGCONT) // stopped while saving, or done: try again
				continue
			}
			if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
				t.Fatalf("kill -9 %d: %v", pid, err)
			}
			shard := k % shards
			task := train + "_" + strconv.Itoa(shard)
			if !waitFor(2*time.Minute, func() bool {
				recs, err := c.jobRecords(train)
				return err == nil && terminal[recs[task][0]]
			}) {
				t.Fatalf("task %s still runs 2 minutes after its process was killed", task)
			}
			return unit, shard, step
		}
		if units != nil && left == 0 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no training unit of job %s was caught between a checkpoint and its end%s", train, jobLogs(out))
	return "", 0, 0
}

// trainUnits lists the training units of out/plan.json in plan order (nil before it is written):
// unit k belongs to shard k mod n (claims.Plan.Shard).
func trainUnits(out string) []string {
	raw, err := os.ReadFile(filepath.Join(out, "plan.json"))
	if err != nil {
		return nil
	}
	var plan struct {
		Units []struct{ Kind, ID string } `json:"units"`
	}
	if json.Unmarshal(raw, &plan) != nil {
		return nil
	}
	var ids []string
	for _, u := range plan.Units {
		if u.Kind == "train" {
			ids = append(ids, u.ID)
		}
	}
	return ids
}

func unitDone(out, unit string) bool {
	_, err := os.Stat(filepath.Join(out, "units", unit+".json"))
	return err == nil
}

// lockHolder is the pid of the live process that holds a unit's lock (0: none). The lock is an
// flock; its holder writes its pid into the file.
func lockHolder(path string) int {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB); err == nil {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN) // free: nobody runs the unit
		return 0
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(raw)))
	if !pidAlive(pid) {
		return 0
	}
	return pid
}

// checkpoints lists a unit's checkpoint files (models/<ID>/checkpoint-…-step-<N>.{json,bin}) and
// the step of the newest one if it is complete (its metadata parses and its data is not empty),
// else 0.
func checkpoints(out, unit string) ([]string, int) {
	files, _ := filepath.Glob(filepath.Join(out, "models", unit, "checkpoint-*"))
	sort.Strings(files)
	newest, step := "", 0
	for _, f := range files {
		if m := regexp.MustCompile(`step-(\d+)\.json$`).FindStringSubmatch(f); m != nil {
			if n, _ := strconv.Atoi(m[1]); n > step {
				newest, step = f, n
			}
		}
	}
	if newest == "" {
		return files, 0
	}
	raw, err := os.ReadFile(newest)
	bin, err2 := os.Stat(strings.TrimSuffix(newest, ".json") + ".bin")
	if err != nil || !json.Valid(raw) || err2 != nil || bin.Size() == 0 {
		return files, 0
	}
	return files, step
}

// trainSteps is the number of training steps of the plan in out (the tiny size trains the T-maze only).
func trainSteps(t *testing.T, out string) int {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(out, "plan.json"))
	if err != nil {
		t.Fatal(err)
	}
	var plan struct {
		Size struct {
			TrainSteps int `json:"train_steps"`
		} `json:"size"`
	}
	if err := json.Unmarshal(raw, &plan); err != nil || plan.Size.TrainSteps == 0 {
		t.Fatalf("%s/plan.json: no size.train_steps (%v)", out, err)
	}
	return plan.Size.TrainSteps
}

// firstStep is the first training step in a job log ("      step    46  train loss …").
func firstStep(t *testing.T, log string) int {
	t.Helper()
	raw, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s+(?:\S.*: )?step\s+(\d+)\s`).FindStringSubmatch(string(raw))
	if m == nil {
		t.Fatalf("%s: no training step logged:\n%s", log, tail(string(raw), 2000))
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// expectAll fails the test unless every record ended in state want.
func expectAll(t *testing.T, states map[string]string, want, out string) {
	t.Helper()
	var bad []string
	for k, s := range states {
		if s != want {
			bad = append(bad, k+"="+s)
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		t.Fatalf("jobs not %s: %s%s", want, strings.Join(bad, " "), jobLogs(out))
	}
}

// jobLogs is the end of every job log under out/logs, for failure messages.
func jobLogs(out string) string {
	files, _ := filepath.Glob(filepath.Join(out, "logs", "*.out"))
	var b strings.Builder
	for _, f := range files {
		raw, _ := os.ReadFile(f)
		fmt.Fprintf(&b, "\n--- %s (tail)\n%s", f, tail(string(raw), 1200))
	}
	return b.String()
}

func status(t *testing.T, bin, out string) string {
	t.Helper()
	raw, err := exec.Command(bin, "status", out).CombinedOutput()
	if err != nil {
		t.Fatalf("replay status %s: %v: %s", out, err, raw)
	}
	return string(raw)
}

// stamp identifies one write of a unit file: results are written by rename, so a redone unit gets
// a new inode and modification time.
type stamp struct {
	mod   time.Time
	inode uint64
}

func unitStamps(t *testing.T, out string) map[string]stamp {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(out, "units", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]stamp{}
	for _, f := range files {
		fi, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		var ino uint64
		if st, ok := fi.Sys().(*syscall.Stat_t); ok {
			ino = st.Ino
		}
		m[strings.TrimSuffix(filepath.Base(f), ".json")] = stamp{fi.ModTime(), ino}
	}
	return m
}

func checkUnchanged(t *testing.T, before, after map[string]stamp) {
	t.Helper()
	for id, b := range before {
		a, ok := after[id]
		switch {
		case !ok:
			t.Errorf("unit %s: its result is gone", id)
		case !a.mod.Equal(b.mod) || a.inode != b.inode:
			t.Errorf("unit %s was redone (modified %s, before %s)", id, a.mod.Format(time.RFC3339Nano), b.mod.Format(time.RFC3339Nano))
		}
	}
}

// reportNumbers is metrics.json without the fields that measure time (as in cmd/replay's tests).
func reportNumbers(t *testing.T, dir string) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, "metrics.json"))
	if err != nil {
		t.Fatal(err)
	}
	numbers, err := claims.NumbersWithoutTimes(raw)
	if err != nil {
		t.Fatalf("%s/metrics.json: %v", dir, err)
	}
	return numbers
}

// firstDifference names the first differing field of two reportNumbers strings and the count.
func firstDifference(a, b string) string {
	var ta, tb any
	json.Unmarshal([]byte(a), &ta)
	json.Unmarshal([]byte(b), &tb)
	var diffs []string
	maxRel := 0.0
	var walk func(x, y any, path string)
	walk = func(x, y any, path string) {
		switch xv := x.(type) {
		case map[string]any:
			yv, ok := y.(map[string]any)
			if !ok {
				diffs = append(diffs, path)
				return
			}
			keys := map[string]bool{}
			for k := range xv {
				keys[k] = true
			}
			for k := range yv {
				keys[k] = true
			}
			sorted := make([]string, 0, len(keys))
			for k := range keys {
				sorted = append(sorted, k)
			}
			sort.Strings(sorted)
			for _, k := range sorted {
				walk(xv[k], yv[k], path+"/"+k)
			}
		case []any:
			yv, ok := y.([]any)
			if !ok || len(yv) != len(xv) {
				diffs = append(diffs, path)
				return
			}
			for i := range xv {
				walk(xv[i], yv[i], fmt.Sprintf("%s[%d]", path, i))
			}
		default:
			if fmt.Sprint(x) != fmt.Sprint(y) {
				diffs = append(diffs, fmt.Sprintf("%s: %v, unsharded %v", path, x, y))
				if fx, ok := x.(float64); ok {
					if fy, ok := y.(float64); ok && fy != 0 {
						maxRel = max(maxRel, math.Abs(fx-fy)/math.Abs(fy))
					}
				}
			}
		}
	}
	walk(ta, tb, "")
	if len(diffs) == 0 {
		return "no field differs, the order does"
	}
	hint := ""
	if maxRel > 0 && maxRel < 1e-9 {
		hint = "; only the last digits differ: some sum runs in an order that changes from run to run (a range over a Go map?)"
	}
	return fmt.Sprintf("%d fields (largest relative difference %.1g), the first %s%s", len(diffs), maxRel, diffs[0], hint)
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// memoryMB is 90% of the machine's memory, for the node's RealMemory.
func memoryMB() int {
	raw, err := os.ReadFile("/proc/meminfo")
	if err == nil {
		for _, line := range strings.Split(string(raw), "\n") {
			if f := strings.Fields(line); len(f) >= 2 && f[0] == "MemTotal:" {
				if kb, err := strconv.Atoi(f[1]); err == nil {
					return kb / 1024 * 9 / 10
				}
			}
		}
	}
	return 1024
}

func readPid(path string) int {
	raw, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(raw)))
	return pid
}

// pidAlive reports whether a process (not a zombie) has that pid.
func pidAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	_, rest, ok := strings.Cut(string(raw), ") ")
	return ok && !strings.HasPrefix(rest, "Z")
}

func waitFor(limit time.Duration, ok func() bool) bool {
	end := time.Now().Add(limit)
	for {
		if ok() {
			return true
		}
		if time.Now().After(end) {
			return false
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func since(t time.Time) time.Duration { return time.Since(t).Round(100 * time.Millisecond) }

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}
