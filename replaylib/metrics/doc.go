// Package metrics measures replay: how its decoded positions compare with the training positions
// and how they move. Everything is plain Go on []datasets.Point.
//
// Distances between point sets a, b (equal size n):
//
//	W_p(a, b) = ( min_π (1/n) Σ_i ‖a_i − b_π(i)‖^p )^{1/p}      exact, by optimal assignment (Hungarian)
//	Sinkhorn:   entropic approximation of W_p for large sets (log-domain iterations, ε → 0 recovers W_p)
//	Sliced W:   SW_p = ( E_θ W_p(θ·a, θ·b)^p )^{1/p} over random unit directions θ, for high-D points
//	KDE-KL:     KL(p̂_a ‖ p̂_b) = Σ_g p̂_a(g) log(p̂_a(g)/p̂_b(g)) on a grid, Gaussian kernel densities
//
// Dynamics of chains x_t (t = 0 … T):
//
//	reach time      τ = min{t : x_t ∈ R}, reported as median and fraction never reached
//	path length     ⟨‖x_{t+1} − x_t‖⟩, compression = replay length per step / active length per step
//	occupancy       fraction of points in each region; coverage = visited grid cells / cells inside
//	increments      Δ_t = x_{t+1} − x_t; lag-ℓ autocorrelation ⟨Δ_t·Δ_{t+ℓ}⟩ / ⟨Δ_t·Δ_t⟩ (0 for a Markov random walk)
//	MSD             MSD(ℓ) = ⟨‖x_{t+ℓ} − x_t‖²⟩ ∝ ℓ^β; β = 1 diffusive, 2 ballistic (log-log fit)
//	IAT             τ_int = 1 + 2 Σ_{ℓ≥1} ρ(ℓ) with Sokal's window (ℓ < 5 τ_int); ESS = n / τ_int
package metrics
