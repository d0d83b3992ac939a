package settings

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Setters maps each accepted key to the function that parses and stores its value.
type Setters map[string]func(value string) error

// Keys lists the accepted keys, sorted, comma-separated.
func (s Setters) Keys() string {
	keys := make([]string, 0, len(s))
	for k := range s {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return strings.Join(keys, ", ")
}

// Apply parses spec ("key=value;key=value", blanks ignored) and calls the setters in order.
func (s Setters) Apply(spec string) error {
	for _, kv := range strings.Split(spec, ";") {
		kv = strings.TrimSpace(kv)
		if kv == "" {
			continue
		}
		key, value, ok := strings.Cut(kv, "=")
		if !ok {
			return fmt.Errorf("--set %q: want key=value", kv)
		}
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		set, known := s[key]
		if !known {
			return fmt.Errorf("--set %s: unknown key, want one of %s", key, s.Keys())
		}
		if err := set(value); err != nil {
			return fmt.Errorf("--set %s=%s: %w", key, value, err)
		}
	}
	return nil
}

// Int stores an integer ≥ minValue.
func Int(p *int, minValue int) func(string) error {
	return func(v string) error {
		x, err := strconv.Atoi(v)
		if err != nil || x < minValue {
			return fmt.Errorf("want an integer ≥ %d", minValue)
		}
		*p = x
		return nil
	}
}

// Uint stores a non-negative integer.
func Uint(p *uint64) func(string) error {
	return func(v string) error {
		x, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return fmt.Errorf("want a non-negative integer")
		}
		*p = x
		return nil
	}
}

// Float stores a number (range checks are left to the config's Validate).
func Float(p *float64) func(string) error {
	return func(v string) error {
		x, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return fmt.Errorf("want a number")
		}
		*p = x
		return nil
	}
}
