package bot

import (
	"context"
	"errors"
	"hash/maphash"
	"slices"
	"sync"
	"time"

	"github.com/racebot/racebot/flows"
)

// The outbox is where replies to plan threads wait for Slack. Slack takes
// about one message a second in a channel, while a busy thread can get
// dozens of answers a second. Posting every reply on its own kept each one
// (with a copy of its plan) in memory for as long as the backlog lasted,
// posted them minutes late and lost them at shutdown. The outbox keeps
// only what to say, per thread, in a bounded queue per channel; one
// sender per busy channel posts whatever a thread has pending as one
// message whenever the channel may take one: the confirmations merged into
// one line, then the latest prompt, so the thread ends with the question
// that is open now.

const (
	// outboxLimit bounds the replies a channel's queue holds. Past it the
	// oldest confirmations are only counted ("and 40 more"): the answers
	// they confirm are stored, so nothing is lost but words.
	outboxLimit = 256
	// maxListed is how many confirmations a merged message names.
	maxListed = 10
	// limiterSweep is how often the pacing of quiet channels is forgotten.
	limiterSweep = 30 * time.Second
)

// planView is what a queued reply keeps of its plan: where its thread is
// and how to find the plan again when the message is sent.
type planView struct {
	ID      flows.PlanID
	Team    string
	Channel string
	Thread  string
	// Version is the plan's version as the step that made the replies
	// returned it; of two prompts for a thread, the later version's stands
	// whichever was queued first.
	Version int64
}

func viewOf(p *flows.Plan) planView {
	return planView{ID: p.ID, Team: p.Team, Channel: p.Channel, Thread: p.Thread, Version: p.Version}
}

// standIn is the plan when it cannot be loaded: enough for the buttons and
// for recording what the message asks.
func (v planView) standIn() *flows.Plan {
	return &flows.Plan{ID: v.ID, Team: v.Team, Channel: v.Channel, Thread: v.Thread, Version: v.Version}
}

// queuedReply is one reply waiting for its thread's next message, with
// the person whose message it answers.
type queuedReply struct {
	by    string
	reply flows.Reply
}

// threadQueue is what one thread has pending: the next message it gets.
type threadQueue struct {
	plan planView
	// replies are everything but the prompt, oldest first.
	replies []queuedReply
	// prompt is the latest question (or other prompt) for the thread; its
	// Kind is empty when none is pending.
	prompt   flows.Reply
	promptAt int64
	draft    *flows.DraftRequest
	// requests counts the requests whose replies are here: one is posted
	// as the coach wrote it, more are merged.
	requests int
	// confirmed counts the confirmations put here, kept or dropped, and
	// actions those that confirm an action rather than an answer.
	confirmed, actions int
	// dropped counts the confirmations dropped to stay within the bound,
	// cut the other replies dropped.
	dropped, cut int
}

// entries is what the thread holds against its channel's bound.
func (t *threadQueue) entries() int {
	n := len(t.replies)
	if t.prompt.Kind != "" {
		n++
	}
	if t.draft != nil {
		n++
	}
	return n
}

// confirms says whether a reply only confirms that something was stored,
// which a merged message can say in one line for many.
func confirms(k flows.ReplyKind) bool { return k == flows.ReplySaved || k == flows.ReplyActionAdded }

// put adds one request's replies. The request's last prompt replaces the
// pending one unless it is older (two requests can queue out of order);
// earlier prompts in the same request were overtaken by it.
func (t *threadQueue) put(v planView, by string, replies []flows.Reply, draft *flows.DraftRequest) {
	t.requests++
	last := -1
	for i, r := range replies {
		if r.Asks() != "" {
			last = i
		}
	}
	for i, r := range replies {
		switch {
		case i == last:
			if t.prompt.Kind == "" || v.Version >= t.promptAt {
				t.prompt, t.promptAt = r, v.Version
			}
		case r.Asks() != "":
		default:
			t.replies = append(t.replies, queuedReply{by: by, reply: r})
			if confirms(r.Kind) {
				t.confirmed++
				if r.Kind == flows.ReplyActionAdded {
					t.actions++
				}
			}
		}
	}
	if draft != nil {
		d := *draft
		t.draft = &d
	}
}

