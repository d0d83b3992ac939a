// Package dirlock holds advisory locks on files, so that two processes (two shards of a
// reproduction, or two `replay train` runs into one directory) never work on the same thing at
// once. The operating system releases a lock when its process dies, so a killed run never leaves a
// stale lock behind.
package dirlock

import (
	"errors"
	"fmt"
	"os"
)

// ErrLocked is returned by Acquire without Wait when another process holds the lock.
var ErrLocked = errors.New("locked by another process")

// Options of Acquire.
type Options struct {
	// Wait blocks until the lock is free instead of failing with ErrLocked.
	Wait bool
}

// Lock is a held lock; Release frees it.
type Lock struct {
	f *os.File
}

// Acquire creates path if needed and locks it exclusively.
func Acquire(path string, opt Options) (*Lock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := lockFile(f, opt.Wait); err != nil {
		f.Close()
		if errors.Is(err, ErrLocked) {
			return nil, fmt.Errorf("%s: %w", path, ErrLocked)
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	fmt.Fprintf(f, "%d\n", os.Getpid())
	return &Lock{f: f}, nil
}

// Release unlocks and closes the lock file (the file itself stays).
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	unlockFile(l.f)
	err := l.f.Close()
	l.f = nil
	return err
}
