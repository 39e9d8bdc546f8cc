package bot

import (
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"html"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/racebot/racebot/install"
	"github.com/slack-go/slack"
)

// BotScopes are the bot scopes racebot asks for when it is installed: the
// same list as slack/manifest.http.yml (a test keeps them equal).
var BotScopes = []string{
	"commands", "chat:write", "channels:history", "groups:history", "files:write", "files:read",
	"users:read", "im:write", "im:history", "app_mentions:read",
}

const (
	// stateCookie holds the state of an install begun in this browser, as
	// Bolt's does: a state that reached the redirect from another browser
	// (a link someone was sent) is refused.
	stateCookie = "slack-app-oauth-state"
	// stateLife bounds the time from "Add to Slack" to Slack's redirect.
	stateLife = 10 * time.Minute
)

var (
	errBadState    = errors.New("install state is forged or damaged")
	errStaleState  = errors.New("install state has expired")
	errStateCookie = errors.New("install state does not match this browser's")
)

// newState is a nonce and an expiry, signed: nonce.expiry.hex(HMAC-SHA256).
func newState(secret string, now time.Time) string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	body := hex.EncodeToString(b) + "." + strconv.FormatInt(now.Add(stateLife).Unix(), 10)
	return body + "." + stateMAC(secret, body)
}

func stateMAC(secret, body string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(body))
	return hex.EncodeToString(mac.Sum(nil))
}

// checkState verifies a state's signature and expiry, and that it is the
// one this browser was given.
func checkState(secret, state, cookie string, now time.Time) error {
	i := strings.LastIndexByte(state, '.')
	if i < 0 {
		return errBadState
	}
	body, sig := state[:i], state[i+1:]
	if !hmac.Equal([]byte(sig), []byte(stateMAC(secret, body))) {
		return errBadState
	}
	_, exp, ok := strings.Cut(body, ".")
	unix, err := strconv.ParseInt(exp, 10, 64)
	if !ok || err != nil {
		return errBadState
	}
	if !now.Before(time.Unix(unix, 0)) {
		return errStaleState
	}
	if cookie == "" || !hmac.Equal([]byte(cookie), []byte(state)) {
		return errStateCookie
	}
	return nil
}

// authorizeURL is Slack's install page. It lives on the host of the Web
// API, so that a SLACK_API_URL pointing elsewhere (a test's fake) moves it
// too.
func (o *OAuth) authorizeURL() string {
	u, err := url.Parse(cmp.Or(o.APIURL, slack.APIURL))
	if err != nil {
		return "https://slack.com/oauth/v2/authorize"
	}
	return u.Scheme + "://" + u.Host + "/oauth/v2/authorize"
}

// redirectURL is where Slack sends the browser back after the install.
func (o *OAuth) redirectURL(r *http.Request) string {
	if o.RedirectURL != "" {
		return o.RedirectURL
	}
	scheme := "https"
	if r.TLS == nil && r.Header.Get("X-Forwarded-Proto") != "https" && isLoopback(r.Host) {
		scheme = "http"
	}
	return scheme + "://" + r.Host + "/slack/oauth_redirect"
}

func isLoopback(host string) bool {
	h := host
	if i := strings.LastIndexByte(h, ':'); i >= 0 {
		h = h[:i]
	}
	return h == "localhost" || h == "127.0.0.1" || h == "[::1]"
}

// handleInstall starts an install: it sends the browser to Slack's
// authorize page with racebot's bot scopes and a signed, expiring state,
// and keeps the state in a cookie to compare on the way back.
func (b *Bot) handleInstall(w http.ResponseWriter, r *http.Request) {
	o := b.oauth
	state := newState(o.StateSecret, b.now())
	http.SetCookie(w, &http.Cookie{
		Name: stateCookie, Value: state, Path: "/slack", MaxAge: int(stateLife / time.Second),
		HttpOnly: true, Secure: r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https", SameSite: http.SameSiteLaxMode,
	})
	q := url.Values{
		"client_id":    {o.ClientID},
		"scope":        {strings.Join(BotScopes, ",")},
		"redirect_uri": {o.redirectURL(r)},
		"state":        {state},
	}
	http.Redirect(w, r, o.authorizeURL()+"?"+q.Encode(), http.StatusFound)
}

