// Package bench measures and checks racebot from the outside: it builds
// the real binary, runs `racebot serve` as a subprocess on a fresh SQLite
// file, and talks to it the way Slack does, with freshly signed requests,
// while an in-process fake of the Slack Web API takes what racebot posts.
//
// The load benchmark (go run ./bench/load) and the crash test
// (crash_test.go, part of go test ./...) share these helpers.
package bench
