package main

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/pgtest"
	"github.com/racebot/racebot/internal/slackfake"
	"github.com/racebot/racebot/schedule"
	"github.com/racebot/racebot/scheduler"
	"github.com/racebot/racebot/storage/postgres"
)

const replicaSecret = "replica-secret"

// replica is one `racebot serve` process.
type replica struct {
	cmd    *exec.Cmd
	addr   string
	stderr *syncBuffer
	exited chan struct{} // closed when the process has ended
}

func startReplica(t *testing.T, bin string, env []string) *replica {
	t.Helper()
	r := &replica{cmd: exec.Command(bin, "serve", "--addr", "127.0.0.1:0"), stderr: &syncBuffer{}, exited: make(chan struct{})}
	r.cmd.Env = append(env[:len(env):len(env)], noExitPause())
	r.cmd.Stderr = r.stderr
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		r.cmd.Wait()
		close(r.exited)
	}()
	t.Cleanup(func() {
		r.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-r.exited:
		case <-time.After(patience):
			r.cmd.Process.Kill()
			<-r.exited
		}
	})
	return r
}

// waitListening reads the replica's log until it says where it listens.
func (r *replica) waitListening(t *testing.T) {
	t.Helper()
	eventually(t, func() bool {
		for _, l := range logLines(t, r.stderr.String()) {
			if l.Msg == "racebot serving Slack over HTTP" {
				r.addr = l.Addr
			}
		}
		select {
		case <-r.exited:
			t.Fatalf("replica exited before listening: %v\n%s", r.cmd.ProcessState, r.stderr.String())
		default:
		}
		return r.addr != ""
	}, "a replica to listen")
}