// dropConfirmation forgets the oldest confirmation, which stays counted.
func (t *threadQueue) dropConfirmation() bool {
	i := slices.IndexFunc(t.replies, func(q queuedReply) bool { return confirms(q.reply.Kind) })
	if i < 0 {
		return false
	}
	t.replies = slices.Delete(t.replies, i, i+1)
	t.dropped++
	return true
}

// channelQueue is a channel's pending threads, in the order they started
// waiting, and whether a sender is working through them.
type channelQueue struct {
	threads []*threadQueue
	entries int
	sender  bool
}

func (c *channelQueue) thread(ts string) *threadQueue {
	for _, t := range c.threads {
		if t.plan.Thread == ts {
			return t
		}
	}
	return nil
}

// outbox holds the replies waiting for plan threads; see the top of the
// file.
//
// Its queues are split over shards by channel, each with a lock of its
// own. With one lock, every request (queueing its replies) and every
// channel's sender (taking the next message) waited for the same one;
// past capacity hundreds of them queued for it, the lock passed from one
// to the next only as fast as the scheduler ran each, and requests held
// up there missed their deadline: at 4,000 answers a second, three in
// four were turned away.
type outbox struct {
	b          *Bot
	limit      int
	sweepEvery time.Duration

	seed   maphash.Seed
	shards [outboxShards]outboxShard

	sweepMu   sync.Mutex
	lastSweep time.Time

	// after starts the timer that ends a channel's pause (see resume):
	// time.AfterFunc, or a test's own.
	after func(time.Duration, func()) pauseTimer
}

// pauseTimer is the timer of a channel's pause.
type pauseTimer interface{ Stop() bool }

// outboxShards is how many locks the outbox's queues are split over.
const outboxShards = 64

// outboxShard is the queues of some channels, under one lock.
type outboxShard struct {
	mu       sync.Mutex
	channels map[string]*channelQueue
}

func newOutbox(b *Bot) *outbox {
	o := &outbox{b: b, limit: outboxLimit, sweepEvery: limiterSweep, seed: maphash.MakeSeed(), lastSweep: time.Now(),
		after: func(d time.Duration, f func()) pauseTimer { return time.AfterFunc(d, f) }}
	for i := range o.shards {
		o.shards[i].channels = make(map[string]*channelQueue)
	}
	return o
}

// shard is where channel's queue is kept.
func (o *outbox) shard(channel string) *outboxShard {
	return &o.shards[maphash.String(o.seed, channel)%outboxShards]
}

// add queues a request's replies for the plan's thread and makes sure a
// sender is on the channel. It never waits for Slack, so a handler calls
// it before acknowledging.
func (o *outbox) add(v planView, by string, replies []flows.Reply, draft *flows.DraftRequest) {
	if v.Channel == "" || v.Thread == "" || (len(replies) == 0 && draft == nil) {
		return
	}
	sh := o.shard(v.Channel)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	cq := sh.channels[v.Channel]
	if cq == nil {
		cq = &channelQueue{}
		sh.channels[v.Channel] = cq
	}
	tq := cq.thread(v.Thread)
	if tq == nil {
		tq = &threadQueue{plan: v}
		cq.threads = append(cq.threads, tq)
	}
	before := tq.entries()
	tq.put(v, by, replies, draft)
	cq.entries += tq.entries() - before
	for cq.entries > o.limit {
		o.shed(cq, tq)
	}
	if !cq.sender {
		cq.sender = true
		o.start(v.Team, v.Channel)
	}
}

// shed drops one entry of a full channel, the least missed first: a
// confirmation of the thread just added to, then one of another thread
// (both stay counted), then any other reply, oldest thread first; last,
// when only prompts are left, a whole thread other than tq, which catches
// up with its next message.
func (o *outbox) shed(cq *channelQueue, tq *threadQueue) {
	if tq.dropConfirmation() {
		cq.entries--
		return
	}
	for _, t := range cq.threads {
		if t.dropConfirmation() {
			cq.entries--
			return
		}
	}
	for _, t := range cq.threads {
		if len(t.replies) > 0 {
			t.replies = slices.Delete(t.replies, 0, 1)
			t.cut++
			cq.entries--
			return
		}
	}
	i := 0
	if cq.threads[0] == tq && len(cq.threads) > 1 {
		i = 1
	}
	t := cq.threads[i]
	cq.entries -= t.entries()
	cq.threads = slices.Delete(cq.threads, i, i+1)
	o.b.log.Warn("reply queue full: a thread's prompt was dropped", "channel", t.plan.Channel, "plan", t.plan.ID)
}

