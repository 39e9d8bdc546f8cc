// Package storetest is the storage contract: one suite of tests that every
// racebot store passes, the SQLite file (package storage) and PostgreSQL
// (package storage/postgres) alike. It reaches the stores only through the
// interfaces their users own (coach.Store, coach.ReminderStore,
// scheduler.Store, scheduler.History) and the few methods Store adds, so a
// method added to one of those interfaces fails to build for a store that
// lacks it, and a promise a store does not keep fails here.
//
// Promises that matter once several processes share a database are tested
// with two handles on one database: each has its own pool and plan cache, as
// two racebot replicas would.
package storetest

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/install"
	"github.com/racebot/racebot/scheduler"
)

// Store is what every racebot store implements.
type Store interface {
	coach.Store
	coach.ReminderStore
	scheduler.Store
	scheduler.History
	install.Store

	// SaveKPI sets a KPI's target on a plan, replacing the one with its key.
	SaveKPI(ctx context.Context, team string, k flows.KPI) (int64, error)
	// Revisions lists every row of a question's history, oldest first.
	Revisions(ctx context.Context, team string, plan flows.PlanID, questionID string) ([]flows.Answer, error)
	Close() error
}

// Open makes an empty database for t and returns a handle on it, and a
// function that opens another handle on the same database, as a second
// process or replica would. The store closes every handle when t ends.
type Open func(t *testing.T) (db Store, another func() Store)

// Options are the promises a store makes beyond the common contract.
type Options struct {
	// FreshReads: a read on one handle sees everything other handles
	// committed before it began. PostgreSQL keeps it, as its replicas serve
	// one workspace side by side. SQLite's handles trust their plan caches
	// until their next write transaction notices the file changed (one
	// racebot process per file is the rule), so a read there may show a
	// plan as it was; a commit from such a plan is still refused with
	// flows.ErrConflict, which both stores promise.
	FreshReads bool
}

// settle brings h up to date with what other handles committed, for a
// store that promises that only from h's next write on: it has h write a
// key of its own.
func settle(t *testing.T, h Store, opts Options) {
	t.Helper()
	if opts.FreshReads {
		return
	}
	if err := h.MarkSeen(ctxFor(t), "storetest", fmt.Sprintf("settle-%d", settles.Add(1))); err != nil {
		t.Fatal(err)
	}
}

var settles atomic.Int64

// Run runs the contract against the store open makes, each test in
// parallel on a database of its own.
func Run(t *testing.T, open Open, opts Options) {
	tests := []struct {
		name string
		fn   func(*testing.T, Open)
	}{
		{"PlanRoundTrip", testPlanRoundTrip},
		{"PlanNamesUniquePerChannel", testPlanNames},
		{"TeamsNeverSeeEachOther", testTeams},
		{"KeyRecordedWithItsEffect", testKeys},
		{"KeyRaceAcrossHandles", testKeyRace},
		{"VersionConflict", testVersionConflict},
		{"CommitRaceAcrossHandles", testCommitRace},
		{"CacheSeesOtherHandlesWrites", func(t *testing.T, open Open) { testCacheAcrossHandles(t, open, opts) }},
		{"DeletePlan", testDeletePlan},
		{"BindThreadFirstWins", testBindThread},
		{"AddedActionsCached", testAddedActionsCached},
		{"MessageSources", testMessageSources},
		{"PlansFromAMessage", testPlansFrom},
		{"ActionNumbers", testActionNumbers},
		{"RemovedKPIKeepsValuesGivenMeanwhile", testRemovedKPIKeepsValuesGivenMeanwhile},
		{"KPIsAndValues", func(t *testing.T, open Open) { testKPIs(t, open, opts) }},
		{"ReplaceMeasurements", testReplaceMeasurements},
		{"WithdrawalReportsWhatItLeft", testWithdrawalReportsWhatItLeft},
		{"WithdrawalMarksItsCheckinsSummary", testWithdrawalMarksSummary},
		{"OfferWithNoChangesOnAMovedPlan", testOfferOnAMovedPlan},
		{"AskedMessages", testAsked},
		{"AskedForItsAuthor", func(t *testing.T, open Open) { testAskedAuthor(t, open, opts) }},
		{"Offers", testOffers},
		{"OfferTakenOnce", testOfferTakenOnce},
		{"TakenLineNamesThePlanItStarted", testTakenLine},
		{"OfferLapsesWhenThePlanMoves", testOfferLapses},
		{"OfferWithdrawnByAnEdit", testOfferWithdrawn},
		{"Checkins", testCheckins},
		{"CheckinClaimsAcrossHandles", testCheckinClaims},
		{"CheckinByOccurrence", testCheckinByOccurrence},
		{"LatestCheckin", testLatestCheckin},
		{"CatchupThreads", testCatchupThreads},
		{"MessageKeysOutliveDeliveryKeys", testMessageKeys},
		{"LeaseKeyTakenOverOnlyWhenStale", testLeaseKey},
		{"WorkflowSteps", testWorkflowSteps},
		{"Placeholders", testPlaceholders},
		{"HomeViewers", testHomeViewers},
		{"ActionStatus", func(t *testing.T, open Open) { testActionStatus(t, open, opts) }},
		{"CreatePlanFrom", testCreatePlanFrom},
		{"CapabilityHistory", testCapabilityHistory},
		{"CapabilityReminderOncePerQuarter", testCapabilityReminder},
		{"Retros", testRetros},
		{"RetroAnswersMoved", testRetroAnswersMoved},
		{"RemindersClaimedOnce", testRemindersClaimedOnce},
		{"RemindersOfActions", testRemindersOfActions},
		{"OpenCheckins", testOpenCheckins},
		{"LatestReview", testLatestReview},
		{"Schedules", testSchedules},
		{"OccurrenceLifecycle", testOccurrences},
		{"OccurrenceClaimsAcrossHandles", testOccurrenceClaims},
		{"Ping", testPing},
		{"Installations", testInstallations},
		{"EnterpriseInstallations", testEnterpriseInstallations},
		{"TokenRotationOnceAcrossHandles", testTokenRotation},
		{"UninstallAndPurge", testUninstallAndPurge},
		{"UninstallChecks", testUninstallChecks},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, open)
		})
	}
}

