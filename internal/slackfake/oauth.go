package slackfake

import (
	"cmp"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// MethodOAuthAccess is the Web API method that exchanges an install's code,
// or a refresh token, for tokens.
const MethodOAuthAccess = "oauth.v2.access"

// OAuthApp is the distributed app as Slack knows it: its client
// credentials, and whether token rotation is on.
type OAuthApp struct {
	ClientID     string
	ClientSecret string
	// Rotation hands out expiring bot tokens with refresh tokens.
	Rotation bool
	// ExpiresIn is a rotating token's life; zero means twelve hours, as
	// Slack's.
	ExpiresIn time.Duration
}

// Workspace is a Slack workspace, or an Enterprise Grid organisation for
// an org-wide install (EnterpriseInstall, TeamID empty), that the app can
// be installed in.
type Workspace struct {
	TeamID            string
	TeamName          string
	EnterpriseID      string
	EnterpriseInstall bool
	// BotUserID is the app's bot user there; "UBOT" + the team (or
	// enterprise) id if blank.
	BotUserID string
	// Installer approves the install; "UADMIN" if blank.
	Installer string
}

// key names the installation a token belongs to: the enterprise for an
// org-wide install, the team otherwise.
func (w Workspace) key() string {
	if w.EnterpriseInstall {
		return w.EnterpriseID
	}
	return w.TeamID
}

func (w Workspace) botUser() string { return cmp.Or(w.BotUserID, "UBOT"+w.key()) }

// issued is a bot token the fake handed out.
type issued struct {
	ws      Workspace
	expires time.Time // zero: never
	revoked bool
}

// grant is an authorization code waiting for its exchange.
type grant struct {
	ws       Workspace
	redirect string
}

type oauthState struct {
	app     OAuthApp
	tokens  map[string]*issued   // bot token -> its workspace
	refresh map[string]Workspace // refresh token -> its workspace
	codes   map[string]grant
}

// SetOAuthApp makes the fake know a distributed app, so that
// oauth.v2.access answers for it.
func (f *Fake) SetOAuthApp(app OAuthApp) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.oauth.app = app
}

// AddWorkspace makes the fake know a workspace with the app installed and
// returns its bot token. Once any workspace is known (this way or through
// an install), Web API calls are answered only for tokens the fake issued
// and has not revoked, so a call made with another workspace's token, or
// a made-up one, is told invalid_auth, and Call.Team says whose token
// each call carried.
func (f *Fake) AddWorkspace(ws Workspace) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	token, _ := f.issueLocked(ws, false)
	return token
}

func (f *Fake) issueLocked(ws Workspace, rotating bool) (token, refresh string) {
	f.oauthInitLocked()
	token = fmt.Sprintf("xoxb-%s-%s", ws.key(), randomHex(8))
	it := &issued{ws: ws}
	if rotating {
		it.expires = time.Now().Add(cmp.Or(f.oauth.app.ExpiresIn, 12*time.Hour))
		refresh = "xoxe-1-" + randomHex(12)
		f.oauth.refresh[refresh] = ws
	}
	f.oauth.tokens[token] = it
	return token, refresh
}

func (f *Fake) oauthInitLocked() {
	if f.oauth.tokens == nil {
		f.oauth.tokens = map[string]*issued{}
		f.oauth.refresh = map[string]Workspace{}
		f.oauth.codes = map[string]grant{}
	}
}

// BotTokens lists the tokens the fake issued for a workspace (by team id,
// or enterprise id for an org-wide install) and has not revoked, in no
// particular order.
func (f *Fake) BotTokens(key string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for tok, it := range f.oauth.tokens {
		if it.ws.key() == key && !it.revoked {
			out = append(out, tok)
		}
	}
	return out
}

// Revoke revokes every token of a workspace, as Slack does when the app
// is uninstalled.
func (f *Fake) Revoke(key string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, it := range f.oauth.tokens {
		if it.ws.key() == key {
			it.revoked = true
		}
	}
	for r, ws := range f.oauth.refresh {
		if ws.key() == key {
			delete(f.oauth.refresh, r)
		}
	}
	f.notifyLocked()
}

// Approve is a person approving the install Slack's authorize page at
// authorizeURL asks for (the URL an app's install link redirected to), in
// ws. It returns where Slack sends the browser back: the redirect_uri
// with a single-use code and the state the app passed. The authorize
// request must name the fake's app and ask for bot scopes.
func (f *Fake) Approve(authorizeURL string, ws Workspace) (string, error) {
	q, err := f.authorizeQuery(authorizeURL)
	if err != nil {
		return "", err
	}
	code := "code-" + randomHex(8)
	f.mu.Lock()
	f.oauthInitLocked()
	f.oauth.codes[code] = grant{ws: ws, redirect: q.Get("redirect_uri")}
	f.mu.Unlock()
	return withQuery(q.Get("redirect_uri"), url.Values{"code": {code}, "state": {q.Get("state")}}), nil
}

