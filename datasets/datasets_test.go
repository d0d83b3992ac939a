package datasets

import (
	"bytes"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func newRNG(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 42)) }

func mustTask(t testing.TB, name string) Task {
	t.Helper()
	task, err := NewDefaultTask(name)
	if err != nil {
		t.Fatal(err)
	}
	return task
}

// taskVariants returns every task and mode: the defaults, the T-maze runs, the T-maze walk with
// other choices, and the triangle with reversals.
func taskVariants(t testing.TB) map[string]Task {
	variants := map[string]Task{}
	for _, name := range TaskNames {
		variants[name] = mustTask(t, name)
	}
	add := func(name string, task Task, err error) {
		if err != nil {
			t.Fatal(err)
		}
		variants[name] = task
	}
	runs := DefaultTMazeParams()
	runs.Mode = TMazeRuns
	tm, err := NewTMaze(runs)
	add("tmaze runs", tm, err)
	skewed := DefaultTMazeParams()
	skewed.AlternationProbability, skewed.LeftProbability, skewed.DwellSteps = 0.3, 0.8, 0
	tm, err = NewTMaze(skewed)
	add("tmaze a=0.3 p=0.8 D=0", tm, err)
	rev := DefaultTriangleParams()
	rev.ReversalRate = 0.05
	tri, err := NewTriangle(rev)
	add("triangle reversals", tri, err)
	stops := Behaviour{Stops: Stops{Rate: 0.02, Steps: 10}}
	for _, name := range TaskNames {
		task, err := NewTaskWith(name, stops, 0)
		add(name+" stops", task, err)
	}
	return variants
}

// TestPathsStayInside generates 1,000 paths of each task and mode, over many seeds, and checks every position.
func TestPathsStayInside(t *testing.T) {
	const paths, steps = 1000, 200
	for name, task := range taskVariants(t) {
		batch, err := NewBatch(task, 100, steps, 0)
		if err != nil {
			t.Fatal(err)
		}
		for seed := range uint64(paths / batch.B) {
			if err := Generate(task, batch, newRNG(seed)); err != nil {
				t.Fatal(err)
			}
			for i, p := range batch.Position {
				if !task.Env().Contains(p) {
					t.Fatalf("%s seed %d: position %d = %v is outside the environment", name, seed, i, p)
				}
				if name != "placecells" && batch.Region[i] < 0 {
					t.Fatalf("%s seed %d: position %v lies in no region", name, seed, p)
				}
			}
		}
	}
}

// TestGenerateAllocatesNothing: filling a batch allocates nothing, for every task and mode.
func TestGenerateAllocatesNothing(t *testing.T) {
	for name, task := range taskVariants(t) {
		batch, _ := NewBatch(task, 4, 100, 4)
		rng := newRNG(1)
		if n := testing.AllocsPerRun(10, func() { Generate(task, batch, rng) }); n != 0 {
			t.Errorf("%s: Generate allocates %g times per batch, want 0", name, n)
		}
	}
}

// autocorr returns the pooled autocorrelation of the series at the given lag, using the known mean and variance.
func autocorr(series [][]float64, lag int, mean, variance float64) float64 {
	sum, n := 0.0, 0
	for _, s := range series {
		for t := 0; t+lag < len(s); t++ {
			sum += (s[t] - mean) * (s[t+lag] - mean)
			n++
		}
	}
	return sum / float64(n) / variance
}

// TestTrackSpeedStatistics checks the mean and the OU correlation time of the centreline speed,
// on the triangle and on the T-maze walk (whose speed runs on while it dwells at an end).
func TestTrackSpeedStatistics(t *testing.T) {
	tri, _ := NewTriangle(DefaultTriangleParams())
	tm := mustTask(t, "tmaze").(*TMaze)
	walks := map[string]func([]Point, *walkTrace, *rand.Rand){"triangle": tri.walk, "tmaze": tm.walk}
	for name, walk := range walks {
		p := tri.Params().Track
		const paths, steps = 2000, 100
		rng := newRNG(7)
		series := make([][]float64, paths)
		pos := make([]Point, steps+1)
		sum, n := 0.0, 0
		for i := range series {
			series[i] = make([]float64, steps)
			walk(pos, &walkTrace{speeds: series[i]}, rng)
			for _, s := range series[i] {
				sum += s
				n++
			}
		}
		mean := sum / float64(n)
		// Steps are correlated over τ: the effective sample size is about n / (2τ).
		se := p.SpeedSD / math.Sqrt(float64(n)/(2*p.SpeedTau))
		if math.Abs(mean-p.MeanSpeed) > 5*se {
			t.Errorf("%s: mean speed %g, want %g ± %g (5 s.e.)", name, mean, p.MeanSpeed, 5*se)
		}
		// At lag τ the OU autocorrelation is e^{−1}; its s.e. is about √(2τ/n) for these sizes.
		lag := int(p.SpeedTau)
		got := autocorr(series, lag, p.MeanSpeed, p.SpeedSD*p.SpeedSD)
		tol := 5 * math.Sqrt(2*p.SpeedTau/float64(n))
		if math.Abs(got-math.Exp(-1)) > tol {
			t.Errorf("%s: speed autocorrelation at lag τ=%d: %g, want e^−1 = %g ± %g", name, lag, got, math.Exp(-1), tol)
		}
	}
}

