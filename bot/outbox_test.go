package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/slackfake"
)

// answerBurst sends n answers into a thread, from ten people in turn, and
// waits until every one is acknowledged, which the bot does only once the
// answer is stored. They go ten at a time: more at once to one plan would
// measure how its commits contend, not the replies.
func (h *harness) answerBurst(thread string, n int, tag string) {
	h.t.Helper()
	for wave := 0; wave < n; wave += 10 {
		var ids []string
		for i := wave; i < min(wave+10, n); i++ {
			ids = append(ids, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: fmt.Sprintf("U%03d", i%10), Text: fmt.Sprintf("%s answer %d: beans by post.", tag, i), ThreadTS: thread}))
		}
		for _, id := range ids {
			h.fake.WaitAck(h.t, id)
		}
	}
}

// contributions counts the answers and co-answers stored in a plan.
func contributions(p *flows.Plan) int {
	n := 0
	for _, a := range p.Answers {
		if a.Text != "" {
			n++
		}
		n += len(a.Also)
	}
	return n
}

// newReplies returns the bot's messages in a thread that are not in seen.
func newReplies(fake *slackfake.Fake, thread string, seen int) []slackfake.Message {
	return fake.Replies("C1", thread)[seen:]
}

var (
	mergedCount = regexp.MustCompile(`^Saved (\d+) answers?(?:: |\.)`)
	moreCount   = regexp.MustCompile(` and (\d+) more\.`)
)

// confirmed reads how many answers a thread message confirms, checking
// on the way that a merged confirmation names each answer or counts it in
// "and N more".
func confirmed(t *testing.T, m slackfake.Message) int {
	t.Helper()
	first, _, _ := strings.Cut(m.Text, "\n")
	mc := mergedCount.FindStringSubmatch(first)
	if mc == nil {
		if strings.HasPrefix(first, "Saved") {
			return 1
		}
		return 0
	}
	n, _ := strconv.Atoi(mc[1])
	named := strings.Count(first, " by <@")
	more := 0
	if m := moreCount.FindStringSubmatch(first); m != nil {
		more, _ = strconv.Atoi(m[1])
	}
	if named+more != n {
		t.Errorf("%q names %d answers and counts %d more, but says %d", first, named, more, n)
	}
	if named > maxListed {
		t.Errorf("%q names %d answers; at most %d keeps it short", first, named, maxListed)
	}
	return n
}

// endsWithOpenQuestion checks that a message ends with the prompt the plan
// asks now, with buttons for it.
func endsWithOpenQuestion(t *testing.T, m slackfake.Message, p *flows.Plan) {
	t.Helper()
	rs := flows.Resume(flows.RACE(), p)
	open := rs[len(rs)-1]
	if !strings.HasSuffix(m.Text, mrkdwn(open.Msg)) {
		t.Errorf("the thread's last message does not end with the open question %q:\n%s", open.QuestionID, m.Text)
	}
	if want := fmt.Sprintf(`"value":"%d|%s"`, p.ID, open.QuestionID); !strings.Contains(string(m.Blocks), want) {
		t.Errorf("the last message's buttons are not for the open question (%s): %s", want, m.Blocks)
	}
}

// TestBacklogInOneThreadIsCoalesced: 200 answers arrive in one thread
// while Slack holds the bot's post. Every answer is stored and
// acknowledged; once Slack answers, the backlog goes out as one message
// that confirms each answer by name or count and ends with the question
// open now.
func TestBacklogInOneThreadIsCoalesced(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	header, _ := h.newPlanInSlack("Q1")
	h.settle()
	seen := len(h.fake.Replies("C1", header.TS))

	release := h.fake.Hold("chat.postMessage")
	t.Cleanup(release)
	const n = 200
	h.answerBurst(header.TS, n, "Q1")
	p := h.plan(slackfake.TeamID, "C1", "Q1")
	if got := contributions(p); got != n {
		t.Fatalf("%d answers stored, want %d", got, n)
	}
	h.fake.WaitFor(t, func() bool { return h.fake.InFlight("chat.postMessage") == 1 }, "the first reply held by Slack")
	release()
	h.settle()

	msgs := newReplies(h.fake, header.TS, seen)
	if len(msgs) == 0 || len(msgs) > 2 {
		t.Fatalf("%d messages for %d answers; want the held one and one for the backlog\n%s", len(msgs), n, h.fake.Dump())
	}
	total := 0
	for _, m := range msgs {
		total += confirmed(t, m)
	}
	if total != n {
		t.Errorf("the messages confirm %d answers, want %d", total, n)
	}
	last := msgs[len(msgs)-1]
	endsWithOpenQuestion(t, last, h.plan(slackfake.TeamID, "C1", "Q1"))
	h.fake.WaitFor(t, func() bool { return h.asked.has(last.TS) }, "the last message recorded as asking the open question")
	if n := h.bot.outbox.channelQueues(); n != 0 {
		t.Errorf("%d channel queues left after the backlog was posted; an idle channel keeps none", n)
	}
}

