package model

import "math"

// SoftmaxInPlace turns one readout row of logits (a ReadoutCrossEntropy model's outputs) into the
// probabilities softmax(y) on the host, in place, as the task's decoding wants activity. A NaN
// stays NaN.
func SoftmaxInPlace(x []float32) {
	m := math.Inf(-1)
	for _, v := range x {
		m = math.Max(m, float64(v))
	}
	sum := 0.0
	for i, v := range x {
		e := math.Exp(float64(v) - m)
		x[i] = float32(e)
		sum += e
	}
	for i := range x {
		x[i] = float32(float64(x[i]) / sum)
	}
}
