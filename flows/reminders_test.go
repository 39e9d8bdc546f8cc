package flows

import (
	"strings"
	"testing"
	"time"
)

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// TestCheckinReminderAtIsNineLocalAcrossDST: the reminder is at 09:00 of
// each person's own day before the close, whatever the offset that day;
// 2027-03-14 is the day the US moves its clocks, 2027-03-28 Europe's.
func TestCheckinReminderAtIsNineLocalAcrossDST(t *testing.T) {
	la, berlin := mustZone(t, "America/Los_Angeles"), mustZone(t, "Europe/Berlin")
	tests := []struct {
		close time.Time
		loc   *time.Location
		want  time.Time
	}{
		// Closes Monday 17:00 UTC: Monday 10:00 in LA (PDT since Sunday).
		{time.Date(2027, 3, 15, 17, 0, 0, 0, time.UTC), la, time.Date(2027, 3, 14, 16, 0, 0, 0, time.UTC)},
		{time.Date(2027, 3, 15, 17, 0, 0, 0, time.UTC), berlin, time.Date(2027, 3, 14, 8, 0, 0, 0, time.UTC)},
		// A week earlier LA is still on PST: 09:00 is an hour later in UTC.
		{time.Date(2027, 3, 8, 17, 0, 0, 0, time.UTC), la, time.Date(2027, 3, 7, 17, 0, 0, 0, time.UTC)},
		// Berlin moves on the 28th: 09:00 CEST is 07:00 UTC.
		{time.Date(2027, 3, 29, 17, 0, 0, 0, time.UTC), berlin, time.Date(2027, 3, 28, 7, 0, 0, 0, time.UTC)},
		// Closes at 02:00 UTC Tuesday, still Monday evening in LA: the
		// day before is LA's Sunday.
		{time.Date(2027, 3, 16, 2, 0, 0, 0, time.UTC), la, time.Date(2027, 3, 14, 16, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		got := CheckinReminderAt(tt.close, tt.loc)
		if !got.Equal(tt.want) {
			t.Errorf("CheckinReminderAt(%v, %v) = %v, want %v", tt.close, tt.loc, got.UTC(), tt.want)
		}
		if h := got.In(tt.loc).Hour(); h != ReminderHour {
			t.Errorf("reminder at %d:00 local, want %d:00", h, ReminderHour)
		}
	}
	due := time.Date(2027, 3, 15, 0, 0, 0, 0, time.UTC)
	if got, want := ReminderOnDate(due, la, -1), time.Date(2027, 3, 14, 16, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("the day before a due date in LA = %v, want %v", got.UTC(), want)
	}
}

func TestReminderTexts(t *testing.T) {
	berlin := mustZone(t, "Europe/Berlin")
	kpis := []KPI{{Key: "visitors", Name: "Unique visitors", Unit: UnitCount}, {Key: "revenue", Name: "Revenue", Unit: UnitCurrency}}
	closeAt := time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC)
	got := CheckinReminderText("Q1 & more", kpis, closeAt, closeAt.Add(-23*time.Hour), berlin).String()
	for _, want := range []string{"Q1 & more", "closes tomorrow at 09:00 (Thu 3 Dec, your time)", "Unique visitors and Revenue", "Enter values", "`values visitors"} {
		if !strings.Contains(got, want) {
			t.Errorf("check-in reminder lacks %q:\n%s", want, got)
		}
	}
	if got := CheckinReminderText("Q1", kpis, closeAt, closeAt.Add(-time.Hour), berlin).String(); !strings.Contains(got, "closes today at 09:00") {
		t.Errorf("a reminder on the day of the close: %s", got)
	}
	a := Action{Text: "Send sample bags", Due: time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)}
	if got := ActionReminderText("Q1", a, RemindDue, a.Due.Add(-15*time.Hour), berlin).String(); !strings.Contains(got, `"Send sample bags" (Q1) is due tomorrow, Thu 3 Dec`) {
		t.Errorf("due reminder: %s", got)
	}
	if got := ActionReminderText("Q1", a, RemindOverdue, a.Due.Add(33*time.Hour), berlin).String(); !strings.Contains(got, "was due on Thu 3 Dec") {
		t.Errorf("overdue reminder: %s", got)
	}
}
