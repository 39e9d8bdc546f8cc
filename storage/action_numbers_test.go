package storage_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/storetest"
)

// TestMigrationNumbersActionsAsListed: actions kept before numbers were
// stored get the numbers the list showed them with, their place in their
// plan ordered by id, plans' ids interleaved; the next action added takes
// the number after.
func TestMigrationNumbersActionsAsListed(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "racebot.db")
	old, exec := olderDatabase(t, path, 26)
	now := time.Now().UnixMilli()
	exec(`INSERT INTO plans (id, team_id, channel_id, name, name_key, created_by, created_at) VALUES
		(1, 'T1', 'C1', 'Q1', 'q1', 'U1', ?), (2, 'T1', 'C1', 'Q2', 'q2', 'U1', ?), (3, 'T1', 'C1', 'Q3', 'q3', 'U1', ?)`, now, now, now)
	exec(`INSERT INTO actions (id, plan_id, stage, text, impact, effort, created_by, created_at) VALUES
		(10, 1, 'plan', 'Gift boxes', 4, 2, 'U1', ?), (11, 2, 'plan', 'Other plan', 3, 3, 'U1', ?),
		(12, 1, 'plan', 'Webinar series', 3, 3, 'U1', ?), (14, 1, 'plan', 'Cart recovery emails', 5, 1, 'U1', ?)`, now, now, now, now)
	old.Close()

	storetest.NumberedAsListed(t, MustOpen(t, path))
}

// TestMigrationPassesActionIDsRemindedOf: before action ids were kept from
// being given twice, the newest action (9) was removed after its owner's
// due reminder went out. The reminder, and its Done and Snooze buttons in
// the owner's DMs, still name 9, so the next action must not take 9: its
// own reminder would read as sent, and a press on the old DM's Done would
// mark it done.
func TestMigrationPassesActionIDsRemindedOf(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "racebot.db")
	old, exec := olderDatabase(t, path, 27)
	now := time.Now().UnixMilli()
	exec(`INSERT INTO plans (id, team_id, channel_id, name, name_key, created_by, created_at, last_action_number) VALUES
		(1, 'T1', 'C1', 'Q1', 'q1', 'U1', ?, 2)`, now)
	exec(`INSERT INTO actions (id, plan_id, number, stage, text, impact, effort, created_by, created_at) VALUES
		(8, 1, 1, 'plan', 'Gift boxes', 4, 2, 'U1', ?)`, now)
	exec(`INSERT INTO reminders (team_id, user_id, key, plan_id, claimed_at) VALUES
		('T1', 'U1', 'action:8:2027-01-04:due', 1, ?), ('T1', 'U1', 'action:9:2027-01-05:due', 1, ?),
		('T1', 'U1', 'action:9:overdue', 1, ?), ('T1', 'U1', 'checkin:40', 1, ?)`, now, now, now, now)
	old.Close()

	db := MustOpen(t, path)
	p, err := db.Plan(ctx, "T1", 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Commit(ctx, p, []flows.Change{flows.ActionAdded{Action: flows.Action{Stage: flows.StagePlan, Text: "Gift cards", Impact: 3, Effort: 2, By: "U1", At: time.Now()}}}, ""); err != nil {
		t.Fatal(err)
	}
	if p, err = db.Plan(ctx, "T1", 1); err != nil || len(p.Actions) != 2 || p.Actions[1].ID != 10 {
		t.Errorf("the action added after the upgrade: %+v, %v; want id 10, past the reminded 9", p.Actions, err)
	}
}
