// Package replay runs a trained network "offline": zero input, noise only, many chains in
// parallel, decoded to positions.
//
//	h_0 = W_enc s_0 (encoded start positions), or given hidden states
//	h_{t+1} = cell(h_t, u = 0) with noise σ_q ξ_t,   t = 0 … burn-in + T_q − 1
//	x̂_t = y_t = W_out h_t + b_out                    (2D tasks: the readout is the position)
//	x̂_t = Σ_i softmax(y_t)_i c_i                     (place cells, cross-entropy readout, population
//	                                                  decoding: the population vector over the cell
//	                                                  centres c_i, in the graph)
//	x̂_t = task.Decode(softmax(y_t)) or task.Decode(y_t)  (place cells decoded by their most active
//	                                                  cells, or read out by mean squared error: the
//	                                                  task decodes the readouts on the host)
//
// Steps are counted after the burn-in: the observer sees t = 0 … T_q, t = 0 being the start state
// (or the state the burn-in reached). Positions are in environment units.
//
// Replay-time cell values (leak, adaptation, momentum, noise) may differ from training and are
// graph inputs: an Engine compiles once per structure (which states the values need), number of
// chains and steps per call, and every Run takes its own Config. The replay noise σ_q defaults to
// √2·σ_train, the overdamped-Langevin reading of a denoising network whose drift approximates
// σ²∇log p (docs/model.md); with momentum, NoiseConvention chooses between σ_q·√λ_v, the
// underdamped scaling that keeps the sampled distribution (the default), and a fixed σ_q.
//
// The noise is drawn on the host, each chain from its own stream seeded by (Config.Seed, chain):
// variants run with the same seed see the same noise chain by chain (common random numbers), and
// a chain's replay does not depend on how many chains run beside it, on StepsPerCall or on the
// backend. A compiled executable advances all chains StepsPerCall steps per call; a Go loop feeds
// the state back, draws the next call's noise while the current one runs, and hands each step's
// decoded positions to an observer, so memory does not grow with T_q unless the caller keeps the
// trajectories. A replay whose states become non-finite stops with an error naming the step.
//
// RunBatch replays several settings of one network at once (a reproduction's variants): their
// chains are stacked into one batch whose cell values and forms are per-chain inputs
// (model.MixedStep), so a network's variants are a few large calls of one or two compiled graphs
// instead of many small calls of one graph per structure. Each chain does its own form's
// arithmetic operation for operation (bit for bit on pure Go; XLA's CPU matrix product rounds
// in the last bits differently with the number of rows), and draws its member's noise: members
// with one seed share their noise, drawn once.
package replay
