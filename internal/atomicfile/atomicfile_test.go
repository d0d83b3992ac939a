package atomicfile

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestWriteReplacesAndLeavesNoTemporaries(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "a.json")
	if err := WriteJSON(path, map[string]int{"x": 1}); err != nil {
		t.Fatal(err)
	}
	if err := Write(path, []byte("second")); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	if string(got) != "second" {
		t.Errorf("content %q, want %q", got, "second")
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only the file", len(entries))
	}
}

func TestWriteToReadOnlyDirFailsCleanly(t *testing.T) {
	if os.Geteuid() == 0 {
		// root ignores directory permissions; use a path under a regular file instead.
		file := filepath.Join(t.TempDir(), "file")
		os.WriteFile(file, nil, 0o644)
		err := Write(filepath.Join(file, "x.json"), []byte("x"))
		if err == nil || !strings.Contains(err.Error(), "x.json") {
			t.Fatalf("error %v, want one naming the file", err)
		}
		return
	}
	dir := t.TempDir()
	os.Chmod(dir, 0o555)
	defer os.Chmod(dir, 0o755)
	if err := Write(filepath.Join(dir, "x.json"), []byte("x")); err == nil {
		t.Fatal("write into read-only directory succeeded")
	}
}

func TestCreateCommitAbort(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.csv")
	f, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("a,b\n")
	if _, err := os.Stat(path); err == nil {
		t.Error("the file is visible before Commit")
	}
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	f.Abort() // no-op after Commit
	g, _ := Create(path)
	g.WriteString("partial")
	g.Abort()
	got, _ := os.ReadFile(path)
	entries, _ := os.ReadDir(dir)
	if string(got) != "a,b\n" || len(entries) != 1 {
		t.Errorf("content %q, %d entries; want the committed file alone", got, len(entries))
	}
}

// TestNeverReplacesANonRegularFile: Write and Create refuse a FIFO, a symbolic link and a
// directory at the path (one line naming what it is) and leave it as it was; a regular file is
// replaced.
func TestNeverReplacesANonRegularFile(t *testing.T) {
	dir := t.TempDir()
	fifo, link, sub, plain := filepath.Join(dir, "fifo"), filepath.Join(dir, "link"), filepath.Join(dir, "sub"), filepath.Join(dir, "plain")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("no FIFO here: %v", err)
	}
	if err := os.WriteFile(plain, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(plain, link); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	for path, what := range map[string]string{fifo: "a FIFO", link: "a symbolic link", sub: "a directory"} {
		before, _ := os.Lstat(path)
		err := Write(path, []byte("new"))
		if err == nil || !strings.Contains(err.Error(), what) {
			t.Errorf("Write onto %s: %v, want a refusal naming %s", what, err, what)
		}
		if _, err := Create(path); err == nil {
			t.Errorf("Create onto %s: no error", what)
		}
		if after, _ := os.Lstat(path); after.Mode() != before.Mode() {
			t.Errorf("%s: mode %v became %v", what, before.Mode(), after.Mode())
		}
	}
	if raw, _ := os.ReadFile(plain); string(raw) != "old" {
		t.Errorf("the symbolic link's target was written: %q", raw)
	}
	if err := Write(plain, []byte("new")); err != nil {
		t.Fatal(err)
	}
	if raw, _ := os.ReadFile(plain); string(raw) != "new" {
		t.Errorf("regular file: %q", raw)
	}
}

// TestCleanStale removes temporaries older than the age and keeps fresh ones and other files.
func TestCleanStale(t *testing.T) {
	dir := t.TempDir()
	old := time.Now().Add(-2 * StaleAge)
	files := map[string]bool{".a.json.tmp-123": true, ".b.json.tmp-456": false, "c.json": false, ".hidden": false}
	for name, stale := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		if stale || name == "c.json" || name == ".hidden" {
			os.Chtimes(p, old, old)
		}
	}
	n, err := CleanStale(dir, StaleAge)
	if err != nil || n != 1 {
		t.Fatalf("removed %d (%v), want 1", n, err)
	}
	for name, stale := range files {
		if _, err := os.Stat(filepath.Join(dir, name)); (err == nil) == stale {
			t.Errorf("%s: exists %v after cleaning", name, err == nil)
		}
	}
	if n, err := CleanStale(filepath.Join(dir, "none"), StaleAge); n != 0 || err != nil {
		t.Errorf("missing directory: %d, %v", n, err)
	}
}
