package datasets

import "math"

// TMazeStats counts what T-maze paths do at the arms and the junction, from positions alone, so
// the same counts apply to training paths and to decoded replay. Definitions (package doc):
// positions are projected on the skeleton and labelled by their distance g from the junction J along
// it: "junction" when g ≤ ½·Width, the edge they lie on (stem, left arm, right arm) when g ≥ Width,
// and, in between, the previous label (hysteresis against jitter at the boundary).
// An arm visit is a change of label to an arm; a junction passage is a change from one edge label to
// another edge label, directly or through the junction label (an edge left into the junction and
// re-entered counts as a passage back into the same edge).
type TMazeStats struct {
	ArmVisits    int // arm visits
	ArmPairs     int // pairs of consecutive arm visits
	Alternations int // pairs whose two visits are in different arms
	FromArm      int // junction passages from an arm
	ToOtherArm   int // passages from an arm into the other arm
	TurnBacks    int // passages from an arm down the stem
	FromStem     int // junction passages from the stem
	StemToLeft   int // passages from the stem into the left arm
}

// TMazeJunctionInner and TMazeJunctionOuter, in units of the track width, are the distances from
// the junction along the skeleton within which a position counts as at the junction and beyond
// which it counts as on an edge (TMazeStats).
const (
	TMazeJunctionInner = 0.5
	TMazeJunctionOuter = 1.0
)

// Add returns the sum of two sets of counts, to pool paths.
func (s TMazeStats) Add(o TMazeStats) TMazeStats {
	return TMazeStats{
		ArmVisits: s.ArmVisits + o.ArmVisits, ArmPairs: s.ArmPairs + o.ArmPairs,
		Alternations: s.Alternations + o.Alternations, FromArm: s.FromArm + o.FromArm,
		ToOtherArm: s.ToOtherArm + o.ToOtherArm, TurnBacks: s.TurnBacks + o.TurnBacks,
		FromStem: s.FromStem + o.FromStem, StemToLeft: s.StemToLeft + o.StemToLeft,
	}
}

func ratio(num, den int) float64 {
	if den == 0 {
		return math.NaN()
	}
	return float64(num) / float64(den)
}

// ArmAlternationRate is Alternations / ArmPairs: of consecutive arm visits, the fraction in
// different arms (NaN without pairs). For the alternation walk it tends to
// TMazeParams.ExpectedArmAlternationRate; in windows not much longer than a return trip down the
// stem it is biased upward, because a window ends sooner after an alternation than after a turn-back.
func (s TMazeStats) ArmAlternationRate() float64 { return ratio(s.Alternations, s.ArmPairs) }

// TurnBackRate is TurnBacks / FromArm: of junction passages from an arm, the fraction that go down
// the stem (NaN without such passages). For the alternation walk it tends to 1 − AlternationProbability.
func (s TMazeStats) TurnBackRate() float64 { return ratio(s.TurnBacks, s.FromArm) }

// JunctionAlternationRate is ToOtherArm / FromArm: of junction passages from an arm, the fraction
// that go into the other arm. For the alternation walk it tends to AlternationProbability.
func (s TMazeStats) JunctionAlternationRate() float64 { return ratio(s.ToOtherArm, s.FromArm) }

// LeftTurnRate is StemToLeft / FromStem: of junction passages from the stem, the fraction into the
// left arm. For the alternation walk it tends to LeftProbability.
func (s TMazeStats) LeftTurnRate() float64 { return ratio(s.StemToLeft, s.FromStem) }

// tmJunctionLabel marks positions at the junction in TMaze.Stats (edges are labelled 0, 1, 2).
const tmJunctionLabel = -1

// Stats counts the arm visits and junction passages of one path (see TMazeStats). The positions may
// lie outside the maze, as decoded replay can. It allocates nothing.
func (tm *TMaze) Stats(path []Point) TMazeStats {
	var st TMazeStats
	w := tm.params.Track.Width
	inner, outer := TMazeJunctionInner*w, TMazeJunctionOuter*w
	label, lastEdge, lastArm := -2, -1, -1
	for _, p := range path {
		sp, _ := tm.env.Project(p)
		g := sp.S // the arms run from J
		if sp.Segment == tmStem {
			g = tm.edgeLen[tmStem] - sp.S // the stem runs from S to J
		}
		next := label
		switch {
		case g <= inner:
			next = tmJunctionLabel
		case g >= outer:
			next = sp.Segment
		}
		if next == label {
			continue
		}
		label = next
		if label == tmJunctionLabel {
			continue
		}
		if lastEdge >= 0 { // a junction passage from lastEdge into label
			switch {
			case lastEdge == tmStem:
				st.FromStem++
				if label == tmLeft {
					st.StemToLeft++
				}
			default:
				st.FromArm++
				if label == tmStem {
					st.TurnBacks++
				} else if label != lastEdge {
					st.ToOtherArm++
				}
			}
		}
		lastEdge = label
		if label != tmStem {
			st.ArmVisits++
			if lastArm >= 0 {
				st.ArmPairs++
				if label != lastArm {
					st.Alternations++
				}
			}
			lastArm = label
		}
	}
	return st
}
