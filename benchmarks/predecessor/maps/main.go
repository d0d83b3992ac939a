// Command maps draws occupancy maps of decoded trajectories side by side, with the waking
// occupancy of the task's own paths first, for the predecessor comparison (benchmarks/predecessor).
//
//	go run ./benchmarks/predecessor/maps --task arena --out figure LABEL=trajectories.csv ...
//
// Every CSV has the chain,t,x,y rows that 'replay replay' writes. The figure is written as
// figure.png and figure.svg, four panels to a row.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"

	"gonum.org/v1/plot"

	"github.com/replaylab/replay/datasets"
	"github.com/replaylab/replay/geom"
	"github.com/replaylab/replay/replaylib/plots"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "maps:", err)
		os.Exit(1)
	}
}

func run() error {
	taskName := flag.String("task", "arena", "task whose environment and waking paths to draw")
	out := flag.String("out", "", "figure path without extension (required)")
	perRow := flag.Int("row", 4, "panels per row")
	flag.Parse()
	if *out == "" || flag.NArg() == 0 {
		return fmt.Errorf("usage: maps --out FIGURE [--task arena] LABEL=trajectories.csv ...")
	}
	task, err := datasets.NewDefaultTask(*taskName)
	if err != nil {
		return err
	}
	env := task.Env()
	lo, hi := env.Bounds()
	grid, err := geom.NewGrid(env, (hi.X-lo.X)/25)
	if err != nil {
		return err
	}
	// Waking: 200 task paths of 1,000 steps.
	rng := rand.New(rand.NewPCG(1, 2))
	path := make([]geom.Point, 1001)
	var waking []geom.Point
	for range 200 {
		task.Paths(path, rng)
		waking = append(waking, path...)
	}
	p, err := plots.Occupancy("waking (task paths)", env, grid, waking)
	if err != nil {
		return err
	}
	panels := []*plot.Plot{p}
	for _, arg := range flag.Args() {
		label, file, ok := strings.Cut(arg, "=")
		if !ok {
			return fmt.Errorf("%q: want LABEL=trajectories.csv", arg)
		}
		pts, err := readPoints(file)
		if err != nil {
			return err
		}
		p, err := plots.Occupancy(label, env, grid, pts)
		if err != nil {
			return err
		}
		panels = append(panels, p)
	}
	var rows [][]*plot.Plot
	for i := 0; i < len(panels); i += *perRow {
		rows = append(rows, panels[i:min(i+*perRow, len(panels))])
	}
	files, err := plots.SaveTiles(rows, *out, 220, 200)
	if err != nil {
		return err
	}
	fmt.Println(strings.Join(files, "\n"))
	return nil
}

// readPoints reads every x,y of a chain,t,x,y CSV.
func readPoints(file string) ([]geom.Point, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	var pts []geom.Point
	for line := 1; sc.Scan(); line++ {
		if line == 1 {
			continue
		}
		fields := strings.Split(sc.Text(), ",")
		if len(fields) != 4 {
			return nil, fmt.Errorf("%s:%d: want chain,t,x,y", file, line)
		}
		x, err1 := strconv.ParseFloat(fields[2], 64)
		y, err2 := strconv.ParseFloat(fields[3], 64)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("%s:%d: x, y not numbers", file, line)
		}
		pts = append(pts, geom.Point{X: x, Y: y})
	}
	return pts, sc.Err()
}
