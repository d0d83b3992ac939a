// Package claims runs the paper's experiments end to end — train, replay, measure — and judges
// each claim over several independently trained networks:
//
//  1. leak: better, faster training under masking k; replay closer to the data (W1);
//  2. adaptation (per form): more exploration, slower replay, a non-Markov signature;
//  3. momentum λ_v < 1: faster, temporally compressed replay;
//  4. adaptation + momentum (per form): exploration kept, speed restored (a Pareto condition);
//  5. theory: the OU score is time-varying; the time-mixture score is not affine; a constant leak
//     fits its linear part.
//
// A reproduction is a Plan of independent units with stable IDs: a training unit trains one
// network (task, α, masking k, learning rate, index m); a replay unit replays one trained network
// with every variant and measures it. Each unit writes units/<ID>.json atomically under a per-unit
// lock, so runs resume, shards (Plan.Shard) share a directory, and Merge turns the unit files into
// the same Result whichever process ran them. Network m uses the same seeds in every condition, and
// every variant of a network replays the same noise (common random numbers): checks compare
// per-network differences d_n, with a Student-t interval and a bootstrap interval over networks,
// Holm's correction over a claim's checks (on the t-test's p-values; a check holds only if the
// union of the two intervals lies on the claimed side of 0), and three-valued verdicts (held,
// reversed, inconclusive). A baseline gate, decided before any comparison, makes claims 1–4 of a task
// inconclusive when its leak baseline does not sample the task. docs/claims.md states every rule.
//
// The claims and their checks are data (checks.go): Claims lists the claims, Checks one row per
// check (claim, metric, the two sides as Roles, direction, margin, |x|, where the values come from).
// judge expands the rows per task, adaptation form and masking k; the report and the notebooks show
// what it made of them, and docs/claims.md holds CheckTableMarkdown. CoreVariants lists the core
// replay variants as rows of modifiers (a Role names one by its name). Adding a check or a core
// variant is one row.
//
// A Size fixes every budget (Quick for 2 CPU cores with XLA, Full for a GPU, Tiny for tests).
// Figures returns the figures as values (notebooks show them), WriteFigures and WriteReport write
// them with report.md, metrics.json and values.csv (every number as one flat row).
//
// # Reading order
//
// The files follow the pipeline, one concept each:
//
//	protocol   size.go (budgets), seeds.go (random streams), variants.go (the replay variants),
//	           checks.go (claims and checks as tables), gate.go (the baseline gate), theory.go (claim 5)
//	run        units.go (the plan and its units), runner.go (running them: workers, locks, resume),
//	           train.go (a training unit), traintogether.go (a condition's networks trained together),
//	           replayunit.go (a replay unit), replaybatch.go (its variants replayed in batches),
//	           tasksetup.go (a task's reference data, floors and starts), measure.go (the metrics of
//	           one replay; Measure), forms.go (a form's noiseless dynamics), hold.go (the hold test),
//	           network.go (opening a trained network), status.go and eta.go (where a run stands)
//	judge      merge.go (units to bands over networks), result.go (the result's types), judge.go
//	           (checks decided over networks, Holm, verdicts)
//	report     report.go (report.md), figures.go (the figures), values.go (values.csv),
//	           numbers.go (metrics.json compared without its times)
//
// search.go is the pre-registered search for a training recipe, a pipeline of its own over the
// same units.
package claims
