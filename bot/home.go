package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/slack-go/slack"
)

// homeEvery is the least time between two publishes of one person's Home
// tab. views.publish is limited per user and per app; a busy check-in
// changes a plan several times a second, and the tab only needs to be
// right when someone looks. Changes in between are gathered into one
// publish at the end of the interval.
const homeEvery = 10 * time.Second

// homeSeenEvery is the least time between two records of one person
// opening their Home tab. People open it many times a day; the record only
// needs to say they still look (see coach.HomesKept), and a write per
// opening would cost the store more than anything else on the tab.
const homeSeenEvery = time.Hour

// homes publishes the Home tabs of the people who look at one again when
// something on it changes, at most once per interval (see paced). Who
// looks is kept in the store (see Bot.homeOpened), so every racebot on the
// database keeps those tabs, a restarted one too; which plans a tab shows
// and its hash are what this racebot last published or saw.
type homes struct {
	*paced[personKey]
	// shown lists, per person, the plans on the tab as last published: a
	// change that takes someone out of a plan (a KPI given to someone
	// else) must still publish their tab, without it. Guarded by mu.
	shown map[personKey]map[flows.PlanID]bool
	// hashes are, per person, the hash Slack gave the tab as last
	// published here or seen opened: a publish that carries it lands only
	// over that tab, never over one another racebot published meanwhile.
	// Guarded by mu.
	hashes map[personKey]string
	// recorded is, per person, when this racebot last recorded them
	// opening their tab; recordSweepAt is its size at which records past
	// homeSeenEvery are next dropped. Guarded by mu.
	recorded      map[personKey]time.Time
	recordSweepAt int
	// viewers is, per workspace, who looks at their tab as last read from
	// the store, and when. Guarded by mu.
	viewers map[string]viewerList
}

// viewerList is a workspace's people who look at their Home tab, read
// from the store at readAt.
type viewerList struct {
	people []string
	readAt time.Time
	// readingSince is when a read of the list began that has not ended;
	// zero when none. Meanwhile the list as it is stands in.
	readingSince time.Time
}

// viewersFresh is how long a workspace's list of people looking at their
// tab is used before it is read again. Every answer changes a plan, and a
// read of the store for each one would cost more than the answer's own
// commit; the cost is that someone who opens their tab on another racebot
// is seen here up to this long after, their own racebot knowing at once.
const viewersFresh = 2 * time.Second

// personKey is a person in a workspace.
type personKey struct{ team, user string }

func newHomes(every time.Duration, now func() time.Time, publish func(team, user string), start func(func())) *homes {
	return &homes{
		paced:    newPaced(every, now, func(k personKey) { publish(k.team, k.user) }, func(_ personKey, fn func()) { start(fn) }),
		shown:    map[personKey]map[flows.PlanID]bool{},
		hashes:   map[personKey]string{},
		recorded: map[personKey]time.Time{},
		viewers:  map[string]viewerList{},
	}
}

// refresh publishes a person's tab now, or at the end of the interval
// since the last publish; a publish already waiting covers this change too.
func (h *homes) refresh(team, user string) { h.paced.refresh(personKey{team, user}) }

// show notes the plans on a person's tab as just published, and the hash
// Slack gave it.
func (h *homes) show(team, user string, plans map[flows.PlanID]bool, hash string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.keys[personKey{team, user}]; ok {
		h.shown[personKey{team, user}] = plans
		h.hashes[personKey{team, user}] = hash
	}
}

// hash is the hash of a person's tab as racebot last knew it; "" when it
// does not know one.
func (h *homes) hash(team, user string) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.hashes[personKey{team, user}]
}

// opened notes a person's tab as Slack says it stands when they open it
// (its hash, "" when Slack gives none), and publishes it afresh.
func (h *homes) opened(team, user, hash string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return
	}
	k := personKey{team, user}
	st := h.stateLocked(k)
	if hash != "" {
		h.hashes[k] = hash
	}
	h.scheduleLocked(st, k)
}

// conflicted forgets the hash of a person's tab that another racebot
// published meanwhile.
func (h *homes) conflicted(team, user string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.hashes, personKey{team, user})
}

// shows reports whether a person's tab, as last published, has a plan,
// or may have it once the publish that is out lands: that one read the
// tab before the change now told.
func (h *homes) shows(team, user string, plan flows.PlanID) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	k := personKey{team, user}
	st := h.keys[k]
	return st != nil && (st.running || h.shown[k][plan])
}

