// Package pjrtinstall installs XLA's CPU PJRT plugin from PyPI, in Go: the pinned wheel is found
// through the package index's JSON API (PEP 691), downloaded, checked against its pinned sha256,
// and its plugin library extracted where go-xla looks for plugins (~/.local/lib/go-xla, or the
// first directory of $PJRT_PLUGIN_LIBRARY_PATH). Nothing else is fetched, and nothing is run.
package pjrtinstall

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/replaylab/replay/internal/atomicfile"
)

// Wheel pins one wheel on the index and the plugin library inside it.
type Wheel struct {
	Project  string // index project name
	Filename string // the wheel's file name
	SHA256   string // its sha256, hex
	Size     int64  // its size in bytes
	Member   string // the plugin's path inside the wheel
	Plugin   string // the file name go-xla recognises (pjrt_c_api_<name>_plugin.so)
	// GOOS and GOARCH the wheel's library runs on.
	GOOS, GOARCH string
}

// CPUWheel is XLA's CPU plugin as .ci/requirements.txt pins it: lammps-jax-pjrt-cpu 0.11.2, a
// repackaging of the CPU PJRT plugin built from the XLA of jaxlib 0.11.2 as a self-contained
// library (manylinux_2_27, x86-64).
var CPUWheel = Wheel{
	Project:  "lammps-jax-pjrt-cpu",
	Filename: "lammps_jax_pjrt_cpu-0.11.2-py3-none-manylinux_2_27_x86_64.whl",
	SHA256:   "1319390d948b39f69f7dade496b7c385149d9ca6097a6b62114da113216d9ad1",
	Size:     62711338,
	Member:   "lammps_jax_pjrt_cpu/pjrt_c_api_cpu_plugin.so",
	Plugin:   "pjrt_c_api_cpu_plugin.so",
	GOOS:     "linux", GOARCH: "amd64",
}

// DefaultIndex is PyPI's simple index.
const DefaultIndex = "https://pypi.org/simple/"

// IndexEnv overrides the index (a PEP 691 simple index URL, such as a mirror's).
const IndexEnv = "REPLAY_PYPI_INDEX"

// MaxPluginBytes bounds the extracted library (the CPU plugin is about 200 MB).
const MaxPluginBytes = 1 << 30

// Options says where to look and where to put the plugin.
type Options struct {
	Index  string       // the simple index; "" for $REPLAY_PYPI_INDEX, else DefaultIndex
	Dir    string       // where to put the plugin; "" for DefaultDir()
	Client *http.Client // nil for http.DefaultClient
}

// DefaultDir is where go-xla looks first: the first non-empty directory of
// $PJRT_PLUGIN_LIBRARY_PATH when it is set (an error when it is set but names none: go-xla then
// searches nowhere), else ~/.local/lib/go-xla.
func DefaultDir() (string, error) {
	if v, ok := os.LookupEnv("PJRT_PLUGIN_LIBRARY_PATH"); ok {
		for _, d := range strings.Split(v, string(os.PathListSeparator)) {
			if d != "" {
				return d, nil
			}
		}
		return "", errors.New("PJRT_PLUGIN_LIBRARY_PATH is set but names no directory: go-xla searches none")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, ".local", "lib", "go-xla"), nil
}

// ErrUnsupported says that the wheel's library does not run on this machine.
var ErrUnsupported = errors.New("no pinned plugin wheel for this system")

// ErrExists says that a plugin file is already where the install would put it (go-xla found it
// unusable, or the caller did not look): it is left as it is.
var ErrExists = errors.New("a plugin file is already there: left as it is")

// Supported reports whether w's library runs on this system (Install returns ErrUnsupported otherwise).
func Supported(w Wheel) bool { return runtime.GOOS == w.GOOS && runtime.GOARCH == w.GOARCH }

// Install downloads w through the index, checks it and extracts its plugin into the directory;
// it returns the plugin's path. A plugin file already there is replaced only when it is a link
// that points nowhere (one a moved checkout left); any other file there is an error. ctx bounds
// the whole install.
func Install(ctx context.Context, w Wheel, opt Options) (string, error) {
	if !Supported(w) {
		return "", fmt.Errorf("%w (%s/%s; the wheel is for %s/%s)", ErrUnsupported, runtime.GOOS, runtime.GOARCH, w.GOOS, w.GOARCH)
	}
	if opt.Index == "" {
		opt.Index = os.Getenv(IndexEnv)
	}
	if opt.Index == "" {
		opt.Index = DefaultIndex
	}
	if opt.Client == nil {
		opt.Client = http.DefaultClient
	}
	if opt.Dir == "" {
		d, err := DefaultDir()
		if err != nil {
			return "", err
		}
		opt.Dir = d
	}
	target := filepath.Join(opt.Dir, w.Plugin)
	if _, err := os.Lstat(target); err == nil && !DanglingLink(target) {
		return "", fmt.Errorf("%s: %w", target, ErrExists)
	}
	atomicfile.CleanStale(opt.Dir, atomicfile.StaleAge) // an interrupted install's temporaries
	fileURL, err := findWheel(ctx, opt, w)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(opt.Dir, 0o755); err != nil {
		return "", err
	}
	wheel, err := download(ctx, opt.Client, fileURL, w, opt.Dir)
	if err != nil {
		return "", err
	}
	defer os.Remove(wheel)
	if err := extract(wheel, w.Member, target); err != nil {
		return "", err
	}
	return target, nil
}

