// Package charts draws KPI progress charts as PNG images for Slack: one
// panel per KPI with the recorded values over time, the target as a dashed
// line, the baseline as a faint one and the trend projected to the
// deadline; every panel spans the plan's whole period, and date labels are
// spaced by their measured width so that they never run into each other.
// RenderFunnel draws the funnel beside it: visitors, leads, sales and
// revenue, each against its target.
//
// It knows nothing of plans or storage: callers copy what they have into
// Series values. Rendering is pure Go and small: shapes are filled with
// golang.org/x/image/vector and text is set in two embedded Go font faces,
// regular and bold, so the same input always gives the same bytes, the
// binary stays free of cgo, and it carries no plotting library with its
// font collections and PDF, SVG and EPS writers for one PNG.
package charts
