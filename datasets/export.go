package datasets

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
)

// WriteCSV writes one row per (path, step) with columns
// path, t, x, y, region, then the inputs in_0.. and targets y_0.. (empty at t = 0, where only
// the initial observation, written as the targets, exists).
func (batch *Batch) WriteCSV(w io.Writer, regionNames []string) error {
	bw := bufio.NewWriter(w)
	if err := batch.WriteCSVHeader(bw); err != nil {
		return err
	}
	if err := batch.WriteCSVRows(bw, regionNames, 0); err != nil {
		return err
	}
	return bw.Flush()
}

// WriteCSVHeader writes the header line of WriteCSV.
func (batch *Batch) WriteCSVHeader(w io.Writer) error {
	bw := bufio.NewWriter(w)
	bw.WriteString("path,t,x,y,region")
	for i := range batch.InputDim {
		fmt.Fprintf(bw, ",in_%d", i)
	}
	for i := range batch.TargetDim {
		fmt.Fprintf(bw, ",y_%d", i)
	}
	bw.WriteByte('\n')
	return bw.Flush()
}

// WriteCSVRows writes the rows of WriteCSV without the header, numbering the paths from
// firstPath: a large export is written batch by batch (the paths of one rng drawn in batches
// of any size are the same paths), so that it never has to fit in memory at once.
func (batch *Batch) WriteCSVRows(w io.Writer, regionNames []string, firstPath int) error {
	bw := bufio.NewWriter(w)
	var buf []byte
	T := batch.T
	for b := range batch.B {
		for t := 0; t <= T; t++ {
			p := batch.Position[b*(T+1)+t]
			buf = strconv.AppendInt(buf[:0], int64(firstPath+b), 10)
			buf = append(buf, ',')
			buf = strconv.AppendInt(buf, int64(t), 10)
			buf = append(buf, ',')
			buf = strconv.AppendFloat(buf, p.X, 'g', -1, 64)
			buf = append(buf, ',')
			buf = strconv.AppendFloat(buf, p.Y, 'g', -1, 64)
			buf = append(buf, ',')
			if r := batch.Region[b*(T+1)+t]; r >= 0 && r < len(regionNames) {
				buf = append(buf, regionNames[r]...)
			}
			var in, target []float32
			if t == 0 {
				target = batch.Initial[b*batch.TargetDim : (b+1)*batch.TargetDim]
			} else {
				in = batch.Input[(b*T+t-1)*batch.InputDim : (b*T+t)*batch.InputDim]
				target = batch.Target[(b*T+t-1)*batch.TargetDim : (b*T+t)*batch.TargetDim]
			}
			for i := range batch.InputDim {
				buf = append(buf, ',')
				if in != nil {
					buf = strconv.AppendFloat(buf, float64(in[i]), 'g', -1, 32)
				}
			}
			for _, v := range target {
				buf = append(buf, ',')
				buf = strconv.AppendFloat(buf, float64(v), 'g', -1, 32)
			}
			buf = append(buf, '\n')
			if _, err := bw.Write(buf); err != nil {
				return err
			}
		}
	}
	return bw.Flush()
}

// CSVRowBytes estimates the bytes of one row of WriteCSV for a task with obsDim observations.
func CSVRowBytes(obsDim int) float64 {
	return 40 + 12*float64(VelocityDim+2*obsDim)
}

// batchJSON is the JSON layout of a batch: flat arrays with their shapes.
type batchJSON struct {
	Task        string    `json:"task"`
	B           int       `json:"B"`
	T           int       `json:"T"`
	K           int       `json:"K"`
	InputDim    int       `json:"input_dim"`
	TargetDim   int       `json:"target_dim"`
	RegionNames []string  `json:"region_names"`
	Input       []float32 `json:"input"`    // [B, T, input_dim]
	Target      []float32 `json:"target"`   // [B, T, target_dim]
	Initial     []float32 `json:"initial"`  // [B, target_dim]
	Position    []float64 `json:"position"` // [B, T+1, 2]
	Region      []int     `json:"region"`   // [B, T+1]
}

// WriteJSON writes the batch as one JSON object with flat row-major arrays: task, B, T, K,
// input_dim, target_dim, region_names, then input [B, T, input_dim], target [B, T, target_dim],
// initial [B, target_dim], position [B, T+1, 2] (x, y) and region [B, T+1] (index into
// region_names, −1 for none).
func (batch *Batch) WriteJSON(w io.Writer, regionNames []string) error {
	pos := make([]float64, 0, 2*len(batch.Position))
	for _, p := range batch.Position {
		pos = append(pos, p.X, p.Y)
	}
	return json.NewEncoder(w).Encode(batchJSON{
		Task: batch.Task, B: batch.B, T: batch.T, K: batch.K, InputDim: batch.InputDim, TargetDim: batch.TargetDim,
		RegionNames: regionNames, Input: batch.Input, Target: batch.Target, Initial: batch.Initial,
		Position: pos, Region: batch.Region,
	})
}

// ReadJSON reads a batch written by WriteJSON, with its region names, and checks that its arrays
// match its shapes and that input_dim = VelocityDim + target_dim.
func ReadJSON(r io.Reader) (*Batch, []string, error) {
	var j batchJSON
	if err := json.NewDecoder(r).Decode(&j); err != nil {
		return nil, nil, err
	}
	switch {
	case j.B < 1 || j.T < 1 || j.K < 0 || j.TargetDim < 0 || j.InputDim < 0:
		return nil, nil, fmt.Errorf("B=%d, T=%d, K=%d, input_dim=%d, target_dim=%d: want B, T ≥ 1 and the others ≥ 0",
			j.B, j.T, j.K, j.InputDim, j.TargetDim)
	case BatchBytes(max(j.TargetDim, j.InputDim), j.B, j.T) > MaxBatchBytes:
		return nil, nil, fmt.Errorf("B=%d, T=%d, input_dim=%d, target_dim=%d: larger than a batch may be", j.B, j.T, j.InputDim, j.TargetDim)
	}
	checks := []struct {
		name      string
		got, want int
	}{
		{"input", len(j.Input), j.B * j.T * j.InputDim}, {"target", len(j.Target), j.B * j.T * j.TargetDim},
		{"initial", len(j.Initial), j.B * j.TargetDim}, {"position", len(j.Position), j.B * (j.T + 1) * 2},
		{"region", len(j.Region), j.B * (j.T + 1)},
	}
	for _, c := range checks {
		if c.got != c.want {
			return nil, nil, fmt.Errorf("%s: has %d values, want %d for B=%d T=%d", c.name, c.got, c.want, j.B, j.T)
		}
	}
	if j.TargetDim < 1 || j.InputDim != VelocityDim+j.TargetDim {
		return nil, nil, fmt.Errorf("input_dim=%d, target_dim=%d: want target_dim ≥ 1 and input_dim = %d velocities + target_dim",
			j.InputDim, j.TargetDim, VelocityDim)
	}
	batch := &Batch{Task: j.Task, B: j.B, T: j.T, K: j.K, InputDim: j.InputDim, TargetDim: j.TargetDim,
		Input: j.Input, Target: j.Target, Initial: j.Initial, Region: j.Region, Position: make([]Point, len(j.Position)/2)}
	for i := range batch.Position {
		batch.Position[i] = Point{X: j.Position[2*i], Y: j.Position[2*i+1]}
	}
	return batch, j.RegionNames, nil
}
