package claims

import (
	"encoding/json"
	"slices"
)

// TimeKeys are the metrics.json fields that measure wall time: the result's compute_seconds, a
// unit's or a replay's seconds, a model's train_seconds. They differ between two runs of one plan;
// every other number must not.
var TimeKeys = []string{"seconds", "compute_seconds", "train_seconds"}

// NumbersWithoutTimes returns metrics.json re-encoded without its TimeKeys fields, at any depth:
// two runs of one plan (sharded or not, any number of workers) must give equal strings.
func NumbersWithoutTimes(metricsJSON []byte) (string, error) {
	var tree any
	if err := json.Unmarshal(metricsJSON, &tree); err != nil {
		return "", err
	}
	out, err := json.Marshal(dropTimes(tree))
	return string(out), err
}

// dropTimes deletes the TimeKeys fields of every object in v, in place.
func dropTimes(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k := range x {
			if slices.Contains(TimeKeys, k) {
				delete(x, k)
			} else {
				x[k] = dropTimes(x[k])
			}
		}
	case []any:
		for i := range x {
			x[i] = dropTimes(x[i])
		}
	}
	return v
}
