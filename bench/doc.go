// Package bench measures and checks racebot from the outside: it builds
// the real binary, runs `racebot serve` as a subprocess on a fresh SQLite
// file, and talks to it the way Slack does, with freshly signed requests
// shaped as Slack sends them, while an in-process fake of the Slack Web API
// takes what racebot posts. Two reference servers (Ref) take the same load
// so that racebot's figures can be read as ratios.
//
// bench is a module of its own, so its load generator stays out of the
// shipped module graph. The load benchmark (go run ./load, from this
// folder) and the crash test (crash_test.go, part of go test ./... here)
// share these helpers.
package bench
