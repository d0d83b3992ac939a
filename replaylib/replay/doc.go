// Package replay runs a trained network "offline": zero input, noise only, many chains in
// parallel, and decodes the hidden states to positions.
//
//	h_0 = W_enc s_0 (s_0: observations at chosen start positions)
//	h_{t+1} = cell(h_t, u = 0) + σ_q ξ_t,      t = 0 … T_q − 1
//	x̂_t = decode(W_out h_t + b_out)
//
// Replay-time cell parameters (adaptation, momentum, noise) may differ from training. The replay
// noise σ_q defaults to √2·σ_train, the overdamped-Langevin reading of a denoising RNN whose drift
// approximates σ²∇log p (shared reference §1); with momentum, NoiseConvention chooses between a
// fixed σ_q and σ_q·√λ_v, the underdamped scaling that keeps the target distribution.
//
// A compiled executable advances all chains StepsPerCall steps per call; a Go loop calls it
// T_q/StepsPerCall times, feeding the state back, and hands each step's decoded positions to an
// observer, so memory does not grow with T_q unless the caller keeps the trajectories.
package replay