// DanglingLink reports whether path is a symbolic link that points nowhere (what a moved checkout
// leaves where .ci/install linked the plugin): Install replaces such a link.
func DanglingLink(path string) bool {
	st, err := os.Lstat(path)
	if err != nil || st.Mode()&os.ModeSymlink == 0 {
		return false
	}
	_, err = os.Stat(path)
	return err != nil
}

// findWheel asks the index for the project's files and returns the pinned wheel's URL; a sha256 the
// index lists for it must be the pinned one (the download is checked against the pin either way).
func findWheel(ctx context.Context, opt Options, w Wheel) (string, error) {
	page := strings.TrimSuffix(opt.Index, "/") + "/" + w.Project + "/"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, page, nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Accept", "application/vnd.pypi.simple.v1+json")
	resp, err := opt.Client.Do(req)
	if err != nil {
		return "", fmt.Errorf("index: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("index %s: %s", page, resp.Status)
	}
	var listing struct {
		Files []struct {
			Filename string            `json:"filename"`
			URL      string            `json:"url"`
			Hashes   map[string]string `json:"hashes"`
		} `json:"files"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 16<<20)).Decode(&listing); err != nil {
		return "", fmt.Errorf("index %s: not a PEP 691 JSON listing: %w", page, err)
	}
	for _, f := range listing.Files {
		if f.Filename != w.Filename {
			continue
		}
		if h := f.Hashes["sha256"]; h != "" && !strings.EqualFold(h, w.SHA256) {
			return "", fmt.Errorf("index %s lists %s with sha256 %s, not the pinned %s", page, w.Filename, h, w.SHA256)
		}
		base, err := url.Parse(page)
		if err != nil {
			return "", err
		}
		u, err := base.Parse(f.URL)
		if err != nil {
			return "", fmt.Errorf("index %s: file URL %q: %w", page, f.URL, err)
		}
		u.Fragment = ""
		return u.String(), nil
	}
	return "", fmt.Errorf("index %s does not list %s", page, w.Filename)
}

// download fetches the wheel into a temporary file in dir, at most its pinned size, and checks
// its sha256; it returns the file's path.
func download(ctx context.Context, client *http.Client, fileURL string, w Wheel, dir string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fileURL, nil)
	if err != nil {
		return "", err
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("download: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("download %s: %s", w.Filename, resp.Status)
	}
	f, err := os.CreateTemp(dir, "."+w.Filename+".tmp-*") // atomicfile's naming: CleanStale finds it
	if err != nil {
		return "", err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), io.LimitReader(resp.Body, w.Size+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && n != w.Size {
		err = fmt.Errorf("download %s: %d bytes, want %d", w.Filename, n, w.Size)
	}
	if sum := hex.EncodeToString(h.Sum(nil)); err == nil && sum != strings.ToLower(w.SHA256) {
		err = fmt.Errorf("download %s: sha256 %s, want the pinned %s", w.Filename, sum, w.SHA256)
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

// extract copies member of the zip file to target (atomically, mode 0755), at most MaxPluginBytes.
func extract(zipPath, member, target string) error {
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		return fmt.Errorf("wheel: %w", err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		if f.Name != member {
			continue
		}
		if f.UncompressedSize64 > MaxPluginBytes {
			return fmt.Errorf("wheel: %s is %d bytes, more than %d", member, f.UncompressedSize64, MaxPluginBytes)
		}
		r, err := f.Open()
		if err != nil {
			return fmt.Errorf("wheel: %w", err)
		}
		defer r.Close()
		// Not atomicfile.Create: it refuses to replace a link, and a dangling one is replaced here.
		tmp, err := os.CreateTemp(filepath.Dir(target), "."+filepath.Base(target)+".tmp-*")
		if err != nil {
			return err
		}
		n, err := io.Copy(tmp, io.LimitReader(r, MaxPluginBytes+1))
		if err == nil && n > MaxPluginBytes {
			err = fmt.Errorf("more than %d bytes", MaxPluginBytes)
		}
		if err == nil {
			err = tmp.Chmod(0o755)
		}
		if err == nil {
			err = tmp.Sync()
		}
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			// Renaming over a dangling link replaces the link (Install refused anything else).
			err = os.Rename(tmp.Name(), target)
		}
		if err != nil {
			os.Remove(tmp.Name())
			return fmt.Errorf("wheel: extracting %s: %w", member, err)
		}
		return nil
	}
	return fmt.Errorf("wheel: no %s inside", member)
}
