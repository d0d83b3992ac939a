//go:build unix

package sysmem

import (
	"os"
	"path/filepath"
	"syscall"
)

// DiskFree returns the bytes free to this user on the file system that holds path (or would hold
// it: the nearest existing parent is asked), and whether it could tell.
func DiskFree(path string) (int64, bool) {
	p, err := filepath.Abs(path)
	if err != nil {
		return 0, false
	}
	for {
		if _, err := os.Stat(p); err == nil {
			break
		}
		parent := filepath.Dir(p)
		if parent == p {
			return 0, false
		}
		p = parent
	}
	var st syscall.Statfs_t
	if err := syscall.Statfs(p, &st); err != nil {
		return 0, false
	}
	return int64(st.Bavail) * int64(st.Bsize), true
}
