//go:build !unix

package sysmem

// DiskFree cannot tell on this system.
func DiskFree(string) (int64, bool) { return 0, false }
