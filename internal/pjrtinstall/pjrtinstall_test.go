package pjrtinstall

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// fakeWheel is a zip holding a fake plugin library, pinned as a Wheel for this machine.
func fakeWheel(t *testing.T, library []byte) (Wheel, []byte) {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, data := range map[string][]byte{"pkg/__init__.py": []byte("\n"), "pkg/pjrt_c_api_cpu_plugin.so": library} {
		f, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		f.Write(data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(buf.Bytes())
	return Wheel{Project: "fake-pjrt", Filename: "fake_pjrt-1.0-py3-none-any.whl", SHA256: hex.EncodeToString(sum[:]),
		Size: int64(buf.Len()), Member: "pkg/pjrt_c_api_cpu_plugin.so", Plugin: "pjrt_c_api_cpu_plugin.so",
		GOOS: runtime.GOOS, GOARCH: runtime.GOARCH}, buf.Bytes()
}

// index serves a PEP 691 listing of one file (listed with listedSHA) and the file's bytes.
func index(t *testing.T, w Wheel, listedSHA string, served []byte) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/simple/"+w.Project+"/", func(rw http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Accept") != "application/vnd.pypi.simple.v1+json" {
			http.Error(rw, "want the JSON API", http.StatusNotAcceptable)
			return
		}
		fmt.Fprintf(rw, `{"files": [{"filename": "other.tar.gz", "url": "../../files/other", "hashes": {}},
			{"filename": %q, "url": "../../files/wheel#sha256=%s", "hashes": {"sha256": %q}}]}`, w.Filename, listedSHA, listedSHA)
	})
	mux.HandleFunc("/files/wheel", func(rw http.ResponseWriter, r *http.Request) { rw.Write(served) })
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestInstallFromIndex(t *testing.T) {
	library := bytes.Repeat([]byte("ELF-plugin "), 1000)
	w, wheel := fakeWheel(t, library)
	srv := index(t, w, w.SHA256, wheel)
	dir := t.TempDir()
	// A dangling link left by a moved checkout is replaced.
	if err := os.Symlink(filepath.Join(dir, "gone", "plugin.so"), filepath.Join(dir, w.Plugin)); err != nil {
		t.Fatal(err)
	}
	path, err := Install(context.Background(), w, Options{Index: srv.URL + "/simple/", Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(got, library) {
		t.Fatalf("installed plugin: %d bytes (%v), want the wheel's %d", len(got), err, len(library))
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o755 {
		t.Errorf("plugin mode %v, want 0755", st.Mode().Perm())
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*.tmp-*")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
	// A plugin already there (a regular file) is left alone.
	if _, err := Install(context.Background(), w, Options{Index: srv.URL + "/simple/", Dir: dir}); !errors.Is(err, ErrExists) {
		t.Errorf("second install: err %v, want ErrExists", err)
	}
	// An interrupted install's temporaries are removed by the next one once they are old.
	old, fresh := filepath.Join(dir, "."+w.Filename+".tmp-1"), filepath.Join(dir, "."+w.Plugin+".tmp-2")
	for _, p := range []string{old, fresh} {
		os.WriteFile(p, []byte("partial"), 0o644)
	}
	os.Chtimes(old, time.Now().Add(-2*time.Hour), time.Now().Add(-2*time.Hour))
	os.Remove(path)
	if _, err := Install(context.Background(), w, Options{Index: srv.URL + "/simple/", Dir: dir}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Errorf("an hour-old temporary was not removed (%v)", err)
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("a fresh temporary (maybe another install's) was removed: %v", err)
	}
}

func TestDefaultDirFollowsGoXLA(t *testing.T) {
	t.Setenv("PJRT_PLUGIN_LIBRARY_PATH", ":/opt/plugins:/other")
	if d, err := DefaultDir(); err != nil || d != "/opt/plugins" {
		t.Errorf("first non-empty entry: %q, %v", d, err)
	}
	t.Setenv("PJRT_PLUGIN_LIBRARY_PATH", "")
	if _, err := DefaultDir(); err == nil {
		t.Error("set but empty: want an error (go-xla searches nowhere)")
	}
}

func TestInstallRefusesWhatIsNotPinned(t *testing.T) {
	w, wheel := fakeWheel(t, []byte("plugin"))
	tampered := bytes.Clone(wheel)
	tampered[len(tampered)/2] ^= 1
	other := strings.Repeat("0", 64)
	for _, c := range []struct {
		name      string
		listed    string
		served    []byte
		wantInErr string
	}{
		{"index lists another hash", other, wheel, "not the pinned"},
		{"file differs from its pin", w.SHA256, tampered, "want the pinned"},
		{"file truncated", w.SHA256, wheel[:len(wheel)-10], "bytes, want"},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := index(t, w, c.listed, c.served)
			dir := t.TempDir()
			_, err := Install(context.Background(), w, Options{Index: srv.URL + "/simple/", Dir: dir})
			if err == nil || !strings.Contains(err.Error(), c.wantInErr) {
				t.Fatalf("err %v, want one containing %q", err, c.wantInErr)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("files left after a refused install: %v", entries)
			}
		})
	}
	w.GOOS = "plan9"
	if _, err := Install(context.Background(), w, Options{Index: "http://127.0.0.1:1/", Dir: t.TempDir()}); !errors.Is(err, ErrUnsupported) {
		t.Errorf("another system: err %v, want ErrUnsupported", err)
	}
	// An unreachable index fails quickly with the index named.
	w.GOOS = runtime.GOOS
	if _, err := Install(context.Background(), w, Options{Index: "http://127.0.0.1:1/simple/", Dir: t.TempDir()}); err == nil || !strings.Contains(err.Error(), "index") {
		t.Errorf("unreachable index: err %v", err)
	}
}
