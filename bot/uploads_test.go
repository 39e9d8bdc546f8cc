package bot

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/openaifake"
	"github.com/racebot/racebot/internal/slackfake"
	"github.com/slack-go/slack"
)

// uploadsNamed counts the files shared whose names end in suffix.
func (h *harness) uploadsNamed(suffix string) int {
	n := 0
	for _, u := range h.fake.Uploads() {
		if strings.HasSuffix(u.Filename, suffix) {
			n++
		}
	}
	return n
}

// exportsWhole has Ana export plan Q1, which has a KPI, with fault set on
// Slack, and checks that the Markdown and the CSV were each shared once
// and she was told nothing (which would invite her to export again).
func (h *harness) exportsWhole(fault func(*slackfake.Fake)) {
	t := h.t
	t.Helper()
	h.runSocket()
	_, p := h.newPlanInSlack("Q1")
	h.setKPIs(p, flows.StageReach, "visitors | baseline 8k | target 20k | by 2027-03-31 | owner <@UANA>")
	fault(h.fake)
	url := h.fake.ResponseURL()
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "export", UserID: "UANA", ChannelID: "C1", ResponseURL: url}))
	h.fake.WaitFor(t, func() bool { return h.uploadsNamed(".csv") == 1 || len(h.fake.Responses(url)) > 0 }, "the export's end")
	h.settle()
	if rs := h.fake.Responses(url); len(rs) > 0 {
		t.Errorf("Ana was told %q, though the plan was shared", rs[0].Text)
	}
	if md, csv := h.uploadsNamed(".md"), h.uploadsNamed(".csv"); md != 1 || csv != 1 {
		t.Errorf("shared %d Markdown and %d CSV files, want one each", md, csv)
	}
}

// TestExportSharedThoughTheAnswerWasLost: Slack shares the plan's
// Markdown file, then its answer to files.completeUploadExternal is lost
// (a 500, or the connection drops), and, as Slack shares files
// asynchronously, files.info may not list the share at first. The file is
// in the channel, so the export goes on to the KPI history, and Ana is not
// told it failed and asked to try again, which would share the plan a
// second time.
func TestExportSharedThoughTheAnswerWasLost(t *testing.T) {
	t.Parallel()
	for name, fault := range map[string]func(*slackfake.Fake){
		"500 after sharing": func(f *slackfake.Fake) {
			f.FailAfterNext("files.completeUploadExternal", 1, http.StatusInternalServerError)
		},
		"connection reset after sharing": func(f *slackfake.Fake) { f.ResetAfterNext("files.completeUploadExternal", 1) },
		"500 after sharing, listed late": func(f *slackfake.Fake) {
			f.ShareLag(1)
			f.FailAfterNext("files.completeUploadExternal", 1, http.StatusInternalServerError)
		},
		// The fifth look comes 15 seconds after the answer was lost.
		"500 after sharing, listed 15 s late": func(f *slackfake.Fake) {
			f.ShareLag(4)
			f.FailAfterNext("files.completeUploadExternal", 1, http.StatusInternalServerError)
		},
	} {
		t.Run(name, func(t *testing.T) {
			newHarness(t, instantRetries).exportsWhole(fault)
		})
	}
}

// TestExportUploadStepRetried: the POST of the file's content is refused
// once (Slack's file host is busy, or rate-limits it with a Retry-After).
// Nothing was shared, so the upload is tried again, after the wait Slack
// asked for, and the export arrives whole without Ana having to ask again.
func TestExportUploadStepRetried(t *testing.T) {
	t.Parallel()
	const retryAfter = 7 * time.Second
	for name, fault := range map[string]func(*slackfake.Fake){
		"503":        func(f *slackfake.Fake) { f.FailNext(slackfake.MethodUpload, 1, http.StatusServiceUnavailable) },
		"429":        func(f *slackfake.Fake) { f.RateLimitNext(slackfake.MethodUpload, 1, retryAfter) },
		"reset":      func(f *slackfake.Fake) { f.ResetAfterNext(slackfake.MethodUpload, 1) },
		"429 on CSV": func(f *slackfake.Fake) { f.RateLimitNext("files.completeUploadExternal", 2, retryAfter) },
	} {
		t.Run(name, func(t *testing.T) {
			var mu sync.Mutex
			var waits []time.Duration
			h := newHarness(t, func(c *setup) {
				c.RetryWait = func(ctx context.Context, d time.Duration) bool {
					mu.Lock()
					defer mu.Unlock()
					waits = append(waits, d)
					return ctx.Err() == nil
				}
			})
			h.exportsWhole(fault)
			for _, u := range h.fake.Uploads() {
				if len(u.Content) == 0 {
					t.Errorf("%s was shared empty", u.Filename)
				}
			}
			mu.Lock()
			defer mu.Unlock()
			if strings.HasPrefix(name, "429") && !slices.ContainsFunc(waits, func(d time.Duration) bool { return d >= retryAfter }) {
				t.Errorf("waited %v before retrying, not Slack's Retry-After of %v", waits, retryAfter)
			}
		})
	}
}

// instantRetries makes the Slack client's waits before a retry take no
// time.
func instantRetries(c *setup) {
	c.RetryWait = func(ctx context.Context, _ time.Duration) bool { return ctx.Err() == nil }
}