func TestTMazeRunsArmChoiceIsBalanced(t *testing.T) {
	params := DefaultTMazeParams()
	params.Mode = TMazeRuns
	tm, _ := NewTMaze(params)
	const n = 20000
	rng := newRNG(3)
	pos := make([]Point, 120)
	left := 0
	leftArm := tm.Env().RegionIndex(RegionLeftArm)
	rightArm := tm.Env().RegionIndex(RegionRightArm)
	for range n {
		chose := tm.run(pos, nil, rng)
		if chose {
			left++
		}
		// With 120 steps at 0.03 per step, every path ends at the end of the arm it chose.
		end := tm.Env().RegionOf(pos[len(pos)-1])
		if (chose && end != leftArm) || (!chose && end != rightArm) {
			t.Fatalf("path chose left=%v but ended in region %d", chose, end)
		}
	}
	frac := float64(left) / n
	tol := 5 * math.Sqrt(0.25/n)
	if math.Abs(frac-0.5) > tol {
		t.Errorf("left fraction %g, want 0.5 ± %g", frac, tol)
	}
}

func TestPlaceCellsPeakAtTheirCentre(t *testing.T) {
	for _, softmax := range []bool{false, true} {
		params := DefaultPlaceCellParams()
		params.Softmax = softmax
		pc, err := NewPlaceCells(params)
		if err != nil {
			t.Fatal(err)
		}
		act := make([]float32, pc.ObsDim())
		for i, c := range pc.Centres() {
			pc.Observe(c, act)
			best := 0
			for j, v := range act {
				if v > act[best] {
					best = j
				}
			}
			if act[best] != act[i] {
				t.Fatalf("softmax=%v: cell %d at its centre has %g, cell %d has more (%g)", softmax, i, act[i], best, act[best])
			}
			if !softmax && math.Abs(float64(act[i])-1) > 1e-6 {
				t.Fatalf("Gaussian cell %d at its centre = %g, want 1", i, act[i])
			}
			if softmax {
				sum := 0.0
				for _, v := range act {
					sum += float64(v)
				}
				if math.Abs(sum-1) > 1e-4 {
					t.Fatalf("softmax population sums to %g, want 1", sum)
				}
			}
		}
	}
}

