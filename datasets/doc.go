// Package datasets generates the synthetic path-integration tasks of the replay project:
// noisy traversals of a triangular track, T-maze runs and a rat foraging in a square
// arena observed through Gaussian place cells.
//
// Every generator is seeded by an explicit *rand.Rand and fills a reusable Batch:
//
//	Position[b,t]  x_t ∈ R², t = 0..T                      (the agent's true position)
//	Input[b,t]     u_t = (x_t − x_{t−1}, m_t·o_t), t = 1..T (velocity, then the masked observation)
//	Target[b,t]    y_t = o_t, t = 1..T                      (position, or place-cell activity)
//	Initial[b]     o_0                                      (what the encoder sees: h_0 = W_enc o_0)
//	Region[b,t]    index of the environment region containing x_t, or −1
//
// The observation o_t is the position itself for the 2D tasks and the place-cell population
// vector for the place-cell task. The masking difficulty k (paper Fig. 2) gives the observation
// to the network only every k+1 steps: m_t = 1 when t mod (k+1) = 0, else 0. A k ≥ T leaves only o_0.
//
// Track tasks (triangle, T-maze) move a point along a centreline polyline at an
// Ornstein–Uhlenbeck speed,
//
//	s_{t+1} = s_t + (1/τ_s)(μ_s − s_t) + σ_s √(2/τ_s) ξ,   clamped to s ≥ μ_s/10,
//
// and add a 2D OU offset o (time constant τ_o, stationary s.d. σ_o) clamped to a disc of radius
// 0.4·width, so every position lies inside the corridor of the environment polygon.
//
// Triangle paths start at a uniformly random point of the loop, counter-clockwise or (with
// BothDirections) clockwise with probability ½, and before each step turn around with probability
// r = ReversalRate (default 0: no reversals). The direction then flips at a Bernoulli(r) subset of the
// steps, so runs between reversals last Geometric(r) steps, mean 1/r.
//
// The arena task follows RatInABox: speed and rotational velocity are OU processes
// (mean speed 0.08 m/s, rotational s.d. 120°/s, dt 0.05 s), and walls repel the agent by
// turning it away and reflecting its motion at the boundary. Place cells have Gaussian tuning
//
//	r_i(x) = exp(−‖x − c_i‖² / 2σ²)        or, softmax-normalised, r_i ∝ exp(−‖x − c_i‖² / 2σ²) / Σ_j …
//
// and are decoded back to position as the mean centre of the top-k most active cells.
//
// Environments are polygons (with optional holes) carrying named regions; Contains and RegionOf
// let the metrics package compute occupancy and reach times. Track environments also carry a
// skeleton, their centreline as line segments (triangle: A→B, B→C, C→A; T-maze: stem base S→junction
// J, J→left end L, J→right end R), whose shared endpoints join them into a graph, and named ends
// (the T-maze's S, L, R as RegionStem, RegionLeftArm, RegionRightArm; the triangle's corners as
// "vertex A/B/C"). Project maps any position, inside the track or not, to the nearest skeleton point
// (segment, arclength); Geodesic measures the shortest distance between two such points along the
// skeleton; NearestEnd names the end region of the stretch of track a position is on, from which
// callers pick reach targets.
package datasets
