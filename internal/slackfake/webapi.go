package slackfake

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
	// Embedded zone data keeps users.info's tz_offset right on machines
	// without /usr/share/zoneinfo.
	_ "time/tzdata"
)

// maxBody bounds request bodies; Slack's own limits are far below it.
const maxBody = 32 << 20

// apiError is a Slack error code, answered as {"ok":false,"error":code}
// with HTTP 200 as Slack does.
type apiError string

func (e apiError) Error() string { return string(e) }

// tokenKind says which token family a method accepts.
type tokenKind int

const (
	botToken tokenKind = iota // xoxb- or xoxp-
	appToken                  // xapp-
	noToken                   // client credentials in the form (oauth.v2.access)
)

// apiRequest is a parsed Web API request as a handler sees it.
type apiRequest struct {
	call   *Call
	fields map[string]json.RawMessage // top-level JSON fields, verbatim
}

func (r *apiRequest) get(key string) string { return r.call.Get(key) }

// has reports whether the parameter was sent at all, even empty.
func (r *apiRequest) has(key string) bool {
	_, inForm := r.call.Params[key]
	_, inJSON := r.call.JSON[key]
	return inForm || inJSON
}

// raw returns a JSON field verbatim, or a form parameter holding JSON.
func (r *apiRequest) raw(key string) json.RawMessage {
	if v, ok := r.fields[key]; ok {
		return v
	}
	if s := r.call.Params.Get(key); s != "" {
		return json.RawMessage(s)
	}
	return nil
}

type apiHandler func(f *Fake, r *apiRequest) (map[string]any, error)

// method returns the handler of a Web API method and the token it needs.
func method(name string) (apiHandler, tokenKind, bool) {
	switch name {
	case MethodOAuthAccess:
		return (*Fake).oauthV2Access, noToken, true
	case "auth.test":
		return (*Fake).authTest, botToken, true
	case "apps.connections.open":
		return (*Fake).appsConnectionsOpen, appToken, true
	case "chat.postMessage":
		return (*Fake).chatPostMessage, botToken, true
	case "chat.update":
		return (*Fake).chatUpdate, botToken, true
	case "chat.delete":
		return (*Fake).chatDelete, botToken, true
	case "chat.postEphemeral":
		return (*Fake).chatPostEphemeral, botToken, true
	case "chat.getPermalink":
		return (*Fake).chatGetPermalink, botToken, true
	case "views.open":
		return (*Fake).viewsOpen, botToken, true
	case "views.push":
		return (*Fake).viewsPush, botToken, true
	case "views.update":
		return (*Fake).viewsUpdate, botToken, true
	case "views.publish":
		return (*Fake).viewsPublish, botToken, true
	case "users.info":
		return (*Fake).usersInfo, botToken, true
	case "conversations.info":
		return (*Fake).conversationsInfo, botToken, true
	case "conversations.open":
		return (*Fake).conversationsOpen, botToken, true
	case "conversations.history":
		return (*Fake).conversationsHistory, botToken, true
	case "conversations.replies":
		return (*Fake).conversationsReplies, botToken, true
	case "files.getUploadURLExternal":
		return (*Fake).filesGetUploadURLExternal, botToken, true
	case "files.completeUploadExternal":
		return (*Fake).filesCompleteUploadExternal, botToken, true
	case "files.info":
		return (*Fake).filesInfo, botToken, true
	case "functions.completeSuccess":
		return func(f *Fake, r *apiRequest) (map[string]any, error) { return f.functionsComplete(r, true) }, botToken, true
	case "functions.completeError":
		return func(f *Fake, r *apiRequest) (map[string]any, error) { return f.functionsComplete(r, false) }, botToken, true
	}
	return nil, 0, false
}

func (f *Fake) serveAPI(w http.ResponseWriter, r *http.Request) {
	call, fields, err := parseCall(r, r.PathValue("method"))
	f.answer(w, r, call, func(c *Call) reply {
		if err != nil {
			f.t.Logf("slackfake: unreadable %s request: %v", c.Method, err)
			return errorReply("invalid_json")
		}
		handler, kind, ok := method(c.Method)
		if !ok {
			f.t.Logf("slackfake: the app called %s, which the fake does not serve", c.Method)
			return errorReply("unknown_method")
		}
		if kind != noToken {
			if code := checkToken(c.Token, kind); code != "" {
				return errorReply(code)
			}
		}
		if kind == botToken {
			if code := f.checkIssuedLocked(c); code != "" {
				return errorReply(code)
			}
		}
		f.checkNoBroadcast(c.Method, c.Params, fields)
		body, err := handler(f, &apiRequest{call: c, fields: fields})
		if err != nil {
			var code apiError
			if !errors.As(err, &code) {
				code = "internal_error"
			}
			return errorReply(string(code))
		}
		body["ok"] = true
		return jsonReply(body)
	})
}

