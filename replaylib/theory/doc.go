// Package theory holds the analytic side of the replay story (paper claim 5).
//
// An Ornstein–Uhlenbeck path dX = −θ(X − μ)dt + σ dW started from X_0 ~ N(m_0, v_0) has Gaussian
// marginals with
//
//	m(t) = μ + (m_0 − μ) e^{−θt},    v(t) = v_0 e^{−2θt} + σ²/(2θ) (1 − e^{−2θt}),
//
// so the score that denoising at time t should follow, ∇log p_t(x) = −(x − m(t))/v(t), changes with t.
// A network without a clock sees the time-mixture over a window [t_0, T],
// p̄(x) = (1/(T − t_0))∫_{t_0}^T p_t(x) dt (t_0 > 0 keeps v(t) away from a narrow start), whose score
//
//	∇log p̄(x) = ∫ p_t(x) (−(x − m(t))/v(t)) dt / ∫ p_t(x) dt
//
// is not affine in x. Its best affine fit −λ(x − c) (least squares weighted by p̄ over a grid of x,
// BestConstantLeak) is a leak of rate λ: the linear part a constant leak supplies. The time
// integrals use the midpoint rule with 400 nodes; time and rates are in the process's own units.
//
// Langevin samplers of a known density p (per step, ξ ~ N(0, I)):
//
//	overdamped:   x' = x + η ∇log p(x) + √(2η) ξ
//	underdamped:  u' = (1 − λ) u + η ∇log p(x) + √(2λη) ξ,   x' = x + u'
//
// the second is the Euler scheme of dx = v dt, dv = −γv dt + ∇log p dt + √(2γ) dW with step h,
// u = h·v, η = h², λ = γh; λ = 1 is exactly the overdamped sampler. This is the cell's momentum
// equation with λ_v = λ and noise scaled by √λ_v.
package theory