// t0 is a Monday morning, the start of every test's timeline.
var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// patience bounds every wait on another goroutine: a bound, not a timing
// claim.
const patience = 30 * time.Second

func ctxFor(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	t.Cleanup(cancel)
	return ctx
}

// newPlan creates a plan with no delivery key.
func newPlan(t *testing.T, db Store, team, channel, name string) *flows.Plan {
	t.Helper()
	p := flows.NewPlan(team, channel, name, "U1", t0)
	id, err := db.CreatePlan(ctxFor(t), p, "")
	if err != nil {
		t.Fatalf("create plan %s: %v", name, err)
	}
	return load(t, db, team, id)
}

func load(t *testing.T, db Store, team string, id flows.PlanID) *flows.Plan {
	t.Helper()
	p, err := db.Plan(ctxFor(t), team, id)
	if err != nil {
		t.Fatalf("load plan %d: %v", id, err)
	}
	return p
}

// step runs one line through the engine and commits its changes with key,
// as the coach does, and returns the plan reloaded.
func step(t *testing.T, db Store, p *flows.Plan, text, key string, at time.Time) *flows.Plan {
	t.Helper()
	out, err := flows.Step(flows.RACE(), p, flows.Input{Text: text, User: "U1", Now: at, Source: "C1/" + text})
	if err != nil {
		t.Fatalf("step %q: %v", text, err)
	}
	if err := db.Commit(ctxFor(t), p, out.Changes, key); err != nil {
		t.Fatalf("commit %q: %v", text, err)
	}
	return load(t, db, p.Team, p.ID)
}

// changes runs one line through the engine without committing.
func changes(t *testing.T, p *flows.Plan, text string, at time.Time) []flows.Change {
	t.Helper()
	out, err := flows.Step(flows.RACE(), p, flows.Input{Text: text, User: "U2", Now: at})
	if err != nil {
		t.Fatalf("step %q: %v", text, err)
	}
	return out.Changes
}

// race runs fn n times at once, each with its index, and returns how many
// returned nil; errors other than the expected ones fail the test.
func race(t *testing.T, n int, fn func(i int) error, expected ...error) int {
	t.Helper()
	errs := make(chan error, n)
	start := make(chan struct{})
	for i := range n {
		go func() {
			<-start
			errs <- fn(i)
		}()
	}
	close(start)
	won := 0
	for range n {
		select {
		case err := <-errs:
			if err == nil {
				won++
				continue
			}
			if !isAny(err, expected) {
				t.Errorf("unexpected error: %v", err)
			}
		case <-time.After(patience):
			t.Fatal("gave up waiting for the racers")
		}
	}
	return won
}

// T0 is the time Fill starts its timeline at.
var T0 = t0