// post sends a signed request to the replica, as a retry of Slack's when
// retry is set, and returns the status, or 0 when nothing answered.
func (r *replica) post(t *testing.T, body []byte, retry int) int {
	t.Helper()
	req := slackfake.SignedRequest(replicaSecret, "http://"+r.addr+"/slack/events", body, time.Now())
	if retry > 0 {
		req.Header.Set("X-Slack-Retry-Num", fmt.Sprint(retry))
		req.Header.Set("X-Slack-Retry-Reason", "http_timeout")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestReplicasShareOnePostgres runs three `racebot serve` processes on one
// PostgreSQL database and one Slack fake. Answers go to one replica while
// Slack's retry of the same event goes to another at the same moment;
// every answer acknowledged is stored, and stored once. A week of daily
// check-ins missed while racebot was down is caught up with one post per
// plan, whichever replica claims it, and a check-in due on time as the
// replicas start is posted once. One replica is killed with a request in
// flight, and the request Slack then retries elsewhere lands once.
func TestReplicasShareOnePostgres(t *testing.T) {
	url := pgtest.URL(t)
	t.Parallel()
	ctx := context.Background()
	bin := buildBinary(t)
	fake := slackfake.New(t)
	db, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	team := slackfake.TeamID

	// Schedules set before the replicas start: three plans whose daily
	// check-ins were last handled a week ago, and one whose daily check-in
	// falls in the current minute and was last handled the day before, so
	// that it is due, on time, the moment the replicas start and all three
	// race to claim it. (A minutely schedule would wait up to a minute for
	// its next occurrence, and might have one claimed by the replica the
	// test kills, which only the two-minute lease would release.)
	daily, err := schedule.Parse("every day 09:00", time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	thisMinute := time.Now().UTC().Truncate(time.Minute)
	onTime, err := schedule.Parse(fmt.Sprintf("%d %d * * *", thisMinute.Minute(), thisMinute.Hour()), time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	weekAgo := time.Now().Add(-7 * 24 * time.Hour)
	scheduled := map[string]flows.PlanID{}
	for _, ch := range []string{"C7", "C8", "C9", "C6"} {
		id, err := db.CreatePlan(ctx, flows.NewPlan(team, ch, "Checked "+ch, "UANA", weekAgo), "")
		if err != nil {
			t.Fatal(err)
		}
		spec, since := daily, weekAgo
		if ch == "C6" {
			spec, since = onTime, thisMinute.Add(-24*time.Hour)
		}
		if err := db.SetSchedule(ctx, team, id, spec.String(), spec.ZoneName(), "UANA", since); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SaveKPI(ctx, team, flows.KPI{Plan: id, Stage: flows.StageReach, Key: "visitors", Name: "Unique visitors",
			Unit: flows.UnitCount, HigherIsBetter: true, Target: flows.Value{Amount: 5000, Unit: flows.UnitCount}, Owner: "UANA", By: "UANA", At: weekAgo}); err != nil {
			t.Fatal(err)
		}
		scheduled[ch] = id
	}

	env := []string{
		"HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH"),
		"SLACK_BOT_TOKEN=xoxb-test", "SLACK_SIGNING_SECRET=" + replicaSecret, "SLACK_API_URL=" + fake.APIURL(),
		"RACEBOT_DATABASE_URL=" + url,
	}
	replicas := make([]*replica, 3)
	for i := range replicas {
		replicas[i] = startReplica(t, bin, env)
	}
	for _, r := range replicas {
		r.waitListening(t)
	}

	// deliver sends body to the replicas in turn until one acknowledges
	// it, as Slack retries an event nobody acknowledged; the first try goes
	// to first, and Slack's own retry of it goes to the next replica at
	// the same time when racing is set.
	deliver := func(body []byte, live []*replica, first int, racing bool) {
		t.Helper()
		var wg sync.WaitGroup
		statuses := make([]int, 2)
		for try := range 2 {
			if try == 1 && !racing {
				break
			}
			wg.Go(func() { statuses[try] = live[(first+try)%len(live)].post(t, body, try) })
		}
		wg.Wait()
		for retry := 2; statuses[0] != http.StatusOK && statuses[1] != http.StatusOK; retry++ {
			if retry > 20 {
				t.Fatalf("no replica acknowledged the event: %v", statuses)
			}
			statuses[0] = live[(first+retry)%len(live)].post(t, body, retry)
		}
	}
	newPlan := func(r *replica, channel, name string) *flows.Plan {
		t.Helper()
		body := slackfake.FormBody(slackfake.SlashCommand{Command: "/race", Text: "new " + name, UserID: "UANA", ChannelID: channel})
		if status := r.post(t, body, 0); status != http.StatusOK {
			t.Fatalf("/race new %s: status %d", name, status)
		}
		var p *flows.Plan
		eventually(t, func() bool {
			p, err = db.PlanByName(ctx, team, channel, name)
			return err == nil && p.Thread != ""
		}, "the plan's thread to be bound")
		waitAsked(t, db, p, "")
		return p
	}
	answer := func(p *flows.Plan, text, eventID string) []byte {
		return slackfake.EventBody(slackfake.MessageEvent{Channel: p.Channel, User: "UANA", Text: text, ThreadTS: p.Thread, EventID: eventID})
	}

	q1 := newPlan(replicas[0], "C1", "Q1 Launch")
	side := newPlan(replicas[1], "C2", "Side plan")

	var texts []string
	live := replicas
	asked := lastAsked(t, db, q1)
	for i := range 9 {
		text := fmt.Sprintf("Answer %d, typed once.", i+1)
		texts = append(texts, text)
		if i == 4 {
			// The week's catch-up and the on-time check-in are done
			// before a replica dies, so that no check-in is left claimed
			// by a dead process (which a live replica would recover only
			// once its lease ran out).
			for _, ch := range []string{"C7", "C8", "C9"} {
				finishedLog(t, db, team, scheduled[ch], 7)
			}
			finishedLog(t, db, team, scheduled["C6"], 1)
			// Values given in each caught-up check-in reach two replicas
			// at once, and a third later: recorded once.
			for k, ch := range []string{"C7", "C8", "C9"} {
				c := postedCheckin(t, db, team, scheduled[ch])
				body := slackfake.EventBody(slackfake.MessageEvent{Channel: ch, User: "UANA", Text: fmt.Sprintf("visitors %d", 1200+k),
					ThreadTS: c.Thread, EventID: "EvValues" + ch})
				deliver(body, live, k, true)
				if status := live[(k+2)%3].post(t, body, 2); status != http.StatusOK {
					t.Errorf("%s: a late retry of the values got %d", ch, status)
				}
				ms, err := db.Measurements(ctx, team, scheduled[ch])
				if err != nil {
					t.Fatal(err)
				}
				var n int
				for _, vs := range ms {
					n += len(vs)
				}
				if n != 1 {
					t.Errorf("%s: %d values stored for one reply delivered three times, want 1", ch, n)
				}
			}
			// The side plan's answer is in flight when its replica dies;
			// Slack, hearing nothing, retries it at another replica.
			doomed := replicas[2]
			body := answer(side, "Side answer, typed once.", "EvSide")
			sent := make(chan int, 1)
			go func() { sent <- doomed.post(t, body, 0) }()
			if err := doomed.cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			<-doomed.exited
			if status := <-sent; status == http.StatusOK {
				stored(t, db, side, "Side answer, typed once.")
			}
			live = replicas[:2]
			deliver(body, live, 0, false)
			stored(t, db, side, "Side answer, typed once.")
			// Slack still sends the next answer to the dead replica first.
			if status := doomed.post(t, answer(q1, "never read", "EvDead"), 0); status != 0 {
				t.Fatalf("the killed replica answered %d", status)
			}
		}
		deliver(answer(q1, text, fmt.Sprintf("EvAnswer%d", i)), live, i, true)
		// Acknowledged means stored.
		stored(t, db, q1, text)
		// A person reads the next question before answering it.
		asked = waitAsked(t, db, q1, asked)
	}

	// Every acknowledged answer is stored once, whichever replicas it
	// reached and however often.
	once(t, db, q1, texts)
	once(t, db, side, []string{"Side answer, typed once."})

	// A week of missed daily check-ins: one post per plan, the rest
	// logged as skipped, each occurrence once.
	for _, ch := range []string{"C7", "C8", "C9"} {
		log := finishedLog(t, db, team, scheduled[ch], 7)
		posted := 0
		for _, o := range log {
			switch o.State {
			case scheduler.StateCaughtUp, scheduler.StatePosted:
				posted++
			case scheduler.StateSkipped:
			default:
				t.Errorf("%s: occurrence %s %s: %s", ch, o.Key, o.State, o.Note)
			}
		}
		if posted != 1 || len(log) != 7 {
			t.Errorf("%s: %d of %d occurrences posted, want 1 of 7", ch, posted, len(log))
		}
		if n := topLevel(fake, ch); n != 1 {
			t.Errorf("%s: %d check-ins posted in Slack, want 1", ch, n)
		}
	}
	// The on-time check-in: claimed once and posted once, on time, by
	// whichever replica woke first.
	log := finishedLog(t, db, team, scheduled["C6"], 1)
	if len(log) != 1 || log[0].State != scheduler.StatePosted || !log[0].Due.Equal(thisMinute) {
		t.Errorf("C6: run log %+v, want the occurrence at %s posted", log, thisMinute)
	}
	if n := topLevel(fake, "C6"); n != 1 {
		t.Errorf("C6: %d check-ins in Slack for one occurrence", n)
	}

	for _, r := range live {
		for _, l := range logLines(t, r.stderr.String()) {
			if l.Level == "ERROR" {
				t.Errorf("a replica logged an error: %s %s", l.Msg, l.Err)
			}
		}
	}
}

// postedCheckin is the check-in the plan's run log says was posted.
func postedCheckin(t *testing.T, db *postgres.DB, team string, plan flows.PlanID) flows.Checkin {
	t.Helper()
	log, err := db.Occurrences(context.Background(), team, plan, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range log {
		if o.Checkin != 0 {
			c, err := db.CheckinByID(context.Background(), team, o.Checkin)
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
	}
	t.Fatalf("plan %d: no check-in in the run log %+v", plan, log)
	return flows.Checkin{}
}

// lastAsked is what the latest recorded prompt of the plan asked.
func lastAsked(t *testing.T, db *postgres.DB, p *flows.Plan) string {
	t.Helper()
	asks, _, err := db.LastAsked(context.Background(), p.Team, p.ID, math.MaxInt64, "")
	if err != nil {
		t.Fatal(err)
	}
	return asks
}

// waitAsked waits until the plan's latest prompt is recorded as asking
// something other than before, and returns it.
func waitAsked(t *testing.T, db *postgres.DB, p *flows.Plan, before string) string {
	t.Helper()
	var asks string
	eventually(t, func() bool {
		asks = lastAsked(t, db, p)
		return asks != "" && asks != before
	}, "the next prompt to be recorded")
	return asks
}

// stored checks an answer's text is in the plan now.
func stored(t *testing.T, db *postgres.DB, p *flows.Plan, text string) {
	t.Helper()
	got, err := db.Plan(context.Background(), p.Team, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range got.Answers {
		if a.Text == text {
			return
		}
	}
	t.Fatalf("acknowledged answer %q is not in the plan", text)
}

// once checks every text is in exactly one row of the plan's answer
// history.
func once(t *testing.T, db *postgres.DB, p *flows.Plan, texts []string) {
	t.Helper()
	ctx := context.Background()
	got, err := db.Plan(ctx, p.Team, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]int{}
	for q := range got.Answers {
		revs, err := db.Revisions(ctx, p.Team, p.ID, q)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range revs {
			rows[r.Text]++
		}
	}
	for _, text := range texts {
		if rows[text] != 1 {
			t.Errorf("%s: answer %q stored %d times, want once", p.Name, text, rows[text])
		}
	}
}

// finishedLog waits until a plan's run log has at least n occurrences and
// none waiting for an outcome, and returns it.
func finishedLog(t *testing.T, db *postgres.DB, team string, plan flows.PlanID, n int) []scheduler.Occurrence {
	t.Helper()
	var log []scheduler.Occurrence
	// Every occurrence is due when the replicas start: a bound for a
	// loaded machine, not a claim about speed.
	deadline := time.Now().Add(6 * patience)
	for {
		var err error
		log, err = db.Occurrences(context.Background(), team, plan, 0)
		if err != nil {
			t.Fatal(err)
		}
		done := len(log) >= n
		for _, o := range log {
			done = done && o.State.Final()
		}
		if done {
			return log
		}
		if time.Now().After(deadline) {
			t.Fatalf("plan %d run log never finished %d occurrences: %+v", plan, n, log)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// topLevel counts the app's messages outside threads in a channel: the
// check-ins, in a channel where no plan was started from Slack.
func topLevel(fake *slackfake.Fake, channel string) int {
	n := 0
	for _, m := range fake.Messages(channel) {
		if m.ThreadTS == "" {
			n++
		}
	}
	return n
}
