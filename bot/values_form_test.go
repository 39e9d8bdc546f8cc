package bot

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/slackfake"
)

// TestValuesFormReadsApproximateValue: "~13k" is read as 13k in a reply to
// the check-in ("visitors ~13k"), so it is in the "Enter values" form too:
// the same person writing the same value must not be refused there.
func TestValuesFormReadsApproximateValue(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	_, p := h.newPlanInSlack("Approx")
	p = h.setKPIs(p, flows.StageReach, "visitors | baseline 8k | target 20k | by 2027-03-31 | owner <@UANA>")
	checkin, _ := h.openCheckin(p)
	h.settle()
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.ViewSubmission{
		CallbackID: callbackValues, PrivateMetadata: valuesMeta(flows.Checkin{ID: checkin, Channel: "C1"}, nil),
		UserID: "UANA", TeamID: slackfake.TeamID,
		Values: map[string]map[string]slackfake.Input{
			"kpi:visitors": {valueActionID: {Type: "plain_text_input", Value: "~13k"}},
		},
	}))
	h.settle()
	ms, err := h.db.Measurements(context.Background(), p.Team, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []float64
	for _, list := range ms {
		for _, m := range list {
			got = append(got, m.Value.Amount)
		}
	}
	if len(got) != 1 || got[0] != 13000 {
		t.Errorf("values recorded from the form's \"~13k\" = %v, want [13000]", got)
	}
}

// TestValuesFormSuggestsTheKPIsCurrency: revenue is kept in euros. The
// form's example for it is in euros too: a "$18,250" there would be
// refused when typed as shown.
func TestValuesFormSuggestsTheKPIsCurrency(t *testing.T) {
	t.Parallel()
	h, p, _ := checkinSetup(t)
	p = h.setKPIs(p, flows.StageConvert, "revenue | baseline €12k | target €18k | by 2027-03-31 | owner <@UBEN>")
	id, _ := h.openCheckin(p)
	h.settle()
	view := h.openView(slackfake.BlockAction{ActionID: actionEnterValues, Value: strconv.FormatInt(id, 10), UserID: "UBEN", ChannelID: "C1"})
	got := string(view.JSON)
	if strings.Contains(got, "$18,250") || !strings.Contains(got, "e.g. €18,250") {
		t.Errorf("the form's example for revenue in euros is not in euros:\n%s", got)
	}
}

// TestValuesExampleIsOneTheCoachTakes: revenue is kept without a currency
// (its target was written "18k"), or in euros. Ana types /race values
// with nothing after it and copies the example she is shown: it is
// recorded, not refused for a dollar sign the coach put in it.
func TestValuesExampleIsOneTheCoachTakes(t *testing.T) {
	t.Parallel()
	for name, line := range map[string]string{
		"no currency": "revenue | baseline 12k | target 18k | by 2027-03-31 | owner <@UANA>",
		"euros":       "revenue | baseline €12k | target €18k | by 2027-03-31 | owner <@UANA>",
	} {
		t.Run(name, func(t *testing.T) {
			h, _ := clockedHarness(t, time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC))
			_, p := h.newPlanInSlack("Q1")
			h.setKPIs(p, flows.StageConvert, line)
			asked := h.slashAck("UANA", "values")
			_, example, ok := strings.Cut(asked, "/race values ")
			if !ok {
				t.Fatalf("no example in %q", asked)
			}
			example, _, _ = strings.Cut(example, "`")
			if got := h.slashAck("UANA", "values "+example); !strings.Contains(got, "Recorded") {
				t.Errorf("the example %q, as shown, got %q", example, got)
			}
		})
	}
}

// TestValuesFormRefusalIsInTheKPIsCurrency: revenue is kept in euros, and
// Ben types "12k5" into the "Enter values" form. The form stays open with
// the reason beside revenue, and its example is in euros: a "$18,250"
// would be refused as typed.
func TestValuesFormRefusalIsInTheKPIsCurrency(t *testing.T) {
	t.Parallel()
	h, p, _ := checkinSetup(t)
	p = h.setKPIs(p, flows.StageConvert, "revenue | baseline €12k | target €18k | by 2027-03-31 | owner <@UBEN>")
	id, _ := h.openCheckin(p)
	h.settle()
	ack := h.fake.WaitAck(t, h.fake.SendEvent(slackfake.ViewSubmission{
		CallbackID: callbackValues, PrivateMetadata: valuesMeta(flows.Checkin{ID: id, Channel: "C1"}, nil),
		UserID: "UBEN", TeamID: slackfake.TeamID,
		Values: map[string]map[string]slackfake.Input{
			"kpi:revenue": {valueActionID: {Type: "plain_text_input", Value: "12k5"}},
		},
	}))
	got := string(ack.Payload)
	if !strings.Contains(got, `"kpi:revenue"`) || !strings.Contains(got, "€18,250") || strings.Contains(got, "$") {
		t.Errorf("the form's \"12k5\" for revenue in euros was answered %s, want the reason beside revenue with an example in euros", got)
	}
}

// TestValuesFormReadsANoteAsAReplyDoes: revenue is kept in euros. Ben
// types "€18k (incl. dollar-store sales)" into the "Enter values" form, as
// he would reply to the check-in: it is recorded as €18,000, not refused
// as naming two currencies. "$18k (EUR-denominated)" names two, in a form
// as in a reply: the form stays open with the reason beside revenue, and
// nothing is recorded.
func TestValuesFormReadsANoteAsAReplyDoes(t *testing.T) {
	t.Parallel()
	h, p, _ := checkinSetup(t)
	p = h.setKPIs(p, flows.StageConvert, "revenue | baseline €12k | target €30k | by 2027-03-31 | owner <@UBEN>")
	id, _ := h.openCheckin(p)
	h.settle()
	submit := func(value string) string {
		ack := h.fake.WaitAck(t, h.fake.SendEvent(slackfake.ViewSubmission{
			CallbackID: callbackValues, PrivateMetadata: valuesMeta(flows.Checkin{ID: id, Channel: "C1"}, nil),
			UserID: "UBEN", TeamID: slackfake.TeamID,
			Values: map[string]map[string]slackfake.Input{
				"kpi:revenue": {valueActionID: {Type: "plain_text_input", Value: value}},
			},
		}))
		h.settle()
		return string(ack.Payload)
	}
	recorded := func() []flows.Value {
		ms, err := h.db.Measurements(context.Background(), p.Team, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		var got []flows.Value
		for _, list := range ms {
			for _, m := range list {
				got = append(got, m.Value)
			}
		}
		return got
	}

	if got := submit("$18k (EUR-denominated)"); !strings.Contains(got, `"kpi:revenue"`) || !strings.Contains(got, "names two currencies") {
		t.Errorf("the form's \"$18k (EUR-denominated)\" was answered %s, want the reason beside revenue", got)
	}
	if got := recorded(); len(got) != 0 {
		t.Fatalf("the form's \"$18k (EUR-denominated)\" recorded %+v", got)
	}
	if got := submit("€18k (incl. dollar-store sales)"); strings.Contains(got, "errors") {
		t.Errorf("the form's \"€18k (incl. dollar-store sales)\" was refused: %s", got)
	}
	want := flows.Value{Amount: 18000, Unit: flows.UnitCurrency, Currency: "EUR"}
	if got := recorded(); len(got) != 1 || got[0] != want {
		t.Errorf("values recorded from the form's \"€18k (incl. dollar-store sales)\" = %+v, want [%+v]", got, want)
	}
}
