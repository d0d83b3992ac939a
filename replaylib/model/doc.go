// Package model is the noisy recurrent cell of the replay project and its readout, as GoMLX graphs.
//
// One cell covers every variant; each modifier is a parameter (CellParams):
//
//	pre_t   = W_rec h_t + W_in u_t + b − a_t
//	f_t     = (1 − α) h_t + α ReLU(pre_t)            leak: α = 1 is no leak
//	drift_t = f_t − h_t
//	v_{t+1} = (1 − λ_v) v_t + drift_t + σ ξ_t        momentum: λ_v = 1 gives h_{t+1} = f_t + σ ξ_t
//	h_{t+1} = h_t + v_{t+1}
//	a_{t+1} = (1 − 1/τ_a) a_t + (b_a/τ_a) d_t        adaptation: b_a = 0 switches it off
//	y_t     = W_out h_t + b_out                      readout: position (MSE) or place-cell logits (cross-entropy)
//	h_0     = W_enc s_0                              encoder of the initial observation s_0
//
// The adaptation form (AdaptForm) chooses the drive d_t and where a acts: d_t = h_t (AdaptHidden,
// the default), ReLU(pre_t) (AdaptRate), h_t − h̄_t with a slow average h̄ of h (AdaptRelative),
// all with a subtracted inside the ReLU as above; or d_t = ReLU(pre_t) with a scaling the leak
// instead, f_t = h_t + α(ReLU(pre_t) − (1 + a_t) h_t) (AdaptShunting). u_t is the input (velocity
// and masked observation); time is in steps, so τ_a and τ_s are numbers of steps.
//
// ξ_t ~ N(0, I) is Gaussian. With λ_v = 1 and b_a = 0 the graph is exactly the plain leaky cell
// h_{t+1} = (1 − α) h_t + α ReLU(W_rec h_t + W_in u_t + b) + σ ξ_t: no momentum or adaptation
// operation is built. MixedStep steps a batch of chains whose cells differ chain by chain, in values
// and in form (a row of CellParams.ChainValues per chain): each chain's arithmetic is its own
// form's, chosen per chain by selections, so replay runs every variant of a network in one graph.
//
// Gradients (BPTT) follow the graph, with two arrangements for speed that change only the order of
// float32 sums: each matrix product x·W differentiates as the two products v·Wᵀ and xᵀ·v (MatMul2),
// and the weights multiplied at every step, W_rec and W_in, get their gradient as one product over
// all steps, ∂L/∂W = [x_1; …; x_T]ᵀ [v_1; …; v_T], instead of T products and T − 1 sums.
//
// Weights live in a GoMLX context under the scope "rnn" and are initialised in Go from an explicit
// *rand.Rand (InitWeights): W_rec = RecurrentInitIdentity·I + N(0, RecurrentInitSD²/N), W_in, W_enc,
// W_out Gaussian with variance 1/fan-in, biases zero (training then sets b_out so that the readout
// starts at the mean target: the mean itself, or its logarithm for cross-entropy).
package model
