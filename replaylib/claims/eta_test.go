package claims

import (
	"cmp"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// TestTimeLeftOnARecordedRun replays the recorded unit times of a quick reproduction
// (testdata/quick-unit-seconds.json) through the runner's schedule — training first, then replay,
// longest modelled cost first, two at once — and asks, at every unit's end from 10 % of the cost
// onward, that the estimate of the time left be within 30 % of the true time left (or within 30 s
// in the last minute).
func TestTimeLeftOnARecordedRun(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "quick-unit-seconds.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rec struct {
		Seconds map[string]float64 `json:"seconds"`
	}
	if err := json.Unmarshal(raw, &rec); err != nil {
		t.Fatal(err)
	}
	plan, err := NewPlan(Quick(), 1)
	if err != nil {
		t.Fatal(err)
	}
	cost := map[string]float64{}
	total := map[UnitKind]float64{}
	for _, u := range plan.Units {
		if _, ok := rec.Seconds[u.ID]; !ok {
			t.Fatalf("no recorded time for unit %s: re-record testdata after changing the quick size", u.ID)
		}
		cost[u.ID] = plan.unitCost(u)
		total[u.Kind] += cost[u.ID]
	}
	// Simulate: per kind, two workers take units longest-cost first.
	type event struct {
		at      float64 // seconds since the run's start
		unit    Unit
		started float64
	}
	var events []event
	clock := 0.0
	kindSpan := map[UnitKind][2]float64{}
	for _, kind := range []UnitKind{TrainKind, ReplayKind} {
		var batch []Unit
		for _, u := range plan.Units {
			if u.Kind == kind {
				batch = append(batch, u)
			}
		}
		slices.SortStableFunc(batch, func(a, b Unit) int { return cmp.Compare(cost[b.ID], cost[a.ID]) })
		free := []float64{clock, clock}
		for _, u := range batch {
			w := 0
			if free[1] < free[0] {
				w = 1
			}
			events = append(events, event{at: free[w] + rec.Seconds[u.ID], unit: u, started: free[w]})
			free[w] += rec.Seconds[u.ID]
		}
		end := math.Max(free[0], free[1])
		kindSpan[kind] = [2]float64{clock, end}
		clock = end
	}
	slices.SortStableFunc(events, func(a, b event) int { return cmp.Compare(a.at, b.at) })
	finish := clock
	worst := 0.0
	for _, e := range events {
		now := e.at
		var kinds []etaKind
		doneAll, totalAll := 0.0, 0.0
		for _, kind := range []UnitKind{TrainKind, ReplayKind} {
			k := etaKind{total: total[kind]}
			for _, f := range events {
				if f.unit.Kind != kind {
					continue
				}
				switch {
				case f.at <= now:
					k.done += cost[f.unit.ID]
				case f.started < now: // running: its progress is linear in time
					k.done += cost[f.unit.ID] * (now - f.started) / (f.at - f.started)
				}
			}
			if span := kindSpan[kind]; now > span[0] {
				k.elapsed = time.Duration((math.Min(now, span[1]) - span[0]) * float64(time.Second))
			}
			kinds = append(kinds, k)
			doneAll, totalAll = doneAll+k.done, totalAll+k.total
		}
		if doneAll/totalAll < 0.1 || now >= finish {
			continue
		}
		est, truth := timeLeft(kinds).Seconds(), finish-now
		errAbs := math.Abs(est - truth)
		if truth >= 60 {
			worst = math.Max(worst, errAbs/truth)
		}
		if truth >= 60 && errAbs > 0.3*truth || truth < 60 && errAbs > 30 {
			t.Errorf("at %.0f s (%.0f%% of the cost): %.0f s left estimated, %.0f s true", now, 100*doneAll/totalAll, est, truth)
		}
	}
	t.Logf("run of %.0f s; worst relative error of the time left from 10%% on: %.0f%%", finish, 100*worst)
}