// parseCall reads a request the way Slack does: form or JSON body, query
// parameters, and the token from the Authorization header or, as slack-go
// sends it for form-encoded methods, from the "token" parameter.
func parseCall(r *http.Request, name string) (Call, map[string]json.RawMessage, error) {
	call := Call{Method: name, At: time.Now()}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err != nil {
		return call, nil, fmt.Errorf("read body: %w", err)
	}
	var fields map[string]json.RawMessage
	mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case mediaType == "application/json" && len(bytes.TrimSpace(body)) > 0:
		if err := json.Unmarshal(body, &fields); err != nil {
			return call, nil, fmt.Errorf("parse json body: %w", err)
		}
		call.JSON = make(map[string]any, len(fields))
		for k, v := range fields {
			var decoded any
			_ = json.Unmarshal(v, &decoded)
			call.JSON[k] = decoded
		}
	case len(body) > 0 || r.URL.RawQuery != "":
		values, err := url.ParseQuery(string(body))
		if err != nil {
			return call, nil, fmt.Errorf("parse form body: %w", err)
		}
		for k, v := range r.URL.Query() {
			values[k] = append(values[k], v...)
		}
		call.Params = values
	}
	if auth, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		call.Token = strings.TrimSpace(auth)
	} else {
		call.Token = call.Params.Get("token")
	}
	return call, fields, nil
}

// checkToken returns the Slack error for a missing or unsuitable token.
func checkToken(token string, kind tokenKind) string {
	switch {
	case token == "":
		return "not_authed"
	case kind == appToken && strings.HasPrefix(token, "xapp-"):
		return ""
	case kind == botToken && (strings.HasPrefix(token, "xoxb-") || strings.HasPrefix(token, "xoxp-")):
		return ""
	case strings.HasPrefix(token, "xapp-") || strings.HasPrefix(token, "xox"):
		return "not_allowed_token_type"
	default:
		return "invalid_auth"
	}
}

func jsonReply(body any) reply {
	b, err := json.Marshal(body)
	if err != nil {
		// Only the fake's own values are marshalled here.
		panic(fmt.Sprintf("slackfake: marshal reply: %v", err))
	}
	return reply{status: http.StatusOK, contentType: "application/json; charset=utf-8", body: b}
}

func errorReply(code string) reply {
	rep := jsonReply(map[string]any{"ok": false, "error": code})
	rep.slackError = code
	return rep
}

func (f *Fake) authTest(r *apiRequest) (map[string]any, error) {
	if it, ok := f.oauth.tokens[r.call.Token]; ok {
		return map[string]any{
			"url":                   "https://" + TeamDomain + ".slack.com/",
			"team":                  it.ws.TeamName,
			"user":                  BotName,
			"team_id":               it.ws.TeamID,
			"enterprise_id":         it.ws.EnterpriseID,
			"is_enterprise_install": it.ws.EnterpriseInstall,
			"user_id":               it.ws.botUser(),
			"bot_id":                BotID,
		}, nil
	}
	return map[string]any{
		"url":     "https://" + TeamDomain + ".slack.com/",
		"team":    "Racebot Test",
		"user":    BotName,
		"team_id": TeamID,
		"user_id": BotUserID,
		"bot_id":  BotID,
	}, nil
}

// appsConnectionsOpen hands out a single-use Socket Mode URL, as Slack does.
func (f *Fake) appsConnectionsOpen(_ *apiRequest) (map[string]any, error) {
	ticket := newUUID()
	f.socket.tickets[ticket] = true
	u := "ws" + strings.TrimPrefix(f.srv.URL, "http") + "/link/?ticket=" + ticket + "&app_id=" + AppID
	return map[string]any{"url": u}, nil
}

// User is a workspace member as users.info describes it.
type User struct {
	ID       string
	Name     string // handle; the lower-cased ID if empty
	RealName string
	// DisplayName is the name people chose to be shown by; the handle if
	// empty.
	DisplayName string
	TZ          string // IANA zone such as "Europe/Berlin"; "UTC" if empty
	IsBot       bool
	Deleted     bool
}

// Channel is a conversation as conversations.info describes it.
type Channel struct {
	ID        string
	Name      string // the lower-cased ID if empty
	IsPrivate bool
	// NotMember makes chat.postMessage and files.completeUploadExternal
	// answer not_in_channel, as Slack does for a bot that was never
	// invited or was removed.
	NotMember bool
}

var (
	userIDPattern    = regexp.MustCompile(`^[UW][A-Z0-9]+$`)
	channelIDPattern = regexp.MustCompile(`^[CGD][A-Z0-9]+$`)
)