// TestReportThatCannotBeUploadedIsExplained: Slack will not take the KPI
// chart (files.getUploadURLExternal keeps failing). Ana, who asked for it
// with /race report, was promised a chart in the plan's thread; she is
// told it could not be uploaded, through the command's response_url, or
// in an ephemeral message when that response_url fails too, or where she
// typed "report" in the thread.
func TestReportThatCannotBeUploadedIsExplained(t *testing.T) {
	t.Parallel()
	const want = "the KPI chart could not be uploaded"
	for _, tc := range []struct {
		name       string
		inThread   bool
		hookBroken bool
	}{
		{name: "slash command"},
		{name: "slash command, response_url failing", hookBroken: true},
		{name: "typed in the thread", inThread: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, instantRetries)
			h.runSocket()
			header, p := h.newPlanInSlack("Q1")
			h.setKPIs(p, flows.StageReach, "visitors | baseline 8k | target 20k | by 2027-03-31 | owner <@UANA>")
			h.fake.FailNext("files.getUploadURLExternal", 1000, http.StatusInternalServerError)
			if tc.hookBroken {
				h.fake.FailNext(slackfake.MethodResponseURL, 1000, http.StatusInternalServerError)
			}
			url := h.fake.ResponseURL()
			if tc.inThread {
				h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "report", ThreadTS: header.TS}))
			} else {
				h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "report", UserID: "UANA", ChannelID: "C1", ResponseURL: url}))
			}
			h.settle()
			var told []string
			for _, r := range h.fake.Responses(url) {
				told = append(told, r.Text)
			}
			for _, e := range h.fake.Ephemerals() {
				if e.User == "UANA" && e.Channel == "C1" {
					told = append(told, e.Text)
				}
			}
			if len(told) != 1 || !strings.Contains(told[0], want) {
				t.Fatalf("Ana was told %q, want one message that %s", told, want)
			}
			if tc.inThread && len(h.fake.Ephemerals()) > 0 && h.fake.Ephemerals()[0].ThreadTS != header.TS {
				t.Errorf("the explanation is not in the plan's thread")
			}
		})
	}
}

// TestExportDeliveredToTwoRacebots: the same /race export (one trigger
// id) reaches two racebots on one SQLite file at once, as a redelivery
// after a lost ack can. One of them exports; the plan is shared once.
// Ben typing /race export as well is a request of his own, and gets one.
func TestExportDeliveredToTwoRacebots(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	_, p := h.newPlanInSlack("Q1")
	h.setKPIs(p, flows.StageReach, "visitors | baseline 8k | target 20k | by 2027-03-31 | owner <@UANA>")
	second, _ := h.anotherRacebot()
	cmd := h.slashIn("UANA", "export", "1234.5678.abc")
	var wg sync.WaitGroup
	acks := make([]*ack, 2)
	for i, b := range []*Bot{h.bot, second} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			acks[i] = b.Command(context.Background(), cmd)
		}()
	}
	wg.Wait()
	settle(t, h.bot, h.fake)
	settle(t, second, h.fake)
	if md, csv := h.uploadsNamed(".md"), h.uploadsNamed(".csv"); md != 1 || csv != 1 {
		t.Errorf("one request shared %d Markdown and %d CSV files, want one each", md, csv)
	}
	if (acks[0] == nil) == (acks[1] == nil) {
		t.Errorf("acks %+v and %+v: want one of the two racebots to answer", acks[0], acks[1])
	}

	ben := cmd
	ben.UserID, ben.TriggerID = "UBEN", "1234.5678.def"
	second.Command(context.Background(), ben)
	settle(t, second, h.fake)
	if md := h.uploadsNamed(".md"); md != 2 {
		t.Errorf("after Ben's own export there are %d Markdown files, want 2", md)
	}
}

// TestReviewThatCannotBeShownIsExplained: the model writes its review,
// but Slack will not take the edit that puts it in place of the "Reviewing
// the plan…" placeholder. Ben, who asked with /race review and was told
// the review would appear in the thread, is told it could not be posted,
// rather than left watching the placeholder.
func TestReviewThatCannotBeShownIsExplained(t *testing.T) {
	t.Parallel()
	llm := openaifake.New(t, "Gaps: the Convert stage. Quick wins: referrals.")
	h := newHarness(t, withModel(t, llm), instantRetries)
	h.runSocket()
	h.newPlanInSlack("Q1")
	h.fake.FailNext("chat.update", 1000, http.StatusInternalServerError)
	url := h.fake.ResponseURL()
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "review", UserID: "UBEN", ChannelID: "C1", ResponseURL: url}))
	h.settle()
	var told []string
	for _, r := range h.fake.Responses(url) {
		told = append(told, r.Text)
	}
	const want = "the review could not be posted"
	if len(told) != 1 || !strings.Contains(told[0], want) {
		t.Fatalf("Ben was told %q, want one message that %s", told, want)
	}
}

