package theory_test

import (
	"fmt"

	"github.com/replaylab/replay/replaylib/theory"
)

// The score of one time is affine in x with slope −1/v(t): v(0.1) = 0.01e^{−0.2} + 0.045(1 − e^{−0.2})
// = 0.0163, v(3) ≈ σ²/2θ = 0.045. The score of the mixture over time is not affine; its best affine
// fit is a leak.
func ExampleOU_BestConstantLeak() {
	o := theory.OU{Theta: 1, Mu: 0, Sigma: 0.3, M0: 2, V0: 0.01}
	fmt.Printf("score slope at t=0.1: %.1f, at t=3: %.1f\n", -1/o.Var(0.1), -1/o.Var(3))
	fit := o.BestConstantLeak(0.05, 3, theory.Linspace(-1, 3, 201))
	fmt.Printf("mixture: leak %.1f, affine R² %.2f\n", fit.Leak, fit.R2)
	// Output:
	// score slope at t=0.1: -61.2, at t=3: -22.3
	// mixture: leak 3.6, affine R² 0.47
}
