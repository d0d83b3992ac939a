package stats

import (
	"errors"
	"fmt"
	"math"
)

// ErrBadInput is wrapped by every error this package returns for invalid
// arguments (empty data, mismatched lengths, values out of range, NaN or ±Inf).
// The wrapping message names the offending field and its allowed range; test
// for the class with errors.Is(err, ErrBadInput).
var ErrBadInput = errors.New("stats: bad input")

// badInput formats an ErrBadInput error: "stats: bad input: <field> = <value>; <rule>".
func badInput(field string, value any, rule string) error {
	return fmt.Errorf("%w: %s = %v; %s", ErrBadInput, field, value, rule)
}

// checkFinite reports the first NaN or ±Inf in x as an ErrBadInput naming field[i].
func checkFinite(field string, x []float64) error {
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return badInput(fmt.Sprintf("%s[%d]", field, i), v, "must be a finite number")
		}
	}
	return nil
}

// checkOpenUnit validates a probability-like parameter that must lie strictly inside (0, 1).
func checkOpenUnit(field string, v float64) error {
	if !(v > 0 && v < 1) { // also rejects NaN
		return badInput(field, v, "allowed range is the open interval (0, 1)")
	}
	return nil
}