// TestPlaceCellDecoding: decoding clean activity with the top-k cells errs by less than the radius
// that holds k cells on average, √(k / (π ρ)) with ρ = N / L² the density of centres; the
// population vector errs by less than a quarter of the cell width σ away from the walls (beyond 2σ;
// the random centres are not evenly dense)
// and by less than σ near them (pulled inward: no cells outside).
func TestPlaceCellDecoding(t *testing.T) {
	for _, mode := range []DecodeMode{DecodeTopCells, DecodePopulation} {
		params := DefaultPlaceCellParams()
		params.Decoding = mode
		pc, err := NewPlaceCells(params)
		if err != nil {
			t.Fatal(err)
		}
		p := pc.Params()
		rng := newRNG(11)
		act := make([]float32, pc.ObsDim())
		const n = 5000
		var sum, inner, innerN, outer, outerN float64
		for range n {
			x := Point{X: rng.Float64() * p.ArenaSize, Y: rng.Float64() * p.ArenaSize}
			pc.Observe(x, act)
			e := pc.Decode(act).Sub(x).Norm()
			sum += e
			wall := math.Min(math.Min(x.X, p.ArenaSize-x.X), math.Min(x.Y, p.ArenaSize-x.Y))
			if wall > 2*p.CellWidth {
				inner, innerN = inner+e, innerN+1
			} else {
				outer, outerN = outer+e, outerN+1
			}
		}
		switch mode {
		case DecodeTopCells:
			bound := math.Sqrt(float64(p.DecodeTopK) / (math.Pi * float64(p.NumCells) / (p.ArenaSize * p.ArenaSize)))
			if mean := sum / n; mean > bound {
				t.Errorf("top cells: mean decoding error %g m, want < %g m", mean, bound)
			}
		case DecodePopulation:
			if m := inner / innerN; m > 0.25*p.CellWidth {
				t.Errorf("population vector: mean error %.4f m beyond 2σ from the walls, want < %.4f m", m, 0.25*p.CellWidth)
			}
			if m := outer / outerN; m > p.CellWidth {
				t.Errorf("population vector: mean error %.4f m near the walls, want < σ = %.4f m", m, p.CellWidth)
			}
		}
		t.Logf("%s: mean decoding error %.4f m (%.4f m beyond 2σ from the walls, %.4f m nearer)", mode, sum/n, inner/innerN, outer/outerN)
	}
}

func TestArenaSpeedIsRatInABoxLike(t *testing.T) {
	pc := mustTask(t, "placecells").(*PlaceCells)
	p := pc.Params()
	const paths, steps = 400, 400
	rng := newRNG(5)
	pos := make([]Point, steps+1)
	speeds := make([]float64, steps)
	sum, n := 0.0, 0
	for range paths {
		pc.walk(pos, speeds, rng)
		for _, s := range speeds {
			sum += s
			n++
		}
	}
	// Rayleigh speed: s.d. = mean·√(4/π − 1); correlation time SpeedCoherence/Dt steps.
	sd := p.MeanSpeed * math.Sqrt(4/math.Pi-1)
	se := sd / math.Sqrt(float64(n)/(2*p.SpeedCoherence/p.Dt))
	if mean := sum / float64(n); math.Abs(mean-p.MeanSpeed) > 5*se {
		t.Errorf("mean speed %g m/s, want %g ± %g", mean, p.MeanSpeed, 5*se)
	}
}

func TestMaskingGivesObservationEveryKPlusOneSteps(t *testing.T) {
	task := mustTask(t, "tmaze")
	for _, k := range []int{0, 1, 4, 100} {
		batch, err := NewBatch(task, 3, 20, k)
		if err != nil {
			t.Fatal(err)
		}
		Generate(task, batch, newRNG(1))
		for b := range batch.B {
			for step := 1; step <= batch.T; step++ {
				row := batch.Input[(b*batch.T+step-1)*batch.InputDim:]
				target := batch.Target[(b*batch.T+step-1)*batch.TargetDim:]
				observed := row[2] != 0 || row[3] != 0
				want := step%(k+1) == 0
				if observed != want {
					t.Fatalf("k=%d step %d: observed=%v, want %v", k, step, observed, want)
				}
				if want && (row[2] != target[0] || row[3] != target[1]) {
					t.Fatalf("k=%d step %d: observation %v differs from target %v", k, step, row[2:4], target[:2])
				}
				p, q := batch.Position[b*(batch.T+1)+step], batch.Position[b*(batch.T+1)+step-1]
				if math.Abs(float64(row[0])-(p.X-q.X)) > 1e-6 {
					t.Fatalf("velocity x %g, want %g", row[0], p.X-q.X)
				}
			}
		}
	}
}

