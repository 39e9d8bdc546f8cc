// Package bot is racebot's Slack transport: one Bot with two front doors,
// Socket Mode and HTTP, that turns slash commands, thread replies, button
// presses and modal submissions into coach requests and renders the
// answers as Block Kit.
//
// Every entry point does the fast part first (parse, verify, commit what
// the person typed to SQLite) and acknowledges; posting to Slack, uploads
// and drafting run afterwards in tracked background work, because Slack
// gives an app three seconds to acknowledge and retries when it does not.
package bot

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/metrics"
)

// Config wires a Bot.
type Config struct {
	// API is the client of the one workspace SLACK_BOT_TOKEN serves; nil
	// when racebot serves only workspaces installed through OAuth.
	API *Client
	// OAuth, when set, makes racebot a distributed app: installs through
	// /slack/install, each workspace served with its own token.
	OAuth *OAuth
	// Service is where every state change goes; the bot only translates
	// Slack's payloads into its requests and renders its replies.
	Service *coach.Service
	Logger  *slog.Logger
	// Now is the clock; tests pass their own.
	Now func() time.Time
	// Assistant drafts and reviews after the acknowledgement; nil means the
	// built-in coach's hints and checks only.
	Assistant Assistant
	// PostInterval paces messages per channel; Slack allows about one a
	// second. Zero means one second.
	PostInterval time.Duration
	// HomeEvery is the least time between two publishes of one person's
	// Home tab; zero means ten seconds.
	HomeEvery time.Duration
	// HeaderEvery is the least time between two rewrites of a plan's
	// header with its progress; zero means a minute.
	HeaderEvery time.Duration
	// CheckinPoll is how often check-ins due for a reminder or a close are
	// looked for; zero means a minute.
	CheckinPoll time.Duration
	// Metrics counts requests, acknowledgement times and check-ins; nil
	// records nothing.
	Metrics *metrics.Metrics
}

// Bot is the Slack transport.
type Bot struct {
	api       *Client
	ws        *workspaces
	oauth     *OAuth
	svc       *coach.Service
	cat       *flows.Catalogue
	log       *slog.Logger
	now       func() time.Time
	assistant Assistant
	poster    *poster
	// outbox holds replies to plan threads until their channel may take
	// a message; see outbox.go.
	outbox *outbox

	pollEvery time.Duration
	// firstTicks is the turn the first ticks take (see poll); firstPass
	// is done once each poll's first tick is.
	firstTicks chan struct{}
	firstPass  sync.WaitGroup
	// claimTimeout bounds what follows a claim (see claimedPostTimeout);
	// tests shorten it.
	claimTimeout time.Duration
	// claimExpiry, when set, stands in for claimTimeout (see claimBound):
	// a test ends the bounds when it says, not when a busy machine's clock
	// does.
	claimExpiry func(context.Context) (context.Context, context.CancelFunc)
	// ackWithin bounds the work before an acknowledgement; zero means
	// ackTimeout. Tests lengthen it, so that a busy machine's slow store
	// is not taken for a failure.
	ackWithin time.Duration

	// zones caches people's Slack time zones by user id (zoneKnown), or
	// a recent failure to read one (zoneMiss).
	zones sync.Map
	// dms caches the direct message channel with each person, by
	// workspace and user id.
	dms sync.Map
	// homes publishes people's Home tabs again when their plans change.
	homes *homes
	// headers keeps plan headers up to date with their progress.
	headers *headers
	// names caches display names for exports and prompts.
	names *nameCache
	// leftOut holds the installations whose uninstall check this
	// racebot's token key cannot make, said once (see
	// uninstallChecksLeftOut).
	leftOut sync.Map
	// helpAcks holds help, rendered and encoded once.
	helpAcks helpAcks
	// summaries keeps each check-in's summary refreshes in turn.
	summaries summaryRefreshes
	// statusRedraws keeps each message's redraws of its status buttons in
	// turn.
	statusRedraws redrawTurns

	metrics *metrics.Metrics
	// inflight bounds the verified requests being handled at once. Past it
	// an Events API delivery waits a moment for a slot, in a bounded line
	// (see admitEvent), and is then turned away with 503, which Slack
	// retries; commands and interactions, never retried, wait longer (see
	// admit).
	inflight chan struct{}
	// eventWaiters counts the events waiting for a slot; eventWait, when
	// set, is how long one waits instead of eventSlotWait (tests lengthen
	// it).
	eventWaiters atomic.Int32
	eventWait    time.Duration
	// connected is true while Slack can reach the bot: after auth.test in
	// HTTP mode, while the socket is up in Socket Mode.
	connected atomic.Bool
	// refused samples the log lines of unsigned and stale requests.
	refused sampledLog

	// botUserID is the bot's own user, learnt from auth.test, so it never
	// answers its own messages.
	botUserID string

	// catchupKick asks catchupLoop for a catch-up (see requestCatchup);
	// catchupPacer spaces its calls to Slack, tests shorten it.
	catchupKick  chan struct{}
	catchupPacer pacer
	// catchupsStarted and catchupsDone count catch-up runs, so a test can
	// tell when one that began after something it did has finished.
	catchupsStarted, catchupsDone atomic.Int64

	// base outlives requests: background work must not be cancelled when
	// the request that started it has been acknowledged.
	base    context.Context
	cancel  context.CancelFunc
	pending sync.WaitGroup

	// Periodic loops have a context of their own, ended first on shutdown.
	loopCtx   context.Context
	stopLoops context.CancelFunc
	loops     sync.WaitGroup
}

