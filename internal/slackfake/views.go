package slackfake

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"time"
	"unicode/utf8"
)

// View is a modal or Home tab the app opened, pushed or published, as it
// stands after any views.update or later views.publish.
type View struct {
	ID              string
	Type            string // "modal" or "home"
	UserID          string // whose modal (via its trigger_id) or Home tab
	TriggerID       string // the trigger_id that opened a modal
	CallbackID      string
	ExternalID      string
	PrivateMetadata string
	Hash            string // changes on every update, for hash_conflict checks
	// JSON is the view object exactly as the app last sent it.
	JSON    json.RawMessage
	Updates int // how often views.update or views.publish replaced it
}

// Views returns every view in the order it was first opened or published.
func (f *Fake) Views() []View {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]View, len(f.views))
	for i, v := range f.views {
		out[i] = *v
	}
	return out
}

// View returns the view with the given ID.
func (f *Fake) View(id string) (View, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if v := f.viewLocked(id); v != nil {
		return *v, true
	}
	return View{}, false
}

// HomeView returns the Home tab last published for a user.
func (f *Fake) HomeView(userID string) (View, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if v := f.homeViewLocked(userID); v != nil {
		return *v, true
	}
	return View{}, false
}

// TriggerFor mints a trigger_id that belongs to userID, so a modal opened
// with it is recorded as that user's. Triggers in envelopes sent with
// SendEvent or SendEnvelope are learnt automatically; this is for payloads
// that reach the app another way, such as the HTTP front door.
func (f *Fake) TriggerFor(userID string) string {
	trigger := newTriggerID()
	f.mu.Lock()
	defer f.mu.Unlock()
	f.triggers[trigger] = userID
	return trigger
}

// newTriggerID returns an ID shaped like Slack's, e.g.
// "13345224609.738474920.8088930838d88f008e0".
func newTriggerID() string {
	return fmt.Sprintf("%d.%d.%s", 1e10+rand.Int64N(9e10), 1e8+rand.Int64N(9e8), randomHex(10))
}

func newViewHash() string {
	return fmt.Sprintf("%d.%s", time.Now().Unix(), randomHex(4))
}

func (f *Fake) viewLocked(id string) *View {
	for _, v := range f.views {
		if v.ID == id {
			return v
		}
	}
	return nil
}

func (f *Fake) homeViewLocked(userID string) *View {
	for _, v := range f.views {
		if v.Type == "home" && v.UserID == userID {
			return v
		}
	}
	return nil
}

// viewRequest is the part of a view object the fake looks at.
type viewRequest struct {
	Type            string          `json:"type"`
	CallbackID      string          `json:"callback_id"`
	ExternalID      string          `json:"external_id"`
	PrivateMetadata string          `json:"private_metadata"`
	Title           *textObject     `json:"title"`
	Submit          *textObject     `json:"submit"`
	Close           *textObject     `json:"close"`
	Blocks          json.RawMessage `json:"blocks"`
}

// parseView reads the "view" parameter and checks its type and Slack's
// limits on a view: 100 blocks, a title, submit and close of at most 24
// characters, private_metadata of at most 3000.
func (f *Fake) parseView(r *apiRequest, wantType string) (json.RawMessage, viewRequest, error) {
	raw := r.raw("view")
	var vr viewRequest
	if raw == nil || json.Unmarshal(raw, &vr) != nil || vr.Type != wantType {
		return nil, vr, apiError("invalid_arguments")
	}
	err := checkText(vr.Title, 24, "title")
	if err == nil {
		err = checkText(vr.Submit, 24, "submit")
	}
	if err == nil {
		err = checkText(vr.Close, 24, "close")
	}
	if err == nil && utf8.RuneCountInString(vr.PrivateMetadata) > 3000 {
		err = fmt.Errorf("private_metadata of %d characters", utf8.RuneCountInString(vr.PrivateMetadata))
	}
	if err == nil && vr.Blocks != nil {
		err = checkBlocks(vr.Blocks, limitViewBlocks)
	}
	if err != nil {
		f.t.Logf("slackfake: %s refused: invalid_arguments: %v", r.call.Method, err)
		return nil, vr, apiError("invalid_arguments")
	}
	return raw, vr, nil
}