// recordDue reports whether a person opening their tab at now is to be
// recorded, and notes it as recorded then.
func (h *homes) recordDue(team, user string, now time.Time) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	k := personKey{team, user}
	if last, ok := h.recorded[k]; ok && now.Before(last.Add(homeSeenEvery)) {
		return false
	}
	if len(h.recorded) >= max(h.recordSweepAt, 1024) {
		for k, at := range h.recorded {
			if !now.Before(at.Add(homeSeenEvery)) {
				delete(h.recorded, k)
			}
		}
		h.recordSweepAt = 2 * len(h.recorded)
	}
	h.recorded[k] = now
	return true
}

// cachedViewers returns a workspace's people looking at their tab as read
// from the store within viewersFresh of now. When the list is stale, ok
// is false and the caller is to read it (and cacheViewers or
// viewersUnread after); while that read goes on, other callers get the
// stale list, when there is one, so a busy workspace's answers wait for
// one read, not one each.
func (h *homes) cachedViewers(team string, now time.Time) (people []string, ok bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	v, found := h.viewers[team]
	if found && now.Sub(v.readAt) < viewersFresh && !now.Before(v.readAt) {
		return v.people, true
	}
	// A list never read is not an empty one: its first read publishes
	// only the tabs its own change concerns.
	if found && !v.readAt.IsZero() && !v.readingSince.IsZero() && now.Sub(v.readingSince) < viewersFresh && !now.Before(v.readingSince) {
		return v.people, true
	}
	v.readingSince = now
	h.viewers[team] = v
	return nil, false
}

// cacheViewers keeps a workspace's people looking at their tab as read at
// readAt, unless a later read is kept already, and ends the read.
func (h *homes) cacheViewers(team string, people []string, readAt time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if v, ok := h.viewers[team]; ok && v.readAt.After(readAt) {
		v.readingSince = time.Time{}
		h.viewers[team] = v
		return
	}
	h.viewers[team] = viewerList{people: people, readAt: readAt}
}

// viewersUnread ends a read of a workspace's list that failed, so the
// next change tries again.
func (h *homes) viewersUnread(team string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if v, ok := h.viewers[team]; ok {
		v.readingSince = time.Time{}
		h.viewers[team] = v
	}
}

// sawHere adds a person who opened their tab through this racebot to
// their workspace's cached list, so its next change publishes their tab
// without waiting for the list to be read again.
func (h *homes) sawHere(team, user string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	v, ok := h.viewers[team]
	if !ok || slices.Contains(v.people, user) {
		return
	}
	v.people = append(slices.Clip(v.people), user)
	h.viewers[team] = v
}

// unrecorded forgets a record that failed, so the next opening tries
// again.
func (h *homes) unrecorded(team, user string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.recorded, personKey{team, user})
}

// isClosed reports whether the tabs are no longer kept: racebot is
// shutting down.
func (h *homes) isClosed() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.closed
}

// homeOpened records that a person looks at their Home tab, first, so
// that a change any racebot makes from now on publishes it again, and
// publishes it afresh. A failed record is only logged: the tab is
// published all the same, and the next opening records it.
func (b *Bot) homeOpened(ctx context.Context, team, user, hash string) {
	if now := b.now(); b.homes.recordDue(team, user, now) {
		if err := b.svc.SawHome(ctx, team, user, now); err != nil {
			b.homes.unrecorded(team, user)
			b.log.Warn("home: record opened", "err", err)
		}
	}
	b.homes.sawHere(team, user)
	b.homes.opened(team, user, hash)
}

// homeOutdated publishes again the Home tab a press came from, when the
// press found its plan or check-in gone: a Home tab has no message to
// answer the press in, so without it the press would do nothing at all,
// and the tab would go on offering what is gone.
func (b *Bot) homeOutdated(team string, cb slack.InteractionCallback) {
	if cb.View.Type == slack.VTHomeTab {
		b.homes.refresh(team, cb.User.ID)
	}
}

// planChanged publishes again the tabs of the people a changed plan
// concerns, whichever racebot saw them open their tab. It is told on the
// path of the request that made the change, so the work is handed on at
// once.
func (b *Bot) planChanged(team string, plan flows.PlanID) {
	b.headers.refresh(headerID{team, plan})
	if b.homes.isClosed() {
		return
	}
	now := b.now()
	people, known := b.homes.cachedViewers(team, now)
	if known && len(people) == 0 {
		return
	}
	b.later(teamCtx(team), "home after a change", func(ctx context.Context) {
		if !known {
			var err error
			if people, err = b.svc.HomeViewers(ctx, team, now); err != nil {
				b.homes.viewersUnread(team)
				b.log.Warn("home: viewers", "plan", plan, "err", err)
				return
			}
			b.homes.cacheViewers(team, people, now)
		}
		if len(people) == 0 {
			return
		}
		p, err := b.svc.Plan(ctx, team, plan)
		switch {
		case errors.Is(err, flows.ErrNoPlan):
			// Deleted: whoever had it on their tab no longer should.
		case err != nil:
			b.log.Warn("home: plan", "plan", plan, "err", err)
			return
		}
		for _, user := range people {
			if p == nil || coach.Involved(p, user) || b.homes.shows(team, user, plan) {
				b.homes.refresh(team, user)
			}
		}
	})
}

