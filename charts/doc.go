// Package charts draws KPI progress charts as PNG images for Slack: one
// panel per KPI with the recorded values over time, the target as a dashed
// line and the baseline as a faint one.
//
// It knows nothing of plans or storage: callers copy what they have into
// Series values. Rendering is pure Go (gonum.org/v1/plot with its embedded
// Liberation fonts), so the same input always gives the same bytes and the
// binary stays free of cgo.
package charts
