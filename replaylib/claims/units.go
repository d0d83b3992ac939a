package claims

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Condition is one training setting of a task.
type Condition struct {
	Task  string  `json:"task"`          // task name
	Alpha float64 `json:"alpha"`         // leak α: 1 (no leak) or Size.LeakAlpha
	MaskK int     `json:"mask_k"`        // masking difficulty k (MaskNone: s₀ only)
	LR    float64 `json:"learning_rate"` // Adam's initial learning rate
}

// Unit is one independent piece of a reproduction, with a stable ID derived from everything that
// determines its result: train one network, or replay one trained network with every variant.
// Units of one kind never depend on each other; a replay unit needs the training units of its
// task and α at k = ∞ (one per learning rate: the best rate is chosen from their errors).
type Unit struct {
	Kind      UnitKind  `json:"kind"`      // TrainKind or ReplayKind
	Condition Condition `json:"condition"` // for replay units: MaskK = MaskNone, LR = 0 (chosen later)
	Index     int       `json:"index"`     // network m = 1 … Size.Networks
	ID        string    `json:"id"`        // "<kind>-<task>-a<α>-k<k>[-lr<lr>]-n<m>-<hash>", the name of its files
}

// is returns an error unless u is unit id, of kind: what a unit file read back must hold.
func (u Unit) is(id string, kind UnitKind) error {
	switch {
	case u.ID != id:
		return fmt.Errorf("holds unit %q, not %s", u.ID, id)
	case u.Kind != kind:
		noun := string(kind)
		if kind == TrainKind {
			noun = "training"
		}
		return fmt.Errorf("holds a unit of kind %q, not a %s unit", u.Kind, noun)
	}
	return nil
}

// UnitKind is "train" or "replay".
type UnitKind string

// The kinds of unit.
const (
	TrainKind  UnitKind = "train"
	ReplayKind UnitKind = "replay"
)

// Plan lists every unit of a reproduction in a fixed order: all training units, then all replay
// units. A shard i/n runs the units at positions i, i+n, i+2n, … of each kind.
type Plan struct {
	Size  Size   `json:"size"`  // the budget
	Seed  uint64 `json:"seed"`  // the run's seed
	Units []Unit `json:"units"` // training units, then replay units
}

// NewPlan lists the units of a reproduction of size at seed.
func NewPlan(size Size, seed uint64) (Plan, error) {
	if err := size.Validate(); err != nil {
		return Plan{}, err
	}
	p := Plan{Size: size, Seed: seed}
	alphas, masks := []float64{1, size.LeakAlpha}, size.MaskKs
	if size.GateOnly {
		alphas, masks = []float64{size.LeakAlpha}, []int{MaskNone}
	}
	for _, task := range size.Tasks {
		for _, alpha := range alphas {
			for _, k := range masks {
				for _, lr := range size.LearningRates {
					for m := 1; m <= size.Networks; m++ {
						u := Unit{Kind: TrainKind, Condition: Condition{Task: task, Alpha: alpha, MaskK: k, LR: lr}, Index: m}
						u.ID = p.unitID(u)
						p.Units = append(p.Units, u)
					}
				}
			}
		}
	}
	for _, task := range size.Tasks {
		for _, alpha := range alphas {
			for m := 1; m <= size.Networks; m++ {
				u := Unit{Kind: ReplayKind, Condition: Condition{Task: task, Alpha: alpha, MaskK: MaskNone}, Index: m}
				u.ID = p.unitID(u)
				p.Units = append(p.Units, u)
			}
		}
	}
	return p, nil
}

// unitID is "<kind>-<task>-a<α>-k<k>[-lr<lr>]-n<m>-<hash>", the hash over what determines the
// unit's result (the size's relevant fields and the seed).
func (p Plan) unitID(u Unit) string {
	var key any
	if u.Kind == TrainKind {
		cfg, err := p.trainingConfig(u)
		if err != nil {
			panic(err) // sizes were validated
		}
		key = struct {
			Config any
			Seed   uint64
		}{cfg, p.Seed}
	} else {
		s := p.Size
		s.Name, s.Tasks, s.MaskKs = "", nil, nil // names and other tasks do not change this unit
		key = struct {
			Size Size
			Seed uint64
			Unit Unit
		}{s, p.Seed, u}
	}
	raw, err := json.Marshal(key)
	if err != nil {
		panic(err)
	}
	sum := sha256.Sum256(raw)
	id := fmt.Sprintf("%s-%s-a%g-k%s", u.Kind, u.Condition.Task, u.Condition.Alpha, maskID(u.Condition.MaskK))
	if u.Kind == TrainKind {
		id += fmt.Sprintf("-lr%g", u.Condition.LR)
	}
	return fmt.Sprintf("%s-n%d-%s", id, u.Index, hex.EncodeToString(sum[:4]))
}

func maskID(k int) string {
	if k >= MaskNone {
		return "none"
	}
	return fmt.Sprint(k)
}

// Shard returns the units of shard i of n (0 ≤ i < n): every n-th unit of each kind, so that
// each shard has its share of training and of replay.
func (p Plan) Shard(i, n int) ([]Unit, error) {
	if n < 1 || i < 0 || i >= n {
		return nil, fmt.Errorf("shard %d/%d: want i/n with 0 ≤ i < n", i, n)
	}
	var out []Unit
	count := map[UnitKind]int{}
	for _, u := range p.Units {
		if count[u.Kind]%n == i {
			out = append(out, u)
		}
		count[u.Kind]++
	}
	return out, nil
}

// ParseShard reads "i/n" (0 ≤ i < n), the form of the CLI's --shard flag; its error names the
// value, not the flag (the caller knows where the value came from).
func ParseShard(s string) (i, n int, err error) {
	a, b, ok := strings.Cut(strings.TrimSpace(s), "/")
	i, errI := strconv.Atoi(a)
	n, errN := strconv.Atoi(b) // the whole of each side: "1/2x" is refused, not read as 1/2
	if !ok || errI != nil || errN != nil || n < 1 || i < 0 || i >= n {
		return 0, 0, fmt.Errorf("shard %q: want i/n with 0 ≤ i < n, e.g. 0/4", s)
	}
	return i, n, nil
}

// trainUnits returns the training units of a condition group, ordered by learning rate and index.
func (p Plan) trainUnits(task string, alpha float64, k int) []Unit {
	var out []Unit
	for _, u := range p.Units {
		c := u.Condition
		if u.Kind == TrainKind && c.Task == task && c.Alpha == alpha && c.MaskK == k {
			out = append(out, u)
		}
	}
	return out
}