// New makes a Bot. Call Start before serving.
func New(cfg Config) *Bot {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.PostInterval == 0 {
		cfg.PostInterval = time.Second
	}
	cfg.CheckinPoll = cmp.Or(cfg.CheckinPoll, checkinPoll)
	base, cancel := context.WithCancel(context.Background())
	loopCtx, stopLoops := context.WithCancel(base)
	b := &Bot{
		loopCtx:    loopCtx,
		stopLoops:  stopLoops,
		api:        cfg.API,
		svc:        cfg.Service,
		pollEvery:  cfg.CheckinPoll,
		firstTicks: make(chan struct{}, 1),
		metrics:    cfg.Metrics,
		inflight:   make(chan struct{}, maxInFlight),
		cat:        cfg.Service.Catalogue(),
		log:        cfg.Logger,
		now:        cfg.Now,
		assistant:  cfg.Assistant,
		base:       base,
		cancel:     cancel,
	}
	b.ws = newWorkspaces(cfg.API, cfg.OAuth, cfg.Now, cfg.Metrics.Install)
	b.oauth = cfg.OAuth
	b.poster = newPoster(cfg.API, cfg.PostInterval)
	b.poster.resolve = b.ws.client
	b.names = newNameCache(cfg.API, cfg.Now, cfg.Logger)
	b.names.resolve = b.ws.client
	b.outbox = newOutbox(b)
	b.claimTimeout = claimedPostTimeout
	b.headers = newHeaders(b, cmp.Or(cfg.HeaderEvery, headerEvery))
	b.homes = newHomes(cmp.Or(cfg.HomeEvery, homeEvery), cfg.Now,
		func(team, user string) { b.publishHome(withTeam(b.base, "", team), team, user) },
		b.tracked("publish home"))
	cfg.Service.Watch(b.planChanged)
	b.catchupKick = make(chan struct{}, 1)
	b.catchupPacer.every = catchupPace
	return b
}

// Start learns the bot's own identity and starts housekeeping, the first
// of which is catching up with the replies written while racebot was
// away.
func (b *Bot) Start(ctx context.Context) error {
	// A distributed app without a token of its own learns each
	// workspace's bot user at install time instead.
	if b.api != nil {
		auth, err := b.api.api.AuthTestContext(ctx)
		if err != nil {
			return fmt.Errorf("slack auth.test: %w", err)
		}
		b.botUserID = auth.UserID
	}
	b.connected.Store(true)
	b.requestCatchup()
	loops := []func(context.Context){b.pruneLoop, b.catchupLoop, b.purgeLoop}
	for _, tick := range []func(context.Context){b.checkinTick, b.stepTick, b.remindTick, b.placeholderTick, b.uninstallCheckTick} {
		loops = append(loops, b.poll(tick))
	}
	for _, loop := range loops {
		b.loops.Add(1)
		go func() {
			defer b.loops.Done()
			defer b.recover("loop")
			loop(b.loopCtx)
		}()
	}
	return nil
}

// poll runs tick now and then every pollEvery until ctx ends. A tick that
// panics is logged and the next one runs on time: these loops nudge and
// close check-ins, finish workflow steps and send reminders, and one bad
// record must not stop them until a restart.
//
// The first ticks, which every racebot makes as it starts, take turns for
// up to a second each: at once, each read through a database connection of
// its own, and opening one parses the whole schema. A slow first tick
// (Slack slow to take a backlog of posts) holds up the others no longer.
func (b *Bot) poll(tick func(context.Context)) func(context.Context) {
	b.firstPass.Add(1)
	return func(ctx context.Context) {
		t := time.NewTicker(b.pollEvery)
		defer t.Stop()
		run := func() { b.safely("tick", func() { tick(ctx) }) }
		turn := time.NewTimer(time.Second)
		select {
		case b.firstTicks <- struct{}{}:
			turn.Stop()
			run()
			<-b.firstTicks
		case <-turn.C:
			run()
		case <-ctx.Done():
		}
		b.firstPass.Done()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			run()
		}
	}
}

