package bot

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/slackfake"
	"github.com/racebot/racebot/storage"
)

// BenchmarkVerify measures checking Slack's signature on a thread reply's
// body, the first thing done for every request, as the front door does it.
func BenchmarkVerify(b *testing.B) {
	now := time.Now()
	body := slackfake.EventBody(slackfake.MessageEvent{Channel: "C1", User: "UANA", ThreadTS: "1700000000.000100",
		Text: "We sell roasted coffee by subscription to busy offices.", TS: "1700000001.000200"})
	h := slackfake.SignedRequest(secret, "http://localhost/slack/events", body, now).Header
	signatures := newSigner(secret)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if err := signatures.verify(h, body, now); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHTTPThreadReply measures the whole front door for an answer in
// a coaching thread, in process: verify, parse the event, load the plan,
// step, commit to a real SQLite file, acknowledge. Posting the reply to
// the Slack fake happens after the ack but in the same process, so it is
// part of the CPU measured. Profile it with
//
//	go test -run '^$' -bench HTTPThreadReply -cpuprofile cpu.out ./bot
func BenchmarkHTTPThreadReply(b *testing.B) {
	ctx := context.Background()
	h, db := frontDoor(b, Config{PostInterval: time.Microsecond})
	perPlan := len(flows.RACE().Stages[0].Steps())

	// A plan takes as many answers as its first stage has questions; the
	// next one is created, untimed, when it is full.
	var channel, thread string
	newPlan := func(n int) {
		b.StopTimer()
		defer b.StartTimer()
		channel, thread = fmt.Sprintf("C%d", n), fmt.Sprintf("1700000000.%06d", n)
		p := flows.NewPlan(slackfake.TeamID, channel, "Bench", "UANA", time.Now())
		id, err := db.CreatePlan(ctx, p, "")
		if err == nil {
			_, err = db.BindThread(ctx, slackfake.TeamID, id, thread)
		}
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if i%perPlan == 0 {
			newPlan(i / perPlan)
		}
		body := slackfake.EventBody(slackfake.MessageEvent{Channel: channel, User: "UANA", ThreadTS: thread,
			Text: fmt.Sprintf("Answer %d: we sell roasted coffee by subscription.", i), TS: fmt.Sprintf("1800000000.%06d", i)})
		req := slackfake.SignedRequest(secret, "http://localhost/slack/events", body, time.Now())
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}

// BenchmarkHTTPSlashHelp measures the front door for `/race help`, the
// command people send most: verify, parse the form, ask the coach, and
// acknowledge with the help message. Signing each request (a fresh
// trigger id each, as Slack sends) is in the loop too.
func BenchmarkHTTPSlashHelp(b *testing.B) {
	h, _ := frontDoor(b, Config{})
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		body := slackfake.FormBody(slackfake.SlashCommand{Command: "/race", Text: "help", UserID: "UANA", ChannelID: "C1",
			TriggerID: fmt.Sprintf("1337.42.%d", i)})
		req := slackfake.SignedRequest(secret, "http://localhost/slack/events", body, time.Now())
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK || w.Body.Len() < 1000 {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}

// frontDoor is a started bot on a real SQLite file behind the Slack fake,
// for the benchmarks of the front door: cfg with the fake's API and a
// coach on the file.
func frontDoor(b *testing.B, cfg Config) (http.Handler, *storage.DB) {
	ctx := context.Background()
	fake := slackfake.New(b)
	db, err := storage.Open(ctx, filepath.Join(b.TempDir(), "racebot.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	cfg.API = NewAPI("xoxb-bench", "", fake.APIURL())
	cfg.Service = coach.New(coach.Config{Catalogue: flows.RACE(), Store: db})
	bot := New(cfg)
	if err := bot.Start(ctx); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { bot.Shutdown(ctx) })
	return bot.HTTPHandler(secret), db
}
