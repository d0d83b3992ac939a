package main

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// settings parses "key=value;key=value" into typed setters, naming the key in every error.
type settings map[string]func(string) error

func (s settings) keys() string {
	var k []string
	for key := range s {
		k = append(k, key)
	}
	sort.Strings(k)
	return strings.Join(k, ", ")
}

func (s settings) apply(spec string) error {
	for _, kv := range strings.Split(spec, ";") {
		kv = strings.TrimSpace(kv)
		if kv == "" {
			continue
		}
		key, value, ok := strings.Cut(kv, "=")
		if !ok {
			return usagef("--set %q: want key=value", kv)
		}
		set, known := s[strings.TrimSpace(key)]
		if !known {
			return usagef("--set %s: unknown key, want one of %s", key, s.keys())
		}
		if err := set(strings.TrimSpace(value)); err != nil {
			return usagef("--set %s=%s: %v", key, value, err)
		}
	}
	return nil
}

func setInt(p *int) func(string) error {
	return func(v string) error {
		x, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("want an integer")
		}
		*p = x
		return nil
	}
}

func setUint(p *uint64) func(string) error {
	return func(v string) error {
		x, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return fmt.Errorf("want a non-negative integer")
		}
		*p = x
		return nil
	}
}

func setFloat(p *float64) func(string) error {
	return func(v string) error {
		x, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return fmt.Errorf("want a number")
		}
		*p = x
		return nil
	}
}