// TestThreadsOfAChannelCoalesceSeparately: two plans' threads in one
// channel fill up at once; each gets its own messages, with its own
// answers and its own open question.
func TestThreadsOfAChannelCoalesceSeparately(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	h1, _ := h.newPlanInSlack("Q1")
	h2, _ := h.newPlanInSlack("Q2")
	h.settle()
	seen1, seen2 := len(h.fake.Replies("C1", h1.TS)), len(h.fake.Replies("C1", h2.TS))

	release := h.fake.Hold("chat.postMessage")
	t.Cleanup(release)
	for wave := 0; wave < 20; wave += 5 {
		var ids []string
		for i := wave; i < wave+5; i++ {
			for _, th := range []struct{ ts, tag string }{{h1.TS, "Q1"}, {h2.TS, "Q2"}} {
				ids = append(ids, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: fmt.Sprintf("U%03d", i%4), Text: fmt.Sprintf("%s answer %d.", th.tag, i), ThreadTS: th.ts}))
			}
		}
		for _, id := range ids {
			h.fake.WaitAck(t, id)
		}
	}
	h.fake.WaitFor(t, func() bool { return h.fake.InFlight("chat.postMessage") == 1 }, "the first reply held by Slack")
	release()
	h.settle()

	for _, th := range []struct {
		name, ts string
		seen     int
	}{{"Q1", h1.TS, seen1}, {"Q2", h2.TS, seen2}} {
		p := h.plan(slackfake.TeamID, "C1", th.name)
		if got := contributions(p); got != 20 {
			t.Errorf("%s: %d answers stored, want 20", th.name, got)
		}
		msgs := newReplies(h.fake, th.ts, th.seen)
		if len(msgs) == 0 || len(msgs) > 2 {
			t.Fatalf("%s: %d messages for 20 answers\n%s", th.name, len(msgs), h.fake.Dump())
		}
		total := 0
		for _, m := range msgs {
			total += confirmed(t, m)
			if other := map[string]string{"Q1": "Q2", "Q2": "Q1"}[th.name]; strings.Contains(m.Text, other+" answer") {
				t.Errorf("%s's thread got a reply about %s's answers: %q", th.name, other, m.Text)
			}
			if want := fmt.Sprintf(`"value":"%d|`, p.ID); m.Blocks != nil && strings.Contains(string(m.Blocks), `"value":"`) && !strings.Contains(string(m.Blocks), want) {
				t.Errorf("%s's thread got buttons for another plan: %s", th.name, m.Blocks)
			}
		}
		if total != 20 {
			t.Errorf("%s: the thread confirms %d answers, want 20", th.name, total)
		}
		endsWithOpenQuestion(t, msgs[len(msgs)-1], p)
	}
}

// notPostedCount adds up the replies the log reports unposted, and the
// records that report them.
func notPostedCount(logs *logRecords) (replies, records int) {
	for _, r := range logs.matching(notPosted) {
		replies += int(attr(r, "replies").Int64())
		records++
	}
	return replies, records
}

func withLogs(logs *logRecords) func(*setup) {
	return func(s *setup) { s.Logger = slog.New(logs) }
}

// TestShutdownFlushesTheBacklog: SIGTERM arrives while a thread's replies
// wait for Slack. Within the drain window the backlog goes out, as one
// message, and nothing is reported lost.
func TestShutdownFlushesTheBacklog(t *testing.T) {
	t.Parallel()
	logs := &logRecords{}
	h := newHarness(t, withLogs(logs))
	h.runSocket()
	header, _ := h.newPlanInSlack("Q1")
	h.settle()
	seen := len(h.fake.Replies("C1", header.TS))

	release := h.fake.Hold("chat.postMessage")
	t.Cleanup(release)
	h.answerBurst(header.TS, 50, "Q1")
	h.fake.WaitFor(t, func() bool { return h.fake.InFlight("chat.postMessage") == 1 }, "the first reply held by Slack")
	done := h.stopWhile(h.bot)
	release()
	h.waitShutdown(done)

	total := 0
	msgs := newReplies(h.fake, header.TS, seen)
	for _, m := range msgs {
		total += confirmed(t, m)
	}
	if total != 50 {
		t.Errorf("the thread confirms %d of 50 answers after shutdown", total)
	}
	endsWithOpenQuestion(t, msgs[len(msgs)-1], h.plan(slackfake.TeamID, "C1", "Q1"))
	if n, _ := notPostedCount(logs); n != 0 {
		t.Errorf("shutdown reports %d replies not posted; all were", n)
	}
}

