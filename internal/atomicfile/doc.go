// Package atomicfile writes result files so that a reader sees either the old file or the complete
// new one, never a partial write: data goes to a temporary file in the same directory, is synced,
// and is renamed over the target.
package atomicfile
