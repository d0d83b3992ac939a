// Package plots draws the project's figures with gonum/plot and saves them as PNG and SVG.
// Every figure labels its axes with units (environment units, "u", for the 2D tasks; steps for time).
package plots