// TestShutdownLogsWhatItCouldNotPost: when the drain window ends with
// Slack still holding the bot's post, the replies left are counted in the
// log, those of the cut-off post and those still queued, never dropped in
// silence; the answers themselves are stored.
func TestShutdownLogsWhatItCouldNotPost(t *testing.T) {
	t.Parallel()
	logs := &logRecords{}
	h := newHarness(t, withLogs(logs))
	h.runSocket()
	header, _ := h.newPlanInSlack("Q1")
	h.settle()

	release := h.fake.Hold("chat.postMessage")
	t.Cleanup(release)
	const n = 30
	h.answerBurst(header.TS, n, "Q1")
	h.fake.WaitFor(t, func() bool { return h.fake.InFlight("chat.postMessage") == 1 }, "the first reply held by Slack")

	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the drain window is over before it starts
	if err := h.bot.Shutdown(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Shutdown = %v, want the work cut short", err)
	}
	// Every answer confirmed once, and the second question asked once: the
	// first answer moved the plan on, the others saw the first question.
	got, records := notPostedCount(logs)
	if want := n + 1; got != want || records != 2 {
		t.Errorf("the log reports %d replies not posted in %d records; want %d, in the cut-off post's record and the queue's", got, records, want)
	}
	if got := contributions(h.plan(slackfake.TeamID, "C1", "Q1")); got != n {
		t.Errorf("%d answers stored, want %d", got, n)
	}
}

// TestBacklogMemoryStaysBounded: replies queued behind a held post cost
// the same memory at 20,000 as at 1,000: past the bound the oldest
// confirmations are only counted, and the message says how many.
func TestBacklogMemoryStaysBounded(t *testing.T) {
	h := newHarness(t)
	h.runSocket()
	header, p := h.newPlanInSlack("Q1")
	h.settle()
	seen := len(h.fake.Replies("C1", header.TS))

	release := h.fake.Hold("chat.postMessage")
	t.Cleanup(release)
	o := h.bot.outbox
	v := viewOf(p)
	queue := func(i int) {
		// What the coach returns for a late answer: a fresh confirmation
		// naming the question and whose answer it joins.
		r := flows.Reply{Kind: flows.ReplySaved, QuestionID: flows.QuestionBusiness,
			Msg: flows.Sayf("Saved as your answer to %s, alongside %s's.", flows.QuestionRef(h.bot.cat, flows.QuestionBusiness), flows.Person("UANA"))}
		o.add(v, fmt.Sprintf("U%06d", i), []flows.Reply{r}, nil)
	}
	queue(0)
	h.fake.WaitFor(t, func() bool { return h.fake.InFlight("chat.postMessage") == 1 }, "the first reply held by Slack")

	heap := func() uint64 {
		runtime.GC()
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapInuse
	}
	for i := 1; i <= 1000; i++ {
		queue(i)
	}
	at1k := heap()
	for i := 1001; i <= 20000; i++ {
		queue(i)
	}
	at20k := heap()
	entries := o.queued("C1")
	if entries > o.limit {
		t.Errorf("%d replies queued for the channel, over the bound of %d", entries, o.limit)
	}
	// Unbounded, 19,000 more replies hold several megabytes.
	if growth := int64(at20k) - int64(at1k); growth > 1<<20 {
		t.Errorf("the heap grew by %d bytes between 1,000 and 20,000 queued replies; want it flat", growth)
	}

	release()
	h.settle()
	msgs := newReplies(h.fake, header.TS, seen)
	if len(msgs) != 2 {
		t.Fatalf("%d messages, want the held one and one for the backlog", len(msgs))
	}
	if got := confirmed(t, msgs[1]); got != 20000 {
		t.Errorf("the backlog's message confirms %d answers, want 20000: %q", got, msgs[1].Text)
	}
}