// homeTries bounds the publishes of one refresh of a person's tab that
// find it published meanwhile by another racebot, or that land over a tab
// racebot did not know.
const homeTries = 3

// publishHome renders a person's Home tab as a dashboard and publishes it.
//
// Several racebots on one database each publish the tabs they keep, and a
// publish rendered before a change may land after the one that shows it.
// So a publish carries the hash of the tab as racebot last knew it, and
// Slack refuses it (hash_conflict) when another publish landed meanwhile;
// the tab is then rendered again and published over whatever is there.
// A publish without a hash may land over a newer tab itself, so the tab is
// rendered once more after it, and published again, with the hash just
// given, if it would read differently.
func (b *Bot) publishHome(ctx context.Context, team, user string) {
	loc := b.userZone(ctx, user)
	if loc == nil {
		loc = time.UTC
	}
	var unchecked []byte // the view last published without a hash
	for range homeTries {
		hash := b.homes.hash(team, user)
		// The person's own calendar day says what is due and what overdue.
		now := b.now().In(loc)
		d, err := b.svc.Dashboard(ctx, team, user, now)
		if err != nil {
			b.log.Error("home: dashboard", "err", err)
			return
		}
		view := homeView(b.cat, d, now, loc)
		raw, err := json.Marshal(view)
		if err != nil {
			b.log.Error("home: render", "err", err)
			return
		}
		if unchecked != nil && bytes.Equal(raw, unchecked) {
			return
		}
		req := slack.PublishViewContextRequest{UserID: user, View: view}
		if hash != "" {
			req.Hash = &hash
		}
		published, err := b.slack(ctx).PublishViewContext(ctx, req)
		var se slack.SlackErrorResponse
		switch {
		case errors.As(err, &se) && se.Err == "hash_conflict":
			b.homes.conflicted(team, user)
			unchecked = nil
			continue
		case err != nil:
			b.failed(ctx, "home: publish", err)
			return
		}
		b.homes.show(team, user, homePlans(d), published.Hash)
		if hash != "" {
			return
		}
		unchecked = raw
	}
}

// homePlans are the plans a dashboard shows.
func homePlans(d coach.Dashboard) map[flows.PlanID]bool {
	shown := map[flows.PlanID]bool{}
	for _, c := range d.Plans {
		shown[c.Plan.ID] = true
	}
	for _, a := range d.Actions {
		shown[a.Plan.ID] = true
	}
	for _, w := range d.Awaiting {
		shown[w.Plan.ID] = true
	}
	return shown
}

// Caps on the Home tab's lists, so that the plans still fit in Slack's
// hundred blocks after them.
const (
	maxHomeActions  = 10
	maxHomeAwaiting = 5
)

