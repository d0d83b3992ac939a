// Package training trains the noisy RNN of package model to path-integrate the tasks of package
// datasets by backpropagation through time with Adam:
//
//	L = (1/BT) Σ_b Σ_{t=1..T} ℓ(y_{b,t}, o_{b,t})
//	ℓ = mean squared error over the coordinates (positions), or −Σ_i o_i log softmax(y)_i (place cells)
//
// With StartLoss (the default) the readout of the encoded start, y_0 = W_out W_enc o_0 + b_out,
// counts as one more step: L' = (T·L + (1/B) Σ_b ℓ(y_{b,0}, o_{b,0}))/(T + 1). The learning rate
// is constant or (LRCosine, the default) falls from LearningRate to LearningRate·FinalLRFraction
// along a half cosine over Steps.
//
// Every step draws a fresh batch (online training) from a generator seeded by (DataSeed, step), so a
// run resumed from a checkpoint sees the same batches as an uninterrupted one. Weights are drawn
// from WeightSeed; the hidden-state noise comes from the context's random generator, seeded with
// NoiseSeed and saved in every checkpoint with the weights and Adam's moments. Evaluation uses a
// fixed noiseless batch of its own seed stream. The run's Config is stored beside its checkpoints
// (config.json, with history.json holding the evaluations); reopening the directory with a Config
// that describes another run is an error (ErrConfigMismatch). LogEvery and CheckpointEvery may
// change, and so may Steps under a constant learning rate, so that a finished run can be extended.
//
// TrainEnsemble trains M runs that differ only in their seeds in one graph: the weights and Adam's
// moments get a leading network axis, the objective is Σ_m L_m (so network m's gradient is ∂L_m
// alone, and Adam, elementwise, updates it as it would alone), and each network draws its batches
// from its own data stream and its noise from its own generator state. Each step equals the lone
// runs' within float32 rounding; over a long training the rounding differences can grow
// (docs/benchmarks.md measures by how much).
package training