// TestMergedMessage: how several requests' replies read as one message.
func TestMergedMessage(t *testing.T) {
	t.Parallel()
	cat := flows.RACE()
	saved := func(q string) flows.Reply {
		return flows.Reply{Kind: flows.ReplySaved, QuestionID: q, Msg: flows.Say(flows.Text("Saved."))}
	}
	question := func(q string) flows.Reply {
		return flows.Reply{Kind: flows.ReplyQuestion, QuestionID: q, Msg: flows.Say(flows.Text("Question " + q))}
	}
	action := flows.Reply{Kind: flows.ReplyActionAdded, Stage: flows.StagePlan, Msg: flows.Say(flows.Text("Added."))}
	note := flows.Reply{Kind: flows.ReplyNote, Msg: flows.Say(flows.Text("That's the answer already saved; nothing changed."))}
	v := planView{ID: 7, Team: "T1", Channel: "C1", Thread: "1.1"}
	at := func(version int64) planView { w := v; w.Version = version; return w }
	texts := func(rs []flows.Reply) []string {
		var out []string
		for _, r := range rs {
			out = append(out, string(r.Kind)+": "+plainText(r.Msg))
		}
		return out
	}
	plan := &flows.Plan{ID: 7, Version: 1}

	tests := []struct {
		name string
		put  func(*threadQueue)
		want []string
	}{{
		name: "one request goes out as written",
		put: func(q *threadQueue) {
			q.put(at(2), "UANA", []flows.Reply{saved(flows.QuestionBusiness), question(flows.QuestionValueProposition)}, nil)
		},
		want: []string{"saved: Saved.", "question: Question " + flows.QuestionValueProposition},
	}, {
		name: "confirmations merge, notes once, the latest prompt last",
		put: func(q *threadQueue) {
			q.put(at(3), "UBEN", []flows.Reply{saved(flows.QuestionValueProposition), question("plan.segments")}, nil)
			// Queued after, committed before: its prompt is older.
			q.put(at(2), "UANA", []flows.Reply{saved(flows.QuestionBusiness), question(flows.QuestionValueProposition)}, nil)
			q.put(at(3), "UCY", []flows.Reply{note}, nil)
			q.put(at(3), "UDE", []flows.Reply{note}, nil)
		},
		want: []string{
			"saved: Saved 2 answers: Plan question 2 (value proposition) by @UBEN, Plan question 1 (business) by @UANA.",
			"note: That's the answer already saved; nothing changed.",
			"question: Question " + "plan.segments",
		},
	}, {
		name: "answers and actions are replies",
		put: func(q *threadQueue) {
			q.put(at(2), "UANA", []flows.Reply{saved(flows.QuestionBusiness)}, nil)
			numbered := action
			numbered.Action = 3
			q.put(at(3), "UBEN", []flows.Reply{numbered}, nil)
		},
		want: []string{"saved: Saved 2 replies: Plan question 1 (business) by @UANA, action 3 for Plan by @UBEN."},
	}, {
		name: "past the names, a count",
		put: func(q *threadQueue) {
			for range 12 {
				q.put(at(2), "UANA", []flows.Reply{action}, nil)
			}
			q.dropConfirmation()
		},
		want: []string{"saved: Added 12 actions: " + strings.Repeat("an action for Plan by @UANA, ", 9) + "an action for Plan by @UANA and 2 more."},
	}, {
		name: "replies cut to stay within the bound are mentioned",
		put: func(q *threadQueue) {
			q.put(at(2), "UANA", []flows.Reply{note, question(flows.QuestionValueProposition)}, nil)
			q.replies, q.cut = q.replies[1:], 1
		},
		want: []string{"note: …and 1 more reply, left out while Slack caught up; `/race status` shows where the plan stands.", "question: Question " + flows.QuestionValueProposition},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := &threadQueue{plan: v}
			tt.put(q)
			if diff := cmp.Diff(tt.want, texts(q.compose(cat, plan, false))); diff != "" {
				t.Errorf("message (-want +got):\n%s", diff)
			}
		})
	}
}