// TestPartialExportSaysWhatWasShared: the plan's Markdown file is shared,
// then Slack will not take its KPI history at all. Ana is told the truth:
// the plan is in the thread and the KPI history is not, with a button that
// uploads just the KPI history; pressing it does not share the plan a
// second time.
func TestPartialExportSaysWhatWasShared(t *testing.T) {
	t.Parallel()
	h := newHarness(t, instantRetries)
	h.runSocket()
	value := h.partialExport()

	h.fake.FailNext("files.getUploadURLExternal", 0, 0)
	press := h.fake.ResponseURL()
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.BlockAction{ActionID: actionExportRest, Value: value, UserID: "UANA", ChannelID: "C1", IsEphemeral: true, ResponseURL: press}))
	h.fake.WaitFor(t, func() bool { return h.uploadsNamed(".csv") == 1 }, "the KPI history")
	h.settle()
	if md := h.uploadsNamed(".md"); md != 1 {
		t.Errorf("the plan was shared %d times, want once", md)
	}
	for _, r := range h.fake.Responses(press) {
		if strings.Contains(r.Text, "could not") {
			t.Errorf("after the press Ana was told %q", r.Text)
		}
	}
}

// partialExport has Ana export a plan with KPIs whose Markdown file is
// shared and whose KPI history Slack will not take, checks what she is
// told, and returns the value of its "Upload the KPI history" button.
// Uploads still fail when it returns.
func (h *harness) partialExport() string {
	t := h.t
	t.Helper()
	_, p := h.newPlanInSlack("Q1")
	h.setKPIs(p, flows.StageReach, "visitors | baseline 8k | target 20k | by 2027-03-31 | owner <@UANA>")
	// The Markdown file's last step is held until every later upload URL
	// is refused: the CSV, which comes after it, cannot be uploaded.
	release := h.fake.Hold("files.completeUploadExternal")
	url := h.fake.ResponseURL()
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "export", UserID: "UANA", ChannelID: "C1", ResponseURL: url}))
	h.fake.WaitFor(t, func() bool { return len(h.fake.Calls(slackfake.MethodUpload)) == 1 }, "the Markdown file's content sent")
	h.fake.FailNext("files.getUploadURLExternal", 1000, http.StatusInternalServerError)
	release()
	h.fake.WaitFor(t, func() bool { return len(h.fake.Responses(url)) > 0 }, "a word to Ana")
	h.settle()
	rs := h.fake.Responses(url)
	if len(rs) != 1 {
		t.Fatalf("Ana was told %d things: %+v", len(rs), rs)
	}
	if md, csv := h.uploadsNamed(".md"), h.uploadsNamed(".csv"); md != 1 || csv != 0 {
		t.Fatalf("shared %d Markdown and %d CSV files, want the Markdown alone", md, csv)
	}
	for _, want := range []string{"q1.md", "is in the plan's thread", "q1-kpi-history.csv", "could not be uploaded"} {
		if !strings.Contains(rs[0].Text, want) {
			t.Errorf("Ana was told %q, want it to say %q", rs[0].Text, want)
		}
	}
	return buttonValue(t, rs[0].Blocks, actionExportRest)
}

// TestKPIHistoryUploadedOnceThoughPressedTwice: Ana presses "Upload the
// KPI history" twice before the note with the button goes, or Slack
// delivers her press twice. The KPI history is shared once.
func TestKPIHistoryUploadedOnceThoughPressedTwice(t *testing.T) {
	t.Parallel()
	for _, how := range []string{"pressed twice", "delivered twice"} {
		t.Run(how, func(t *testing.T) {
			h := newHarness(t, instantRetries)
			h.runSocket()
			value := h.partialExport()
			h.fake.FailNext("files.getUploadURLExternal", 0, 0)
			press := slackfake.BlockAction{ActionID: actionExportRest, Value: value, UserID: "UANA", ChannelID: "C1", IsEphemeral: true}
			if how == "pressed twice" {
				h.fake.WaitAck(t, h.fake.SendEvent(press))
				h.fake.WaitAck(t, h.fake.SendEvent(press))
				h.settle()
			} else {
				h.twice(press)
			}
			if csv := h.uploadsNamed(".csv"); csv != 1 {
				t.Errorf("the KPI history was shared %d times, want once", csv)
			}
		})
	}
}

// TestKPIHistoryRetriedAfterItFailsAgain: the press that uploads the KPI
// history fails too. Ana is told so with a new button, and pressing that
// one shares the KPI history.
func TestKPIHistoryRetriedAfterItFailsAgain(t *testing.T) {
	t.Parallel()
	h := newHarness(t, instantRetries)
	h.runSocket()
	value := h.partialExport()
	press := h.fake.ResponseURL()
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.BlockAction{ActionID: actionExportRest, Value: value, UserID: "UANA", ChannelID: "C1", IsEphemeral: true, ResponseURL: press}))
	var again string
	h.fake.WaitFor(t, func() bool {
		for _, r := range h.fake.Responses(press) {
			if strings.Contains(r.Text, "could not be uploaded") {
				again = buttonValue(t, r.Blocks, actionExportRest)
				return true
			}
		}
		return false
	}, "Ana told the KPI history failed again")
	h.settle()
	h.fake.FailNext("files.getUploadURLExternal", 0, 0)
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.BlockAction{ActionID: actionExportRest, Value: again, UserID: "UANA", ChannelID: "C1", IsEphemeral: true}))
	h.fake.WaitFor(t, func() bool { return h.uploadsNamed(".csv") == 1 }, "the KPI history on the second press")
	h.settle()
	if md, csv := h.uploadsNamed(".md"), h.uploadsNamed(".csv"); md != 1 || csv != 1 {
		t.Errorf("shared %d Markdown and %d CSV files, want one each", md, csv)
	}
}

