package bot

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/markup"
	"github.com/slack-go/slack"
)

// Slack shows <@U123> as the person's name to everyone reading it in Slack;
// an export or a model prompt has to be told that name. racebot asks
// users.info and conversations.info and keeps the answers for a while.
const (
	// nameTTL is how long a looked-up name is used before it is asked for
	// again; people rarely rename themselves, and an export an hour out of
	// date still names the right person.
	nameTTL = time.Hour
	// maxCachedNames bounds the cache over all teams.
	maxCachedNames = 10000
	// maxNameLookups bounds the Slack calls one rendering makes; names past
	// it fall back to the mention's label or the id.
	maxNameLookups = 100
	// nameLookupTimeout bounds one rendering's lookups together.
	nameLookupTimeout = 10 * time.Second
)

// nameCache resolves Slack ids to display names per team. Looking a name
// up calls Slack, so lookup runs after the acknowledgement only, never on
// the path that must answer Slack within three seconds.
type nameCache struct {
	api *Client
	// resolve, when set, picks the client of the workspace a context is
	// for.
	resolve func(context.Context) *Client
	now     func() time.Time
	log     *slog.Logger
	ttl     time.Duration
	max     int

	mu      sync.Mutex
	entries map[nameKey]nameEntry
}

type nameKey struct {
	team    string
	channel bool // a channel id, else a user id
	id      string
}

type nameEntry struct {
	name    string // "" when Slack does not know the id
	expires time.Time
}

func newNameCache(api *Client, now func() time.Time, log *slog.Logger) *nameCache {
	return &nameCache{api: api, now: now, log: log, ttl: nameTTL, max: maxCachedNames, entries: map[nameKey]nameEntry{}}
}

// names is a snapshot of display names, the markup.Names the renderers
// use. It never calls Slack, so rendering holds no network call and needs
// no context.
type names struct {
	users, channels map[string]string
}

var _ markup.Names = names{}

func (n names) UserName(id string) (string, bool) {
	name, ok := n.users[id]
	return name, ok
}

func (n names) ChannelName(id string) (string, bool) {
	name, ok := n.channels[id]
	return name, ok
}

// person is the display name of a user id, the id itself when it is not
// known.
func (n names) person(id string) string {
	if name, ok := n.users[id]; ok {
		return name
	}
	return id
}

// cached returns the names already known for the people and channels
// the stored texts mention, without asking Slack: for what must be
// rendered before an acknowledgement.
func (c *nameCache) cached(team string, texts ...string) names {
	out := names{users: map[string]string{}, channels: map[string]string{}}
	users, channels := mentioned(texts...)
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, k := range nameKeys(team, users, channels) {
		if e, ok := c.entries[k]; ok && now.Before(e.expires) && e.name != "" {
			out.put(k, e.name)
		}
	}
	return out
}

// mentioned lists the users and channels stored texts mention.
func mentioned(texts ...string) (users, channels []string) {
	for _, s := range texts {
		users = append(users, markup.Stored(s).UserIDs()...)
		channels = append(channels, markup.Stored(s).ChannelIDs()...)
	}
	return users, channels
}

// lookup returns the names of the given users and channels of team, asking
// Slack for those not cached or expired. An id Slack does not know is
// remembered as such for the TTL too. When Slack fails or is slow the
// lookups stop and the ids left are missing from the result: the
// renderers then fall back to a mention's label or the id.
func (c *nameCache) lookup(ctx context.Context, team string, users, channels []string) names {
	ctx = onTeam(ctx, team)
	out := names{users: map[string]string{}, channels: map[string]string{}}
	now := c.now()
	var missing []nameKey
	c.mu.Lock()
	for _, k := range nameKeys(team, users, channels) {
		e, ok := c.entries[k]
		switch {
		case !ok || !now.Before(e.expires):
			missing = append(missing, k)
		case e.name != "":
			out.put(k, e.name)
		}
	}
	c.mu.Unlock()
	if len(missing) == 0 {
		return out
	}
	ctx, cancel := context.WithTimeout(ctx, nameLookupTimeout)
	defer cancel()
	for i, k := range missing {
		if i == maxNameLookups {
			c.log.Warn("look up names: too many", "team", team, "left", len(missing)-i)
			break
		}
		name, err := c.fetch(ctx, k)
		var se slack.SlackErrorResponse
		switch {
		case err == nil:
		case errors.As(err, &se):
			// Slack answered (user_not_found, channel_not_found for a
			// private channel): asking again soon would get the same.
			name = ""
		default:
			c.log.Warn("look up names", "team", team, "id", k.id, "err", err)
			return out
		}
		c.store(k, name, c.now())
		if name != "" {
			out.put(k, name)
		}
	}
	return out
}

