package flows_test

import (
	"testing"

	"github.com/racebot/racebot/flows"
)

// BenchmarkReadsToday: every reply in Slack is read for a relative date
// before its acknowledgement, so reading one must cost little and
// allocate nothing. The text is the load benchmark's answer.
func BenchmarkReadsToday(b *testing.B) {
	text := "Load answer 123: we sell roasted coffee by subscription to busy offices of 20 to 200 people, " +
		"mostly agencies and software firms within a day's delivery of the roastery. Buyers are office managers; " +
		"they find us through a free tasting week and stay when the coffee never runs out. Our edge is freshness: " +
		"beans roasted on Monday are in the office by Wednesday, and the grinder comes with the subscription."
	b.ReportAllocs()
	for b.Loop() {
		flows.ReadsToday(text)
	}
}