// start runs a sender for channel. It is tracked like other background
// work, so Shutdown waits for it.
func (o *outbox) start(team, channel string) {
	o.b.pending.Add(1)
	go o.sender(team, channel)
}

// sender posts channel's pending threads, at the pace the channel allows,
// until none is left. When the channel must wait for its turn, a timer
// takes over (see resume) and the goroutine ends: a channel waiting for
// its turn holds none. Under load every busy channel waits for its turn
// most of the time; at 5,000 answers a second over 3,800 channels, 3,659
// senders slept in their own goroutines, 23 MB of stacks.
//
// Each call stands for one count of b.pending, released when it returns.
func (o *outbox) sender(team, channel string) {
	b := o.b
	defer b.pending.Done()
	paused := false
	defer func() {
		if !paused {
			o.stopped(channel)
		}
	}()
	defer b.recover("post to thread")
	if wait := o.run(withTeam(b.base, "", team), channel); wait > 0 {
		o.resume(team, channel, wait)
		paused = true
	}
}

// run posts a channel's pending threads, one message each, while the
// channel's pacing lets it. It returns how long the channel must wait
// before its next message, or 0 when nothing is left (or ctx has ended).
func (o *outbox) run(ctx context.Context, channel string) time.Duration {
	for ctx.Err() == nil {
		// The channel's turn comes before the thread's replies are taken,
		// so those that arrive meanwhile join the message.
		if wait := o.b.poster.untilReady(ctx, channel); wait >= minPause {
			return wait
		}
		tq := o.next(channel)
		if tq == nil {
			return 0
		}
		o.send(ctx, tq)
	}
	return 0
}

// minPause is the shortest wait for a turn that a sender pauses for; a
// shorter one the post waits out itself. A timer sized to the turn can
// end a hair before it, as the pacing counts: the sender then posts
// rather than pausing again for the rest.
const minPause = time.Millisecond

// resume runs channel's sender again after d, or at once when background
// work is cancelled (the sender then stops, leaving the channel's replies
// for abandon). The channel keeps its sender meanwhile, so replies queued
// in the pause join its next message instead of starting another.
func (o *outbox) resume(team, channel string, d time.Duration) {
	b := o.b
	b.pending.Add(1)
	var (
		mu      sync.Mutex
		fired   bool
		unwatch func() bool
	)
	t := o.after(d, func() {
		mu.Lock()
		fired = true
		stop := unwatch
		mu.Unlock()
		if stop != nil {
			stop()
		}
		o.sender(team, channel)
	})
	stop := context.AfterFunc(b.base, func() {
		if t.Stop() {
			o.sender(team, channel)
		}
	})
	mu.Lock()
	defer mu.Unlock()
	if fired {
		// The timer beat the registration; the watch must not outlive it.
		stop()
		return
	}
	unwatch = stop
}

// next takes the thread that has waited longest; with none left the
// channel's queue goes, under the same lock, so a reply queued after it
// starts a new sender.
func (o *outbox) next(channel string) *threadQueue {
	sh := o.shard(channel)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	cq := sh.channels[channel]
	if cq == nil {
		return nil
	}
	if len(cq.threads) == 0 {
		delete(sh.channels, channel)
		return nil
	}
	tq := cq.threads[0]
	cq.threads = slices.Delete(cq.threads, 0, 1)
	cq.entries -= tq.entries()
	return tq
}

// stopped runs when a sender ends. An idle sender has removed its
// channel's queue already; one cut short by shutdown (or a panic) leaves
// it for Shutdown to count, or for the next reply's sender. Now and then
// it also forgets the pacing of channels that have gone quiet.
func (o *outbox) stopped(channel string) {
	now := time.Now()
	sh := o.shard(channel)
	sh.mu.Lock()
	if cq := sh.channels[channel]; cq != nil {
		cq.sender = false
	}
	sh.mu.Unlock()
	o.sweepMu.Lock()
	sweep := now.Sub(o.lastSweep) >= o.sweepEvery
	if sweep {
		o.lastSweep = now
	}
	o.sweepMu.Unlock()
	if sweep {
		o.b.poster.sweep(now)
	}
}

