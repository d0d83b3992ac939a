// Package jsonsafe marshals values to JSON with every non-finite float (NaN, ±Inf), which
// encoding/json refuses, written as null.
package jsonsafe

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"strconv"
)

// sentinel and sentinel32 stand for a non-finite float64 or float32 between the copy and the
// final bytes (encoding/json writes them as below).
const (
	sentinel   = math.MaxFloat64
	sentinel32 = math.MaxFloat32
)

var (
	sentinelText   = []byte(strconv.FormatFloat(sentinel, 'g', -1, 64))
	sentinel32Text = []byte(strconv.FormatFloat(sentinel32, 'g', -1, 32))
)

// MarshalIndent is json.MarshalIndent with non-finite floats written as null.
func MarshalIndent(v any, prefix, indent string) ([]byte, error) {
	raw, err := json.MarshalIndent(finite(reflect.ValueOf(v)).Interface(), prefix, indent)
	if err != nil {
		return nil, err
	}
	raw = bytes.ReplaceAll(raw, sentinelText, []byte("null"))
	return bytes.ReplaceAll(raw, sentinel32Text, []byte("null")), nil
}

// finite returns a deep copy of v with non-finite floats replaced by the sentinel. Unexported
// fields are left zero (encoding/json does not write them).
func finite(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.Float32, reflect.Float64:
		out := reflect.New(v.Type()).Elem()
		f := v.Float()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			f = sentinel
			if v.Kind() == reflect.Float32 {
				f = sentinel32
			}
		}
		out.SetFloat(f)
		return out
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		out := reflect.New(v.Type().Elem())
		out.Elem().Set(finite(v.Elem()))
		return out
	case reflect.Interface:
		if v.IsNil() {
			return v
		}
		out := reflect.New(v.Type()).Elem()
		out.Set(finite(v.Elem()))
		return out
	case reflect.Struct:
		out := reflect.New(v.Type()).Elem()
		for i := range v.NumField() {
			if out.Field(i).CanSet() {
				out.Field(i).Set(finite(v.Field(i)))
			}
		}
		return out
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		out := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := range v.Len() {
			out.Index(i).Set(finite(v.Index(i)))
		}
		return out
	case reflect.Array:
		out := reflect.New(v.Type()).Elem()
		for i := range v.Len() {
			out.Index(i).Set(finite(v.Index(i)))
		}
		return out
	case reflect.Map:
		if v.IsNil() {
			return v
		}
		out := reflect.MakeMapWithSize(v.Type(), v.Len())
		it := v.MapRange()
		for it.Next() {
			out.SetMapIndex(it.Key(), finite(it.Value()))
		}
		return out
	}
	return v
}
