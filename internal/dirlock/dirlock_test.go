package dirlock

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestLockExcludesAnotherProcess: a child process holding the lock makes Acquire fail at once
// without Wait and succeed as soon as the child exits (the system releases its lock).
func TestLockExcludesAnotherProcess(t *testing.T) {
	path := os.Getenv("DIRLOCK_CHILD")
	if path != "" {
		l, err := Acquire(path, Options{})
		if err != nil {
			os.Exit(3)
		}
		os.Stdout.WriteString("locked\n")
		time.Sleep(500 * time.Millisecond)
		_ = l // exits holding the lock: the system must free it
		os.Exit(0)
	}
	path = filepath.Join(t.TempDir(), "unit.lock")
	child := exec.Command(os.Args[0], "-test.run=^TestLockExcludesAnotherProcess$")
	child.Env = append(os.Environ(), "DIRLOCK_CHILD="+path)
	out, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 7)
	if _, err := out.Read(buf); err != nil || string(buf) != "locked\n" {
		t.Fatalf("child did not lock: %q %v", buf, err)
	}
	if _, err := Acquire(path, Options{}); !errors.Is(err, ErrLocked) {
		t.Fatalf("lock held by another process: error %v, want ErrLocked", err)
	}
	start := time.Now()
	l, err := Acquire(path, Options{Wait: true})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	child.Wait()
	if waited := time.Since(start); waited < 100*time.Millisecond {
		t.Errorf("Acquire with Wait returned after %s, before the child let go", waited)
	}
}
