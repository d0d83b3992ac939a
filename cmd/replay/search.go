package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"github.com/replaylab/replay/internal/sysmem"
	"github.com/replaylab/replay/replaylib"
	"github.com/replaylab/replay/replaylib/claims"
)

// runSearch runs the pre-registered recipe search (docs/claims.md, "The recipe search").
func runSearch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("search", flag.ContinueOnError)
	out := fs.String("out", "search", "output directory (search.md, search.json, figures/, one run per candidate)")
	full := fs.Bool("full", false, "the full factorial grid (for a GPU or a cluster) instead of its quick subset")
	workers := fs.Int("workers", claims.DefaultWorkers, fmt.Sprintf("units run at once, in [1, %d] (the numbers do not depend on it)", maxWorkers))
	ensembles := fs.Bool("ensembles", false, "train the networks of a condition together as one ensemble (as reproduce --ensembles)")
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	if *workers < 1 || *workers > maxWorkers {
		return usagef("--workers=%d: must be in [1, %d]", *workers, maxWorkers)
	}
	grid := claims.SearchGrid(*full)
	for _, r := range grid {
		s, err := r.Size()
		if err != nil {
			return err
		}
		if _, err := sizeFits(s); err != nil {
			return fmt.Errorf("recipe %s: %w", r.Name, err)
		}
		if ensemble := ensembleBytes(s); *ensembles && float64(*workers)*ensemble > budgetBytes() {
			fmt.Fprintf(stdout, "search: training every network alone: recipe %s's ensembles need about %s per worker\n", r.Name, sysmem.Format(ensemble))
			*ensembles = false
		}
	}
	if err := checkWritable(*out); err != nil {
		return err
	}
	backend, err := replaylib.NewBackend()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "search: %d candidates × %d networks on %v (seed %d), then the selected one on %d fresh networks per task (seed %d); output %s\n",
		len(grid), claims.SearchNetworks, claims.SearchTasks, claims.SearchSelectSeed, claims.ConfirmNetworks, claims.SearchConfirmSeed, *out)
	opt := claims.SearchOptions{Options: claims.Options{Dir: *out, Log: stdout, Backend: backend, Workers: *workers, Progress: progressLine(stdout), Ensembles: *ensembles}, Full: *full}
	res, err := claims.Search(ctx, opt)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("%v; rerun the same command to resume (finished units are kept in %s)", err, *out)
		}
		return err
	}
	if err := claims.WriteSearch(res, *out); err != nil {
		return err
	}
	sel := res.Candidates[res.Selected]
	fmt.Fprintf(stdout, "search: selected %s (%s); confirmed on %d of %d tasks; %s\n", sel.Recipe.Name, sel.Recipe.Set,
		res.Confirm.Passed, len(res.Confirm.Gates), filepath.Join(*out, claims.SearchReportFile))
	return nil
}
