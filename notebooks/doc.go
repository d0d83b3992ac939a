// Package notebooks holds the project's GoNB notebooks (*.ipynb) and the test that executes them.
// The Go package itself is empty: see notebooks_test.go.
package notebooks
