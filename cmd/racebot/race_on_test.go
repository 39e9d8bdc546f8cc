//go:build race

package main

// raceBuild is true when the tests run under the race detector: the
// program they run is built the same way, so it links the packages the
// test binary already compiled instead of compiling every one again.
const raceBuild = true