func (n names) put(k nameKey, name string) {
	if k.channel {
		n.channels[k.id] = name
	} else {
		n.users[k.id] = name
	}
}

// nameKeys lists the ids to look up, each once.
func nameKeys(team string, users, channels []string) []nameKey {
	seen := map[nameKey]bool{}
	var out []nameKey
	add := func(channel bool, ids []string) {
		for _, id := range ids {
			k := nameKey{team: team, channel: channel, id: id}
			if id != "" && !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	add(false, users)
	add(true, channels)
	return out
}

func (c *nameCache) client(ctx context.Context) *Client {
	if c.resolve != nil {
		return c.resolve(ctx)
	}
	return c.api
}

// fetch asks Slack for one name. A person is shown by the display name
// they chose, else their full name, else their handle, as Slack does.
func (c *nameCache) fetch(ctx context.Context, k nameKey) (string, error) {
	if k.channel {
		ch, err := c.client(ctx).api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: k.id})
		if err != nil {
			return "", err
		}
		return ch.Name, nil
	}
	u, err := c.client(ctx).api.GetUserInfoContext(ctx, k.id)
	if err != nil {
		return "", err
	}
	return cmp.Or(u.Profile.DisplayName, u.Profile.RealName, u.RealName, u.Name), nil
}

// store caches a name, making room first when the cache is full.
func (c *nameCache) store(k nameKey, name string, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[k]; !ok && len(c.entries) >= c.max {
		c.evictLocked(now)
	}
	c.entries[k] = nameEntry{name: name, expires: now.Add(c.ttl)}
}

// evictLocked drops the expired entries, and when none has expired the one
// that expires first, which is the one looked up longest ago.
func (c *nameCache) evictLocked(now time.Time) {
	var oldest nameKey
	var first time.Time
	for k, e := range c.entries {
		if !now.Before(e.expires) {
			delete(c.entries, k)
			continue
		}
		if first.IsZero() || e.expires.Before(first) {
			oldest, first = k, e.expires
		}
	}
	if len(c.entries) >= c.max {
		delete(c.entries, oldest)
	}
}

// planNames looks up the names an export of p shows: the people who wrote
// in it, gave its values or asked for its latest review r (nil for none),
// and everyone and every channel their text mentions.
func (b *Bot) planNames(ctx context.Context, p *flows.Plan, ms map[int64][]flows.Measurement, r *flows.ExportReview) names {
	texts := planTexts(p)
	if r != nil {
		texts = append(texts, r.Text)
	}
	users, channels := mentioned(texts...)
	users = append(users, p.CreatedBy)
	if r != nil {
		users = append(users, r.By)
	}
	for _, a := range p.Answers {
		users = append(users, a.By)
		for _, o := range a.Also {
			users = append(users, o.By)
		}
	}
	for _, a := range p.Actions {
		users = append(users, a.By)
	}
	for _, vs := range ms {
		for _, m := range vs {
			users = append(users, m.By)
		}
	}
	return b.names.lookup(ctx, p.Team, users, channels)
}

// textNames looks up the names of the people and channels stored texts of
// a team mention, for a prompt: a model is told what the team wrote, not
// who wrote it.
func (b *Bot) textNames(ctx context.Context, team string, texts ...string) names {
	users, channels := mentioned(texts...)
	return b.names.lookup(ctx, team, users, channels)
}

// planTexts lists everything the team typed into p.
func planTexts(p *flows.Plan) []string {
	texts := []string{p.Name}
	for _, a := range p.Answers {
		texts = append(texts, a.Text)
		for _, o := range a.Also {
			texts = append(texts, o.Text)
		}
	}
	for _, a := range p.Actions {
		texts = append(texts, a.Text, a.Owner)
	}
	for _, k := range p.KPIs {
		texts = append(texts, k.Name, k.Owner)
	}
	return texts
}

// stageTexts lists the answers to a stage's questions.
func stageTexts(cat *flows.Catalogue, p *flows.Plan, stageIdx int) []string {
	var texts []string
	for _, q := range cat.Stages[stageIdx].Steps() {
		texts = append(texts, p.Answers[q.ID].Text)
	}
	return texts
}

// markdownPeople renders people's text and names for a Markdown export.
func markdownPeople(n names) flows.People {
	return flows.People{
		Text: func(s string) string { return markup.Stored(s).Markdown(n) },
		Name: func(id string) string { return markup.FromPlain(n.person(id)).Markdown(nil) },
	}
}

// plainPeople renders people's text and names as plain text, for CSV.
func plainPeople(n names) flows.People {
	return flows.People{
		Text: func(s string) string { return markup.Stored(s).Plain(n) },
		Name: func(id string) string { return markup.FromPlain(n.person(id)).Plain(nil) },
	}
}
