//go:build !unix

package dirlock

import "os"

// Without flock the lock is advisory only within a process: concurrent shards need unix.
func lockFile(*os.File, bool) error { return nil }

func unlockFile(*os.File) {}
