package bot

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/racebot/racebot/install"
	"github.com/slack-go/slack"
	"golang.org/x/sync/singleflight"
)

// A racebot installed through Slack's OAuth flow serves many workspaces,
// each with its own bot token. Every piece of work knows which workspace
// it is for: a request says so (team id, enterprise id), background work
// carries a plan's, check-in's or reminder's team. The workspace travels
// in the context, so that the poster and every Slack call below a handler
// pick the client of that workspace without each function growing a
// parameter; with only SLACK_BOT_TOKEN configured every workspace gets the
// one client, as before.

// tenant is the workspace a piece of work is for: its team, and its
// Enterprise Grid organisation when the request named one.
type tenant struct{ enterprise, team string }

type tenantKey struct{}

// withTeam marks ctx as work for a workspace.
func withTeam(ctx context.Context, enterprise, team string) context.Context {
	return context.WithValue(ctx, tenantKey{}, tenant{enterprise: enterprise, team: team})
}

// withTenant marks ctx as work for t.
func withTenant(ctx context.Context, t tenant) context.Context {
	return context.WithValue(ctx, tenantKey{}, t)
}

// onTeam marks ctx as work for team unless it already names one.
func onTeam(ctx context.Context, team string) context.Context {
	if tenantOf(ctx).team != "" || team == "" {
		return ctx
	}
	return withTeam(ctx, "", team)
}

func tenantOf(ctx context.Context) tenant {
	t, _ := ctx.Value(tenantKey{}).(tenant)
	return t
}

// OAuth configures racebot as a distributed app (see oauth.go): installs
// through Slack's OAuth v2 flow, one bot token per workspace.
type OAuth struct {
	ClientID     string
	ClientSecret string
	// StateSecret signs the state that ties Slack's redirect to the install
	// that started it.
	StateSecret string
	// Installations keeps the installs.
	Installations install.Store
	// APIURL is Slack's Web API root (SLACK_API_URL), ending in "/"; empty
	// means Slack's own. oauth.v2.access and the authorize page are found
	// from it too.
	APIURL string
	// APIOptions configure each workspace's client (see NewAPI).
	APIOptions []APIOption
	// RedirectURL is where Slack sends the browser back; empty derives it
	// from the install request: https://<host>/slack/oauth_redirect.
	RedirectURL string
	// Retention keeps an uninstalled workspace's data this long before it
	// is deleted; zero means thirty days.
	Retention time.Duration
}

const (
	// defaultRetention keeps an uninstalled workspace's data a month, so
	// that a reinstall after a mistake finds its plans.
	defaultRetention = 30 * 24 * time.Hour
	// refreshAhead renews a rotating token this long before it expires.
	refreshAhead = 10 * time.Minute
	// installCacheFor bounds how long a process trusts what it read of an
	// installation: another replica may have rotated its tokens or seen
	// the app uninstalled.
	installCacheFor = time.Minute
)

// served is an installation with its client; never changed once made, a
// newer one replaces it.
type served struct {
	in     install.Installation
	client *Client
	// at is when the installation was read.
	at time.Time
}

// workspaces picks each workspace's Slack client.
type workspaces struct {
	single *Client
	// singleServed serves with single, made once: every Slack call asks.
	singleServed *served
	oauth        *OAuth
	now          func() time.Time
	newClient    func(token string) *Client
	http         *http.Client
	// refused answers every call with errNotServed, for work whose
	// workspace is not served.
	refused *Client
	onEvent func(outcome string)

	mu       sync.Mutex
	teams    map[tenant]*served
	installs map[install.Key]*served
	noted    map[string]bool
	flights  singleflight.Group
}

// errNotServed means racebot does not serve the workspace: it was never
// installed there, or it was uninstalled.
var errNotServed = fmt.Errorf("workspace not served: %w", install.ErrNotInstalled)

// errNoClient means the workspace's client could not be had for now: its
// installation could not be read, or its token not renewed. Unlike
// errNotServed it says nothing of whether racebot still serves it.
var errNoClient = errors.New("no Slack client for the workspace")

// refusingDoer fails every call with err, sending nothing.
type refusingDoer struct{ err error }

func (d refusingDoer) Do(*http.Request) (*http.Response, error) { return nil, d.err }

func refusingClient(err error) *Client {
	d := refusingDoer{err}
	return &Client{api: slack.New("", slack.OptionHTTPClient(d)), chat: chatPoster{http: d}}
}

func newWorkspaces(single *Client, o *OAuth, now func() time.Time, onEvent func(string)) *workspaces {
	w := &workspaces{
		single:       single,
		singleServed: &served{client: single},
		oauth:        o,
		now:          now,
		refused:      refusingClient(errNotServed),
		onEvent:      onEvent,
		teams:        map[tenant]*served{},
		installs:     map[install.Key]*served{},
		noted:        map[string]bool{},
		http:         &http.Client{Timeout: 30 * time.Second},
	}
	if o != nil {
		w.newClient = func(token string) *Client { return NewAPI(token, "", o.APIURL, o.APIOptions...) }
	}
	return w
}