// AddUser adds or replaces a user. Users that were never added but have a
// Slack-looking ID ("U…", "W…") exist anyway, in UTC.
func (f *Fake) AddUser(u User) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.users[u.ID] = u
}

// AddChannel adds or replaces a channel. Channels that were never added but
// have a Slack-looking ID ("C…", "G…", "D…") exist anyway, public, with the
// bot as a member.
func (f *Fake) AddChannel(c Channel) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.channels[c.ID] = c
}

// DMChannel is the ID of the direct-message channel between the bot and a
// user, where chat.postMessage to a user ID lands.
func (f *Fake) DMChannel(userID string) string { return "D" + userID }

func (f *Fake) userLocked(id string) (User, bool) {
	if u, ok := f.users[id]; ok {
		return u, true
	}
	if !userIDPattern.MatchString(id) {
		return User{}, false
	}
	return User{ID: id}, true
}

// channelLocked resolves a channel argument: an ID, "#name", or a user ID,
// which Slack takes to mean the DM with that user.
func (f *Fake) channelLocked(arg string) (Channel, error) {
	if arg == "" {
		return Channel{}, apiError("channel_not_found")
	}
	if name, ok := strings.CutPrefix(arg, "#"); ok {
		for _, c := range f.channels {
			if c.Name == name {
				return c, nil
			}
		}
		return Channel{}, apiError("channel_not_found")
	}
	if c, ok := f.channels[arg]; ok {
		return c, nil
	}
	if _, ok := f.users[arg]; ok || userIDPattern.MatchString(arg) {
		return Channel{ID: f.DMChannel(arg), IsPrivate: true}, nil
	}
	if channelIDPattern.MatchString(arg) {
		return Channel{ID: arg}, nil
	}
	return Channel{}, apiError("channel_not_found")
}

func (f *Fake) usersInfo(r *apiRequest) (map[string]any, error) {
	u, ok := f.userLocked(r.get("user"))
	if !ok {
		return nil, apiError("user_not_found")
	}
	return map[string]any{"user": userObject(u)}, nil
}

// userObject is a user as Slack describes one, in users.info and in the
// user_change event alike.
func userObject(u User) map[string]any {
	name := u.Name
	if name == "" {
		name = strings.ToLower(u.ID)
	}
	realName := u.RealName
	if realName == "" {
		realName = name
	}
	tz := u.TZ
	if tz == "" {
		tz = "UTC"
	}
	offset := 0
	label := tz
	if loc, err := time.LoadLocation(tz); err == nil {
		var abbrev string
		abbrev, offset = time.Now().In(loc).Zone()
		label = abbrev
	}
	return map[string]any{
		"id":        u.ID,
		"team_id":   TeamID,
		"name":      name,
		"deleted":   u.Deleted,
		"real_name": realName,
		"tz":        tz,
		"tz_label":  label,
		"tz_offset": offset,
		"is_bot":    u.IsBot,
		"is_admin":  false,
		"updated":   time.Now().Unix(),
		"profile": map[string]any{
			"real_name":    realName,
			"display_name": cmp.Or(u.DisplayName, name),
			"team":         TeamID,
		},
	}
}

func (f *Fake) conversationsInfo(r *apiRequest) (map[string]any, error) {
	c, err := f.channelLocked(r.get("channel"))
	if err != nil {
		return nil, err
	}
	return map[string]any{"channel": channelJSON(c)}, nil
}

func channelJSON(c Channel) map[string]any {
	if strings.HasPrefix(c.ID, "D") {
		return map[string]any{"id": c.ID, "is_im": true, "user": strings.TrimPrefix(c.ID, "D"), "created": 1700000000}
	}
	name := c.Name
	if name == "" {
		name = strings.ToLower(c.ID)
	}
	return map[string]any{
		"id":              c.ID,
		"name":            name,
		"name_normalized": name,
		"is_channel":      !c.IsPrivate,
		"is_group":        false,
		"is_im":           false,
		"is_private":      c.IsPrivate,
		"is_archived":     false,
		"is_member":       !c.NotMember,
		"created":         1700000000,
		"creator":         "U0",
		"topic":           map[string]any{"value": "", "creator": "", "last_set": 0},
		"purpose":         map[string]any{"value": "", "creator": "", "last_set": 0},
	}
}

func (f *Fake) conversationsOpen(r *apiRequest) (map[string]any, error) {
	users := strings.Split(r.get("users"), ",")
	if len(users) != 1 || users[0] == "" {
		// Group DMs are not modelled; the bot only ever DMs one person.
		return nil, apiError("users_list_not_supplied")
	}
	if _, ok := f.userLocked(users[0]); !ok {
		return nil, apiError("user_not_found")
	}
	return map[string]any{"channel": map[string]any{"id": f.DMChannel(users[0])}}, nil
}
