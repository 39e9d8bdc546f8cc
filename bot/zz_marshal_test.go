package bot

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/racebot/racebot/flows"
	"github.com/slack-go/slack"
)

func BenchmarkZZMarshal(b *testing.B) {
	cat := flows.RACE()
	now := time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC)
	p := flows.NewPlan("T1", "C1", "Bench", "UANA", now)
	p.ID = 42
	out, err := flows.Step(cat, p, flows.Input{Text: "We sell roasted coffee by subscription to busy offices.", User: "U1", Now: now})
	if err != nil {
		b.Fatal(err)
	}
	m := renderReplies(out.Plan, out.Replies)
	body, _ := json.Marshal(chatMessage{Channel: "C1", Text: m.Text, Blocks: m.Blocks, ThreadTS: "1.1", Metadata: slack.SlackMetadata{EventType: postEventType, EventPayload: map[string]any{"key": "k"}}})
	b.Logf("%d bytes: %s", len(body), body)
	b.Run("render", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			renderReplies(out.Plan, out.Replies)
		}
	})
	b.Run("marshal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			json.Marshal(chatMessage{Channel: "C1", Text: m.Text, Blocks: m.Blocks, ThreadTS: "1.1", Metadata: slack.SlackMetadata{EventType: postEventType, EventPayload: map[string]any{"key": "k"}}})
		}
	})
}