// handleRedirect finishes an install: Slack sends the browser back with a
// code, which oauth.v2.access exchanges for the workspace's tokens.
func (b *Bot) handleRedirect(w http.ResponseWriter, r *http.Request) {
	o := b.oauth
	q := r.URL.Query()
	// The state is spent whatever happens next.
	http.SetCookie(w, &http.Cookie{Name: stateCookie, Value: "", Path: "/slack", MaxAge: -1, HttpOnly: true})
	if e := q.Get("error"); e != "" {
		b.metrics.Install("cancelled")
		page(w, http.StatusOK, "Installation cancelled",
			"racebot was not added to your workspace, and nothing was stored. You can start again from the install link whenever you like.")
		return
	}
	cookie := ""
	if c, err := r.Cookie(stateCookie); err == nil {
		cookie = c.Value
	}
	if err := checkState(o.StateSecret, q.Get("state"), cookie, b.now()); err != nil {
		b.metrics.Install("refused")
		b.log.Warn("install refused", "err", err, "remote", r.RemoteAddr)
		page(w, http.StatusBadRequest, "This install link has expired",
			"The install could not be verified: it was started too long ago, or in another browser. Please start again from the install link.")
		return
	}
	if q.Get("code") == "" {
		b.metrics.Install("refused")
		page(w, http.StatusBadRequest, "Installation failed", "Slack sent no authorization code. Please start again from the install link.")
		return
	}
	resp, err := slack.GetOAuthV2ResponseContext(r.Context(), b.ws.http, o.ClientID, o.ClientSecret, q.Get("code"), o.redirectURL(r), slack.OAuthOptionAPIURL(b.ws.apiURL()))
	if err != nil {
		b.metrics.Install("failed")
		b.log.Warn("install: oauth.v2.access", "err", err)
		page(w, http.StatusBadGateway, "Installation failed", "Slack did not accept the install. Please start again from the install link.")
		return
	}
	in := install.Installation{
		EnterpriseID:      resp.Enterprise.ID,
		TeamID:            resp.Team.ID,
		EnterpriseInstall: resp.IsEnterpriseInstall,
		AppID:             resp.AppID,
		BotUserID:         resp.BotUserID,
		Scopes:            resp.Scope,
		InstalledBy:       resp.AuthedUser.ID,
		BotToken:          resp.AccessToken,
		RefreshToken:      resp.RefreshToken,
		InstalledAt:       b.now(),
	}
	if resp.ExpiresIn > 0 {
		in.ExpiresAt = b.now().Add(time.Duration(resp.ExpiresIn) * time.Second)
	}
	if in.EnterpriseInstall {
		in.TeamID = ""
	}
	if err := o.Installations.SaveInstallation(r.Context(), in); err != nil {
		b.metrics.Install("failed")
		b.log.Error("install: save", "team", in.TeamID, "enterprise", in.EnterpriseID, "err", err)
		page(w, http.StatusServiceUnavailable, "Installation failed", "racebot could not record the install. Please try again in a moment.")
		return
	}
	b.ws.forget(in.Key())
	b.metrics.Install("installed")
	b.log.Info("installed", "team", in.TeamID, "enterprise", in.EnterpriseID, "org_wide", in.EnterpriseInstall)
	page(w, http.StatusOK, "racebot is installed",
		"Next: invite @racebot to the channel where your team plans (/invite @racebot), then type /race new followed by a name for your plan, for example /race new Q1 Launch.")
}