func TestBadParametersNameTheField(t *testing.T) {
	tri := DefaultTriangleParams()
	tri.Track.MeanSpeed = -1
	_, err1 := NewTriangle(tri)
	pc := DefaultPlaceCellParams()
	pc.NumCells = 0
	_, err2 := NewPlaceCells(pc)
	tm := DefaultTMazeParams()
	tm.LeftProbability = 1.5
	tmMode, tmAlt, tmDwell := DefaultTMazeParams(), DefaultTMazeParams(), DefaultTMazeParams()
	tmMode.Mode = "loops"
	tmAlt.AlternationProbability = math.NaN()
	tmDwell.DwellSteps = math.Inf(1)
	_, err8 := NewTMaze(tmMode)
	_, err9 := NewTMaze(tmAlt)
	_, err10 := NewTMaze(tmDwell)
	tri2 := DefaultTriangleParams()
	tri2.ReversalRate = -0.1
	_, err7 := NewTriangle(tri2)
	_, err3 := NewTMaze(tm)
	_, err4 := NewBatch(mustTask(t, "triangle"), 4, 10, -1)
	_, err5 := NewDefaultTask("circle")
	pc2 := DefaultPlaceCellParams()
	pc2.Dt = math.NaN()
	_, err6 := NewPlaceCells(pc2)
	for i, c := range []struct {
		err   error
		field string
	}{{err1, "MeanSpeed"}, {err2, "NumCells"}, {err3, "LeftProbability"}, {err4, "K=-1"}, {err5, "circle"}, {err6, "Dt"}, {err7, "ReversalRate"},
		{err8, `Mode="loops": must be one of ["alternation" "runs"]`}, {err9, "AlternationProbability=NaN: must be in [0, 1]"},
		{err10, "DwellSteps=+Inf"}} {
		if c.err == nil || !strings.Contains(c.err.Error(), c.field) {
			t.Errorf("case %d: error %v, want one naming %q", i, c.err, c.field)
		}
	}
}

func TestSameSeedSamePaths(t *testing.T) {
	task := mustTask(t, "placecells")
	a, _ := NewBatch(task, 4, 30, 3)
	b, _ := NewBatch(task, 4, 30, 3)
	Generate(task, a, newRNG(9))
	Generate(task, b, newRNG(9))
	for i := range a.Input {
		if a.Input[i] != b.Input[i] {
			t.Fatal("same seed gave different inputs")
		}
	}
	if paths := a.Paths(); len(paths) != 4 || len(paths[2]) != 31 || paths[2][7] != a.Position[2*31+7] {
		t.Errorf("Paths: %d paths, want 4 views of 31 positions", len(paths))
	}
	Generate(task, b, newRNG(10))
	if a.Position[5] == b.Position[5] {
		t.Error("different seeds gave the same position")
	}
}