func (f *Fake) viewsOpen(r *apiRequest) (map[string]any, error) { return f.openModal(r) }

// viewsPush is views.open for a stacked modal; the stack itself is not
// modelled.
func (f *Fake) viewsPush(r *apiRequest) (map[string]any, error) { return f.openModal(r) }

func (f *Fake) openModal(r *apiRequest) (map[string]any, error) {
	trigger := r.get("trigger_id")
	if trigger == "" {
		return nil, apiError("invalid_arguments")
	}
	raw, vr, err := f.parseView(r, "modal")
	if err != nil {
		return nil, err
	}
	if vr.ExternalID != "" {
		for _, v := range f.views {
			if v.ExternalID == vr.ExternalID {
				return nil, apiError("duplicate_external_id")
			}
		}
	}
	v := &View{
		ID:        f.nextIDLocked("V"),
		Type:      "modal",
		UserID:    f.triggers[trigger],
		TriggerID: trigger,
	}
	v.set(raw, vr)
	f.views = append(f.views, v)
	return map[string]any{"view": viewJSON(v)}, nil
}

func (f *Fake) viewsUpdate(r *apiRequest) (map[string]any, error) {
	var v *View
	if id := r.get("view_id"); id != "" {
		v = f.viewLocked(id)
	} else if ext := r.get("external_id"); ext != "" {
		for _, cand := range f.views {
			if cand.ExternalID == ext {
				v = cand
			}
		}
	} else {
		return nil, apiError("invalid_arguments")
	}
	if v == nil {
		return nil, apiError("not_found")
	}
	if h := r.get("hash"); h != "" && h != v.Hash {
		return nil, apiError("hash_conflict")
	}
	raw, vr, err := f.parseView(r, v.Type)
	if err != nil {
		return nil, err
	}
	v.set(raw, vr)
	v.Updates++
	return map[string]any{"view": viewJSON(v)}, nil
}

func (f *Fake) viewsPublish(r *apiRequest) (map[string]any, error) {
	userID := r.get("user_id")
	if userID == "" {
		return nil, apiError("invalid_arguments")
	}
	if _, ok := f.userLocked(userID); !ok {
		return nil, apiError("user_not_found")
	}
	raw, vr, err := f.parseView(r, "home")
	if err != nil {
		return nil, err
	}
	v := f.homeViewLocked(userID)
	if v == nil {
		v = &View{ID: f.nextIDLocked("V"), Type: "home", UserID: userID}
		f.views = append(f.views, v)
	} else {
		if h := r.get("hash"); h != "" && h != v.Hash {
			return nil, apiError("hash_conflict")
		}
		v.Updates++
	}
	v.set(raw, vr)
	return map[string]any{"view": viewJSON(v)}, nil
}

func (v *View) set(raw json.RawMessage, vr viewRequest) {
	v.JSON = raw
	v.CallbackID = vr.CallbackID
	v.ExternalID = vr.ExternalID
	v.PrivateMetadata = vr.PrivateMetadata
	v.Hash = newViewHash()
}

// viewJSON is the view object Slack returns and sends back in interaction
// payloads: what the app sent plus the fields Slack fills in.
func viewJSON(v *View) map[string]any {
	out := map[string]any{
		"blocks":           []any{},
		"private_metadata": "",
		"callback_id":      "",
		"external_id":      "",
		"title":            nil,
		"close":            nil,
		"submit":           nil,
		"clear_on_close":   false,
		"notify_on_close":  false,
	}
	var fields map[string]json.RawMessage
	_ = json.Unmarshal(v.JSON, &fields)
	for k, val := range fields {
		out[k] = val
	}
	out["id"] = v.ID
	out["team_id"] = TeamID
	out["type"] = v.Type
	out["hash"] = v.Hash
	out["state"] = map[string]any{"values": map[string]any{}}
	out["root_view_id"] = v.ID
	out["previous_view_id"] = nil
	out["app_id"] = AppID
	out["app_installed_team_id"] = TeamID
	out["bot_id"] = BotID
	return out
}
