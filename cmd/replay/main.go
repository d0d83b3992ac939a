// Command replay reproduces the claims of "Leakage and Second-Order Dynamics Improve Hippocampal
// RNN Replay" (arXiv 2602.18401) and exposes each stage: datasets, train, replay, metrics.
//
//	go run ./cmd/replay                       # reproduce --quick into ./results
//	go run ./cmd/replay reproduce --full --out results-full
//	go run ./cmd/replay train --task tmaze --set "alpha=0.2;steps=3000" --out runs/tmaze
//	go run ./cmd/replay replay --model runs/tmaze --set "momentum=0.7" --out runs/tmaze/replay
//	go run ./cmd/replay metrics --task tmaze --traj runs/tmaze/replay/trajectories.csv
//	go run ./cmd/replay datasets --task triangle --n 10 --format csv --out paths.csv
//
// Exit status: 0 success, 1 a failure while running, 2 a bad command line.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"strings"
)

// usageError marks command-line mistakes: exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

var commands = []struct {
	name, summary string
	run           func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}{
	{"reproduce", "train, replay and measure every claim; write report.md, metrics.json, figures (default)", runReproduce},
	{"report", "merge finished units of one or more reproduce runs or shards into report.md, metrics.json, figures", runReport},
	{"status", "list the units of a reproduce run: done, running, left", runStatus},
	{"train", "train one model (checkpoints in --out; resumes)", runTrain},
	{"replay", "replay a trained model; write trajectories.csv and summary.json", runReplay},
	{"metrics", "measure a trajectories.csv written by replay", runMetrics},
	{"datasets", "summarise the tasks or export generated paths as CSV/JSON", runDatasets},
}

func usage(w io.Writer) {
	fmt.Fprintf(w, "usage: replay [command] [flags]\n\ncommands:\n")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "\nRun 'replay <command> --help' for a command's flags. Without a command, runs 'reproduce --quick'.\n")
}

// ProfileEnv names a file to write a CPU profile of the whole command to (go tool pprof reads it).
const ProfileEnv = "REPLAY_CPUPROFILE"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	if path := os.Getenv(ProfileEnv); path != "" {
		if f, err := os.Create(path); err == nil {
			if pprof.StartCPUProfile(f) == nil {
				defer pprof.StopCPUProfile()
			}
		}
	}
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	pprof.StopCPUProfile()
	os.Exit(code)
}

// run dispatches and maps errors to exit codes.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	name := "reproduce"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	if name == "help" {
		usage(stdout)
		return 0
	}
	for _, c := range commands {
		if c.name != name {
			continue
		}
		err := c.run(ctx, args, stdout, stderr)
		var ue usageError
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.As(err, &ue):
			fmt.Fprintf(stderr, "replay %s: %v\n", name, err)
			return 2
		default:
			fmt.Fprintf(stderr, "replay %s: %v\n", name, err)
			return 1
		}
	}
	fmt.Fprintf(stderr, "replay: unknown command %q (want one of %s, help)\n", name, commandNames())
	return 2
}

func commandNames() string {
	var names []string
	for _, c := range commands {
		names = append(names, c.name)
	}
	return strings.Join(names, ", ")
}

// parseFlags parses a flag set, turning flag errors into usage errors (one line, exit 2).
func parseFlags(fs *flag.FlagSet, args []string, stderr io.Writer) error {
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(stderr)
			fmt.Fprintf(stderr, "usage: replay %s [flags]\n", fs.Name())
			fs.PrintDefaults()
			return err
		}
		return usagef("%v", err)
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	return nil
}
