package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/racebot/racebot/assist"
	"github.com/racebot/racebot/bot"
	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/install"
	"github.com/racebot/racebot/metrics"
	"github.com/racebot/racebot/prompts"
	"github.com/racebot/racebot/scheduler"
	"github.com/racebot/racebot/storage"
	"github.com/slack-go/slack/socketmode"
)

// shutdownGrace bounds how long a stopping racebot waits for work already
// acknowledged (posts, uploads, drafts) before it closes the database.
const shutdownGrace = 10 * time.Second

// runSlack serves Slack until ctx ends: Socket Mode when an app token is
// set, otherwise the HTTP front door.
func runSlack(ctx context.Context, cfg Config, mode Mode, stderr io.Writer) error {
	logger := slog.New(slog.NewJSONHandler(stderr, nil))
	db, where, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()

	cat := flows.RACE()
	m := metrics.New()
	helper, err := newAssistant(cfg, cat, logger, m)
	if err != nil {
		return err
	}
	// With only OAuth configured there is no token of racebot's own: each
	// workspace's comes with its install.
	var api *bot.Client
	if cfg.SlackBotToken != "" {
		api = bot.NewAPI(cfg.SlackBotToken, cfg.SlackAppToken, apiURL(cfg.SlackAPIURL), bot.WithMetrics(m))
	}
	oauth, err := oauthConfig(cfg, db, m)
	if err != nil {
		return err
	}
	runner := &checkinRunner{}
	sched := scheduler.New(scheduler.ServedOnly(db, runner.serves), runner, scheduler.RealClock{}, logger, "")
	svc := coach.New(coach.Config{
		Catalogue: cat, Store: db, Schedules: sched.ForCoach(db), ParseSchedule: parseSchedule,
		NudgeAfter: cfg.NudgeAfter, CloseAfter: cfg.CloseAfter, Reminders: db,
	})
	b := bot.New(bot.Config{API: api, OAuth: oauth, Service: svc, Logger: logger, Assistant: helper, Metrics: m})
	runner.bot = b
	if err := b.Start(ctx); err != nil {
		return err
	}
	// The scheduler's first tick catches up a check-in missed while
	// racebot was down; afterwards it sleeps until the next one is due.
	schedCtx, stopSched := context.WithCancel(context.WithoutCancel(ctx))
	schedDone := make(chan struct{})
	go func() {
		defer close(schedDone)
		if err := sched.Run(schedCtx); err != nil {
			logger.Error("scheduler stopped", "err", err)
		}
	}()
	// One shutdown order, run once the front door has stopped taking
	// requests: no new check-ins (stop the scheduler), then let the bot
	// finish what it acknowledged, then close the store (deferred above).
	defer func() {
		stopSched()
		<-schedDone
		sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
		defer cancel()
		if err := b.Shutdown(sctx); err != nil {
			logger.Warn("shutdown", "err", err)
		}
	}()

	switch mode {
	case ModeSocket:
		// Socket Mode needs no public URL, but /healthz, /readyz and
		// /metrics still need a port of their own.
		opsDone := make(chan error, 1)
		opsCtx, stopOps := context.WithCancel(ctx)
		defer func() {
			stopOps()
			if err := <-opsDone; err != nil {
				logger.Warn("operations endpoints", "err", err)
			}
		}()
		go func() { opsDone <- serve(opsCtx, cfg.Addr, b.OpsHandler(), logger, "operations endpoints") }()
		logger.Info("racebot serving Slack over Socket Mode", "db", where)
		return b.RunSocket(ctx, socketmode.New(api.Slack()))
	default:
		logger.Info("racebot database", "db", where)
		return serve(ctx, cfg.Addr, b.HTTPHandler(cfg.SlackSigningSecret), logger, "Slack over HTTP")
	}
}

// serve runs an HTTP server on addr until ctx ends, then drains it.
func serve(ctx context.Context, addr string, h http.Handler, logger *slog.Logger, what string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      10 * time.Second,
	}
	logger.Info("racebot serving "+what, "addr", ln.Addr().String())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("http shutdown: %w", err)
	}
	return nil
}

// oauthConfig is the distributed app's configuration, nil when racebot
// serves only the workspace of SLACK_BOT_TOKEN.
func oauthConfig(cfg Config, db install.Store, m *metrics.Metrics) (*bot.OAuth, error) {
	if !cfg.OAuthEnabled() {
		return nil, nil
	}
	installs := db
	if cfg.TokenKey != nil {
		sealed, err := install.Sealed(db, cfg.TokenKey)
		if err != nil {
			return nil, err
		}
		installs = sealed
	}
	return &bot.OAuth{
		ClientID:      cfg.SlackClientID,
		ClientSecret:  cfg.SlackClientSecret,
		StateSecret:   cfg.SlackStateSecret,
		Installations: installs,
		APIURL:        apiURL(cfg.SlackAPIURL),
		APIOptions:    []bot.APIOption{bot.WithMetrics(m)},
		RedirectURL:   cfg.SlackRedirectURI,
		Retention:     cfg.UninstallRetention,
	}, nil
}

