// Package datasets generates the synthetic path-integration tasks of the replay project:
// noisy traversals of a triangular track, a walk that alternates between the arms of a T-maze,
// and a rat foraging in a square arena observed through Gaussian place cells.
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
// Track tasks (triangle, T-maze) move a point along a centreline at an Ornstein–Uhlenbeck speed,
// discretised exactly (stationary mean μ_s, s.d. σ_s, autocorrelation e^{−lag/τ_s}):
//
//	s_{t+1} = μ_s + ρ (s_t − μ_s) + σ_s √(1 − ρ²) ξ,   ρ = e^{−1/τ_s},
//
// advancing max(s_{t+1}, μ_s/10) along the centreline at each step, so the speed never reverses
// the agent. They add a 2D OU offset o (time constant τ_o, stationary s.d. σ_o per component, the
// same exact update) clamped to a disc of radius 0.4·Width, so every position lies inside the
// corridor of the environment polygon. Lengths are in environment units, speeds in environment
// units per step.
//
// T-maze paths (TMazeAlternation, the default mode) are windows of one stationary walk on the T's
// centreline graph: stem base S, junction J, arm ends L and R; edges S–J of length StemLength and
// J–L, J–R of length ArmLength. The agent moves along the edges by the OU speed above, with the same
// lateral offset, and
//
//   - on reaching an end (S, L or R) it stops there (the rest of that step is dropped) and stays
//     for D more steps, P(D = k) = (1 − q)^k q, q = 1/(1 + DwellSteps), so E[D] = DwellSteps
//     (it leaves with probability q at each step); then it turns back along the same edge;
//   - on reaching J up the stem it takes the left arm with probability p = LeftProbability,
//     else the right one;
//   - on reaching J from an arm it takes the other arm with probability a = AlternationProbability,
//     else goes down the stem; the rest of the step carries on along the new edge.
//
// Where the agent came from is the edge it arrives on, so the walk needs no other memory. Balancing
// the flows at J, the ends are visited at the relative rates
//
//	n_S = 1 − a²,   n_L = p + a(1 − p),   n_R = (1 − p) + a·p,
//
// and a visit to the end of an edge of length ℓ takes on average ℓ/μ_s positions out, 1 + DwellSteps
// at the end (the arriving step and the stays) and ℓ/μ_s − ½ back. Each path starts in this
// stationary state: an edge with probability ∝ n_e·(2ℓ_e/μ_s + DwellSteps + ½), then a uniformly
// random phase of the visit (out at a uniform point of the edge, at the end, or back at a uniform
// point of its first ℓ − μ_s/2), the speed and the offset from their stationary distributions. Only
// with a = ½ is the start uniform by length; the defaults (a = ¾, p = ½) put half as many
// positions per unit length on the stem as on the arms. No burn-in is needed: over 200,000 paths
// the positions at t = 0 and 600 steps later agree on 15 bins (5 per edge) within sampling error
// (χ² test p > 0.05 for the defaults and for a ∈ {½, 1}, DwellSteps ∈ {0, 20}, p = 0.3), and the
// walker's state (edge; out, at the end or back) at t = 0 matches a 20-million-step walk within
// about 1%. What remains is that the start draws the speed independently of the place, and the
// half-step corrections are averages, so every window of T steps is a draw from the walk to about 1%.
//
// TMaze.Stats measures the walk from positions alone, so the same numbers apply to decoded replay.
// Positions are projected on the skeleton (below) and labelled by their distance g from J along it:
// "junction" when g ≤ ½·Width, the edge they are on when g ≥ Width, the previous label in between.
// An arm visit is a change of label to an arm; a junction passage is a change from one edge label to
// another (through the junction label or not; out of an edge into the junction and back counts as a
// passage into the same edge). Then
//
//	arm alternation rate     = of consecutive arm visits, the fraction in different arms
//	                         → 2xy/(x + y), x = a + (1 − a)(1 − p), y = a + (1 − a)·p (0.875 by default)
//	turn-back rate           = of junction passages from an arm, the fraction down the stem → 1 − a
//	junction alternation rate = of junction passages from an arm, the fraction into the other arm → a
//	left-turn rate           = of junction passages from the stem, the fraction into the left arm → p
//
// The limits are those of the walk; windows must be long against a return trip down the stem for
// the arm alternation rate, which a window's end biases upward. TMazeRuns keeps the task's first
// form: from S through J into the left (probability p) or right arm, then staying at its end.
//
// Triangle paths start at a uniformly random point of the loop, counter-clockwise or (with
// BothDirections) clockwise with probability ½, and before each step turn around with probability
// r = ReversalRate (default 0: no reversals). The direction then flips at a Bernoulli(r) subset of the
// steps, so runs between reversals last Geometric(r) steps, mean 1/r.
//
// The arena task follows RatInABox (positions in metres): speed (Rayleigh distributed) and
// rotational velocity are OU processes (mean speed 0.08 m/s, rotational s.d. 120°/s, dt 0.05 s),
// and walls repel the agent by turning it away and reflecting its motion at the boundary. Place
// cells have Gaussian tuning
//
//	r_i(x) = exp(−‖x − c_i‖² / 2σ²),
//	or, softmax-normalised (the default),   r_i(x) = exp(−‖x − c_i‖² / 2σ²) / Σ_j exp(−‖x − c_j‖² / 2σ²),
//
// and are decoded back to position (DecodeMode) by the population vector Σ_i r_i c_i / Σ_i r_i (the
// default) or as the mean centre of the top-k most active cells.
//
// Every task can also stop (Stops, set through Behaviour and NewTaskWith): a two-state Markov
// schedule, started stationary, in which a moving agent stops with probability r per step and a
// stopped one moves on with probability 1/m, so stops last m steps on average and a fraction
// r·m/(1 + r·m) of the steps are stopped. A stopped step repeats the previous position: the
// velocity input is exactly zero, as in replay. Between stops the agent follows the task's ordinary
// path (the T-maze also keeps its own pauses at the ends, EndDwellSteps).
//
// Environments are polygons (with optional holes) carrying named regions; Contains and RegionOf
// let the metrics package compute occupancy and reach times. Track environments also carry a
// skeleton, their centreline as line segments (triangle: A→B, B→C, C→A; T-maze: stem base S→junction
// J, J→left end L, J→right end R), whose shared endpoints join them into a graph, and named ends
// (the T-maze's S, L, R as RegionStem, RegionLeftArm, RegionRightArm; the triangle's corners as
// "vertex A/B/C"). Project maps any position, inside the track or not, to the nearest skeleton point
// (segment, arclength); Geodesic measures the shortest distance between two such points along the
// skeleton; NearestEnd names the end region of the stretch of track a position is on. Each task
// knows where a replay chain must go to count as reaching (Task.ReachTargets): the triangle's other
// vertices, the T-maze's other arm (both from the stem), the arena's opposite quadrant.
package datasets
