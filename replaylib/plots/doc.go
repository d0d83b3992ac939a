// Package plots draws the project's figures with gonum/plot and saves them as PNG and SVG.
// Every figure labels its axes with units (environment units, "u", for the 2D tasks; steps for time).
//
// Figures:
//
//   - Lines: curves of Series, with optional bands (spread over trained networks, confidence
//     intervals), on linear or log axes; KaplanMeier and StepSeries for survival curves.
//   - Bars: one bar per condition with asymmetric intervals.
//   - Heatmap: a grid of values over two categorical parameters (b_a × λ_v), annotated.
//   - Trajectories, Occupancy, OccupancyCounts, OccupancyMap, Quiver: data over an
//     environment. These show the environment with equal aspect (a unit has the same length
//     on both axes, so a maze is not stretched): its bounding box with 5% of its size around
//     it, one axis widened to fill the data area (see Draw). The outline (boundary and holes)
//     is drawn over the data; data outside the view are clipped at its edge.
//   - Animation: replay chains moving over an environment, panels side by side, as a looping GIF.
//
// Style rules, the same in every figure:
//
//   - Series colours come from Color, the Okabe–Ito palette, colour-blind safe; heat maps and
//     occupancy maps use Viridis, a sequential map whose lightness rises with the value.
//   - Tick labels carry no digits beyond the tick step's precision (see TickLabel, LinearTicks
//     and LogTicks).
//   - Legends and colour bars sit outside the data area, beside it, so they never cover data
//     or the title (see Legend).
//   - Text is Liberation Sans; SVG output names Arial and Helvetica, which share its metrics,
//     as fallbacks.
//
// Save writes a figure as PNG (DPI dots per inch) and SVG, atomically; SaveTiles does the
// same for a grid of figures; PNG and SVG return the bytes for notebooks. They all draw
// through Draw, which fits the legend, the aspect ratio and a long y label to the size drawn.
package plots
