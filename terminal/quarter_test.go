package terminal_test

import (
	"context"
	"strings"
	"testing"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/markup"
	"github.com/racebot/racebot/storage"
	"github.com/racebot/racebot/terminal"
)

// TestTerminalClosesTheQuarter: action statuses, a retro answered line by
// line (with a skip and a stop), the capability rated one stage per line,
// and the next plan started from this one, all at the terminal.
func TestTerminalClosesTheQuarter(t *testing.T) {
	out, db := session(t, []string{
		"new Q1 Launch",
		"We roast speciality coffee and sell subscriptions online and at a market stall.",
		"done",
		"Webinar series | Ana | in 2 weeks | impact 4 | effort 3",
		"Cart recovery emails | Ben | in 3 weeks | impact 5 | effort 2",
		"done",
		"done",
		"done",
		"visitors | baseline 8k | target 20k | by 2027-03-31 | owner Ana",
		"values visitors 12k",
		"actions",
		"action done webinar",
		"action doing 2",
		"retro",
		"The webinars brought half of the new leads.",
		"skip",
		"Start cart emails in week one.",
		"stop",
		"score",
		"3",
		"7",
		"2",
		"3",
		"2",
		"3",
		`new Q2 Plan --from "Q1 Launch"`,
		"keep",
	})
	golden(t, "quarter.transcript", out)

	ctx := context.Background()
	old, err := db.PlanByName(ctx, terminal.Team, terminal.Channel, "Q1 Launch")
	if err != nil {
		t.Fatal(err)
	}
	if got := []flows.ActionStatus{old.Actions[0].State(), old.Actions[1].State()}; got[0] != flows.ActionDone || got[1] != flows.ActionDoing {
		t.Errorf("statuses = %v", got)
	}
	if got := retroAnswers(t, db); got != "worked: The webinars brought half of the new leads.|change: Start cart emails in week one." {
		t.Errorf("retro answers = %v", got)
	}
	hist, err := db.CapabilityHistory(ctx, terminal.Team, terminal.Channel, 5)
	if err != nil || len(hist) != 1 || hist[0].Scores[flows.StageAct] != 3 || hist[0].Scores[flows.StageReach] != 2 {
		t.Errorf("capability = %+v, %v", hist, err)
	}
	q2, err := db.PlanByName(ctx, terminal.Team, terminal.Channel, "Q2 Plan")
	if err != nil {
		t.Fatal(err)
	}
	if a := q2.Answers[flows.QuestionBusiness]; !strings.HasPrefix(a.Text, "We roast speciality coffee") {
		t.Errorf("kept answer = %+v", a)
	}
	if len(q2.KPIs) != 1 || flows.FormatValue(q2.KPIs[0].Baseline) != "12k" {
		t.Errorf("carried KPIs = %+v", q2.KPIs)
	}
}

// TestTerminalRetroSaysHowToLeave: at the terminal the retro takes every
// line, so its questions say how to move on and how to stop, a command
// typed mid-retro is explained rather than kept as the team's answer, and
// nothing promises answers "later", which only a Slack thread can take.
func TestTerminalRetroSaysHowToLeave(t *testing.T) {
	out, db := session(t, []string{
		"new Q1 Launch",
		"retro",
		"status",
		"The webinars brought half of the new leads.",
		"stop",
		"status",
	})
	if got := retroAnswers(t, db); got != "worked: The webinars brought half of the new leads." {
		t.Errorf("retro answers = %v; want only the answer, not the command", got)
	}
	for _, want := range []string{"`skip` moves to the next question", "`stop` ends the retro"} {
		if !strings.Contains(out, want) {
			t.Errorf("the retro never says %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "later") {
		t.Errorf("the terminal retro promises answers later:\n%s", out)
	}
}

// TestTerminalRetroRefusesThePlansCommands: a value or an action's status
// typed mid-retro is a command of the plan, as at any open question, so
// it is explained rather than kept as the team's answer.
func TestTerminalRetroRefusesThePlansCommands(t *testing.T) {
	out, db := session(t, []string{
		"new Q1 Launch",
		"We roast speciality coffee and sell subscriptions online and at a market stall.",
		"done",
		"Webinar series | Ana | in 2 weeks | impact 4 | effort 3",
		"done",
		"done",
		"done",
		"visitors | baseline 8k | target 20k | by 2027-03-31 | owner Ana",
		"retro",
		"values visitors 12k",
		"action done webinar",
		"The webinars brought half of the new leads.",
		"stop",
	})
	if got := retroAnswers(t, db); got != "worked: The webinars brought half of the new leads." {
		t.Errorf("retro answers = %v; want only the answer, not the commands:\n%s", got, out)
	}
	if n := strings.Count(out, "That's a command"); n != 2 {
		t.Errorf("the retro explained %d commands, want 2:\n%s", n, out)
	}
}

// retroAnswers is the answers of Q1 Launch's latest retro, each
// "question: text", joined by "|".
func retroAnswers(t *testing.T, db *storage.DB) string {
	t.Helper()
	ctx := context.Background()
	p, err := db.PlanByName(ctx, terminal.Team, terminal.Channel, "Q1 Launch")
	if err != nil {
		t.Fatal(err)
	}
	r, ok, err := db.LatestRetro(ctx, terminal.Team, p.ID)
	if err != nil || !ok {
		t.Fatalf("no retro: %v", err)
	}
	var answered []string
	for _, a := range r.Answers {
		answered = append(answered, a.Question+": "+a.Text)
	}
	return strings.Join(answered, "|")
}

// TestTerminalRetroContinuesNextTime: Ana answers the retro's first
// question and closes the terminal. The next time, retro picks up the
// same retro at its second question, as its Slack thread would, rather
// than open another and leave the first half answered.
func TestTerminalRetroContinuesNextTime(t *testing.T) {
	dir := t.TempDir()
	sessionIn(t, dir, []string{
		"new Q1 Launch",
		"retro",
		"The webinars brought half of the new leads.",
	})
	out, db := sessionIn(t, dir, []string{
		"retro",
		"Start cart emails in week one.",
	})
	if !strings.Contains(out, "Continuing the retro") || !strings.Contains(out, "Question 2 of 3") {
		t.Errorf("the second session does not continue the retro:\n%s", out)
	}
	if got, want := retroAnswers(t, db), "worked: The webinars brought half of the new leads.|didnt: Start cart emails in week one."; got != want {
		t.Errorf("retro answers = %q, want %q", got, want)
	}
}

// TestTerminalRetroAnswersAreTypedText: a retro answer typed in the
// terminal is kept like every other terminal answer, in the stored form,
// so "<" and "&" read back, in Slack and in exports, as typed.
func TestTerminalRetroAnswersAreTypedText(t *testing.T) {
	const line = "Referrals &lt; ads; R&D <team> helped."
	_, db := session(t, []string{"new Q1 Launch", "retro", line, "stop"})
	if got, want := retroAnswers(t, db), "worked: "+string(markup.FromPlain(line)); got != want {
		t.Errorf("retro answers = %q, want %q", got, want)
	}
	p, err := db.PlanByName(t.Context(), terminal.Team, terminal.Channel, "Q1 Launch")
	if err != nil {
		t.Fatal(err)
	}
	r, _, err := db.LatestRetro(t.Context(), terminal.Team, p.ID)
	if err != nil || len(r.Answers) != 1 {
		t.Fatalf("retro = %+v, %v", r, err)
	}
	if got := markup.Stored(r.Answers[0].Text).Plain(nil); got != line {
		t.Errorf("the answer reads back as %q, want %q", got, line)
	}
}