// send posts one thread's pending replies as one message. The plan is
// loaded once for the message, not kept per reply: its buttons need the
// plan, a prompt overtaken by a later step is replaced by what the plan
// asks now, and a plan deleted meanwhile gets nothing more.
func (o *outbox) send(ctx context.Context, tq *threadQueue) {
	b := o.b
	v := tq.plan
	p, err := b.svc.Plan(ctx, v.Team, v.ID)
	loaded := err == nil
	switch {
	case errors.Is(err, flows.ErrNoPlan):
		b.log.Info("plan deleted before its replies were posted", "plan", v.ID, "replies", tq.entries())
		return
	case err != nil && ctx.Err() == nil:
		b.log.Warn("post to thread: load plan", "plan", v.ID, "err", err)
		p = v.standIn()
	case err != nil:
		p = v.standIn()
	}
	if replies := tq.compose(b.cat, p, loaded); len(replies) > 0 {
		ts, late, err := b.poster.postOrFind(ctx, v.Channel, v.Thread, "once:"+randomKey(), renderReplies(p, replies))
		switch {
		case err != nil && ctx.Err() != nil:
			b.log.Warn(notPosted, "plan", v.ID, "replies", tq.entries(), "err", err)
			return
		case err != nil:
			b.failed(ctx, "post to thread", err, "plan", v.ID, "replies", tq.entries())
			return
		}
		b.asked(ctx, p, replies, ts, late)
	}
	if tq.draft != nil {
		if !loaded {
			b.log.Warn("draft not posted: plan not loaded", "plan", v.ID)
			return
		}
		d := *tq.draft
		b.later(ctx, "post draft", func(ctx context.Context) { b.postDraft(ctx, p, &d) })
	}
}

// notPosted is the log message for replies shutdown left unposted.
const notPosted = "replies not posted before shutdown"

// compose is the thread's message. The replies of one request go out as
// the coach wrote them. Those of several are merged: one line for all the
// confirmations, the other replies once each in order, then a prompt, so
// that a busy thread keeps ending with its open question even when the
// message that asked it has scrolled away.
func (t *threadQueue) compose(cat *flows.Catalogue, p *flows.Plan, loaded bool) []flows.Reply {
	merged := t.requests > 1 || t.dropped > 0 || t.cut > 0
	prompt := t.prompt
	if loaded {
		switch {
		case prompt.Kind != "" && p.Version > t.promptAt && p.Asking(cat) != prompt.Asks():
			// A later step moved the plan on and its own message went
			// out first (or not at all): ask what the plan asks now.
			prompt = asking(cat, p, prompt)
		case prompt.Kind == "" && merged:
			prompt = asking(cat, p, prompt)
		}
	}
	var out []flows.Reply
	if !merged {
		for _, q := range t.replies {
			out = append(out, q.reply)
		}
	} else {
		var saved []queuedReply
		seen := map[string]bool{}
		var rest []flows.Reply
		for _, q := range t.replies {
			if confirms(q.reply.Kind) {
				saved = append(saved, q)
				continue
			}
			if key := string(q.reply.Kind) + "\x00" + mrkdwn(q.reply.Msg); !seen[key] {
				seen[key] = true
				rest = append(rest, q.reply)
			}
		}
		if t.confirmed > 0 {
			out = append(out, flows.Reply{Kind: flows.ReplySaved, Msg: t.savedSummary(cat, saved)})
		}
		out = append(out, rest...)
		if t.cut > 0 {
			out = append(out, flows.Reply{Kind: flows.ReplyNote, Msg: flows.Sayf("…and %d more %s, left out while Slack caught up; %s shows where the plan stands.", t.cut, plural(t.cut, "reply", "replies"), flows.Cmd("status"))})
		}
	}
	if prompt.Kind != "" {
		out = append(out, prompt)
	}
	return out
}

