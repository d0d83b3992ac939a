// Package replaylib is the library of the replay project: noisy path-integrating RNNs whose
// quiescent dynamics "replay" the places they learned (arXiv 2602.18401).
//
// This root package chooses the GoMLX backend (NewBackend). The sub-packages hold one concern each:
//
//	model     the cell (leak α, adaptation b_a/τ_a, momentum λ_v, noise σ) and its readout
//	training  BPTT with Adam on batches from the datasets package, checkpoints, resume
//	replay    zero-input noisy rollouts of a trained model, decoded to positions
//	metrics   Wasserstein distances, reach times, coverage, exploration, Markov tests, mixing, MSD
//	stats     bootstrap over networks, Student-t, Holm's correction, verdicts, survival analysis
//	theory    OU marginals, time-varying and mixture scores, Langevin samplers
//	claims    the reproduction: train, replay, measure and judge the paper's claims; the report
//	plots     gonum/plot figures (PNG/SVG) and animations (GIF)
//	nb        helpers for the GoNB notebooks
//
// The cell, for every variant (α = 1: no leak; b_a = 0: no adaptation; λ_v = 1: no momentum),
// with the default adaptation form (the others are in package model):
//
//	pre_t   = W_rec h_t + W_in u_t + b − a_t
//	f_t     = (1 − α) h_t + α ReLU(pre_t)
//	v_{t+1} = (1 − λ_v) v_t + (f_t − h_t) + σ ξ_t
//	h_{t+1} = h_t + v_{t+1}
//	a_{t+1} = (1 − 1/τ_a) a_t + (b_a/τ_a) h_t
//	y_t     = W_out h_t + b_out,    h_0 = W_enc s_0
package replaylib
