package bot

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/slackfake"
)

// TestHomeAndValuesFormSayTheTargetsPeriod: revenue's target is $60,000 a
// year. The Home tab and the "Enter values" form say "a year" after it,
// as "KPI set" did: a bare $60,000 beside a month's value reads as the
// month's target.
func TestHomeAndValuesFormSayTheTargetsPeriod(t *testing.T) {
	t.Parallel()
	h, _ := clockedHarness(t, time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC))
	_, p := h.newPlanInSlack("Q1")
	p = h.setKPIs(p, flows.StageConvert, "revenue | baseline $40k | target $60k a year | by 2027-12-31 | owner <@UANA>")
	id, _ := h.openCheckin(p)
	h.settle()

	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.AppHomeOpened{User: "UANA"}))
	h.fake.WaitCalls(t, "views.publish", 1)
	home, _ := h.fake.HomeView("UANA")
	if got := homeText(t, home.JSON); !strings.Contains(got, "target $60,000 a year") {
		t.Errorf("Home shows revenue's target without its period:\n%s", got)
	}

	view := h.openView(slackfake.BlockAction{ActionID: actionEnterValues, Value: strconv.FormatInt(id, 10), UserID: "UANA", ChannelID: "C1"})
	if got := string(view.JSON); !strings.Contains(got, "Target $60,000 a year by 31 Dec 2027") {
		t.Errorf("the values form shows revenue's target without its period:\n%s", got)
	}
}