// multi reports whether workspaces are served with tokens of their own.
func (w *workspaces) multi() bool { return w.oauth != nil }

// client is the Slack client for the workspace ctx is for. When racebot
// does not serve it, it is a refusing one whose every call fails with
// errNotServed; when the installation could not be read or renewed, one
// whose calls fail with errNoClient and the cause, so that the work is
// tried again or reported, not dropped as if the workspace had left.
func (w *workspaces) client(ctx context.Context) *Client {
	s, err := w.resolve(ctx, tenantOf(ctx))
	switch {
	case err == nil:
		return s.client
	case errors.Is(err, install.ErrNotInstalled):
		return w.refused
	}
	// The cause is kept as text: a renewal Slack turned down carries its
	// SlackErrorResponse, which must not pass for Slack's answer to the
	// call (refused), as if this call had reached it.
	return refusingClient(fmt.Errorf("%w: %v", errNoClient, err))
}

// resolve finds the installation serving t, renewing its token when it is
// about to expire. With SLACK_BOT_TOKEN set too, a workspace with no
// installation of its own is served with that token.
func (w *workspaces) resolve(ctx context.Context, t tenant) (*served, error) {
	if w.oauth == nil {
		return w.singleServed, nil
	}
	w.mu.Lock()
	s := w.teams[t]
	w.mu.Unlock()
	if s == nil || w.now().Sub(s.at) >= installCacheFor {
		in, err := w.oauth.Installations.FindInstallation(ctx, t.enterprise, t.team)
		if errors.Is(err, install.ErrNotInstalled) && w.single != nil {
			return w.singleServed, nil
		}
		if err != nil {
			w.forgetTenant(t)
			return nil, err
		}
		if in.EnterpriseInstall && t.enterprise != "" && t.team != "" {
			w.note(ctx, t)
		}
		s = w.adopt(in)
		w.mu.Lock()
		w.teams[t] = s
		w.mu.Unlock()
	}
	return w.fresh(ctx, s)
}

// note records, once per process, the organisation a workspace served by
// an org-wide install belongs to, for background work that knows only
// the team.
func (w *workspaces) note(ctx context.Context, t tenant) {
	w.mu.Lock()
	done := w.noted[t.team]
	w.noted[t.team] = true
	w.mu.Unlock()
	if done {
		return
	}
	if err := w.oauth.Installations.NoteWorkspace(ctx, t.enterprise, t.team); err != nil {
		w.mu.Lock()
		delete(w.noted, t.team)
		w.mu.Unlock()
	}
}

// adopt makes the served form of an installation just read, keeping the
// client of the one before when the token is the same.
func (w *workspaces) adopt(in install.Installation) *served {
	w.mu.Lock()
	defer w.mu.Unlock()
	s := &served{in: in, at: w.now()}
	if old := w.installs[in.Key()]; old != nil && old.in.BotToken == in.BotToken {
		s.client = old.client
	} else {
		s.client = w.newClient(in.BotToken)
	}
	w.installs[in.Key()] = s
	for t, o := range w.teams {
		if o.in.Key() == in.Key() {
			w.teams[t] = s
		}
	}
	return s
}

func (w *workspaces) due(in install.Installation) bool {
	return in.RefreshToken != "" && !in.ExpiresAt.IsZero() && !w.now().Before(in.ExpiresAt.Add(-refreshAhead))
}

// fresh renews the installation's token when it is about to expire: once
// in this process however many requests ask at the same time
// (singleflight), once across processes (the store's compare-and-swap on
// the refresh token; the loser reads the winner's pair).
func (w *workspaces) fresh(ctx context.Context, s *served) (*served, error) {
	if !w.due(s.in) {
		return s, nil
	}
	k := s.in.Key()
	v, err, _ := w.flights.Do(fmt.Sprintf("%s/%s/%t", k.EnterpriseID, k.TeamID, k.EnterpriseInstall), func() (any, error) {
		// The flight outlives the request that started it: the others
		// waiting on it have deadlines of their own.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		return w.rotate(ctx, k)
	})
	if err != nil {
		return nil, err
	}
	return v.(*served), nil
}