// busyValues fails reading a plan's values while fail is positive, as a
// database busy past the deadline would; each failure takes one off.
type busyValues struct {
	coach.Store
	fail *atomic.Int32
}

func (s busyValues) Measurements(ctx context.Context, team string, plan flows.PlanID) (map[int64][]flows.Measurement, error) {
	if take(s.fail) {
		return nil, errBusy
	}
	return s.Store.Measurements(ctx, team, plan)
}

// TestKPIHistoryOfferedAgainWhenItCannotBeMade: Ana presses "Upload the
// KPI history" while the database is too busy to read the KPI values.
// She is told the KPI history could not be uploaded and given the button
// again, not told to export again, which would share the plan twice; the
// new button uploads it.
func TestKPIHistoryOfferedAgainWhenItCannotBeMade(t *testing.T) {
	t.Parallel()
	fail := &atomic.Int32{}
	h := newHarness(t, instantRetries, func(c *setup) { c.Store = busyValues{Store: c.Store, fail: fail} })
	h.runSocket()
	value := h.partialExport()
	h.fake.FailNext("files.getUploadURLExternal", 0, 0)
	fail.Store(1)
	press := h.fake.ResponseURL()
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.BlockAction{ActionID: actionExportRest, Value: value, UserID: "UANA", ChannelID: "C1", IsEphemeral: true, ResponseURL: press}))
	h.settle()
	var again string
	var told []string
	for _, r := range h.fake.Responses(press) {
		told = append(told, r.Text)
		if strings.Contains(r.Text, "KPI history") && strings.Contains(r.Text, "could not") {
			again = buttonValue(t, r.Blocks, actionExportRest)
		}
	}
	if again == "" {
		t.Fatalf("Ana was told %q, want the KPI history offered again", told)
	}
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.BlockAction{ActionID: actionExportRest, Value: again, UserID: "UANA", ChannelID: "C1", IsEphemeral: true}))
	h.fake.WaitFor(t, func() bool { return h.uploadsNamed(".csv") == 1 }, "the KPI history on the second press")
	h.settle()
	if md := h.uploadsNamed(".md"); md != 1 {
		t.Errorf("the plan was shared %d times, want once", md)
	}
}

// TestKPIHistoryPressMeetingABusyDatabase: Ana's press cannot be
// recorded. She is told to press again, and the button, still there,
// uploads the KPI history.
func TestKPIHistoryPressMeetingABusyDatabase(t *testing.T) {
	t.Parallel()
	fs := &failingStore{}
	h := newHarness(t, instantRetries, func(s *setup) { fs.Store = s.Store; s.Store = fs })
	h.runSocket()
	value := h.partialExport()
	h.fake.FailNext("files.getUploadURLExternal", 0, 0)
	fs.seen.Store(1)
	press := h.fake.ResponseURL()
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.BlockAction{ActionID: actionExportRest, Value: value, UserID: "UANA", ChannelID: "C1", IsEphemeral: true, ResponseURL: press}))
	h.settle()
	if rs := h.fake.Responses(press); len(rs) != 1 || rs[0].ReplaceOriginal || !strings.Contains(rs[0].Text, "press the button again") {
		t.Fatalf("Ana was told %+v, want to press the button again", rs)
	}
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.BlockAction{ActionID: actionExportRest, Value: value, UserID: "UANA", ChannelID: "C1", IsEphemeral: true}))
	h.fake.WaitFor(t, func() bool { return h.uploadsNamed(".csv") == 1 }, "the KPI history on the second press")
}

// TestReviewPlaceholderGoesWhenTheReviewCannotBeShown: Slack will not
// take the edit that puts the model's review in place of the "Reviewing
// the plan…" placeholder. The placeholder is taken down, so nobody in
// the thread waits for a review that will not come.
func TestReviewPlaceholderGoesWhenTheReviewCannotBeShown(t *testing.T) {
	t.Parallel()
	llm := openaifake.New(t, "Gaps: the Convert stage. Quick wins: referrals.")
	h := newHarness(t, withModel(t, llm), instantRetries)
	h.runSocket()
	header, _ := h.newPlanInSlack("Q1")
	h.fake.FailNext("chat.update", 1000, http.StatusInternalServerError)
	url := h.fake.ResponseURL()
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "review", UserID: "UBEN", ChannelID: "C1", ResponseURL: url}))
	h.fake.WaitFor(t, func() bool { return len(h.fake.Responses(url)) > 0 }, "a word to Ben")
	h.settle()
	for _, m := range h.fake.Replies("C1", header.TS) {
		if strings.Contains(m.Text, "Reviewing the plan") {
			t.Errorf("the placeholder %q stays in the thread", m.Text)
		}
	}
}

// buttonValue is the value of the button action in blocks.
func buttonValue(t *testing.T, blocks json.RawMessage, action string) string {
	t.Helper()
	var bs []struct {
		Elements []struct {
			ActionID string `json:"action_id"`
			Value    string `json:"value"`
		} `json:"elements"`
	}
	if err := json.Unmarshal(blocks, &bs); err != nil {
		t.Fatalf("blocks %s: %v", blocks, err)
	}
	for _, b := range bs {
		for _, e := range b.Elements {
			if e.ActionID == action {
				return e.Value
			}
		}
	}
	t.Fatalf("no %s button in %s", action, blocks)
	return ""
}

