package bot

import (
	"strings"
	"testing"
	"time"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/slackfake"
)

// TestAYesToAnOfferWithdrawnByAnEdit: Ana replies "new Launch plan" to
// question 1, kept as her answer with the offer of that plan, and edits
// the line into "Coffee.", which withdraws the offer. Her `yes`, typed
// before the note saying so reached her or after it, and delivered twice,
// is no answer to question 2: she alone is told, once, that the offer was
// withdrawn when she edited the line, and nothing changes. A yes that
// lands before the edit still takes the offer, and the edit after it is
// told nothing of a withdrawal.
func TestAYesToAnOfferWithdrawnByAnEdit(t *testing.T) {
	t.Parallel()
	const told = "was withdrawn when you edited your line"
	// editAway has Ana edit her line into "Coffee." ten seconds after it,
	// and waits for the note that withdraws the offer.
	editAway := func(t *testing.T, h *harness, header slackfake.Message, ts string) slackfake.Ephemeral {
		t.Helper()
		h.twice(slackfake.MessageChanged{Channel: "C1", User: "UANA", TS: ts, ThreadTS: header.TS, Text: "Coffee.", PreviousText: "new Launch plan",
			EditTS: tsAfter(t, ts, 10*time.Second), EventID: "EvPLAIN"})
		return h.waitEphemeral("UANA", "is withdrawn")
	}
	// wantNothingChanged checks that after the edit, Ana's yes (delivered
	// twice, and settled) left the plan at version and was explained to
	// her alone, once.
	wantNothingChanged := func(t *testing.T, h *harness, version int64) {
		t.Helper()
		h.wantNoPlanStarted(t, "a yes after the edit withdrew the offer", "Coffee.")
		p := h.plan(slackfake.TeamID, "C1", "Q1")
		if a := p.Answers[flows.QuestionValueProposition]; a.Text != "" || len(a.Also) != 0 {
			t.Errorf("question 2 = %q (and %d beside), want nothing filed", a.Text, len(a.Also))
		}
		if p.Version != version {
			t.Errorf("the yes moved the plan from version %d to %d", version, p.Version)
		}
		if n := h.countEphemerals("UANA", told); n != 1 {
			t.Errorf("Ana was told %d times that the offer was withdrawn by her edit, want once; told %q", n, h.fake.Ephemerals())
		}
		for _, e := range h.fake.Ephemerals() {
			if strings.Contains(e.Text, told) && (!strings.Contains(e.Text, `"Launch plan"`) || !strings.Contains(e.Text, "not recorded")) {
				t.Errorf("Ana was told %q, want that her yes was not recorded and the offer of Launch plan withdrawn", e.Text)
			}
		}
		h.wantOnlyAnaTold(t)
	}

	t.Run("the edit, then a yes typed before the note", func(t *testing.T) {
		t.Parallel()
		h, header, ts := anaAnswersQ1(t, "new Launch plan", "Start a new plan called")
		editAway(t, h, header, ts)
		version := h.plan(slackfake.TeamID, "C1", "Q1").Version
		h.twice(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "yes", TS: tsAfter(t, ts, 5*time.Second), ThreadTS: header.TS})
		wantNothingChanged(t, h, version)
	})
	t.Run("the edit, then a yes typed after the note", func(t *testing.T) {
		t.Parallel()
		h, header, ts := anaAnswersQ1(t, "new Launch plan", "Start a new plan called")
		note := editAway(t, h, header, ts)
		version := h.plan(slackfake.TeamID, "C1", "Q1").Version
		h.twice(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "yes", TS: tsAfter(t, note.TS, time.Second), ThreadTS: header.TS})
		wantNothingChanged(t, h, version)
	})
	// Ana, having answered question 2 since, means her yes for the
	// question before her: it is filed as its answer, as Ben's yes after
	// the edit is (he has no offer), within the offer's ten minutes.
	t.Run("the edit, an answer, then a yes to the next question", func(t *testing.T) {
		t.Parallel()
		h, header, ts := anaAnswersQ1(t, "new Launch plan", "Start a new plan called")
		note := editAway(t, h, header, ts)
		h.replyAndWait(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "We save offices an hour a day.", TS: tsAfter(t, note.TS, time.Second), ThreadTS: header.TS},
			"Which customer segments")
		h.replyAndWait(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "yes", TS: tsAfter(t, note.TS, 2*time.Second), ThreadTS: header.TS},
			"Who is your typical customer")
		h.replyAndWait(slackfake.MessageEvent{Channel: "C1", User: "UBEN", Text: "yes", TS: tsAfter(t, note.TS, 3*time.Second), ThreadTS: header.TS},
			"How do you position yourself")
		p := h.plan(slackfake.TeamID, "C1", "Q1")
		if a := p.Answers["plan.segments"]; a.Text != "yes" || a.By != "UANA" {
			t.Errorf("question 3 = %q by %s, want Ana's yes", a.Text, a.By)
		}
		if a := p.Answers["plan.persona"]; a.Text != "yes" || a.By != "UBEN" {
			t.Errorf("question 4 = %q by %s, want Ben's yes", a.Text, a.By)
		}
		if n := h.countEphemerals("UANA", told); n != 0 {
			t.Errorf("Ana's yes to question 3 was refused as one to the withdrawn offer: %q", h.fake.Ephemerals())
		}
	})
	t.Run("the yes, then the edit", func(t *testing.T) {
		t.Parallel()
		h, header, ts := anaAnswersQ1(t, "new Launch plan", "Start a new plan called")
		h.twice(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "yes", TS: tsAfter(t, ts, 5*time.Second), ThreadTS: header.TS})
		h.header("C1", "Launch plan")
		h.twice(slackfake.MessageChanged{Channel: "C1", User: "UANA", TS: ts, ThreadTS: header.TS, Text: "Coffee.", PreviousText: "new Launch plan",
			EditTS: tsAfter(t, ts, 10*time.Second), EventID: "EvPLAIN"})
		if n := len(h.headers("C1", "Launch plan")); n != 1 {
			t.Errorf("%d plans called Launch plan, want 1", n)
		}
		if n := h.countEphemerals("UANA", "withdrawn"); n != 0 {
			t.Errorf("Ana was told of a withdrawn offer after her yes took it: %q", h.fake.Ephemerals())
		}
		h.wantFirstAnswers(t, "the yes and the edit", "", "")
	})
}
