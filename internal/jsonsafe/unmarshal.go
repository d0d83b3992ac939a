package jsonsafe

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"
)

// Unmarshal is json.Unmarshal that reads a null where a float belongs as NaN, the inverse of
// MarshalIndent: encoding/json leaves a float unchanged at a null (0 in a fresh value, and 0 in a
// map or slice element), which would turn a value that could not be measured into a measured 0.
// Nulls are found in a second pass over the same bytes, matched to the decoded value by JSON
// object keys (json tags or field names, as encoding/json matches them) and array positions.
func Unmarshal(data []byte, v any) error {
	if err := json.Unmarshal(data, v); err != nil {
		return err
	}
	var tree any
	if err := json.Unmarshal(data, &tree); err != nil {
		return err
	}
	nullsToNaN(reflect.ValueOf(v), tree)
	return nil
}

// nullsToNaN sets NaN in every float of v that stands where tree (the same JSON decoded into
// any) holds a null.
func nullsToNaN(v reflect.Value, tree any) {
	if !v.IsValid() {
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			nullsToNaN(v.Elem(), tree)
		}
	case reflect.Float32, reflect.Float64:
		if tree == nil && v.CanSet() {
			v.SetFloat(math.NaN())
		}
	case reflect.Slice, reflect.Array:
		arr, ok := tree.([]any)
		if !ok {
			return
		}
		for i := range min(v.Len(), len(arr)) {
			nullsToNaN(v.Index(i), arr[i])
		}
	case reflect.Map:
		obj, ok := tree.(map[string]any)
		if !ok || v.IsNil() || v.Type().Key().Kind() != reflect.String {
			return
		}
		for k, sub := range obj {
			key := reflect.ValueOf(k).Convert(v.Type().Key())
			elem := v.MapIndex(key)
			if !elem.IsValid() {
				continue
			}
			// Map elements are not addressable: fix a copy and store it back.
			fixed := reflect.New(elem.Type()).Elem()
			fixed.Set(elem)
			nullsToNaN(fixed, sub)
			v.SetMapIndex(key, fixed)
		}
	case reflect.Struct:
		obj, ok := tree.(map[string]any)
		if !ok {
			return
		}
		structNulls(v, obj)
	}
}

// structNulls matches the fields of struct v to the keys of obj (embedded structs' fields as
// their own, as encoding/json does).
func structNulls(v reflect.Value, obj map[string]any) {
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() && !f.Anonymous {
			continue
		}
		name, tagged := f.Name, false
		if tag, ok := f.Tag.Lookup("json"); ok {
			n, _, _ := strings.Cut(tag, ",")
			if n == "-" {
				continue
			}
			if n != "" {
				name, tagged = n, true
			}
		}
		fv := v.Field(i)
		if f.Anonymous && !tagged {
			if fv.Kind() == reflect.Pointer && !fv.IsNil() {
				fv = fv.Elem()
			}
			if fv.Kind() == reflect.Struct {
				structNulls(fv, obj)
			}
			continue
		}
		sub, ok := obj[name]
		if !ok { // encoding/json matches keys case-insensitively too
			for k, x := range obj {
				if strings.EqualFold(k, name) {
					sub, ok = x, true
					break
				}
			}
		}
		if ok {
			nullsToNaN(fv, sub)
		}
	}
}