// TestDraftThatCannotBeShownIsExplained: Ben types "draft" at a question,
// and at the KPI step, with a model on. Slack will not take the edit that
// puts the draft or the KPI suggestions in place of their placeholder,
// which is taken down; Ben is told, in the thread and to him alone, that
// it could not be posted, rather than watching it vanish.
func TestDraftThatCannotBeShownIsExplained(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ name, move, want string }{
		{"draft", "", "the draft could not be posted"},
		{"KPI suggestions", "kpi reach", "the KPI suggestions could not be posted"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			llm := openaifake.New(t, "We roast coffee beans for cafés.")
			h := newHarness(t, withModel(t, llm), instantRetries)
			h.runSocket()
			header, _, _ := h.firstQuestion("Q1")
			if tt.move != "" {
				h.sayAndWait(header.TS, tt.move, func() bool { return h.plan(slackfake.TeamID, "C1", "Q1").Cursor.Phase == flows.PhaseKPIs })
			}
			h.fake.FailNext("chat.update", 1000, http.StatusInternalServerError)
			h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UBEN", Text: "draft", ThreadTS: header.TS}))
			told := h.waitEphemeral("UBEN", tt.want)
			if told.Channel != "C1" || told.ThreadTS != header.TS {
				t.Errorf("Ben was told in %s/%s, want the plan's thread %s/%s", told.Channel, told.ThreadTS, "C1", header.TS)
			}
			h.settle()
			if n := countReplies(h.fake, "C1", header.TS, "✍️"); n != 0 {
				t.Errorf("%d placeholder(s) left in the thread", n)
			}
		})
	}
}

// TestUploadToAChannelWithoutRacebot: racebot was removed from the plan's
// channel (or never invited there), and Ana asks for the KPI chart or the
// export. Slack refuses to share a file there (not_in_channel); the
// refusal is not sent again, and Ana reads what to do about it rather
// than "could not be uploaded, try again", which would fail the same way.
func TestUploadToAChannelWithoutRacebot(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ command, what string }{
		{"report", "the chart"},
		{"export", "the export"},
	} {
		t.Run(tc.command, func(t *testing.T) {
			h := newHarness(t, instantRetries)
			h.runSocket()
			_, p := h.newPlanInSlack("Q1")
			h.setKPIs(p, flows.StageReach, "visitors | baseline 8k | target 20k | by 2027-03-31 | owner <@UANA>")
			h.fake.AddChannel(slackfake.Channel{ID: "C1", Name: "q1-launch", NotMember: true})
			url := h.fake.ResponseURL()
			h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: tc.command, UserID: "UANA", ChannelID: "C1", ResponseURL: url}))
			h.fake.WaitFor(t, func() bool { return len(h.fake.Responses(url)) > 0 }, "a word to Ana")
			h.settle()
			rs := h.fake.Responses(url)
			if len(rs) != 1 {
				t.Fatalf("Ana was told %d things: %+v", len(rs), rs)
			}
			for _, want := range []string{"I'm not in <#C1>", "can't share " + tc.what, "`/invite @racebot`", "ask again"} {
				if !strings.Contains(rs[0].Text, want) {
					t.Errorf("Ana was told %q, want it to say %q", rs[0].Text, want)
				}
			}
			if n := len(h.fake.Calls("files.completeUploadExternal")); n != 1 {
				t.Errorf("files.completeUploadExternal was called %d times, want once: a refusal is not sent again", n)
			}
			if n := len(h.fake.Uploads()); n != 0 {
				t.Errorf("%d files shared, want none", n)
			}
		})
	}
}

