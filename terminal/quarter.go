package terminal

import (
	"context"
	"slices"
	"strings"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
)

// rateCapability asks for the team's capability one stage per line, each
// with its rubric and the last rating, then records them together. A
// number outside 1–5 asks again; "cancel" stops without recording.
func (c *console) rateCapability(ctx context.Context) {
	last, err := c.svc.LastCapability(ctx, Team, Channel)
	if err != nil {
		c.println(c.style.text(flows.Explain(err)))
		return
	}
	rubrics := flows.Rubrics(c.svc.Catalogue())
	scores := map[flows.StageID]int{}
	var ask func(i int)
	ask = func(i int) {
		if i == len(rubrics) {
			resp, err := c.svc.RecordCapability(ctx, c.request(""), scores)
			c.show(ctx, resp, err)
			return
		}
		r := rubrics[i]
		prev := 0
		if last != nil {
			prev = last.Scores[r.Stage]
		}
		c.println(c.style.text(flows.RubricText(r, prev)))
		c.println(r.Name + " (1–5, or cancel):")
		c.pending = func(ctx context.Context, line string) {
			if strings.EqualFold(strings.TrimSpace(line), "cancel") {
				c.println("Cancelled; nothing was recorded.")
				return
			}
			n, err := flows.ParseRating(line)
			if err != nil {
				c.println(c.style.text(flows.Explain(err)))
				ask(i)
				return
			}
			scores[r.Stage] = n
			ask(i + 1)
		}
	}
	ask(0)
}

// answerRetro takes the lines that follow a retro's question as its
// answers: each line answers the question on screen, "skip" moves to the
// next one, "stop" leaves the rest unanswered.
func (c *console) answerRetro(retro int64, asking string) {
	c.pending = func(ctx context.Context, line string) {
		switch strings.ToLower(strings.TrimSpace(line)) {
		case "stop":
			c.println(c.style.text(flows.Sayf("Stopped; the answers given so far are kept, and %s picks up where you stopped.", flows.Cmd("retro"))))
			return
		case "skip":
			if next, ok := c.retroAfter(ctx, retro, asking); ok {
				c.println(c.style.text(retroPrompt(next.ID)))
				c.answerRetro(retro, next.ID)
				return
			}
			c.println("No more questions; the answers given so far are kept.")
			return
		}
		cmd, err := c.retroCommand(ctx, retro, line)
		if err != nil {
			c.println(c.style.text(flows.Explain(err)))
			c.answerRetro(retro, asking)
			return
		}
		if cmd {
			// Every line here is the team's answer; a command kept as one
			// would sit in the retro and never run.
			c.println(c.style.text(flows.Sayf("That's a command, and the retro is still asking: write your answer, or type %s to end the retro first.", flows.Code("stop"))))
			c.answerRetro(retro, asking)
			return
		}
		req := c.request(typed(line))
		req.Saw = asking
		resp, err := c.svc.RetroReply(ctx, req, retro, req.Text)
		if err != nil {
			c.println(c.style.text(flows.Explain(err)))
			c.answerRetro(retro, asking)
			return
		}
		c.render(ctx, resp)
		if next, ok := retroAsks(resp.Replies); ok {
			c.answerRetro(retro, next)
			return
		}
		if c.retroOpen(ctx, retro) {
			c.answerRetro(retro, asking)
		}
	}
}

// retroCommand reports whether a line typed during a retro is a command,
// read as at an open question of the retro's plan: `values visitors 12k`
// and `action done webinar` need its KPIs and actions to tell.
func (c *console) retroCommand(ctx context.Context, retro int64, line string) (bool, error) {
	if _, prefixed := coach.CutCommandPrefix(line); prefixed {
		return true, nil
	}
	r, err := c.svc.Retro(ctx, Team, retro)
	if err != nil {
		return false, err
	}
	p, err := c.svc.PlanFor(ctx, coach.Request{Team: Team, Channel: Channel, Plan: r.Plan})
	if err != nil {
		return false, err
	}
	_, kind := flows.Classify(typed(line), flows.LineContext{Catalogue: c.svc.Catalogue(), Open: true, KPIs: p.KPIs, Actions: p.Actions, LastActionNumber: p.LastActionNumber})
	return kind == flows.LineCommand, nil
}

// retroPrompt asks a retro question at the terminal, where the retro takes
// every line until it is answered or stopped, not the Slack thread's
// "later".
func retroPrompt(id string) flows.Msg {
	q, _, _ := flows.RetroQuestionByID(id)
	return flows.Sayf("%s\nEach line answers it; %s moves to the next question, %s ends the retro.", flows.RetroAsk(q), flows.Code("skip"), flows.Code("stop"))
}

// retroAsks is the retro question the replies ask, if any.
func retroAsks(replies []flows.Reply) (string, bool) {
	asks := ""
	for _, r := range replies {
		if r.Kind == flows.ReplyRetroQuestion {
			asks = r.QuestionID
		}
	}
	return asks, asks != ""
}

// retroAfter is the first question after id that nobody has answered.
func (c *console) retroAfter(ctx context.Context, retro int64, id string) (flows.RetroQuestion, bool) {
	r, err := c.svc.Retro(ctx, Team, retro)
	if err != nil {
		return flows.RetroQuestion{}, false
	}
	_, i, _ := flows.RetroQuestionByID(id)
	for _, q := range flows.RetroQuestions[i+1:] {
		if !r.Answered(q.ID) {
			return q, true
		}
	}
	return flows.RetroQuestion{}, false
}

// hasKind reports whether a reply of kind k is among rs.
func hasKind(rs []flows.Reply, k flows.ReplyKind) bool {
	return slices.ContainsFunc(rs, func(r flows.Reply) bool { return r.Kind == k })
}

// retroOpen reports whether the retro still has a question without an
// answer.
func (c *console) retroOpen(ctx context.Context, retro int64) bool {
	r, err := c.svc.Retro(ctx, Team, retro)
	if err != nil {
		return false
	}
	_, ok := r.Next()
	return ok
}