// apiURL makes sure the base URL ends in a slash: slack-go appends method
// names to it directly.
func apiURL(u string) string {
	if u != "" && !strings.HasSuffix(u, "/") {
		return u + "/"
	}
	return u
}

// newAssistant drafts with the configured model, or with the built-in coach
// when no model is configured. m, if not nil, times the model's calls.
func newAssistant(cfg Config, cat *flows.Catalogue, logger *slog.Logger, m *metrics.Metrics) (*assist.Assistant, error) {
	var model assist.Model
	if cfg.LLMEnabled() {
		model = meteredModel{Model: prompts.NewClient(prompts.Config{
			APIKey:  cfg.OpenAIKey,
			BaseURL: cfg.OpenAIBaseURL,
			Model:   cfg.OpenAIModel,
			Timeout: cfg.LLMTimeout,
		}, logger), metrics: m}
	}
	return assist.New(cat, model, logger)
}

// meteredModel records each model call's latency and tokens.
type meteredModel struct {
	assist.Model
	metrics *metrics.Metrics
}

func (m meteredModel) Complete(ctx context.Context, key string, msgs prompts.Messages) (prompts.Result, error) {
	start := time.Now()
	res, err := m.Model.Complete(ctx, key, msgs)
	m.metrics.LLM(time.Since(start), res.PromptTokens, res.CompletionTokens)
	return res, err
}

func (m meteredModel) Stream(ctx context.Context, key string, msgs prompts.Messages, onDelta func(string)) (prompts.Result, error) {
	start := time.Now()
	res, err := m.Model.Stream(ctx, key, msgs, onDelta)
	m.metrics.LLM(time.Since(start), res.PromptTokens, res.CompletionTokens)
	return res, err
}

var _ coach.Schedules = scheduler.CoachSchedules{}

var _ coach.ReminderStore = (*storage.DB)(nil)

// checkinRunner opens the scheduler's check-ins through the bot, and
// finishes those a stopped racebot left half-done.
type checkinRunner struct{ bot *bot.Bot }

var _ scheduler.Recoverer = (*checkinRunner)(nil)

// serves reports whether the bot serves a workspace, so that one that
// uninstalled racebot gets no check-ins.
func (r *checkinRunner) serves(ctx context.Context, team string) bool {
	return r.bot == nil || r.bot.Serves(ctx, team)
}

// RunCheckin opens the check-in and tells the scheduler when it may try
// again.
func (r *checkinRunner) RunCheckin(ctx context.Context, job scheduler.Job) (int64, error) {
	id, err := r.bot.OpenCheckin(ctx, job.Team, job.Plan, job.Key, job.Late, job.Missed)
	return id, r.outcome(ctx, job.Team, err)
}

// Recover finishes a check-in whose scheduler stopped mid-post: the bot
// looks in the plan's channel for the opening by the occurrence's key and
// records it, or posts it when it is not there.
func (r *checkinRunner) Recover(ctx context.Context, job scheduler.Job) (int64, error) {
	id, err := r.bot.RecoverCheckin(ctx, job.Team, job.Plan, job.Key, job.Late, job.Missed, job.Due)
	return id, r.outcome(ctx, job.Team, err)
}

// outcome tells the scheduler what err means for a check-in of team: a
// workspace that removed racebot while it was being posted gets nothing
// more (scheduler.ErrNotServed); otherwise, whether it may try again.
func (r *checkinRunner) outcome(ctx context.Context, team string, err error) error {
	if err != nil && r.bot.Left(ctx, team, err) {
		return fmt.Errorf("%w: %w", scheduler.ErrNotServed, err)
	}
	return retryable(err)
}

// retryable marks the errors after which the scheduler may try the
// check-in again (scheduler.ErrNotPosted): Slack certainly did not take
// the opening (a 429 after the client's own retries, no connection), or
// it may have and the bot could not tell. The second kind is safe to try
// again too, because the next try resumes the check-in the first one
// opened and looks for its post before posting (bot.OpenCheckin); so a
// Slack outage delays a check-in rather than failing it. Other errors
// (Slack refused the post, the database failed before anything was
// posted) are final.
func retryable(err error) error {
	if errors.Is(err, bot.ErrNotPosted) || errors.Is(err, bot.ErrMaybePosted) {
		return fmt.Errorf("%w: %w", scheduler.ErrNotPosted, err)
	}
	return err
}