// TestChartNotConfirmedIsNotCalledFailed: Slack shares the KPI chart Ana
// asked for with /race report, its answer is lost, and files.info does
// not list the share for the half minute racebot looks. Racebot does not
// know whether the chart is in the thread: Ana is told to look there
// before asking again, not that it failed, which would have her share it
// a second time.
func TestChartNotConfirmedIsNotCalledFailed(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var waited time.Duration
	h := newHarness(t, func(c *setup) {
		c.RetryWait = func(ctx context.Context, d time.Duration) bool {
			mu.Lock()
			defer mu.Unlock()
			waited += d
			return ctx.Err() == nil
		}
	})
	h.runSocket()
	_, p := h.newPlanInSlack("Q1")
	h.setKPIs(p, flows.StageReach, "visitors | baseline 8k | target 20k | by 2027-03-31 | owner <@UANA>")
	h.fake.ShareLag(1000)
	h.fake.FailAfterNext("files.completeUploadExternal", 1, http.StatusInternalServerError)
	url := h.fake.ResponseURL()
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "report", UserID: "UANA", ChannelID: "C1", ResponseURL: url}))
	h.fake.WaitFor(t, func() bool { return len(h.fake.Responses(url)) > 0 }, "a word to Ana")
	h.settle()
	rs := h.fake.Responses(url)
	if len(rs) != 1 {
		t.Fatalf("Ana was told %d things: %+v", len(rs), rs)
	}
	for _, want := range []string{"may have been shared", "look in the plan's thread before you try again"} {
		if !strings.Contains(rs[0].Text, want) {
			t.Errorf("Ana was told %q, want it to say %q", rs[0].Text, want)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if waited < 30*time.Second {
		t.Errorf("looked for the share for %v, want at least 30s", waited)
	}
}

// TestKPIHistoryOfferedAgainAfterAStop: Ana presses "Upload the KPI
// history", which puts "Uploading the KPI history." in place of the
// button, and racebot is stopped while Slack still holds the upload.
// Ana is given the button again, and pressing it on the racebot that
// runs on the same database after the restart shares the KPI history,
// once.
func TestKPIHistoryOfferedAgainAfterAStop(t *testing.T) {
	t.Parallel()
	h := newHarness(t, instantRetries)
	h.runSocket()
	value := h.partialExport()
	h.fake.FailNext("files.getUploadURLExternal", 0, 0)
	release := h.fake.Hold(slackfake.MethodUpload)
	t.Cleanup(release)
	press := h.fake.ResponseURL()
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.BlockAction{ActionID: actionExportRest, Value: value, UserID: "UANA", ChannelID: "C1", IsEphemeral: true, ResponseURL: press}))
	h.fake.WaitFor(t, func() bool { return h.fake.InFlight(slackfake.MethodUpload) == 1 }, "the KPI history held by Slack")

	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the drain window is over before it starts
	if err := h.bot.Shutdown(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Shutdown = %v, want the upload cut short", err)
	}
	release()
	var again string
	var told []string
	for _, r := range h.fake.Responses(press) {
		told = append(told, r.Text)
		if strings.Contains(string(r.Blocks), actionExportRest) {
			again = buttonValue(t, r.Blocks, actionExportRest)
		}
	}
	if again == "" {
		t.Fatalf("after the stop Ana was told %q, want the button offered again", told)
	}

	second, _ := h.anotherRacebot()
	resp, _ := h.post(serve(t, second), slackfake.InteractionBody(slackfake.BlockAction{ActionID: actionExportRest, Value: again, UserID: "UANA", ChannelID: "C1", IsEphemeral: true, ResponseURL: h.fake.ResponseURL()}), formType, h.bot.now())
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("the press answered %d", resp.StatusCode)
	}
	h.fake.WaitFor(t, func() bool { return h.uploadsNamed(".csv") == 1 }, "the KPI history shared by the restarted racebot")
	settle(t, second, h.fake)
	if md, csv := h.uploadsNamed(".md"), h.uploadsNamed(".csv"); md != 1 || csv != 1 {
		t.Errorf("shared %d Markdown and %d CSV files, want one each", md, csv)
	}
}

// TestExportAskedTwiceAtOnce: Ana presses Enter twice on /race export,
// and the two commands (two trigger ids) arrive within a second, to one
// racebot or to two on one database. One export is shared; the other
// command is answered that it is on its way. Once it is shared and a few
// seconds have passed, asking again exports again.
func TestExportAskedTwiceAtOnce(t *testing.T) {
	t.Parallel()
	for _, where := range []string{"one racebot", "two racebots"} {
		t.Run(where, func(t *testing.T) {
			clk := &clock{now: time.Now()}
			h := newHarness(t, func(c *setup) { c.Now = clk.Now })
			h.runSocket()
			_, p := h.newPlanInSlack("Q1")
			h.setKPIs(p, flows.StageReach, "visitors | baseline 8k | target 20k | by 2027-03-31 | owner <@UANA>")
			second := h.bot
			if where == "two racebots" {
				second, _ = h.anotherRacebot()
			}
			// The first export is still under way, its plan's last step
			// held by Slack, when the second command comes.
			release := h.fake.Hold("files.completeUploadExternal")
			t.Cleanup(release)
			cmd := func(trigger string) slack.SlashCommand {
				return h.slashIn("UANA", "export", trigger)
			}
			first := h.bot.Command(context.Background(), cmd("1.1.a"))
			h.fake.WaitFor(t, func() bool { return h.fake.InFlight("files.completeUploadExternal") == 1 }, "the first export under way")
			clk.Add(700 * time.Millisecond)
			again := second.Command(context.Background(), cmd("1.1.b"))
			release()
			settle(t, h.bot, h.fake)
			settle(t, second, h.fake)
			if first == nil || !strings.Contains(first.Text, "Exporting the plan") {
				t.Errorf("the first command was answered %+v, want the export started", first)
			}
			if again == nil || !strings.HasPrefix(again.Text, "That export is already on its way") {
				t.Errorf("the second command was answered %+v, want that the export is on its way", again)
			}
			if md, csv := h.uploadsNamed(".md"), h.uploadsNamed(".csv"); md != 1 || csv != 1 {
				t.Errorf("shared %d Markdown and %d CSV files, want one each", md, csv)
			}

			clk.Add(2 * time.Second)
			if a := second.Command(context.Background(), cmd("1.1.c")); a == nil || !strings.HasPrefix(a.Text, "That export is already on its way") {
				t.Errorf("asked again two seconds after the export was shared, the command was answered %+v", a)
			}
			clk.Add(time.Minute)
			second.Command(context.Background(), cmd("1.1.d"))
			settle(t, second, h.fake)
			if md := h.uploadsNamed(".md"); md != 2 {
				t.Errorf("asked again a minute after the export, the plan was shared %d times in all, want twice", md)
			}
		})
	}
}

