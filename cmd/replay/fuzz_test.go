package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/replaylab/replay/datasets"
	"github.com/replaylab/replay/geom"
	"github.com/replaylab/replay/replaylib/metrics"
	"github.com/replaylab/replay/replaylib/replay"
)

// FuzzReadTrajectories: any input is either refused with a one-line error or read into chains
// 0 … n−1, all of one length of at least 2 steps, every point finite, at most maxPoints of them.
func FuzzReadTrajectories(f *testing.F) {
	for _, seed := range []string{
		"chain,t,x,y\n0,0,0.1,0.2\n1,0,0.3,0.4\n0,1,0.5,0.6\n1,1,0.7,0.8\n",
		"chain,t,x,y\n0,0,NaN,0\n",
		"chain,t,x,y\n1000000000,0,0,0\n",
		"chain,t,x,y\n0,5,1e308,-1e308\n0,6,1,1\n",
		"chain,t,x,y\n0,0,1,1\n0,3,1,1\n1,0,1,1\n",
		"chain,t,x,y\n\"0\",\"0\",\"1\",\"2\"\n",
		"chain,t,x,y\r\n0,0,1,2\r\n",
		"x,y\n1,2\n",
		"",
		"chain,t,x,y\n0,0,0.1,0.2\n", // one row: refused (2 steps needed)
		"chain,t,x,y\n0,0,0.1," + strings.Repeat("1", 5000) + "\n", // a line over the limit
		"chain,t,x,y\n0,0,1,1\n0,1,1,1\n0,1,1,1\n",                 // t repeated
	} {
		f.Add([]byte(seed))
	}
	const maxPoints = 1000
	f.Fuzz(func(t *testing.T, data []byte) {
		traj, err := parseTrajectories(context.Background(), bytes.NewReader(data), "in.csv", maxPoints)
		if err != nil {
			if msg := err.Error(); strings.ContainsAny(msg, "\n\r") || !strings.HasPrefix(msg, "in.csv: ") {
				t.Fatalf("error %q: not one line naming the input", msg)
			}
			return
		}
		n := 0
		if len(traj) == 0 || len(traj) > replay.MaxChains {
			t.Fatalf("%d chains", len(traj))
		}
		for c, ch := range traj {
			if len(ch) < 2 || len(ch) != len(traj[0]) {
				t.Fatalf("chain %d has %d points, chain 0 %d", c, len(ch), len(traj[0]))
			}
			for _, p := range ch {
				if !finite(p.X) || !finite(p.Y) {
					t.Fatalf("chain %d holds %v", c, p)
				}
			}
			n += len(ch)
		}
		if n > maxPoints {
			t.Fatalf("%d points, more than %d", n, maxPoints)
		}
	})
}

// TestReadTrajectoriesStops: a long read stops when its context is cancelled.
func TestReadTrajectoriesStops(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("chain,t,x,y\n")
	for i := range 200_000 {
		fmt.Fprintf(&b, "0,%d,0.5,0.5\n", i)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := parseTrajectories(ctx, &b, "big.csv", math.MaxInt); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled read: %v", err)
	}
}

// FuzzMetrics: the measures of replay metrics on arbitrary points (the bytes read as float64s,
// NaN, ±Inf and huge values included) never panic and give an error or finite values.
func FuzzMetrics(f *testing.F) {
	floats := func(xs ...float64) []byte {
		var b []byte
		for _, x := range xs {
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(x))
		}
		return b
	}
	f.Add(floats(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8), uint8(2), 2.0)
	f.Add(floats(0, 0, 0, 0), uint8(1), 1.0)
	f.Add(floats(math.NaN(), 0, 1, 1, 2, 2, 3, 3), uint8(1), 1.0)
	f.Add(floats(1e308, -1e308, 1e308, 1e308, -1e308, 0, 0, 1), uint8(2), 1.0)
	f.Add(floats(math.Inf(1), 0, 0, 0), uint8(2), math.Inf(1))
	f.Add(floats(5e-324, 0, 0, 5e-324, 1, 1, 2, 2, 3, 3, 4, 4), uint8(3), 1.5)
	env := mustTask(f, "tmaze").Env()
	f.Fuzz(func(t *testing.T, data []byte, chains uint8, p float64) {
		var pts []geom.Point
		for len(data) >= 16 && len(pts) < 64 {
			x := math.Float64frombits(binary.LittleEndian.Uint64(data))
			y := math.Float64frombits(binary.LittleEndian.Uint64(data[8:]))
			pts = append(pts, geom.Point{X: x, Y: y})
			data = data[16:]
		}
		c := int(chains%4) + 1
		traj := make([][]geom.Point, c)
		for i, pt := range pts {
			traj[i%c] = append(traj[i%c], pt)
		}
		// Nothing may hang: on at most 64 points every measure takes microseconds.
		done := make(chan struct{})
		timer := time.AfterFunc(5*time.Second, func() {
			select {
			case <-done:
			default:
				panic(fmt.Sprintf("measures of %v (%d chains, p=%g) still running after 5 s", pts, c, p))
			}
		})
		defer func() { close(done); timer.Stop() }()
		half := len(pts) / 2
		if w, err := metrics.Wasserstein(pts[:half], pts[half:2*half], p); err == nil && !(w >= 0 && finite(w)) {
			t.Fatalf("Wasserstein of %v with p=%g = %g without an error", pts, p, w)
		}
		targets := make([][]int, c)
		for i := range targets {
			targets[i] = []int{i % len(env.Regions)}
		}
		if s, err := metrics.ReachTimesPerChain(traj, env, targets); err == nil {
			if !finite(s.RestrictedMean) || !(s.FractionNever >= 0 && s.FractionNever <= 1) || len(s.Times) != c {
				t.Fatalf("reach times of %v: %+v without an error", traj, s)
			}
		}
		if v, err := metrics.ProgressPerStep(traj, nil); err == nil && !(v >= 0 && finite(v)) {
			t.Fatalf("progress per step of %v = %g without an error", traj, v)
		}
		if v, err := metrics.NetDisplacement(traj, nil, 1+int(chains)%3); err == nil && !(v >= 0 && finite(v)) {
			t.Fatalf("net displacement of %v = %g without an error", traj, v)
		}
	})
}

func mustTask(t testing.TB, name string) datasets.Task {
	t.Helper()
	task, err := datasets.NewDefaultTask(name)
	if err != nil {
		t.Fatal(err)
	}
	return task
}
