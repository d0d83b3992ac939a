// Package metrics measures replay: how its decoded positions compare with the training positions
// and how they move. Everything is plain Go on []geom.Point (positions in environment units,
// time in steps). Functions with an error result return an error naming the bad argument and its
// allowed range, and refuse non-finite coordinates rather than propagate them (SlicedWasserstein
// checks only the sizes). The plain averages without one (PathLengthPerStep, MSD, Compression,
// IncrementAutocorrelation, KDEKL, …) do not check their input and return NaN or 0 when there is
// nothing to average.
//
// Distances between point sets a, b:
//
//	W_p(a, b) = ( min_π (1/n) Σ_i ‖a_i − b_π(i)‖^p )^{1/p}   exact, equal sizes, by optimal assignment
//	                                                          (Hungarian, cancellable by context)
//	Sinkhorn:   min_{π∈Π(a,b)} ⟨π, C⟩ − ε H(π), any sizes, iterated until ‖π𝟙 − a‖₁ + ‖πᵀ𝟙 − b‖₁ <
//	            tolerance (error otherwise); W = ⟨π̃, C⟩^{1/p} of the plan rounded onto the marginals,
//	            so W_p ≤ W ≤ (W_p^p + ε log nm + violation · max C)^{1/p}
//	floor:      W_p(replay, A) beside W_p(A, B), A, B disjoint training subsamples of the same size
//	Sliced W:   SW_p = ( E_θ W_p(θ·a, θ·b)^p )^{1/p} over random unit directions θ, for high-D points
//	KDE-KL:     KL(p̂_a ‖ p̂_b) = Σ_g p̂_a(g) log(p̂_a(g)/p̂_b(g)) on a grid, Gaussian kernel densities
//	occupancy TV  ½ Σ_k |p_k − q_k| over inside grid cells plus one bin for everything outside them
//
// Dynamics of chains x_t (t = 0 … T):
//
//	reach time      τ_c = min{t ≥ 1 : x_t ∈ targets of chain c}; median (censored), restricted mean
//	                ⟨min(τ_c, T_c)⟩, fraction never reached
//	path length     ⟨‖x_{t+1} − x_t‖⟩, compression = replay length per step / active length per step
//	progress        ⟨d(x_t, x_{t+1})⟩ with d the distance along the track (TrackDistance)
//	net displacement D(L) = ⟨d(x_t, x_{t+L})⟩ at a macroscopic lag L; per chain for bootstraps
//	occupancy       fraction of points in each region; coverage = visited grid cells / cells inside
//	exploration     per chain: coverage, occupancy entropy −Σ p_k log p_k (nats) and / log N_inside
//	increments      Δ_t = x_{t+1} − x_t; lag-ℓ autocorrelation ⟨Δ_t·Δ_{t+ℓ}⟩ / ⟨Δ_t·Δ_t⟩ (0 for a Markov random walk)
//	Markov residuals r_t = Δ_t − D̂(x_t), D̂ the mean Δ per grid cell (cells with ≥ minCount steps only);
//	                ρ_r = ⟨r_t·r_{t+1}⟩ / ⟨r_t·r_t⟩ and
//	                order-2 gain 1 − Var(r_t − β r_{t−1}) / Var(r_t) (both 0 for any first-order Markov process)
//	MSD             MSD(ℓ) = ⟨‖x_{t+ℓ} − x_t‖²⟩ ∝ ℓ^β; β = 1 diffusive, 2 ballistic (log-log fit)
//	IAT             τ_int = 1 + 2 Σ_{ℓ≥1} ρ(ℓ) with Sokal's window (ℓ < 5 τ_int); ESS = n / τ_int
//	mixing          split-R̂ = √(var⁺/W), var⁺ = (N−1)/N W + B/N over half-chains after burn-in;
//	                multi-chain ESS = MN / τ̂ with Geyer's initial monotone sequence (optionally rank-normalised)
//
// How the claims are judged: leak → replay closer to the data (W_p and occupancy TV against their
// data-vs-data floor); adaptation → more exploration (per-chain coverage and entropy, R̂ and ESS),
// slower (progress, reach time) and non-Markov (residual autocorrelation, not raw increments);
// momentum → faster (progress per step) and temporally compressed (net displacement at a
// macroscopic lag against the active paths).
package metrics
