package datasets

import (
	"math"
	"strings"
	"testing"
)

// TestStopsAppearAtTheirRate: on every task, the fraction of steps with exactly zero velocity is
// the schedule's stationary stopped fraction r·m/(1 + r·m), and the runs of stopped steps last m
// steps on average (runs cut by a path's ends left out), within sampling error.
func TestStopsAppearAtTheirRate(t *testing.T) {
	for _, c := range []Stops{{Rate: 0.02, Steps: 10}, {Rate: 0.005, Steps: 40}, {Rate: 0.2, Steps: 1}} {
		for _, name := range []string{"triangle", "placecells"} { // the T-maze also pauses at its ends
			task, err := NewTaskWith(name, Behaviour{Stops: c}, 0)
			if err != nil {
				t.Fatal(err)
			}
			const paths, T = 400, 1000
			rng := newRNG(7)
			path := make([]Point, T+1)
			stopped, runs, runSteps := 0, 0, 0
			for range paths {
				task.Paths(path, rng) // positions only: the place cells' observations are not needed
				run := 0
				for i := 1; i <= T; i++ {
					if path[i] == path[i-1] {
						stopped++
						run++
						continue
					}
					if run > 0 && i-run > 1 { // a complete run: it began after the path's first step
						runs++
						runSteps += run
					}
					run = 0
				}
			}
			frac := float64(stopped) / float64(paths*T)
			want := c.StoppedFraction()
			// Stop periods are correlated: about paths·T·r·(1−π) of them, each of m steps.
			periods := float64(paths*T) * c.Rate * (1 - want)
			se := math.Sqrt(periods) * c.Steps / float64(paths*T) * math.Sqrt(2)
			if math.Abs(frac-want) > 4*se+1e-3 {
				t.Errorf("%s %+v: stopped fraction %.4f, want %.4f ± %.4f", name, c, frac, want, 4*se)
			}
			mean := float64(runSteps) / float64(runs)
			sdMean := math.Sqrt(c.Steps*(c.Steps-1)+1e-9) / math.Sqrt(float64(runs))
			if math.Abs(mean-c.Steps) > 4*sdMean+0.02 {
				t.Errorf("%s %+v: mean stop %.2f steps over %d stops, want %.2f ± %.2f", name, c, mean, runs, c.Steps, 4*sdMean)
			}
		}
	}
}

// TestStopsKeepPathsInside: a path with stops is made of the task's own moves, so it stays in the
// environment, and without stops the paths are exactly the task's ordinary ones.
func TestStopsKeepPathsInside(t *testing.T) {
	for _, name := range TaskNames {
		plain, _ := NewDefaultTask(name)
		same, err := NewTaskWith(name, Behaviour{}, 0)
		if err != nil {
			t.Fatal(err)
		}
		a, _ := NewBatch(plain, 8, 200, 4)
		b, _ := NewBatch(same, 8, 200, 4)
		Generate(plain, a, newRNG(3))
		Generate(same, b, newRNG(3))
		for i := range a.Position {
			if a.Position[i] != b.Position[i] {
				t.Fatalf("%s: zero Behaviour changed position %d: %v vs %v", name, i, a.Position[i], b.Position[i])
			}
		}
		stopping, err := NewTaskWith(name, Behaviour{Stops: Stops{Rate: 0.05, Steps: 5}}, 0)
		if err != nil {
			t.Fatal(err)
		}
		Generate(stopping, b, newRNG(3))
		for _, p := range b.Position {
			if !stopping.Env().Contains(p) {
				t.Fatalf("%s: position %v with stops is outside the environment", name, p)
			}
		}
	}
}

// TestBehaviourErrors: a field the task does not have, or a value out of range, is an error naming it.
func TestBehaviourErrors(t *testing.T) {
	cases := []struct {
		task string
		b    Behaviour
		want string
	}{
		{"tmaze", Behaviour{ReversalRate: 0.1}, "reversal_rate"},
		{"placecells", Behaviour{EndDwellSteps: 10}, "end_dwell_steps"},
		{"triangle", Behaviour{Stops: Stops{Rate: 1}}, "stop_rate"},
		{"triangle", Behaviour{Stops: Stops{Rate: 0.1, Steps: 0.5}}, "stop_steps"},
		{"triangle", Behaviour{ReversalRate: 1.5}, "reversal_rate"},
		{"tmaze", Behaviour{EndDwellSteps: -2}, "end_dwell_steps"},
		{"triangle", Behaviour{Stops: Stops{Rate: math.NaN(), Steps: 2}}, "stop_rate"},
	}
	for _, c := range cases {
		_, err := NewTaskWith(c.task, c.b, 0)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %+v: error %v, want one naming %s", c.task, c.b, err, c.want)
		}
	}
}
