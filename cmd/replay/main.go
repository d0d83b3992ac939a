// Command replay reproduces the claims of "Leakage and Second-Order Dynamics Improve Hippocampal
// RNN Replay" (arXiv 2602.18401) and exposes each stage: datasets, train, replay, metrics.
//
//	go run ./cmd/replay                       # reproduce --quick into ./results
//	go run ./cmd/replay reproduce --full --out results-full
//	go run ./cmd/replay train --task tmaze --set "alpha=0.2;steps=3000" --out runs/tmaze
//	go run ./cmd/replay replay --model runs/tmaze --set "momentum=0.7" --out runs/tmaze/replay
//	go run ./cmd/replay metrics --traj runs/tmaze/replay/trajectories.csv
//	go run ./cmd/replay datasets --task triangle --n 10 --format csv --out paths.csv
//
// Exit status: 0 success, 1 a failure while running, 2 a bad command line or value. What a command
// made (summaries, tables, where its files are) goes to stdout; progress, warnings and errors to
// stderr. Every error is one line on stderr; an internal error (a panic) too, with its stack only when REPLAY_DEBUG=1.
// Ctrl-C (or SIGTERM) stops a command at its next check, saving what it can (train saves a
// checkpoint); a second one quits at once.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"syscall"

	"github.com/replaylab/replay/internal/dirlock"
	"github.com/replaylab/replay/internal/settings"
	"github.com/replaylab/replay/internal/sysmem"
)

// usageError marks command-line mistakes: exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// settingsUsage is a usage error for the settings given with flag (--set, --compare): a
// *settings.Error in the flag's words, anything else as it is.
func settingsUsage(flag string, err error) error {
	if se, ok := errors.AsType[*settings.Error](err); ok {
		return usagef("%s", se.Flag(flag))
	}
	return usagef("%v", err)
}

var commands = []struct {
	name, summary string
	run           func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}{
	{"reproduce", "train, replay and measure every claim; write report.md, metrics.json, figures (default)", runReproduce},
	{"report", "merge finished units of one or more reproduce runs or shards into report.md, metrics.json, figures", runReport},
	{"search", "the pre-registered search for a training recipe whose leak baseline passes the gate", runSearch},
	{"status", "list the units of a reproduce run: done, running, left", runStatus},
	{"train", "train one model (checkpoints in --out; resumes)", runTrain},
	{"replay", "replay a trained model; write trajectories.csv and replay-config.json", runReplay},
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

// DebugEnv set to 1 prints the stack of an internal error.
const DebugEnv = "REPLAY_DEBUG"

func main() {
	ctx, cancel := context.WithCancel(context.Background())
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-signals
		fmt.Fprintln(os.Stderr, "replay: stopping (interrupt again to quit at once)")
		cancel()
		<-signals
		fmt.Fprintln(os.Stderr, "replay: quit")
		pprof.StopCPUProfile()
		os.Exit(130)
	}()
	if path := os.Getenv(ProfileEnv); path != "" {
		if f, err := os.Create(path); err == nil {
			if pprof.StartCPUProfile(f) == nil {
				defer pprof.StopCPUProfile()
			}
		}
	}
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	cancel()
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
		if err := sysmem.CheckLimit(); err != nil {
			fmt.Fprintf(stderr, "replay %s: %s\n", name, err)
			return 2
		}
		err := runCommand(ctx, c.run, args, stdout, stderr)
		var ue usageError
		var ie internalError
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.As(err, &ie):
			fmt.Fprintf(stderr, "replay %s: internal error: %s; please report it with the command line (%s=1 shows where)\n",
				name, oneLine(fmt.Sprint(ie.value)), DebugEnv)
			if os.Getenv(DebugEnv) == "1" {
				stderr.Write(ie.stack)
			}
			return 1
		case errors.As(err, &ue):
			fmt.Fprintf(stderr, "replay %s: %s\n", name, oneLine(err.Error()))
			return 2
		default:
			fmt.Fprintf(stderr, "replay %s: %s\n", name, oneLine(err.Error()))
			return 1
		}
	}
	fmt.Fprintf(stderr, "replay: unknown command %s (want one of %s, help)\n", settings.Quote(name), commandNames())
	return 2
}

// internalError is a panic inside a command, recovered.
type internalError struct {
	value any
	stack []byte
}

func (e internalError) Error() string { return fmt.Sprint("internal error: ", e.value) }

// runCommand runs one command, turning a panic into an internalError.
func runCommand(ctx context.Context, cmd func(context.Context, []string, io.Writer, io.Writer) error, args []string, stdout, stderr io.Writer) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = internalError{value: p, stack: debug.Stack()}
		}
	}()
	return cmd(ctx, args, stdout, stderr)
}

// oneLine joins the lines of a message with "; " (an error is one line on stderr).
func oneLine(s string) string {
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "; ")
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
		return usagef("unexpected argument %s", settings.Quote(fs.Arg(0)))
	}
	var bad error
	fs.Visit(func(f *flag.Flag) {
		if err := settings.CheckText(f.Value.String()); err != nil && bad == nil {
			bad = usagef("--%s: %v", f.Name, err)
		}
	})
	return bad
}

// lockDir takes the lock of an output directory (created if needed) for the whole command, so
// that two commands never write into one directory at once. The system frees it when the process
// ends, however it ends.
func lockDir(dir, flagName string) (*dirlock.Lock, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("%s %s: %w", flagName, dir, err)
	}
	path := filepath.Join(dir, LockFile)
	l, err := dirlock.Acquire(path, dirlock.Options{})
	if errors.Is(err, dirlock.ErrLocked) {
		return nil, fmt.Errorf("%s %s: another process holds this directory (%s); wait for it to finish or use another directory", flagName, dir, path)
	}
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", flagName, dir, err)
	}
	return l, nil
}

// LockFile is the lock of an output directory of train and replay.
const LockFile = ".replay.lock"