// page answers the browser that came back from Slack's install screen.
// Its texts are racebot's own, escaped all the same; html/template would
// do the escaping for one fixed page at the cost of 80 KB of binary.
func page(w http.ResponseWriter, status int, title, text string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	title, text = html.EscapeString(title), html.EscapeString(text)
	_, _ = fmt.Fprintf(w, `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>%s</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;line-height:1.5}</style>
</head><body><h1>%s</h1><p>%s</p></body></html>
`, title, title, text)
}

// uninstalled stops serving a workspace whose app was removed or whose
// bot token was revoked: its installation is marked, so that every
// replica stops serving it and its schedules stop (see Serves), and this
// process forgets its client at once. Its data is kept for the retention
// (see purgeUninstalled), so a reinstall meanwhile finds it.
func (b *Bot) uninstalled(ctx context.Context, t tenant, orgWide bool, eventTime int, event string) error {
	if !b.ws.multi() {
		b.log.Warn("app removed from a workspace served with SLACK_BOT_TOKEN; remove the token to stop serving it", "team", t.team, "event", event)
		return nil
	}
	store := b.oauth.Installations
	var in install.Installation
	var err error
	if orgWide {
		in, err = store.Installation(ctx, install.Key{EnterpriseID: t.enterprise, EnterpriseInstall: true})
	} else {
		in, err = store.FindInstallation(ctx, t.enterprise, t.team)
	}
	switch {
	case errors.Is(err, install.ErrNotInstalled):
		return nil
	case err != nil:
		return fmt.Errorf("%s: %w", event, err)
	case !orgWide && in.EnterpriseInstall:
		// The workspace's own installation is gone already (this is
		// the event delivered again, or the second of
		// tokens_revoked and app_uninstalled): what serves it now is
		// its organisation's, which this event did not remove.
		return nil
	case eventTime > 0 && time.Unix(int64(eventTime), 0).Before(in.InstalledAt.Truncate(time.Second)):
		// Sent before the current install, by Slack's clock against
		// racebot's: a removal delivered again (or late) after the
		// workspace installed racebot anew, which removed the
		// installation before, not this one; or this one's, seen
		// through clocks apart. Slack tells them apart (see
		// uninstalledAhead), after the ack: a slow Slack must not hold
		// the ack past Slack's three seconds. The check is stored
		// before the ack, so that one Slack cannot answer yet, or that
		// a shutdown cuts short, is made by whichever racebot runs
		// then (see uninstallCheckTick), not forgotten with this one.
		k := in.Key()
		if _, err := store.MoveUninstallCheck(ctx, k, in.InstalledAt, time.Time{}, b.now()); err != nil {
			return fmt.Errorf("%s: %w", event, err)
		}
		b.later(ctx, "check an uninstall", func(ctx context.Context) { b.checkUninstall(ctx, k, event) })
		return nil
	}
	return b.markUninstalled(ctx, in, event)
}

// uninstallRechecks are the waits before Slack is asked again about a
// removal's token when it could not say: acknowledged, the event is not
// delivered again, so racebot asks again itself, first as Slack would
// have retried (a minute, then five), then less often, and hourly after
// the last until Slack says or the workspace installs racebot again: a
// removed installation is not served on for good, and a Slack that
// cannot say for a day is asked some 24 times.
var uninstallRechecks = []time.Duration{time.Minute, 5 * time.Minute, 15 * time.Minute, time.Hour}

// checkUninstall makes the check of k's removal that uninstalled stored,
// if it is due and still pending: a reinstall saved meanwhile ended it,
// and another delivery's may be due later.
func (b *Bot) checkUninstall(ctx context.Context, k install.Key, event string) {
	in, err := b.oauth.Installations.Installation(ctx, k)
	switch {
	case errors.Is(err, install.ErrNotInstalled):
		return
	case err != nil:
		// Still due: the next tick makes it.
		b.log.Warn("uninstall from before the current install: read the installation; checked later", "team", k.TeamID, "enterprise", k.EnterpriseID, "event", event, "err", err)
		return
	case !in.Active():
		// Taken meanwhile, by another delivery or replica.
		b.ws.forget(k)
		return
	case in.UninstallCheckAt.IsZero() || in.UninstallCheckAt.After(b.now()):
		return
	}
	b.recheck(ctx, in, event)
}

