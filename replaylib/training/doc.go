// Package training trains the noisy RNN of package model to path-integrate the tasks of package
// datasets by backpropagation through time with Adam:
//
//	L = (1/BT) Σ_b Σ_t ℓ(y_{b,t}, o_{b,t})    ℓ = squared error (positions) or cross-entropy (place cells)
//
// Every step draws a fresh batch (online training) from a generator seeded by (DataSeed, step), so a
// run resumed from a checkpoint sees the same batches as an uninterrupted one. Weights are drawn
// from WeightSeed; the hidden-state noise comes from the context's random generator, seeded with
// NoiseSeed and saved in every checkpoint with the weights and Adam's moments. The run's Config is
// stored beside its checkpoints (config.json); reopening the directory with another Config is an error.
package training
