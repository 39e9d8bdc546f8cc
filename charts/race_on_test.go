//go:build race

package charts

// raceEnabled is true when the tests run under the race detector. Pixel
// tests that exercise no concurrency are skipped then: the detector makes
// every pixel loop and the PNG encoder many times slower and finds nothing
// in single-goroutine code. .ci/run runs them without -race as well.
const raceEnabled = true