// uninstallCheckTick makes the uninstall checks that are due: those Slack
// could not answer before, on this racebot or another, and any that a
// racebot stopped before making.
func (b *Bot) uninstallCheckTick(ctx context.Context) {
	if !b.ws.multi() {
		return
	}
	due, err := b.oauth.Installations.UninstallChecksDue(ctx, b.now())
	if err != nil && ctx.Err() == nil {
		b.uninstallChecksLeftOut(err)
	}
	for _, in := range due {
		if ctx.Err() != nil {
			return
		}
		b.recheck(withTeam(ctx, in.EnterpriseID, in.TeamID), in, "uninstall check")
	}
}

// leftOut is an installation, as installed at one time, whose uninstall
// check this racebot's token key cannot make.
type leftOut struct {
	key         install.Key
	installedAt int64
}

// uninstallChecksLeftOut logs what listing the due uninstall checks
// failed with. An installation left out because its tokens do not open
// with this racebot's key (another racebot's, or one rotated since) stays
// left out on every tick: it is said once per process, not every minute.
func (b *Bot) uninstallChecksLeftOut(err error) {
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	for _, err := range errs {
		var out *install.LeftOut
		if !errors.As(err, &out) {
			b.log.Error("list uninstall checks", "err", err)
			continue
		}
		if _, said := b.leftOut.LoadOrStore(leftOut{out.Key, out.InstalledAt.UnixMilli()}, true); said {
			continue
		}
		b.log.Error("uninstall check not made here: the installation's tokens do not open with this racebot's token key (another racebot's, or one rotated since); left due for a racebot whose key opens them; said once",
			"team", out.Key.TeamID, "enterprise", out.Key.EnterpriseID, "err", out.Err)
	}
}

// recheck asks Slack about the token of in, whose removal's check is due.
// The check is first moved to when it is next due: of racebots finding it
// due at once, one asks, and one that stops before Slack answers leaves
// it due then. Slack's answer ends it (see uninstalledAhead); without one,
// it stays due then.
func (b *Bot) recheck(ctx context.Context, in install.Installation, event string) {
	wait := uninstallRechecks[min(in.UninstallChecks, len(uninstallRechecks)-1)]
	next := b.now().Add(wait)
	moved, err := b.oauth.Installations.MoveUninstallCheck(ctx, in.Key(), in.InstalledAt, in.UninstallCheckAt, next)
	if err != nil {
		b.log.Warn("uninstall from before the current install: take the check; checked later", "team", in.TeamID, "enterprise", in.EnterpriseID, "event", event, "err", err)
		return
	}
	if !moved {
		// Another racebot took it, or the workspace installed racebot
		// again, or the removal was taken, since it was read.
		return
	}
	in.UninstallCheckAt = next
	err = b.uninstalledAhead(ctx, in, event)
	if err == nil {
		return
	}
	// From the hourly checks on, a removed workspace may have been
	// served for a while: said louder.
	level := slog.LevelWarn
	if in.UninstallChecks >= len(uninstallRechecks)-1 {
		level = slog.LevelError
	}
	b.log.Log(ctx, level, "uninstall from before the current install not taken yet: Slack could not say whether its token works, or the removal was not recorded; the workspace is still served, checked again later",
		"team", in.TeamID, "enterprise", in.EnterpriseID, "event", event, "checks", in.UninstallChecks+1, "in", wait, "err", err)
}