// movingClock is the real time, moved on by what a test adds: time passes
// as it does, and a test can skip ahead.
type movingClock struct {
	mu    sync.Mutex
	ahead time.Duration
}

func (c *movingClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.ahead)
}

func (c *movingClock) Add(d time.Duration) { c.mu.Lock(); c.ahead += d; c.mu.Unlock() }

// TestExportAskedAgainAfterItFailed: Ana's /race export is refused by
// Slack (racebot is not in the channel) and she is told to invite racebot
// and ask again. She does, two seconds later: nothing of the first export
// is on its way, so the second is not turned away but shared.
func TestExportAskedAgainAfterItFailed(t *testing.T) {
	t.Parallel()
	clk := &clock{now: time.Now()}
	h := newHarness(t, instantRetries, func(c *setup) { c.Now = clk.Now })
	h.runSocket()
	_, p := h.newPlanInSlack("Q1")
	h.setKPIs(p, flows.StageReach, "visitors | baseline 8k | target 20k | by 2027-03-31 | owner <@UANA>")
	h.fake.AddChannel(slackfake.Channel{ID: "C1", Name: "q1-launch", NotMember: true})
	cmd := func(trigger, url string) slack.SlashCommand {
		return slack.SlashCommand{TeamID: slackfake.TeamID, ChannelID: "C1", UserID: "UANA", Command: "/race", Text: "export", TriggerID: trigger, ResponseURL: url}
	}
	first := h.fake.ResponseURL()
	h.bot.Command(context.Background(), cmd("1.1.a", first))
	h.fake.WaitFor(t, func() bool { return len(h.fake.Responses(first)) > 0 }, "the refusal explained")
	h.settle()

	h.fake.AddChannel(slackfake.Channel{ID: "C1", Name: "q1-launch"})
	clk.Add(2 * time.Second)
	a := h.bot.Command(context.Background(), cmd("1.1.b", h.fake.ResponseURL()))
	if a == nil || !strings.Contains(a.Text, "Exporting the plan") {
		t.Fatalf("asked again after the export failed, the command was answered %+v, want the export started", a)
	}
	h.fake.WaitFor(t, func() bool { return h.uploadsNamed(".csv") == 1 }, "the export shared")
	h.settle()
	if md := h.uploadsNamed(".md"); md != 1 {
		t.Errorf("shared %d Markdown files, want one", md)
	}
}

// TestReportInAChannelWithoutRacebotBeforeItsThread: Ana started a plan
// with /race new in a channel racebot is not in (so it has no thread yet)
// and asks for its KPI chart there. The chart needs the plan's thread,
// which Slack refuses to start: Ana reads that racebot must be invited,
// not "try again", which would fail the same way.
func TestReportInAChannelWithoutRacebotBeforeItsThread(t *testing.T) {
	t.Parallel()
	h := newHarness(t, instantRetries)
	h.runSocket()
	h.fake.AddChannel(slackfake.Channel{ID: "C9", Name: "q1-launch", NotMember: true})
	created := h.fake.ResponseURL()
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "new Q1", UserID: "UANA", ChannelID: "C9", ResponseURL: created}))
	h.fake.WaitFor(t, func() bool { return len(h.fake.Responses(created)) > 0 }, "the plan saved without its thread")
	h.setKPIs(h.plan(slackfake.TeamID, "C9", "Q1"), flows.StageReach, "visitors | baseline 8k | target 20k | by 2027-03-31 | owner <@UANA>")

	url := h.fake.ResponseURL()
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "report", UserID: "UANA", ChannelID: "C9", ResponseURL: url}))
	h.fake.WaitFor(t, func() bool { return len(h.fake.Responses(url)) > 0 }, "a word to Ana")
	h.settle()
	rs := h.fake.Responses(url)
	if len(rs) != 1 {
		t.Fatalf("Ana was told %d things: %+v", len(rs), rs)
	}
	for _, want := range []string{"I'm not in <#C9>", "`/invite @racebot`"} {
		if !strings.Contains(rs[0].Text, want) {
			t.Errorf("Ana was told %q, want it to say %q", rs[0].Text, want)
		}
	}
}

// TestExportHeldByARacebotThatDied: racebot was killed while it shared
// Ana's export, so the export never came and its hold was never ended.
// Asking again on the restarted racebot within the hold, Ana is told
// when she can ask again rather than only that the export is on its
// way, which it is not; after that, asking again exports.
func TestExportHeldByARacebotThatDied(t *testing.T) {
	t.Parallel()
	clk := &clock{now: time.Now()}
	h := newHarness(t, instantRetries, func(c *setup) { c.Now = clk.Now })
	h.runSocket()
	_, p := h.newPlanInSlack("Q1")
	if ok, err := h.bot.svc.StartExport(context.Background(), p.Team, p.ID, "UANA", clk.Now()); err != nil || !ok {
		t.Fatalf("StartExport = %v, %v", ok, err)
	}
	restarted, _ := h.anotherRacebot()
	cmd := func(trigger string) slack.SlashCommand {
		return h.slashIn("UANA", "export", trigger)
	}
	clk.Add(30 * time.Second)
	a := restarted.Command(context.Background(), cmd("1.1.a"))
	if a == nil || !strings.Contains(a.Text, "two minutes") || !strings.Contains(a.Text, "ask again") {
		t.Errorf("asked again after the racebot died, the command was answered %+v, want when to ask again", a)
	}
	clk.Add(2 * time.Minute)
	if a := restarted.Command(context.Background(), cmd("1.1.b")); a == nil || !strings.Contains(a.Text, "Exporting the plan") {
		t.Fatalf("asked again after the hold, the command was answered %+v, want the export started", a)
	}
	h.fake.WaitFor(t, func() bool { return h.uploadsNamed(".md") == 1 }, "the export shared")
	settle(t, restarted, h.fake)
}