func TestJSONRoundTripAndCSV(t *testing.T) {
	task := mustTask(t, "triangle")
	batch, _ := NewBatch(task, 2, 5, 1)
	Generate(task, batch, newRNG(1))
	var buf bytes.Buffer
	if err := batch.WriteJSON(&buf, task.Env().RegionNames()); err != nil {
		t.Fatal(err)
	}
	got, names, err := ReadJSON(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != 6 || got.B != 2 || got.T != 5 || got.Position[7] != batch.Position[7] || got.Input[3] != batch.Input[3] {
		t.Errorf("round trip changed the batch")
	}
	buf.Reset()
	if err := batch.WriteCSV(&buf, task.Env().RegionNames()); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 1+2*6 {
		t.Fatalf("CSV has %d lines, want header + 12", len(lines))
	}
	if lines[0] != "path,t,x,y,region,in_0,in_1,in_2,in_3,y_0,y_1" {
		t.Errorf("CSV header %q", lines[0])
	}
	if n := strings.Count(lines[3], ","); n != 10 {
		t.Errorf("CSV row has %d commas, want 10", n)
	}
	if _, _, err := ReadJSON(strings.NewReader(`{"B":2,"T":5,"input":[1]}`)); err == nil || !strings.Contains(err.Error(), "input") {
		t.Errorf("truncated JSON: error %v, want one naming input", err)
	}
}

func BenchmarkGenerate(b *testing.B) {
	for _, name := range TaskNames {
		b.Run(name, func(b *testing.B) {
			task := mustTask(b, name)
			batch, _ := NewBatch(task, 32, 100, 4)
			rng := newRNG(1)
			b.ReportAllocs()
			for b.Loop() {
				Generate(task, batch, rng)
			}
			b.ReportMetric(float64(b.N*batch.B)/b.Elapsed().Seconds(), "paths/s")
		})
	}
}

// TestDefaultsReproduceEarlierPaths pins positions drawn with seed 2024 before the track walk was
// refactored: the default triangle and the T-maze runs must stay the same paths for the same seed.
func TestDefaultsReproduceEarlierPaths(t *testing.T) {
	tmRuns := DefaultTMazeParams()
	tmRuns.Mode = TMazeRuns
	tm, err := NewTMaze(tmRuns)
	if err != nil {
		t.Fatal(err)
	}
	tri := mustTask(t, "triangle")
	want := map[Task][]struct {
		i    int
		x, y float64
	}{
		tri: {{0, 0.48565490046235604, -0.02531954196629263}, {17, 0.05553529195077257, 0.004991613590453203},
			{50, 0.46111780214184217, 0.7542105636536341}, {51, 0.17024839168623587, 0.20820346841677592},
			{99, 0.8216100198310522, 0.39391679732331575}, {152, 0.6577551545189817, 0.6089229688628621}},
		tm: {{0, -0.002850046403844984, 0.09531847972946021}, {17, -0.04277655969678652, 0.4737524005608923},
			{50, 0.3958334693406383, 1.0938243411086264}, {51, 0.07681378619476896, 0.12235267881987129},
			{99, -0.4548482597712254, 1.1141391812906123}, {152, 0.003651072427384822, 1.04948354523063}},
	}
	for task, points := range want {
		batch, _ := NewBatch(task, 3, 50, 0)
		Generate(task, batch, newRNG(2024))
		for _, w := range points {
			if p := batch.Position[w.i]; math.Abs(p.X-w.x) > 1e-12 || math.Abs(p.Y-w.y) > 1e-12 {
				t.Errorf("%s: position %d = %v, want (%v, %v)", task.Name(), w.i, p, w.x, w.y)
			}
		}
	}
}

// TestTriangleReversalRate: the direction flips with probability ReversalRate per step, so the
// fraction of consecutive steps that change direction is binomial around it.
func TestTriangleReversalRate(t *testing.T) {
	params := DefaultTriangleParams()
	params.ReversalRate = 0.02
	tri, err := NewTriangle(params)
	if err != nil {
		t.Fatal(err)
	}
	const paths, steps = 2000, 200
	pos := make([]Point, steps+1)
	trace := &walkTrace{dirs: make([]int8, steps)}
	flips, n := 0, 0
	for seed := range uint64(20) {
		rng := newRNG(100 + seed)
		for range paths / 20 {
			tri.walk(pos, trace, rng)
			for i := 1; i < steps; i++ {
				if trace.dirs[i] != trace.dirs[i-1] {
					flips++
				}
				n++
			}
			for i, p := range pos {
				if !tri.Env().Contains(p) {
					t.Fatalf("position %d = %v is outside the track", i, p)
				}
			}
		}
	}
	r := params.ReversalRate
	rate := float64(flips) / float64(n)
	se := math.Sqrt(r * (1 - r) / float64(n))
	t.Logf("reversal rate %.5f over %d steps, parameter %g (s.e. %.5f)", rate, n, r, se)
	if math.Abs(rate-r) > 5*se {
		t.Errorf("reversal rate %g, want %g ± %g (5 s.e.)", rate, r, 5*se)
	}
}

// TestBatchSizeBounds: sizes whose arrays cannot be allocated (or whose products overflow) are
// refused with an error, never a makeslice panic.
func TestBatchSizeBounds(t *testing.T) {
	task, err := NewDefaultTask("triangle")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range [][2]int{{math.MaxInt, 50}, {32, math.MaxInt}, {1 << 40, 1 << 40}, {1 << 31, 1 << 31}} {
		if _, err := NewBatch(task, c[0], c[1], 0); err == nil || !strings.Contains(err.Error(), "more than") {
			t.Errorf("NewBatch(B=%d, T=%d): error %v", c[0], c[1], err)
		}
	}
	for _, bad := range []string{
		`{"B":-1,"T":-1,"K":0,"input_dim":0,"target_dim":0}`,
		`{"B":9223372036854775807,"T":2,"K":0,"input_dim":4,"target_dim":2}`,
		`{"B":1,"T":1,"K":0,"input_dim":9,"target_dim":2}`,
	} {
		if _, _, err := ReadJSON(strings.NewReader(bad)); err == nil {
			t.Errorf("ReadJSON(%s): no error", bad)
		}
	}
}

// TestCSVInParts: a batch written in parts (rows numbered from each part's first path) is the
// same CSV as the whole batch written at once, when the parts are drawn from one rng in order.
func TestCSVInParts(t *testing.T) {
	task, _ := NewDefaultTask("tmaze")
	whole, _ := NewBatch(task, 7, 5, 2)
	if err := Generate(task, whole, rand.New(rand.NewPCG(3, 0))); err != nil {
		t.Fatal(err)
	}
	var a, b bytes.Buffer
	names := task.Env().RegionNames()
	if err := whole.WriteCSV(&a, names); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 0))
	whole.WriteCSVHeader(&b)
	for first := 0; first < 7; first += 3 {
		part, _ := NewBatch(task, min(3, 7-first), 5, 2)
		if err := Generate(task, part, rng); err != nil {
			t.Fatal(err)
		}
		if err := part.WriteCSVRows(&b, names, first); err != nil {
			t.Fatal(err)
		}
	}
	if a.String() != b.String() {
		t.Errorf("CSV in parts differs from the whole:\n%s\n%s", a.String(), b.String())
	}
}