// homeView is the App Home tab: the person's actions due with Done
// buttons, the check-ins waiting for their values with the form's button,
// and each of their plans: stage by stage, its score, KPI by KPI, and the
// next check-in, in the person's own time.
func homeView(cat *flows.Catalogue, d coach.Dashboard, now time.Time, loc *time.Location) slack.HomeTabViewRequest {
	ids := blockIDs{}
	blocks := []slack.Block{
		slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, "Your RACE plans", false, false), slack.HeaderBlockOptionBlockID(ids.next("title"))),
	}
	if len(d.Plans) == 0 {
		blocks = append(blocks, sections(ids, "empty", "You have no plans yet. In a team channel, type `/race new Q1 Launch` to start one; the coaching happens in a thread there.")...)
	}
	if len(d.Actions) > 0 {
		blocks = append(blocks, sections(ids, "actions-title", "*Your actions due*")...)
		for _, a := range d.Actions[:min(len(d.Actions), maxHomeActions)] {
			when := "due " + a.Action.Due.Format("Mon 2 Jan")
			if a.Overdue {
				when = "⚠️ overdue since " + a.Action.Due.Format("Mon 2 Jan")
			}
			text := fmt.Sprintf("*%s* — %s · %s", slackStyledText(a.Action.Text), when, slackUserText(a.Plan.Name))
			blocks = append(blocks, slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, truncate(text, maxSectionText), false, false), nil,
				slack.NewAccessory(button(actionActionDone, "Done", actionValue(a.Plan.ID, a.Action.ID), "primary")),
				slack.SectionBlockOptionBlockID(ids.next("action"))))
		}
		if n := len(d.Actions) - maxHomeActions; n > 0 {
			blocks = append(blocks, contextBlock(ids, "more-actions", fmt.Sprintf("…and %d more.", n)))
		}
	}
	if len(d.Awaiting) > 0 {
		blocks = append(blocks, sections(ids, "awaiting-title", "*Your KPIs awaiting a value*")...)
		for _, w := range d.Awaiting[:min(len(d.Awaiting), maxHomeAwaiting)] {
			names := make([]string, len(w.KPIs))
			for i, k := range w.KPIs {
				names[i] = slackUserText(k.Name)
			}
			text := fmt.Sprintf("*%s* check-in, closes %s: %s", slackStyledText(w.Plan.Name), w.Checkin.CloseAt.In(loc).Format("Mon 2 Jan 15:04"), strings.Join(names, ", "))
			blocks = append(blocks, slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, truncate(text, maxSectionText), false, false), nil,
				slack.NewAccessory(button(actionOwnerValues, "Enter values", strconv.FormatInt(w.Checkin.ID, 10), "primary")),
				slack.SectionBlockOptionBlockID(ids.next("awaiting"))))
		}
	}
	for _, c := range d.Plans {
		blocks = append(blocks, slack.NewDividerBlock())
		blocks = append(blocks, sections(ids, fmt.Sprintf("plan-%d", c.Plan.ID), truncate(planCardText(cat, c, now, loc), maxSectionText))...)
	}
	blocks = append(blocks, contextBlock(ids, "help", "`/race help` lists every command. Mention @racebot anywhere, or write to it here, for `status`, `review` or `values`; `/race remind off` in a plan's channel stops its reminders."))
	return slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: capBlocks(ids, blocks, maxHomeBlocks)}}
}

// planCardText is one plan on the Home tab: where it is, each stage's
// progress, its score as of now with the tip that would raise it most,
// each KPI against its target, and the next check-in.
func planCardText(cat *flows.Catalogue, c coach.PlanCard, now time.Time, loc *time.Location) string {
	p := c.Plan
	var b strings.Builder
	fmt.Fprintf(&b, "*%s* in <#%s> · next: %s\n", slackStyledText(p.Name), p.Channel, escape(flows.NextStep(cat, p)))
	var stages []string
	for _, sp := range c.Stages {
		mark := "○"
		switch {
		case sp.Done:
			mark = "✓"
		case sp.Answered > 0:
			mark = "◐"
		}
		stages = append(stages, fmt.Sprintf("%s %s %d/%d", mark, sp.Name, sp.Answered, sp.Total))
	}
	b.WriteString(strings.Join(stages, "   "))
	score := flows.ScorePlan(cat, p, now)
	fmt.Fprintf(&b, "\nPlan score: *%d/100*", score.Total)
	if len(score.Tips) > 0 {
		t := score.Tips[0]
		fmt.Fprintf(&b, " · to raise it: %s (+%d)", mrkdwn(t.Msg), t.Gain)
	}
	for _, l := range c.KPIs {
		value := "no values yet"
		if m := l.Progress.Latest; m != nil {
			value = flows.FormatValue(m.Value)
		}
		target := "no target"
		if l.KPI.HasTarget() {
			target = "target " + flows.TargetValue(l.KPI)
		}
		fmt.Fprintf(&b, "\n%s *%s* %s · %s", statusMark(l.Progress.Status), slackStyledText(l.KPI.Name), escape(value), escape(target))
	}
	switch {
	case c.Paused:
		b.WriteString("\nCheck-ins are paused.")
	case !c.Next.IsZero():
		fmt.Fprintf(&b, "\nNext check-in: %s (your time)", c.Next.In(loc).Format("Mon 2 Jan 15:04"))
	}
	return b.String()
}

// statusMark is a KPI status as the Home tab shows it.
func statusMark(s flows.Status) string {
	switch s {
	case flows.StatusAchieved:
		return "🏆"
	case flows.StatusOnTrack:
		return "🟢"
	case flows.StatusAtRisk:
		return "🟡"
	case flows.StatusOffTrack:
		return "🔴"
	}
	return "⚪"
}
