package flows

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// actionNow is a Monday: 23 November 2026, 09:00 in Berlin.
var actionNow = time.Date(2026, 11, 23, 9, 0, 0, 0, berlin)

var berlin = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		return time.FixedZone("CET", 3600)
	}
	return loc
}()

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, berlin) }

func TestParseActionForgiving(t *testing.T) {
	tests := []struct {
		line string
		want Action
	}{
		// The issue's own line: dashes, a natural date, scores with a comma.
		{"Launch the referral scheme - Sara - by end of February - impact 4, effort 3",
			Action{Text: "Launch the referral scheme", Owner: "Sara", Due: day(2027, 2, 28), Impact: 4, Effort: 3}},
		{"Add reviews to product pages | Ana | 2027-02-15 | impact 4 | effort 2",
			Action{Text: "Add reviews to product pages", Owner: "Ana", Due: day(2027, 2, 15), Impact: 4, Effort: 2}},
		{"Refresh the hero, Ana, 15 Mar, 4, 2",
			Action{Text: "Refresh the hero", Owner: "Ana", Due: day(2027, 3, 15), Impact: 4, Effort: 2}},
		{"Write, test and send the welcome series, Ana, next friday, impact 4, effort 2",
			Action{Text: "Write, test and send the welcome series", Owner: "Ana", Due: day(2026, 11, 27), Impact: 4, Effort: 2}},
		{"Fix checkout - shipping step - Ben - in 2 weeks - i5 e2",
			Action{Text: "Fix checkout - shipping step", Owner: "Ben", Due: day(2026, 12, 7), Impact: 5, Effort: 2}},
		{"Plan the spring sale | Q1 | impact 3 | effort 3 | owner: Priya",
			Action{Text: "Plan the spring sale", Owner: "Priya", Due: day(2027, 3, 31), Impact: 3, Effort: 3}},
		{"Brief the agency | <@U123> | tomorrow | impact 2 effort 1",
			Action{Text: "Brief the agency", Owner: "<@U123>", Due: day(2026, 11, 24), Impact: 2, Effort: 1}},
		{"Record a demo video - @kemi - end of month - 3 - 2",
			Action{Text: "Record a demo video", Owner: "@kemi", Due: day(2026, 11, 30), Impact: 3, Effort: 2}},
		{"Set up retargeting | Mei Lin Wong | 1 Dec | impact 3 | effort 4",
			Action{Text: "Set up retargeting", Owner: "Mei Lin Wong", Due: day(2026, 12, 1), Impact: 3, Effort: 4}},
		{"Send the survey, impact 3, effort 1",
			Action{Text: "Send the survey", Impact: 3, Effort: 1}},
		{"Ask for reviews | owner May | end of Q2 | impact 3 | effort 1",
			Action{Text: "Ask for reviews", Owner: "May", Due: day(2027, 6, 30), Impact: 3, Effort: 1}},
		// A link or channel holds a bar, which does not make the line
		// bar-separated; the description keeps its own dashes as typed.
		{"Update <http://www.shop.example|www.shop.example> pricing, impact 4, effort 2",
			Action{Text: "Update <http://www.shop.example|www.shop.example> pricing", Impact: 4, Effort: 2}},
		{"Announce it in <#C9|launch> - impact 3 - effort 1",
			Action{Text: "Announce it in <#C9|launch>", Impact: 3, Effort: 1}},
		{"Brief the agency — spring campaign (2 ads) – impact 3 – effort 1",
			Action{Text: "Brief the agency — spring campaign (2 ads)", Impact: 3, Effort: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			got, err := ParseAction(tt.line, actionNow)
			if err != nil {
				t.Fatalf("ParseAction: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// A date-like word is never an owner, and an owner must look like a person.
func TestParseActionRefuses(t *testing.T) {
	tests := []struct{ line, want string }{
		{"Do it | yesterday | impact 3 | effort 1", "The due date Sun 22 Nov 2026 is already past"},
		{"Do it - yesterday - impact 3, effort 1", "The due date Sun 22 Nov 2026 is already past"},
		{"Do it | owner yesterday | impact 3 | effort 1", `"yesterday" is a date, not a person`},
		{"Do it | ??? | impact 3 | effort 1", `"???" doesn't look like a person`},
		{"Do it - ??? - 15 Mar - impact 3, effort 1", `"???" doesn't look like a person`},
		{"Do it | end of Febuary | impact 3 | effort 1", `I couldn't read the date "end of Febuary"`},
		{"Do it - by next sprint - impact 3, effort 1", `I couldn't read the date "by next sprint"`},
		{"Do it | Ana | Ben | impact 3 | effort 1", `I read both "Ana" and "Ben" as the owner`},
		{"Do it | impact 9 | effort 1", `"impact 9" is outside that range`},
		{"Do it | impact 3 | impact 4 | effort 1", "gives its impact twice"},
		{"Do it | 15 Mar | 16 Mar | impact 3 | effort 1", "two due dates"},
		{"Do it - Ana - 15 Mar", "Give \"Do it\" an impact and an effort score"},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			a, err := ParseAction(tt.line, actionNow)
			if err == nil {
				t.Fatalf("ParseAction = %+v, want an error", a)
			}
			if !errors.Is(err, ErrBadInput) || !strings.Contains(Explain(err).String(), tt.want) {
				t.Errorf("error %q, want %q", Explain(err).String(), tt.want)
			}
		})
	}
}

func TestParseDueNatural(t *testing.T) {
	// A Monday in November; dates without a year are the next ones.
	tests := []struct {
		in   string
		want time.Time
	}{
		{"2027-03-31", day(2027, 3, 31)},
		{"15 Mar", day(2027, 3, 15)},
		{"15th March", day(2027, 3, 15)},
		{"March 15, 2027", day(2027, 3, 15)},
		{"Dec 1", day(2026, 12, 1)},
		{"23 Nov", day(2026, 11, 23)},
		{"22 Nov", day(2027, 11, 22)},
		{"end of February", day(2027, 2, 28)},
		{"by end of feb 2028", day(2028, 2, 29)},
		{"end of the month", day(2026, 11, 30)},
		{"end of next month", day(2026, 12, 31)},
		{"end of the quarter", day(2026, 12, 31)},
		{"end of the year", day(2026, 12, 31)},
		{"end of the week", day(2026, 11, 27)},
		{"Q1", day(2027, 3, 31)},
		{"q4", day(2026, 12, 31)},
		{"Q3 2027", day(2027, 9, 30)},
		{"end of Q2", day(2027, 6, 30)},
		{"friday", day(2026, 11, 27)},
		{"next friday", day(2026, 11, 27)},
		{"monday", day(2026, 11, 23)},
		{"next monday", day(2026, 11, 30)},
		{"next week", day(2026, 12, 4)},
		{"today", day(2026, 11, 23)},
		{"tomorrow", day(2026, 11, 24)},
		{"in 2 weeks", day(2026, 12, 7)},
		{"in a month", day(2026, 12, 23)},
		{"in three days", day(2026, 11, 26)},
		{"due 2027-01-10", day(2027, 1, 10)},
	}
	for _, tt := range tests {
		got, ok := parseDue(tt.in, actionNow)
		if !ok || !got.Equal(tt.want) {
			t.Errorf("parseDue(%q) = %v, %v; want %v", tt.in, got.Format(time.DateOnly), ok, tt.want.Format(time.DateOnly))
		}
	}
	for _, bad := range []string{"Ana", "soon", "March", "31 Feb", "next sprint", "end of Febuary", ""} {
		if got, ok := parseDue(bad, actionNow); ok {
			t.Errorf("parseDue(%q) = %v, want no date", bad, got)
		}
	}
}

// The coach says back what it understood of an action line, and the
// action's number.
func TestActionAddedEchoes(t *testing.T) {
	a, err := ParseAction("Launch the referral scheme - Sara - by end of February - impact 4, effort 3", actionNow)
	if err != nil {
		t.Fatal(err)
	}
	want := "Added action 3: Launch the referral scheme — owner Sara, due Sun 28 Feb 2027, impact 4, effort 3. Add another, or reply `done`."
	a.Number = 3
	plan := RACE().Stages[0]
	if got := actionAddedText(a, plan, true).String(); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	b, _ := ParseAction("Send the survey, impact 5, effort 1", actionNow)
	b.Number = 4
	want = "Added action 4: Send the survey — no owner yet, no due date yet, impact 5, effort 1 (a quick win). Add another, or reply `done`."
	if got := actionAddedText(b, plan, true).String(); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	// Read after the plan left the stage: "reply done" would end what is
	// open now.
	want = "Added action 4 to Plan: Send the survey — no owner yet, no due date yet, impact 5, effort 1 (a quick win)."
	if got := actionAddedText(b, plan, false).String(); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

// ReadsToday tells the lines whose dates depend on the writer's day from
// those that name none, or only absolute dates.
func TestReadsToday(t *testing.T) {
	for text, want := range map[string]bool{
		"Call the roaster - Ben - tomorrow - impact 3, effort 1": true,
		"Launch | <@UANA> | due friday | impact 4 | effort 2":    true,
		"visitors | baseline 8k | target 20k | in 3 months":      true,
		"Refresh the hero, Ana, end of month":                    true,
		"Plan the spring sale | 15 March":                        true,
		"Send it | Ben | 2027-03-31 | impact 2 | effort 1":       false,
		"We sell coffee to offices.":                             false,
		"This is what our customers love most.":                  false,
		"Launch | <@UANA> | this friday":                         true,
		"skip":                                                   false,
		"Within a day’s delivery":                                true,
		"Ship by FRIDAY":                                         true,
		"Mondays-are-busy but Wednesdayish works":                false,
		"Über-fresh beans, Café crème":                           false,
		"Coffee, delivered Monday":                               true,
		"Ship by FRİDAY":                                         true,
	} {
		if got := ReadsToday(text); got != want {
			t.Errorf("ReadsToday(%q) = %t, want %t", text, got, want)
		}
	}
}

// TestNamesScores: a line that names its impact or effort in a part of its
// own was written as an action line; an answer to a question that happens
// to have a part like a score (a London postcode, a conference) was not,
// and is read again as the answer it is (see coach.ReadRefusedAgain).
func TestNamesScores(t *testing.T) {
	t.Parallel()
	for line, want := range map[string]bool{
		"Gift boxes for top 50 customers | impact 9 | effort 2 | Ben": true,
		"Gift boxes | Ben | effort 7":                                 true,
		"Referral scheme - Sara - impact 4, effort 8":                 true,
		"Referral scheme, Sara, i9 e2":                                true,
		"Referral scheme, i 4, e 9":                                   true,
		"Gift boxes | Ben | e 9":                                      true,
		"Reach 200 families - impact 5":                               true,
		"the impact of our campaign was low":                          false,
		"Low impact, high effort":                                     false,
		"Impact: big. Effort: 3 people for 2 weeks":                   false,
		"We reach 5,000 people a month - impact 2x on signups":        false,
		"Mostly around Shoreditch and Whitechapel, E1 and E2":         false,
		"Postcodes E1, E2, N1":                                        false,
		"Gaming conferences: CES, E3, Gamescom":                       false,
		"Billboards along I 95, I 5":                                  false,
		"Phase 1, Phase 2":                                            false,
	} {
		if got := NamesScores(line); got != want {
			t.Errorf("NamesScores(%q) = %v, want %v", line, got, want)
		}
	}
}