// The arena task moves as the predecessor paper's generator: per-step Rayleigh speeds of mean
// b·√(π/2) away from the walls, slowed near them, every position inside the 2.2 m box, and its
// place cells and decoding as that paper's.
func TestArenaMotion(t *testing.T) {
	task, err := NewDefaultTask("arena")
	if err != nil {
		t.Fatal(err)
	}
	pc := task.(*PlaceCells)
	if pc.Name() != "arena" || pc.ObsDim() != ArenaNumCells || pc.Params().Decoding != DecodeTopCells {
		t.Fatalf("arena: name %q, %d cells, decoding %q", pc.Name(), pc.ObsDim(), pc.Params().Decoding)
	}
	rng := rand.New(rand.NewPCG(7, 8))
	pos := make([]Point, 2001)
	var sum, n, sumWall, nWall float64
	for range 50 {
		pc.Paths(pos, rng)
		for i := 1; i < len(pos); i++ {
			p := pos[i]
			if p.X < 0 || p.X > ArenaSize || p.Y < 0 || p.Y > ArenaSize {
				t.Fatalf("position %v outside the arena", p)
			}
			q := pos[i-1]
			step := math.Hypot(p.X-q.X, p.Y-q.Y)
			wall := min(q.X, q.Y, ArenaSize-q.X, ArenaSize-q.Y)
			switch {
			case wall > 0.1:
				sum += step
				n++
			case wall < ArenaWallRegion/2:
				sumWall += step
				nWall++
			}
		}
	}
	want := ArenaSpeedScale * math.Sqrt(math.Pi/2) * ArenaDt
	if got := sum / n; math.Abs(got-want) > 0.02*want {
		t.Errorf("mean step away from walls = %.5f m, want %.5f ± 2%%", got, want)
	}
	if got := sumWall / nWall; !(got < 0.8*want) {
		t.Errorf("mean step at a wall = %.5f m over %v steps, want under 0.8 × %.5f (slowed to a quarter when heading to it)", got, nWall, want)
	}
	bad := ArenaParams()
	bad.Motion = "brownian"
	if _, err := NewArena(bad); err == nil || !strings.Contains(err.Error(), "Motion") {
		t.Errorf("unknown motion: err %v", err)
	}
}

// TestPopulationTaskDecodesByCentreMean: with population decoding, Decode of an activity vector is
// the activity-weighted mean of the centres computed by hand, and the task says so; with top-cells
// decoding it says it is not.
func TestPopulationTaskDecodesByCentreMean(t *testing.T) {
	params := DefaultPlaceCellParams()
	params.Decoding = DecodePopulation
	var task Task
	pc, err := NewPlaceCells(params)
	if err != nil {
		t.Fatal(err)
	}
	task = pc
	pop, ok := task.(PopulationTask)
	if !ok || !pop.DecodesByCentreMean() {
		t.Fatalf("population decoding: PopulationTask %v, by centre mean %v", ok, ok && pop.DecodesByCentreMean())
	}
	obs := make([]float32, pc.ObsDim())
	obs[0], obs[1], obs[2] = 0.5, 0.3, 0.2
	c := pop.Centres()
	want := Point{X: 0.5*c[0].X + 0.3*c[1].X + 0.2*c[2].X, Y: 0.5*c[0].Y + 0.3*c[1].Y + 0.2*c[2].Y}
	if got := pc.Decode(obs); got.Sub(want).Norm() > 1e-6 {
		t.Errorf("Decode = %v, the weighted mean of the centres is %v", got, want)
	}
	params.Decoding, params.DecodeTopK = DecodeTopCells, 3
	top, err := NewPlaceCells(params)
	if err != nil {
		t.Fatal(err)
	}
	if top.DecodesByCentreMean() {
		t.Error("top-cells decoding says it decodes by the centre mean")
	}
}
