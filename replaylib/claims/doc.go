// Package claims runs the paper's experiments end to end — train, replay, measure — and states for
// each claim (shared reference §6) whether its direction held, with the numbers:
//
//  1. leak: better training under masking k, lower replay Wasserstein distance;
//  2. adaptation: more exploration (coverage, regions visited), slower replay (reach time), non-Markov increments;
//  3. momentum λ_v < 1: shorter reach times, longer paths per step (temporal compression);
//  4. adaptation + momentum: exploration kept, speed restored;
//  5. theory: the OU score is time-varying; the time-mixture score is not affine; a constant leak fits its linear part.
//
// A Size fixes every budget (Quick for 2 CPU cores, Full for XLA/GPU, Tiny for tests). Trained
// models are kept under DIR/models and reused; an interrupted run resumes from their checkpoints.
package claims
