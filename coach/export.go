package coach

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/racebot/racebot/flows"
)

// exportRatings is how many capability ratings an export reads: two
// years of quarterly ratings, of which its summary compares the oldest
// with the latest.
const exportRatings = 8

// ReviewStore keeps each plan's latest review for its exports.
type ReviewStore interface {
	// SetLatestReview keeps a review unless its plan has a newer one; it
	// fails with flows.ErrNoPlan when the team has no such plan.
	SetLatestReview(ctx context.Context, team string, r flows.ExportReview) error
	// LatestReview reports false when the plan has no review.
	LatestReview(ctx context.Context, team string, plan flows.PlanID) (flows.ExportReview, bool, error)
}

// ReviewGiven records a review a transport showed of a team's plan as the
// plan's latest, for its exports. text is the review as shown, in the
// stored form (the model's words through markup.FromPlain, the built-in
// review as its plain rendering); by asked for it at at. A review that
// finishes after a newer one leaves the newer one in place. The caller
// records it after posting, off the acknowledgement's path.
func (s *Service) ReviewGiven(ctx context.Context, team string, plan flows.PlanID, text string, fromModel bool, by string, at time.Time) error {
	if strings.TrimSpace(text) == "" {
		return nil
	}
	return s.store.SetLatestReview(ctx, team, flows.ExportReview{Plan: plan, At: at, By: by, Text: text, FromModel: fromModel})
}

// Export is what a plan's export shows beyond the plan itself: its
// recorded values, the team's capability ratings and the plan's latest
// review, as of now, in the service's time zone, with people's text
// rendered as for every export. The transport names people
// (Export.People.Name) and renders it with Markdown.
func (s *Service) Export(ctx context.Context, p *flows.Plan, now time.Time) (flows.Export, error) {
	ms, err := s.store.Measurements(ctx, p.Team, p.ID)
	if err != nil {
		return flows.Export{}, fmt.Errorf("load values: %w", err)
	}
	ratings, err := s.store.CapabilityHistory(ctx, p.Team, p.Channel, exportRatings)
	if err != nil {
		return flows.Export{}, fmt.Errorf("load capability: %w", err)
	}
	e := flows.Export{
		Catalogue: s.cat, Plan: p, Values: ms, Location: s.loc, Now: now,
		People: flows.People{Text: s.userText}, Capability: ratings,
	}
	r, ok, err := s.store.LatestReview(ctx, p.Team, p.ID)
	if err != nil {
		return flows.Export{}, fmt.Errorf("load review: %w", err)
	}
	if ok {
		e.Review = &r
	}
	return e, nil
}

// newerReview is the review an export shows: the one a request carries
// (what its transport just showed) unless it is of another plan or the
// store holds a newer one, as another session may have made.
func newerReview(stored, shown *flows.ExportReview, plan flows.PlanID) *flows.ExportReview {
	if shown == nil || shown.Plan != plan || stored != nil && stored.At.After(shown.At) {
		return stored
	}
	return shown
}

// An export one person asked for of a plan is held, across racebots on
// one database, while it is under way and for holdSettle after it ended:
// the same /race export sent twice (Enter pressed twice, the command typed
// again while the first was shared) would share the plan twice. Reviews
// and KPI charts are held the same way (see Work), and drafts (see
// StartDraft). The key's time in the
// store is when the hold ends.
const (
	// holdBound bounds the hold of work whose racebot stopped before it
	// ended.
	holdBound = 2 * time.Minute
	// reviewBound bounds a review's hold instead: the model may write
	// one for minutes (each request bounded and retried, within the
	// transport's four minutes for streamed work), and a hold that ran
	// out meanwhile would let a second review start and both be posted.
	reviewBound = 6 * time.Minute
	// holdSettle is how long ended work that was shown is still held.
	holdSettle = 5 * time.Second
)

func exportKey(plan flows.PlanID, user string) string {
	return fmt.Sprintf("export:%d:%s", plan, user)
}

// StartExport holds user's export of plan from now, reporting false
// while another export of theirs of that plan holds it: under way, or
// ended less than holdSettle ago.
func (s *Service) StartExport(ctx context.Context, team string, plan flows.PlanID, user string, now time.Time) (bool, error) {
	ok, err := s.hold(ctx, team, exportKey(plan, user), now, holdBound)
	if err != nil {
		return false, fmt.Errorf("start export: %w", err)
	}
	return ok, nil
}

// EndExport holds user's export of plan, which StartExport held from
// started and which ended at now, for holdSettle more when it shared
// (or may have shared) the plan. One that shared nothing is not held:
// its person was told to ask again, and "already on its way" would be
// untrue.
func (s *Service) EndExport(ctx context.Context, team string, plan flows.PlanID, user string, started, now time.Time, shared bool) error {
	if err := s.unhold(ctx, team, exportKey(plan, user), started, holdBound, now, shared); err != nil {
		return fmt.Errorf("end export: %w", err)
	}
	return nil
}

