package datasets

import "github.com/replaylab/replay/geom"

// The plane geometry lives in package geom; these names keep it at hand beside the tasks.
type (
	// Point is a position in the plane (geom.Point).
	Point = geom.Point
	// Polygon is a closed polygon (geom.Polygon).
	Polygon = geom.Polygon
	// Region is a named part of an environment (geom.Region).
	Region = geom.Region
	// Environment is a polygon with holes, regions and a skeleton (geom.Environment).
	Environment = geom.Environment
	// Segment is a segment of a skeleton (geom.Segment).
	Segment = geom.Segment
	// End is a named end of a skeleton (geom.End).
	End = geom.End
	// SkeletonPoint is a point on a skeleton (geom.SkeletonPoint).
	SkeletonPoint = geom.SkeletonPoint
)

// NewEnvironment is geom.NewEnvironment.
func NewEnvironment(name string, boundary Polygon, holes []Polygon, regions []Region) (*Environment, error) {
	return geom.NewEnvironment(name, boundary, holes, regions)
}

func rect(x0, y0, x1, y1 float64) Polygon { return geom.Rect(x0, y0, x1, y1) }