// uninstalledAhead takes a removal whose event time reads as before the
// current install, in, only if Slack refuses in's token: only a removed
// installation's token is refused. The token is the one just read: a
// client cached here may still hold the one before. A rotating token due
// for renewal is renewed first, and a removed installation's refresh
// token is refused as its bot token is. It runs after the ack, so Slack
// does not deliver the event again when it cannot say (the client has
// retried auth.test on connection errors, 5xx and rate limits by then):
// it returns that error, or the store's, and the check is made again when
// next due (see recheck). Slack's answer ends the check.
func (b *Bot) uninstalledAhead(ctx context.Context, in install.Installation, event string) error {
	s, err := b.ws.fresh(ctx, b.ws.adopt(in))
	if err == nil {
		_, err = s.client.api.AuthTestContext(ctx)
	}
	switch {
	case err == nil:
		b.log.Info("uninstall from before the current install left alone: its token works", "team", in.TeamID, "enterprise", in.EnterpriseID, "event", event)
		if _, err := b.oauth.Installations.MoveUninstallCheck(ctx, in.Key(), in.InstalledAt, in.UninstallCheckAt, time.Time{}); err != nil {
			// Left due: the next check finds the token working again.
			b.log.Warn("uninstall from before the current install: end the check", "team", in.TeamID, "enterprise", in.EnterpriseID, "event", event, "err", err)
		}
		return nil
	case errors.Is(err, install.ErrNotInstalled):
		// The renewal found it marked already: another delivery of
		// the removal, on this replica or another, took it.
		b.ws.forget(in.Key())
		return nil
	case !slackRefusal(err, "invalid_auth", "not_authed", "token_revoked", "account_inactive", "team_not_found", "invalid_refresh_token"):
		return err
	}
	return b.markUninstalled(ctx, in, event)
}

// reinstalledMeanwhile is logged for a removal that found the workspace
// installed again since the installation it removed.
const reinstalledMeanwhile = "uninstall left alone: the workspace installed racebot again since the installation it removed; nothing removed"

// markUninstalled marks in uninstalled, only if it is still the
// installation read: a reinstall saved meanwhile is not what the removal
// removed, and is neither counted nor logged as a removal.
func (b *Bot) markUninstalled(ctx context.Context, in install.Installation, event string) error {
	k := in.Key()
	store := b.oauth.Installations
	marked, err := store.MarkUninstalled(ctx, k, in.InstalledAt, b.now())
	if err != nil {
		return fmt.Errorf("%s: %w", event, err)
	}
	b.ws.forget(k)
	if !marked {
		// Installed again, or taken already by another delivery or
		// replica, which counted and logged it.
		if now, err := store.Installation(ctx, k); err == nil && !now.InstalledAt.Equal(in.InstalledAt) {
			b.log.Info(reinstalledMeanwhile, "team", k.TeamID, "enterprise", k.EnterpriseID, "event", event)
		}
		return nil
	}
	b.metrics.Install("uninstalled")
	b.log.Info("workspace uninstalled; no longer served, its data kept for the retention", "team", k.TeamID, "enterprise", k.EnterpriseID, "event", event)
	return nil
}

// purgeLoop deletes the data of workspaces uninstalled longer than the
// retention, once an hour.
func (b *Bot) purgeLoop(ctx context.Context) {
	if !b.ws.multi() {
		return
	}
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if err := b.purgeUninstalled(ctx); err != nil && ctx.Err() == nil {
			b.log.Warn("purge uninstalled workspaces", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// purgeUninstalled deletes the installations, and the data, of workspaces
// uninstalled longer than the retention ago.
func (b *Bot) purgeUninstalled(ctx context.Context) error {
	store := b.oauth.Installations
	before := b.now().Add(-cmp.Or(b.oauth.Retention, defaultRetention))
	ins, err := store.UninstalledBefore(ctx, before)
	if err != nil {
		return err
	}
	var errs []error
	for _, in := range ins {
		purged, err := store.PurgeInstallation(ctx, in.Key(), before)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !purged {
			// Installed again, or removed again, since it was listed: its
			// data stays.
			continue
		}
		b.metrics.Install("purged")
		b.log.Info("deleted the data of an uninstalled workspace", "team", in.TeamID, "enterprise", in.EnterpriseID)
	}
	return errors.Join(errs...)
}