// Work is what a transport makes of a plan after the acknowledgement,
// which is held while under way as an export is, but for the plan and the
// place it goes to rather than for the person who asked: the same command
// sent twice, or by two people within seconds, would post it twice in the
// plan's thread.
type Work string

const (
	WorkReview Work = "review"
	WorkReport Work = "report"
)

// Bound is how long w is held at most: what the work may take, and how
// long asking again is turned away after its racebot stopped before it
// ended.
func (w Work) Bound() time.Duration {
	if w == WorkReview {
		return reviewBound
	}
	return holdBound
}

// workKey is the hold on w of p going to where: "" for the plan's thread,
// else the conversation it goes to (a mention's thread, a direct
// message). Work going elsewhere is not held by it: its asker would never
// see the other.
func workKey(w Work, p *flows.Plan, where string) string {
	key := fmt.Sprintf("%s:%d", w, p.ID)
	if w == WorkReview {
		// A review is of the plan as it is: one asked for after a change
		// (an answer given meanwhile) is of another plan, and is made.
		key = fmt.Sprintf("%s:%d", key, p.Version)
	}
	if where != "" {
		key += ":" + where
	}
	return key
}

// StartWork holds w of p going to where (see workKey) from now, reporting
// false while other such work holds it: under way, or shown less than
// holdSettle ago.
func (s *Service) StartWork(ctx context.Context, p *flows.Plan, w Work, where string, now time.Time) (bool, error) {
	ok, err := s.hold(ctx, p.Team, workKey(w, p, where), now, w.Bound())
	if err != nil {
		return false, fmt.Errorf("start %s: %w", w, err)
	}
	return ok, nil
}

// EndWork ends the hold StartWork took at started on w of p, which ended
// at now: held holdSettle more when it was shown (or may have been), and
// not at all when it failed, so that asking again, as its asker was told
// to, works at once.
func (s *Service) EndWork(ctx context.Context, p *flows.Plan, w Work, where string, started, now time.Time, shown bool) error {
	if err := s.unhold(ctx, p.Team, workKey(w, p, where), started, w.Bound(), now, shown); err != nil {
		return fmt.Errorf("end %s: %w", w, err)
	}
	return nil
}

// draftKey is the hold on the draft d asks for of p: its question's
// answer, or its stage's KPI suggestions, of the plan as it is. A draft
// always goes to the plan's thread.
func draftKey(p *flows.Plan, d *flows.DraftRequest) string {
	// As a review is, a draft is of the plan as it is: one asked for after
	// a change (an answer given, edited or added beside another, a KPI set
	// or removed) is of another plan, and is made, where the one under way
	// was written without the change.
	if d.KPIs {
		return fmt.Sprintf("draft:%d:%d:kpis:%s", p.ID, p.Version, d.Stage)
	}
	return fmt.Sprintf("draft:%d:%d:%s", p.ID, p.Version, d.QuestionID)
}

// StartDraft holds the draft d asks for of p from now, reporting false
// while the same draft is being made, by anyone in any racebot: two
// asked for at once (two people, a reply and a button) would both be
// posted in the plan's thread. It is held as long as a review, which the
// model writes the same way.
func (s *Service) StartDraft(ctx context.Context, p *flows.Plan, d *flows.DraftRequest, now time.Time) (bool, error) {
	ok, err := s.hold(ctx, p.Team, draftKey(p, d), now, reviewBound)
	if err != nil {
		return false, fmt.Errorf("start draft: %w", err)
	}
	return ok, nil
}

// EndDraft ends the hold StartDraft took at started, at once whether or
// not the draft was shown: unlike a second review, a draft asked for
// after one was shown (or discarded) is wanted, in other words.
func (s *Service) EndDraft(ctx context.Context, p *flows.Plan, d *flows.DraftRequest, started, now time.Time) error {
	if err := s.unhold(ctx, p.Team, draftKey(p, d), started, reviewBound, now, false); err != nil {
		return fmt.Errorf("end draft: %w", err)
	}
	return nil
}

// hold takes key from now until bound from now, unless it is held.
func (s *Service) hold(ctx context.Context, team, key string, now time.Time, bound time.Duration) (bool, error) {
	return s.store.LeaseKey(ctx, team, key, now, now.Add(bound))
}

// unhold ends the hold on key taken at started for bound, at now, or
// holdSettle after it when settle.
func (s *Service) unhold(ctx context.Context, team, key string, started time.Time, bound time.Duration, now time.Time, settle bool) error {
	end := now
	if settle {
		end = now.Add(holdSettle)
	}
	// Only this hold is replaced, not one taken after it ran out by work
	// that is still under way.
	_, err := s.store.LeaseKey(ctx, team, key, started.Add(bound), end)
	return err
}