// Deny is a person cancelling the install at authorizeURL; it returns
// where Slack sends the browser back, with error=access_denied.
func (f *Fake) Deny(authorizeURL string) (string, error) {
	q, err := f.authorizeQuery(authorizeURL)
	if err != nil {
		return "", err
	}
	return withQuery(q.Get("redirect_uri"), url.Values{"error": {"access_denied"}, "state": {q.Get("state")}}), nil
}

func (f *Fake) authorizeQuery(authorizeURL string) (url.Values, error) {
	u, err := url.Parse(authorizeURL)
	if err != nil {
		return nil, fmt.Errorf("slackfake: authorize URL: %w", err)
	}
	if u.Path != "/oauth/v2/authorize" {
		return nil, fmt.Errorf("slackfake: %s is not Slack's authorize page", authorizeURL)
	}
	q := u.Query()
	f.mu.Lock()
	app := f.oauth.app
	f.mu.Unlock()
	switch {
	case app.ClientID == "" || q.Get("client_id") != app.ClientID:
		return nil, fmt.Errorf("slackfake: authorize for client %q, the app is %q", q.Get("client_id"), app.ClientID)
	case q.Get("scope") == "":
		return nil, fmt.Errorf("slackfake: authorize without bot scopes")
	case q.Get("redirect_uri") == "":
		return nil, fmt.Errorf("slackfake: authorize without a redirect_uri")
	}
	return q, nil
}

func withQuery(base string, v url.Values) string {
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + v.Encode()
}

// oauthV2Access exchanges a code, or with grant_type=refresh_token a
// refresh token, for tokens. A refresh hands out a new pair and retires
// the old bot token and refresh token.
func (f *Fake) oauthV2Access(r *apiRequest) (map[string]any, error) {
	f.oauthInitLocked()
	app := f.oauth.app
	if app.ClientID == "" || r.get("client_id") != app.ClientID || r.get("client_secret") != app.ClientSecret {
		return nil, apiError("invalid_client")
	}
	var ws Workspace
	if r.get("grant_type") == "refresh_token" {
		old := r.get("refresh_token")
		w, ok := f.oauth.refresh[old]
		if !ok {
			return nil, apiError("invalid_refresh_token")
		}
		delete(f.oauth.refresh, old)
		for _, it := range f.oauth.tokens {
			if it.ws.key() == w.key() {
				it.revoked = true
			}
		}
		ws = w
	} else {
		g, ok := f.oauth.codes[r.get("code")]
		if !ok {
			return nil, apiError("invalid_code")
		}
		delete(f.oauth.codes, r.get("code"))
		if r.get("redirect_uri") != g.redirect {
			return nil, apiError("bad_redirect_uri")
		}
		ws = g.ws
		// A reinstall replaces the workspace's tokens.
		for _, it := range f.oauth.tokens {
			if it.ws.key() == ws.key() {
				it.revoked = true
			}
		}
	}
	token, refresh := f.issueLocked(ws, app.Rotation)
	out := map[string]any{
		"access_token":          token,
		"token_type":            "bot",
		"scope":                 "app_mentions:read,channels:history,chat:write,commands",
		"bot_user_id":           ws.botUser(),
		"app_id":                AppID,
		"is_enterprise_install": ws.EnterpriseInstall,
		"authed_user":           map[string]any{"id": cmp.Or(ws.Installer, "UADMIN")},
		"team":                  nil,
		"enterprise":            nil,
	}
	if !ws.EnterpriseInstall {
		out["team"] = map[string]any{"id": ws.TeamID, "name": cmp.Or(ws.TeamName, ws.TeamID)}
	}
	if ws.EnterpriseID != "" {
		out["enterprise"] = map[string]any{"id": ws.EnterpriseID, "name": ws.EnterpriseID}
	}
	if refresh != "" {
		out["refresh_token"] = refresh
		out["expires_in"] = int(cmp.Or(app.ExpiresIn, 12*time.Hour) / time.Second)
	}
	return out, nil
}

// checkIssuedLocked checks a bot token against those the fake issued, once
// it knows any workspace, and notes whose it is on the call.
func (f *Fake) checkIssuedLocked(c *Call) string {
	if len(f.oauth.tokens) == 0 {
		return ""
	}
	it, ok := f.oauth.tokens[c.Token]
	if !ok || it.revoked {
		return "invalid_auth"
	}
	c.Team = it.ws.key()
	if !it.expires.IsZero() && time.Now().After(it.expires) {
		return "token_expired"
	}
	return ""
}