// TestChartCutShortByAStopIsExplained: Ana's /race report was answered
// "Drawing the KPI chart; it will appear in the plan's thread.", and
// racebot is stopped while Slack still holds the chart's last upload
// step. Ana is told that the chart may or may not be there rather than
// nothing at all.
func TestChartCutShortByAStopIsExplained(t *testing.T) {
	t.Parallel()
	h := newHarness(t, instantRetries)
	h.runSocket()
	_, p := h.newPlanInSlack("Q1")
	h.setKPIs(p, flows.StageReach, "visitors | baseline 8k | target 20k | by 2027-03-31 | owner <@UANA>")
	release := h.fake.Hold("files.completeUploadExternal")
	t.Cleanup(release)
	url := h.fake.ResponseURL()
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "report", UserID: "UANA", ChannelID: "C1", ResponseURL: url}))
	h.fake.WaitFor(t, func() bool { return h.fake.InFlight("files.completeUploadExternal") == 1 }, "the chart held by Slack")

	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the drain window is over before it starts
	if err := h.bot.Shutdown(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Shutdown = %v, want the upload cut short", err)
	}
	release()
	rs := h.fake.Responses(url)
	if len(rs) != 1 || !strings.Contains(rs[0].Text, "may have been shared") {
		t.Errorf("after the stop Ana was told %+v, want that the chart may have been shared", rs)
	}
}

// TestChartNotConfirmedInADirectMessage: Ana writes "report" to racebot
// directly; the chart goes into that conversation, not a thread, and
// Slack does not confirm it. She is told to look in the conversation.
func TestChartNotConfirmedInADirectMessage(t *testing.T) {
	t.Parallel()
	h := newHarness(t, instantRetries)
	h.runSocket()
	_, p := h.newPlanInSlack("Q1")
	h.setKPIs(p, flows.StageReach, "visitors | baseline 8k | target 20k | by 2027-03-31 | owner <@UANA>")
	h.fake.ShareLag(1000)
	h.fake.FailAfterNext("files.completeUploadExternal", 1, http.StatusInternalServerError)
	dm := h.fake.DMChannel("UANA")
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: dm, User: "UANA", Text: "report"}))
	h.fake.WaitFor(t, func() bool { return len(h.fake.Ephemerals()) > 0 }, "a word to Ana")
	h.settle()
	var told []string
	for _, e := range h.fake.Ephemerals() {
		told = append(told, e.Text)
	}
	if len(told) != 1 || !strings.Contains(told[0], "may have been shared") || !strings.Contains(told[0], "look in this conversation") {
		t.Errorf("Ana was told %q, want to look in this conversation", told)
	}
}

// TestPartialExportToOneWhoLeftSendsNoButtonElsewhere: Ana types "export"
// in the plan's thread and leaves the channel while it runs; the plan's
// Markdown is shared, its KPI history is not. The note that offers
// "Upload the KPI history" cannot be shown to her beside the thread
// (user_not_in_channel). It is not sent to her directly: its button is
// only good in the plan's channel, and pressed in a direct message it
// would be refused as another channel's.
func TestPartialExportToOneWhoLeftSendsNoButtonElsewhere(t *testing.T) {
	t.Parallel()
	h := newHarness(t, instantRetries)
	h.runSocket()
	header, p := h.newPlanInSlack("Q1")
	h.setKPIs(p, flows.StageReach, "visitors | baseline 8k | target 20k | by 2027-03-31 | owner <@UANA>")
	release := h.fake.Hold("files.completeUploadExternal")
	t.Cleanup(release)
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "export", ThreadTS: header.TS}))
	h.fake.WaitFor(t, func() bool { return len(h.fake.Calls(slackfake.MethodUpload)) == 1 }, "the Markdown file's content sent")
	h.fake.FailNext("files.getUploadURLExternal", 1000, http.StatusInternalServerError)
	h.fake.RefuseNext("chat.postEphemeral", 1, "user_not_in_channel")
	release()
	h.fake.WaitFor(t, func() bool { return len(h.fake.Calls("chat.postEphemeral")) == 1 }, "a word to Ana beside the thread")
	h.settle()
	for _, m := range h.dms("UANA") {
		if strings.Contains(string(m.Blocks), actionExportRest) {
			press := h.fake.ResponseURL()
			h.fake.WaitAck(t, h.fake.SendEvent(slackfake.BlockAction{ActionID: actionExportRest, Value: buttonValue(t, m.Blocks, actionExportRest), UserID: "UANA", ChannelID: h.fake.DMChannel("UANA"), ResponseURL: press}))
			h.settle()
			var told []string
			for _, r := range h.fake.Responses(press) {
				told = append(told, r.Text)
			}
			t.Errorf("Ana was sent %q directly, whose button answered %q when pressed there", m.Text, told)
		}
	}
}
