// Package stats holds the statistical inference used to judge the paper's claims
// across independently trained networks: a hierarchical bootstrap of paired
// differences, a one-sample Student-t test of per-network values, Holm's
// correction with three-valued verdicts, and survival analysis of reach times. Every random draw comes from a *rand.Rand
// (math/rand/v2) passed in by the caller; invalid input returns an error wrapping
// ErrBadInput that names the field and its allowed range, never a panic, and NaN
// or ±Inf in the data is reported, not propagated.
//
// # Hierarchical bootstrap (bootstrap.go)
//
// There are M networks; network n has C_n replay chains, and the two variants A
// and B were replayed on it with common random numbers, so chain i of A is paired
// with chain i of B. The caller's f(n, S) is the effect of network n on a multiset
// S of its chain indices (for example metric_A(S) − metric_B(S)). Then
//
//	estimate      θ̂  = (1/M) Σ_n f(n, {0, …, C_n − 1})
//	replicate r   θ*_r = (1/M) Σ_{k=1..M} f(n_k, S_k),   n_k ~ U{0..M−1},  S_k = C_{n_k} draws from U{0..C_{n_k}−1}
//	interval      [q_{(1−L)/2}, q_{(1+L)/2}] of θ*_1 … θ*_R   (percentile, level L, default 0.95)
//	std. error    sd(θ*_1 … θ*_R)
//	p-value       p = min(1, 2·(1 + min(#{θ*_r ≤ 0}, #{θ*_r ≥ 0}))/(1 + R))
//
// Both levels are drawn with replacement and chains are drawn whole, so the
// pairing of A and B inside a chain is kept. The "+1" in the p-value is a
// small-sample guard: with R replicates p is never below 2/(1 + R) (0.001 for the
// default R = 2000), and p ≤ α is (up to that guard) the same as the (1 − α)
// percentile interval excluding 0. NetworkBootstrap is the one-level version for
// per-network values (metrics that cannot be recomputed on chain subsets), and
// BootstrapOptions.Chains = KeepChains gives it from an EffectFunc.
//
// # Caveats: few networks, and chain noise counted twice
//
// The bootstrap over networks treats the M networks as the population. For a
// mean, the percentile interval is about θ̂ ± z·sd_pop/√M, so its coverage is
// about P(|t_{M−1}| ≤ 1.96·√((M − 1)/M)): 0.75 for M = 3, 0.85 for M = 5, 0.89
// for M = 8, 0.93 for M = 20, with null rejection rates at α = 0.05 of 0.25,
// 0.15, 0.11 and 0.07. With M < 5 networks the nominal 95 % percentile interval
// undercovers badly and its p-values are too small; treat such results as
// descriptive. IntervalMethod ExpandedPercentile (Hesterberg 2015) corrects the
// interval for the t distribution and the divisor M; its p-value then cannot
// fall below MinP (0.115 for M = 3 and 0.042 for M = 5 at R = 2000), which is
// the honest price of few networks: nothing at M = 3 reaches p ≤ 0.05.
//
// Resampling chains inside the drawn networks adds the chain noise a second
// time: it is already part of the spread between the network effects. The
// two-level bootstrap therefore overstates the variance by up to the chain-noise
// share s²/C of the per-network variance τ² + s²/C (Davison & Hinkley 1997,
// §3.8, who recommend resampling the top level only for this reason). When
// networks differ much more than chain noise this is negligible; when they do
// not, the interval is conservative. Observed with TestCalibrationTable
// (STATS_CALIBRATION=1; 1000 data sets per row, C = 50 chains, chain sd s = 1,
// R = 500; binomial sd about 0.01; the test checks every cell against this table
// within 4 sds, and two rows on 300 data sets in every test run), coverage of the
// 95 % interval / rejection rate of a true H0 at α = 0.05:
//
//	                           resample-chains              keep-chains
//	M   τ     s²/C   percentile   expanded       percentile   expanded
//	3   0.5   0.02   0.77 / 0.22  0.90 / 0.00    0.75 / 0.24  0.74 / 0.00
//	5   0.5   0.02   0.87 / 0.13  0.95 / 0.00    0.81 / 0.18  0.90 / 0.00
//	8   0.5   0.02   0.90 / 0.09  0.96 / 0.03    0.89 / 0.11  0.92 / 0.06
//	5   0     0.02   0.99 / 0.01  1.00 / 0.00    0.84 / 0.16  0.94 / 0.00
//	8   0     0.02   0.98 / 0.02  1.00 / 0.00    0.87 / 0.13  0.93 / 0.06
//
// Expanded rejection rates of 0.00 at M ≤ 5 are the MinP floor at R = 500, and
// the expanded tails (0.00095 for M = 5, 0.0057 for M = 8) are read from only a
// few replicates at R = 500: use the default R = 2000 or more with it.
//
// # Student-t test (ttest.go)
//
// TTest treats M per-network values d_n (for example paired differences) as a
// normal sample: with mean d̄ and sample s.d. s,
//
//	interval   d̄ ± t_{M−1, (1+L)/2} · s/√M
//	p-value    p = 2·P(T_{M−1} ≥ |d̄/(s/√M)|)
//
// It is exact for normal values at any M ≥ 2, and its p-value has no floor,
// unlike the bootstrap's with few networks (see the caveats above).
//
// # Holm correction and verdicts (holm.go, verdict.go)
//
// A claim is tested by m checks, each a Check with a claimed Direction
// (Greater: A − B > 0, Less: A − B < 0), an estimate, an interval [Lo, Hi] and a
// two-sided p-value. Holm's step-down procedure controls the family-wise error
// of the claim's checks at α (default 0.05): with p_(1) ≤ … ≤ p_(m),
//
//	reject H_(i) while p_(i) ≤ α/(m − i + 1); stop at the first failure,
//	adjusted p̃_(i) = max_{j ≤ i} min(1, (m − j + 1)·p_(j)).
//
// Each check's verdict:
//
//	held          rejected, and the estimate and the whole interval lie on the claimed side of 0
//	reversed      rejected, and the estimate and the whole interval lie on the other side
//	inconclusive  not rejected (or rejected while estimate and interval disagree or the interval touches 0)
//
// A claim's verdict from its checks' verdicts:
//
//	held          every check held
//	reversed      at least one check reversed
//	inconclusive  otherwise (some check inconclusive and none reversed; also for no checks)
//
// Verdict is a string type: it marshals to JSON as "held", "reversed" or
// "inconclusive", and unmarshalling rejects any other value.
//
// # Survival analysis of reach times (survival.go)
//
// A chain's reach time is the first step at which its decoded position reaches
// the target; a chain that has not reached by the end of replay, T_q, is
// right-censored at T_q. With distinct reach times t_1 < … < t_k, n_j chains at
// risk (time ≥ t_j) and d_j reaches at t_j (reaches are counted before
// censorings at a tied time):
//
//	Kaplan–Meier  S(t) = Π_{t_j ≤ t} (1 − d_j/n_j)
//	Greenwood     Var S(t) = S(t)² Σ_{t_j ≤ t} d_j/(n_j (n_j − d_j))
//	RMST          μ(τ) = ∫_0^τ S(t) dt,   Var μ(τ) = Σ_{t_j < τ} A_j² d_j/(n_j (n_j − d_j)),  A_j = ∫_{t_j}^τ S(t) dt
//
// The RMST standard error is the Greenwood-based delta-method estimate. The RMST
// is the mean reach time with unreached chains counted as τ: with every chain
// censored at T_q = τ it is τ, and without censoring it is mean_i min(t_i, τ).
// The RMST can be recomputed on any chain multiset, so a per-network RMST
// difference between two variants can go through HierarchicalBootstrap.
//
// The two-sample log-rank test sums over the distinct reach times of both
// samples, with n = n_A + n_B and d = d_A + d_B:
//
//	O_A = Σ d_A,   E_A = Σ d n_A/n,   V = Σ d (n_A/n)(n_B/n)(n − d)/(n − 1)
//	Z = (O_A − E_A)/√V,   χ² = Z² (1 d.f.),   p = P(χ²_1 ≥ χ²) = erfc(√(χ²/2))
package stats
