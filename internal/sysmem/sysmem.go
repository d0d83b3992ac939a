package sysmem

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"unicode"
)

// LimitEnv overrides the memory the machine is taken to have, e.g. "8GiB", "512MB" or a number
// of bytes: for a process sharing its machine, and for tests.
const LimitEnv = "REPLAY_MEMORY_LIMIT"

// DefaultMemory is assumed where the system does not say (non-Linux systems).
const DefaultMemory = 8 << 30

// Memory returns how many bytes of memory this process can use and where that number comes from:
// $REPLAY_MEMORY_LIMIT, else the smaller of the machine's total memory and its control group's
// limit, else DefaultMemory.
func Memory() (bytes int64, source string) {
	if v, ok := os.LookupEnv(LimitEnv); ok && strings.TrimSpace(v) != "" {
		if n, err := ParseBytes(v); err == nil && n > 0 {
			return n, LimitEnv
		}
	}
	total, source := int64(0), ""
	if n := memTotal(); n > 0 {
		total, source = n, "memory"
	}
	if n := cgroupLimit(); n > 0 && (total == 0 || n < total) {
		total, source = n, "memory limit of this process's control group"
	}
	if total == 0 {
		return DefaultMemory, "assumed memory"
	}
	return total, source
}

// CheckLimit returns an error naming LimitEnv when it is set but is not a positive size (abc, 0,
// -1GiB, 1e309): Memory would otherwise fall back to the machine's memory without a word.
func CheckLimit() error {
	v, ok := os.LookupEnv(LimitEnv)
	if !ok || strings.TrimSpace(v) == "" {
		return nil
	}
	if n, err := ParseBytes(v); err != nil || n <= 0 {
		return fmt.Errorf("%s=%q: want a positive size such as 8GiB or 512MiB", LimitEnv, v)
	}
	return nil
}

// Budget is the part of Memory a single command may plan to use: 90 % (the rest is the Go
// runtime, the backend and the system).
func Budget() (bytes float64, source string) {
	m, source := Memory()
	return 0.9 * float64(m), source
}

func memTotal() int64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), "MemTotal:"); ok {
			fields := strings.Fields(rest)
			if len(fields) == 2 && fields[1] == "kB" {
				if kb, err := strconv.ParseInt(fields[0], 10, 64); err == nil && kb < math.MaxInt64/1024 {
					return kb * 1024
				}
			}
		}
	}
	return 0
}

// cgroupLimit reads the memory limit of this process's control group (v2 or v1), or 0.
func cgroupLimit() int64 {
	var paths []string
	if data, err := os.ReadFile("/proc/self/cgroup"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			parts := strings.SplitN(line, ":", 3)
			if len(parts) != 3 {
				continue
			}
			switch {
			case parts[0] == "0" && parts[1] == "":
				paths = append(paths, "/sys/fs/cgroup"+parts[2]+"/memory.max")
			case strings.Contains(","+parts[1]+",", ",memory,"):
				paths = append(paths, "/sys/fs/cgroup/memory"+parts[2]+"/memory.limit_in_bytes")
			}
		}
	}
	// Inside a container the group's own files are usually at the root of the mount.
	paths = append(paths, "/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes")
	limit := int64(0)
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		n, err := strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64)
		if err != nil || n <= 0 || n >= 1<<60 { // "max", or v1's "unlimited" (close to MaxInt64)
			continue
		}
		if limit == 0 || n < limit {
			limit = n
		}
	}
	return limit
}

// ParseBytes reads a size such as "123", "8G", "8GB", "8GiB", "1.5 TB" (K, M, G, T: powers of
// 1024 with "i" or without a "B", of 1000 with a "B" alone).
func ParseBytes(s string) (int64, error) {
	s = strings.TrimSpace(s)
	i := strings.IndexFunc(s, func(r rune) bool { return unicode.IsLetter(r) })
	num, unit := s, ""
	if i >= 0 {
		num, unit = strings.TrimSpace(s[:i]), strings.ToUpper(strings.TrimSpace(s[i:]))
	}
	x, err := strconv.ParseFloat(num, 64)
	if err != nil || !(x >= 0) || math.IsInf(x, 0) {
		return 0, fmt.Errorf("size %q: want a number of bytes such as 512MB or 8GiB", s)
	}
	mult := 1.0
	if unit != "" && unit != "B" {
		base := 1024.0
		if strings.HasSuffix(unit, "B") && !strings.HasSuffix(unit, "IB") {
			base = 1000
		}
		p := strings.Index("KMGT", unit[:1])
		if p < 0 || len(strings.TrimSuffix(strings.TrimSuffix(unit, "B"), "I")) != 1 {
			return 0, fmt.Errorf("size %q: unknown unit %q, want K, M, G or T (KiB, MB, …)", s, unit)
		}
		mult = math.Pow(base, float64(p+1))
	}
	if x*mult >= math.MaxInt64 {
		return 0, fmt.Errorf("size %q: too large", s)
	}
	return int64(x * mult), nil
}

// Format writes a number of bytes for people: "512 GB", "3.2 MB", "1.5e+08 TB".
func Format(bytes float64) string {
	units := []string{"bytes", "kB", "MB", "GB", "TB"}
	i := 0
	for bytes >= 1000 && i < len(units)-1 {
		bytes /= 1000
		i++
	}
	switch {
	case bytes >= 1e6:
		return fmt.Sprintf("%.2g %s", bytes, units[i])
	case bytes >= 100 || i == 0:
		return fmt.Sprintf("%.0f %s", bytes, units[i])
	}
	return fmt.Sprintf("%.2g %s", bytes, units[i])
}