// asking is the prompt for what the plan asks now, or fallback if the
// plan asks nothing the coach can word.
func asking(cat *flows.Catalogue, p *flows.Plan, fallback flows.Reply) flows.Reply {
	if rs := flows.Resume(cat, p); len(rs) > 0 {
		return rs[len(rs)-1]
	}
	return fallback
}

// savedSummary confirms many answers in one line: "Saved 12 answers: Plan
// question 1 (business) by @Ana, … and 2 more." It names the first few
// kept and counts the rest, dropped ones included.
func (t *threadQueue) savedSummary(cat *flows.Catalogue, saved []queuedReply) flows.Msg {
	verb, noun := "Saved", plural(t.confirmed, "answer", "answers")
	switch t.actions {
	case 0:
	case t.confirmed:
		verb, noun = "Added", plural(t.confirmed, "action", "actions")
	default:
		noun = plural(t.confirmed, "reply", "replies")
	}
	named := saved[:min(len(saved), maxListed)]
	if len(named) == 0 {
		return flows.Sayf("%s %d %s.", verb, t.confirmed, noun)
	}
	var list flows.Msg
	for i, q := range named {
		if i > 0 {
			list = append(list, flows.Text(", "))
		}
		list = append(list, confirmationItem(cat, q)...)
	}
	if more := t.confirmed - len(named); more > 0 {
		return flows.Sayf("%s %d %s: %s and %d more.", verb, t.confirmed, noun, list, more)
	}
	return flows.Sayf("%s %d %s: %s.", verb, t.confirmed, noun, list)
}

// confirmationItem names one confirmed answer or action and who gave it.
func confirmationItem(cat *flows.Catalogue, q queuedReply) flows.Msg {
	what := flows.Say(flows.Text("an answer"))
	switch {
	case q.reply.Kind == flows.ReplyActionAdded:
		what = flows.Say(flows.Text("an action"))
		if q.reply.Action > 0 {
			what = flows.Sayf("action %d", q.reply.Action)
		}
		if i, ok := cat.Stage(string(q.reply.Stage)); ok {
			what = flows.Sayf("%s for %s", what, cat.Stages[i].Name)
		}
	case q.reply.QuestionID != "":
		what = flows.Say(flows.Text(flows.QuestionRef(cat, q.reply.QuestionID)))
	}
	if q.by == "" {
		return what
	}
	return flows.Sayf("%s by %s", what, flows.Person(q.by))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// queued is how many replies channel's queue holds.
func (o *outbox) queued(channel string) int {
	sh := o.shard(channel)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if cq := sh.channels[channel]; cq != nil {
		return cq.entries
	}
	return 0
}

// channelQueues counts the channels with a queue.
func (o *outbox) channelQueues() int {
	n := 0
	for i := range o.shards {
		sh := &o.shards[i]
		sh.mu.Lock()
		n += len(sh.channels)
		sh.mu.Unlock()
	}
	return n
}

// abandon empties the outbox once shutdown has stopped its senders,
// logging what was left unposted: those threads catch up with their next
// message after the restart.
func (o *outbox) abandon() {
	replies, threads := 0, 0
	for i := range o.shards {
		sh := &o.shards[i]
		sh.mu.Lock()
		for _, cq := range sh.channels {
			replies += cq.entries
			threads += len(cq.threads)
		}
		clear(sh.channels)
		sh.mu.Unlock()
	}
	if replies > 0 {
		o.b.log.Warn(notPosted, "replies", replies, "threads", threads)
	}
}

// untilReady is how long channel's pacing needs before it lets a message
// through, without taking the turn: the post that follows takes it.
func (p *poster) untilReady(ctx context.Context, channel string) time.Duration {
	p.mu.Lock()
	lim := p.channels[paceKey(ctx, channel)]
	p.mu.Unlock()
	if lim == nil {
		return 0
	}
	missing := 1 - lim.Tokens()
	if missing <= 0 {
		return 0
	}
	return time.Duration(missing / float64(lim.Limit()) * float64(time.Second))
}

// sweep forgets the pacing of channels quiet long enough to have their
// whole burst back: a new limiter would behave the same, and without this
// the map would keep every channel racebot ever posted in.
func (p *poster) sweep(now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for ch, lim := range p.channels {
		if lim.TokensAt(now) >= float64(lim.Burst()) {
			delete(p.channels, ch)
		}
	}
}
