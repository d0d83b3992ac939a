package settings

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
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

// Error is a settings error: the item of the spec it is about ("key=value", "key", or "" for the
// spec as a whole) and why. Its text names no command-line flag; a command formats it as its own
// flag with Flag.
type Error struct {
	Item string // quoted where it holds anything but printable characters
	Err  error
}

func (e *Error) Error() string {
	if e.Item == "" {
		return "settings: " + e.Err.Error()
	}
	return "setting " + e.Item + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// Flag is the error as a command line with flag (e.g. "--set") reports it: "--set key=value: why".
func (e *Error) Flag(flag string) string {
	if e.Item == "" {
		return flag + ": " + e.Err.Error()
	}
	return flag + " " + e.Item + ": " + e.Err.Error()
}

// MaxSpecLen bounds the length of a spec (far beyond any real list of settings).
const MaxSpecLen = 1 << 16

// Apply parses spec ("key=value;key=value", blanks ignored) and calls the setters in order.
// Every error is a one-line *Error: a spec with newlines or other control characters, or that is not
// UTF-8, is refused before any setter runs, and keys and values in errors are quoted when they
// hold anything but printable characters.
func (s Setters) Apply(spec string) error {
	if err := CheckText(spec); err != nil {
		return &Error{Err: err}
	}
	seen := map[string]bool{}
	for _, kv := range strings.Split(spec, ";") {
		kv = strings.TrimSpace(kv)
		if kv == "" {
			continue
		}
		key, value, ok := strings.Cut(kv, "=")
		if !ok {
			return &Error{Item: Quote(kv), Err: errors.New("want key=value")}
		}
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		if key == "" {
			return &Error{Item: Quote(kv), Err: fmt.Errorf("the key before = is empty, want one of %s", s.Keys())}
		}
		if seen[key] {
			return &Error{Item: Quote(key), Err: errors.New("given twice, give each key once")}
		}
		seen[key] = true
		set, known := s[key]
		if !known {
			return &Error{Item: Quote(key), Err: fmt.Errorf("unknown key, want one of %s", s.Keys())}
		}
		if err := set(value); err != nil {
			return &Error{Item: key + "=" + Quote(value), Err: err}
		}
	}
	return nil
}

// CheckText returns an error unless text is valid UTF-8 without control characters (newlines,
// tabs, escapes) and at most MaxSpecLen bytes long: what a command-line value may hold.
func CheckText(text string) error {
	if len(text) > MaxSpecLen {
		return fmt.Errorf("%d bytes, want at most %d", len(text), MaxSpecLen)
	}
	for i, r := range text {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(text[i:]); size <= 1 {
				return fmt.Errorf("byte %d is not UTF-8", i)
			}
		}
		if unicode.IsControl(r) {
			return fmt.Errorf("%s at byte %d: control characters are not allowed", strconv.QuoteRune(r), i)
		}
	}
	return nil
}

// Quote returns s as it is when it is short and printable, else Go-quoted and shortened, so that
// an error that shows it stays one readable line.
func Quote(s string) string {
	const maxShown = 60
	short := s
	if len(short) > maxShown {
		short = short[:maxShown]
		for !utf8.ValidString(short) && len(short) > 0 {
			short = short[:len(short)-1]
		}
		short += "…"
	}
	for _, r := range short {
		if !unicode.IsPrint(r) || r == '"' || r == utf8.RuneError {
			return strconv.Quote(short)
		}
	}
	return short
}

// Int stores an integer ≥ minValue.
func Int(p *int, minValue int) func(string) error {
	return IntRange(p, minValue, math.MaxInt)
}

// IntRange stores an integer in [minValue, maxValue]; the error names the range as "≥ min" when
// maxValue is math.MaxInt, "≤ max" when minValue is math.MinInt.
func IntRange(p *int, minValue, maxValue int) func(string) error {
	return func(v string) error {
		x, err := strconv.Atoi(v)
		if err != nil || x < minValue || x > maxValue {
			return fmt.Errorf("want an integer %s", IntRangeText(minValue, maxValue))
		}
		*p = x
		return nil
	}
}

// IntRangeText describes an integer range as people write it: "≥ 1", "in [1, 100]", "≤ 5", or
// "" for every int.
func IntRangeText(minValue, maxValue int) string {
	switch {
	case minValue == math.MinInt && maxValue == math.MaxInt:
		return ""
	case maxValue == math.MaxInt:
		return fmt.Sprintf("≥ %d", minValue)
	case minValue == math.MinInt:
		return fmt.Sprintf("≤ %d", maxValue)
	}
	return fmt.Sprintf("in [%d, %d]", minValue, maxValue)
}

// Uint stores a non-negative integer.
func Uint(p *uint64) func(string) error {
	return func(v string) error {
		x, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return fmt.Errorf("want an integer in [0, %d]", uint64(math.MaxUint64))
		}
		*p = x
		return nil
	}
}

// Float stores a finite number (range checks are left to the config's Validate): NaN and ±Inf
// are refused here, so that they never reach a model or a metric.
func Float(p *float64) func(string) error {
	return func(v string) error {
		x, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) || strings.Contains(v, "_") { // ParseFloat reads 1_0 as 10
			return fmt.Errorf("want a finite number")
		}
		*p = x
		return nil
	}
}
