// Package sysmem says how much memory and disk the machine has, so that commands refuse sizes
// that cannot fit before allocating anything (a Go allocation beyond the machine's memory is a
// fatal error, not a panic: nothing can recover it), and helps say by how much a size is too big.
package sysmem
