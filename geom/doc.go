// Package geom is the plane geometry of the replay project: points, polygons (with holes), and
// environments — a boundary polygon with named regions and a centreline skeleton.
//
//	Point          x ∈ ℝ² (environment units, metres for the arena)
//	Polygon        a simple closed polygon; Contains by the even–odd rule, Area by the shoelace formula
//	Environment    boundary minus holes, with named Regions (RegionOf: the first region containing a
//	               point; RegionIndex: the first of a name)
//	Skeleton       the track's centreline as segments joined at shared ends: Project maps a point to
//	               its nearest skeleton point, Geodesic measures distance along the skeleton (shortest
//	               paths over its graph), NearestEnd names the end of the stretch of track a point
//	               is on
//	Grid           square cells over an environment's bounding box, those whose centre is inside
//	               it counted: Index of a point, Counts of points per cell (the occupancy metrics
//	               of package metrics are computed on it)
//
// The tasks of package datasets build their environments from it; metrics measure replay in them.
package geom