func (w *workspaces) rotate(ctx context.Context, k install.Key) (*served, error) {
	store := w.oauth.Installations
	// A flight that ended just before this one began has rotated already;
	// the store has the latest pair, whoever rotated it.
	in, err := store.Installation(ctx, k)
	if err != nil {
		return nil, err
	}
	if !in.Active() {
		return nil, errNotServed
	}
	if !w.due(in) {
		return w.adopt(in), nil
	}
	resp, err := slack.RefreshOAuthV2TokenContext(ctx, w.http, w.oauth.ClientID, w.oauth.ClientSecret, in.RefreshToken, slack.OAuthOptionAPIURL(w.apiURL()))
	if err != nil {
		// Another process may have spent the refresh token first.
		if again, rerr := store.Installation(ctx, k); rerr == nil && again.RefreshToken != in.RefreshToken {
			return w.adopt(again), nil
		}
		w.onEvent("refresh_failed")
		return nil, fmt.Errorf("refresh token: %w", err)
	}
	expires := w.now().Add(time.Duration(resp.ExpiresIn) * time.Second)
	switch err := store.RotateTokens(ctx, k, in.RefreshToken, resp.AccessToken, resp.RefreshToken, expires); {
	case errors.Is(err, install.ErrRotated):
		again, err := store.Installation(ctx, k)
		if err != nil {
			return nil, err
		}
		return w.adopt(again), nil
	case err != nil:
		w.onEvent("refresh_failed")
		return nil, fmt.Errorf("store rotated tokens: %w", err)
	}
	w.onEvent("refreshed")
	in.BotToken, in.RefreshToken, in.ExpiresAt = resp.AccessToken, resp.RefreshToken, expires
	return w.adopt(in), nil
}

func (w *workspaces) apiURL() string { return cmp.Or(w.oauth.APIURL, slack.APIURL) }

// forget drops what this process knows of an installation, so that the
// next request for one of its workspaces reads the store.
func (w *workspaces) forget(k install.Key) {
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.installs, k)
	for t, s := range w.teams {
		if s.in.Key() == k {
			delete(w.teams, t)
		}
	}
}

func (w *workspaces) forgetTenant(t tenant) {
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.teams, t)
}

// teamCtx is a context for work for team, to hand to later from a place
// with no request context.
func teamCtx(team string) context.Context { return withTeam(context.Background(), "", team) }

// interactionCtx is teamCtx for an interaction's workspace.
func interactionCtx(cb slack.InteractionCallback) context.Context {
	return withTeam(context.Background(), cb.Enterprise.ID, cmp.Or(cb.Team.ID, cb.User.TeamID))
}

// slack is the Slack client for the workspace ctx is for.
func (b *Bot) slack(ctx context.Context) *slack.Client { return b.ws.client(ctx).api }

// serves reports whether racebot serves the workspace t: always with only
// SLACK_BOT_TOKEN, otherwise while an installation does.
func (b *Bot) serves(ctx context.Context, t tenant) bool {
	if !b.ws.multi() {
		return true
	}
	_, err := b.ws.resolve(ctx, t)
	if err != nil && !errors.Is(err, install.ErrNotInstalled) {
		// The store or Slack failed, not the installation: serve, and let
		// the work itself report what went wrong.
		b.log.Warn("installation lookup", "team", t.team, "enterprise", t.enterprise, "err", err)
		return true
	}
	return err == nil
}

// Serves reports whether racebot serves the workspace team, for the
// scheduler's check-ins: a workspace that uninstalled the app gets none.
func (b *Bot) Serves(ctx context.Context, team string) bool {
	return b.serves(ctx, tenant{team: team})
}

// failed logs work for Slack that did not get done. When the workspace
// has removed racebot meanwhile that is no error: its work is dropped,
// at info. The call may have been stopped here (errNotServed) or, when
// it was already on its way, refused by Slack for the revoked token.
func (b *Bot) failed(ctx context.Context, what string, err error, args ...any) {
	args = append(args, "err", err)
	if b.left(ctx, err) {
		b.log.Info(what+": the workspace removed racebot; dropped", args...)
		return
	}
	b.log.Error(what, args...)
}

// Left reports whether err, from work for the workspace team, comes of
// that workspace having removed racebot, for the scheduler's check-ins.
func (b *Bot) Left(ctx context.Context, team string, err error) bool {
	return b.left(onTeam(ctx, team), err)
}

// left reports whether err comes of the workspace ctx is for having
// removed racebot.
func (b *Bot) left(ctx context.Context, err error) bool {
	if errors.Is(err, install.ErrNotInstalled) {
		return true
	}
	var slackErr slack.SlackErrorResponse
	if !b.ws.multi() || !errors.As(err, &slackErr) {
		return false
	}
	switch slackErr.Err {
	case "invalid_auth", "not_authed", "token_revoked", "account_inactive", "team_not_found":
		// Only these answers ask the store (or, past the cache, Slack for
		// a renewed token); an installation this process has cached for
		// the last minute counts as served, so an uninstall another
		// replica took is still an error here until then.
		return !b.serves(ctx, tenantOf(ctx))
	}
	return false
}

// botUser is racebot's own user in the workspace ctx is for.
func (b *Bot) botUser(ctx context.Context) string {
	if b.ws.multi() {
		if s, err := b.ws.resolve(ctx, tenantOf(ctx)); err == nil && s.in.BotUserID != "" {
			return s.in.BotUserID
		}
	}
	return b.botUserID
}