func (b *Bot) pruneLoop(ctx context.Context) {
	t := time.NewTicker(10 * time.Minute)
	defer t.Stop()
	for {
		if err := b.svc.Prune(ctx, b.now()); err != nil && ctx.Err() == nil {
			b.log.Warn("prune seen events", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// later runs slow work after the acknowledgement. The work is tracked so
// Shutdown can wait for it, and a panic in it is logged instead of taking
// the process down. It is for the workspace ctx is for, but does not end
// with ctx.
func (b *Bot) later(ctx context.Context, what string, fn func(ctx context.Context)) {
	t := tenantOf(ctx)
	b.pending.Add(1)
	go func() {
		defer b.pending.Done()
		defer b.recover(what)
		fn(withTenant(b.base, t))
	}()
}

// claimBound bounds what follows a claim by claimTimeout, or by the
// test's stand-in.
func (b *Bot) claimBound(ctx context.Context) (context.Context, context.CancelFunc) {
	if b.claimExpiry != nil {
		return b.claimExpiry(ctx)
	}
	return context.WithTimeout(ctx, b.claimTimeout)
}

// tracked is what starts the runs of a pacer (see paced): fn runs as
// tracked background work, which shutdown waits for.
func (b *Bot) tracked(what string) func(fn func()) {
	return func(fn func()) {
		b.pending.Add(1)
		go func() {
			defer b.pending.Done()
			defer b.recover(what)
			fn()
		}()
	}
}

func (b *Bot) recover(what string) {
	if r := recover(); r != nil {
		b.log.Error("panic", "in", what, "panic", r, "stack", string(debug.Stack()))
	}
}

// Shutdown stops housekeeping and waits for background work, at most until
// ctx ends; then it cancels what is left and waits for it to notice.
// Replies waiting for their thread are posted meanwhile, each thread's
// backlog as one message; what the window leaves unposted is logged with
// its count, and those threads catch up with their next message.
func (b *Bot) Shutdown(ctx context.Context) error {
	b.stopLoops()
	b.loops.Wait()
	b.homes.close()
	b.headers.close()
	done := make(chan struct{})
	go func() {
		b.pending.Wait()
		close(done)
	}()
	select {
	case <-done:
		b.cancel()
		b.outbox.abandon()
		return nil
	case <-ctx.Done():
		b.cancel()
		<-done
		b.outbox.abandon()
		return fmt.Errorf("shutdown: background work cut short: %w", ctx.Err())
	}
}

// maxInFlight is how many HTTP requests are handled at once: enough to keep
// both the CPU and SQLite busy, few enough that each is acknowledged fast.
const maxInFlight = 64

// ackTimeout bounds the work done before an acknowledgement: Slack waits
// three seconds, and the ack itself needs a moment to travel.
const ackTimeout = 2 * time.Second

// ackWindow is how long the work before an acknowledgement may take.
func (b *Bot) ackWindow() time.Duration { return cmp.Or(b.ackWithin, ackTimeout) }

// ackBound bounds the work before an acknowledgement by its window, unless
// ctx ends by then already: the HTTP handler and Socket Mode bound it from
// the request's arrival, and a second deadline would cost a timer and a
// context for every request and change nothing.
func (b *Bot) ackBound(ctx context.Context) (context.Context, context.CancelFunc) {
	window := b.ackWindow()
	if d, ok := ctx.Deadline(); ok && time.Until(d) <= window {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, window)
}

// explain logs an unexpected error and returns the sentence for the user.
func (b *Bot) explain(err error, what string) flows.Msg {
	var ue *flows.UserError
	if !errors.As(err, &ue) {
		b.log.Error(what, "err", err)
	}
	return flows.Explain(err)
}

// Ready reports whether the bot can serve: the database answers and takes
// a write, and Slack is connected.
func (b *Bot) Ready(ctx context.Context) error {
	if err := b.svc.Ready(ctx); err != nil {
		return err
	}
	if !b.connected.Load() {
		return errors.New("slack: not connected")
	}
	return nil
}