// TestStalePromptIsReplaced: a message whose prompt a later step overtook
// (that step's own message went first) asks what the plan asks now, so
// the thread does not end with a question already answered.
func TestStalePromptIsReplaced(t *testing.T) {
	t.Parallel()
	cat := flows.RACE()
	p := flows.NewPlan("T1", "C1", "Q1", "UANA", time.Now())
	p.ID, p.Version = 7, 5
	p.Cursor = flows.Cursor{Stage: 0, Step: 2, Phase: flows.PhaseQuestion}
	q := &threadQueue{plan: planView{ID: 7, Thread: "1.1"}}
	q.put(planView{ID: 7, Thread: "1.1", Version: 3}, "UANA", []flows.Reply{
		{Kind: flows.ReplySaved, QuestionID: flows.QuestionBusiness, Msg: flows.Say(flows.Text("Saved."))},
		{Kind: flows.ReplyQuestion, QuestionID: flows.QuestionValueProposition, Msg: flows.Say(flows.Text("old question"))},
	}, nil)
	rs := q.compose(cat, p, true)
	if got, want := rs[len(rs)-1].QuestionID, p.Asking(cat); got != want {
		t.Errorf("the message ends with %q, want the open question %q", got, want)
	}
	// Not loaded, the plan says nothing: the queued prompt stands.
	rs = q.compose(cat, p, false)
	if got := rs[len(rs)-1].QuestionID; got != flows.QuestionValueProposition {
		t.Errorf("without the plan the message ends with %q, want the queued prompt", got)
	}

	// Late answers confirm without asking anything; merged, they still
	// end with the open question.
	late := flows.Reply{Kind: flows.ReplySaved, QuestionID: flows.QuestionBusiness, Msg: flows.Say(flows.Text("Saved, alongside."))}
	q = &threadQueue{plan: planView{ID: 7, Thread: "1.1"}}
	q.put(planView{ID: 7, Thread: "1.1", Version: 5}, "UANA", []flows.Reply{late}, nil)
	if rs := q.compose(cat, p, true); len(rs) != 1 || rs[0].Kind != flows.ReplySaved {
		t.Errorf("one late answer gets %v, want its confirmation as written", rs)
	}
	q.put(planView{ID: 7, Thread: "1.1", Version: 5}, "UBEN", []flows.Reply{late}, nil)
	rs = q.compose(cat, p, true)
	if got, want := rs[len(rs)-1].QuestionID, p.Asking(cat); got != want {
		t.Errorf("two late answers end with %q, want the open question %q", got, want)
	}
}

// TestQuietChannelsPacingIsForgotten: a channel's pacing is kept while it
// matters and forgotten once the channel has its whole burst back.
func TestQuietChannelsPacingIsForgotten(t *testing.T) {
	t.Parallel()
	p := newPoster(nil, time.Hour)
	for i := range 100 {
		if err := p.wait(context.Background(), fmt.Sprintf("C%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	p.sweep(time.Now())
	if len(p.channels) != 100 {
		t.Fatalf("%d channels paced right after posting, want 100", len(p.channels))
	}
	p.sweep(time.Now().Add(3 * time.Hour))
	if len(p.channels) != 0 {
		t.Errorf("%d channels still paced after three quiet intervals, want 0", len(p.channels))
	}
}

// TestOutboxChannelsDoNotWaitForEachOther: queueing a reply in one channel
// does not wait for another channel's queue, whoever holds it; past
// capacity every request queues a reply while hundreds of senders take
// theirs.
func TestOutboxChannelsDoNotWaitForEachOther(t *testing.T) {
	t.Parallel()
	o := newOutbox(&Bot{})
	busy := o.shard("C1")
	other := ""
	for i := 2; other == ""; i++ {
		if c := fmt.Sprintf("C%d", i); o.shard(c) != busy {
			other = c
		}
	}
	busy.mu.Lock()
	done := make(chan struct{})
	go func() {
		defer close(done)
		// Marked as having a sender, so that add starts none: the test has
		// no Slack to post to.
		o.shard(other).mu.Lock()
		o.shard(other).channels[other] = &channelQueue{sender: true}
		o.shard(other).mu.Unlock()
		o.add(planView{ID: 1, Channel: other, Thread: "1.1"}, "UANA", []flows.Reply{{Kind: flows.ReplySaved, Msg: flows.Say(flows.Text("Saved."))}}, nil)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("queueing in another channel waited for C1's queue")
	}
	busy.mu.Unlock()
	if n := o.queued(other); n != 1 {
		t.Errorf("%s holds %d replies, want 1", other, n)
	}
}

// TestChannelsWaitingTheirTurnHoldNoGoroutine: a channel whose pacing
// makes its next message wait keeps its replies, not a goroutine, until
// its turn; the replies queued meanwhile go out together then, and
// shutdown ends the waits at once, leaving their replies unposted.
func TestChannelsWaitingTheirTurnHoldNoGoroutine(t *testing.T) {
	held := &heldPauses{}
	h := newHarness(t, func(c *setup) {
		c.PostInterval = time.Hour
		c.BeforeStart = func(b *Bot) { b.outbox.after = held.after }
	})
	// Before the harness's own cleanup, which waits for every pause.
	t.Cleanup(held.endAll)
	h.runSocket()
	header, p := h.newPlanInSlack("Q1")
	h.settle()
	seen := len(h.fake.Replies("C1", header.TS))
	o := h.bot.outbox
	note := func(text string) []flows.Reply {
		return []flows.Reply{{Kind: flows.ReplyNote, Msg: flows.Say(flows.Text(text))}}
	}

	h.spendTurns("C1")
	o.add(viewOf(p), "UANA", note("First note."), nil)
	held.waitFor(t, 1)
	o.add(viewOf(p), "UBEN", note("Second note."), nil)

	before := runtime.NumGoroutine()
	const waiting = 100
	for i := range waiting {
		ch := fmt.Sprintf("CW%03d", i)
		h.spendTurns(ch)
		o.add(planView{ID: p.ID, Team: p.Team, Channel: ch, Thread: header.TS, Version: p.Version}, "UANA", note("Waiting."), nil)
	}
	held.waitFor(t, 1+waiting)
	h.fake.WaitFor(t, func() bool { return runtime.NumGoroutine() < before+waiting/2 }, "the senders of the waiting channels to end")

	// C1's turn comes: one message with both notes.
	h.bot.poster.mu.Lock()
	delete(h.bot.poster.channels, paceKey(withTeam(context.Background(), "", slackfake.TeamID), "C1"))
	h.bot.poster.mu.Unlock()
	held.end(0)
	h.fake.WaitFor(t, func() bool { return len(newReplies(h.fake, header.TS, seen)) > 0 }, "C1's message")
	msgs := newReplies(h.fake, header.TS, seen)
	if len(msgs) != 1 || !strings.Contains(msgs[0].Text, "First note.") || !strings.Contains(msgs[0].Text, "Second note.") {
		var texts []string
		for _, m := range msgs {
			texts = append(texts, m.Text)
		}
		t.Errorf("C1's messages after its turn came: %q; want one with both notes", texts)
	}

	// Shutdown ends the other waits instead of sitting out the hour.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- h.bot.Shutdown(ctx) }()
	select {
	case err := <-done:
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("shutdown with channels waiting for their turn: %v, want the work cut short", err)
		}
	case <-time.After(slackfake.DefaultWaitTimeout):
		t.Fatal("shutdown waited for the channels' turns")
	}
	if n := o.channelQueues(); n != 0 {
		t.Errorf("%d channel queues left after shutdown", n)
	}
	if n := len(h.fake.Calls("chat.postMessage")); n != seen+2 {
		t.Errorf("%d messages posted; want the plan's %d and C1's one", n, seen+1)
	}
}

// spendTurns uses up channel's burst, so that its next message waits for
// its turn.
func (h *harness) spendTurns(channel string) {
	lim := h.bot.poster.pace(withTeam(context.Background(), "", slackfake.TeamID), channel)
	for lim.Allow() {
	}
}

// heldPauses stands in for the timers that end channels' pauses: a test
// ends each when it chooses.
type heldPauses struct {
	mu     sync.Mutex
	pauses []*heldPause
}

type heldPause struct {
	mu    sync.Mutex
	ended bool
	f     func()
}

func (h *heldPauses) after(_ time.Duration, f func()) pauseTimer {
	p := &heldPause{f: f}
	h.mu.Lock()
	h.pauses = append(h.pauses, p)
	h.mu.Unlock()
	return p
}

func (p *heldPause) Stop() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ended {
		return false
	}
	p.ended = true
	return true
}

// end ends the i-th pause begun, as its timer would.
func (h *heldPauses) end(i int) {
	h.mu.Lock()
	p := h.pauses[i]
	h.mu.Unlock()
	if p.Stop() {
		p.f()
	}
}

// endAll ends every pause not ended yet.
func (h *heldPauses) endAll() {
	h.mu.Lock()
	n := len(h.pauses)
	h.mu.Unlock()
	for i := range n {
		h.end(i)
	}
}

// waitFor waits until n pauses have begun.
func (h *heldPauses) waitFor(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(slackfake.DefaultWaitTimeout)
	for {
		h.mu.Lock()
		got := len(h.pauses)
		h.mu.Unlock()
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d channels began waiting for their turn, want %d", got, n)
		}
		time.Sleep(time.Millisecond)
	}
}
