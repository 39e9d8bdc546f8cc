package flows

import (
	"fmt"
	"strings"
)

// What "complete" means: every stage worked through, and every question
// answered. A skipped question comes back once at its stage's end, a stage
// with no answers is never marked done, and a plan that has been through
// every stage says what is still open rather than calling itself complete.

// skippedToAsk finds the skipped question to ask again at a stage's end:
// the first one, on reaching the end; the next one after the current step,
// while they are being asked again. The question just answered or skipped
// never comes straight back.
func (s *stepper) skippedToAsk(steps []Question) (int, bool) {
	p := s.out.Plan
	from := 0
	if s.revisiting {
		from = p.Cursor.Step + 1
	}
	for i := from; i < len(steps); i++ {
		if i != p.Cursor.Step && p.Skipped[steps[i].ID] && p.Answers[steps[i].ID].Text == "" {
			return i, true
		}
	}
	return 0, false
}

func skippedText(again bool) Msg {
	if again {
		return Sayf("Skipped again. It stays open, and %s lists it.", Cmd("status"))
	}
	return Sayf("Skipped. It comes back once at the end of the stage, and %s lists it.", Cmd("status"))
}

// revisitText leads into the skipped questions asked again at a stage's end.
func revisitText(st Stage, p *Plan) Msg {
	n := 0
	for _, q := range st.Steps() {
		if p.Skipped[q.ID] && p.Answers[q.ID].Text == "" {
			n++
		}
	}
	what := "the question you skipped"
	if n > 1 {
		what = fmt.Sprintf("the %d questions you skipped", n)
	}
	return Sayf("Before %s's actions, back to %s: answer now, or reply %s to leave it open.", st.Name, what, Code("skip"))
}

// answeredIn counts a stage's answered steps.
func answeredIn(st Stage, p *Plan) int {
	n := 0
	for _, q := range st.Steps() {
		if p.Answers[q.ID].Text != "" {
			n++
		}
	}
	return n
}

func skippedIn(st Stage, p *Plan) int {
	n := 0
	for _, q := range st.Steps() {
		if p.Answers[q.ID].Text == "" && p.Skipped[q.ID] {
			n++
		}
	}
	return n
}

// stageOpenText says a stage stays open because nothing in it is answered.
func stageOpenText(st Stage, p *Plan) Msg {
	if n := skippedIn(st, p); n > 0 {
		return Sayf("%s stays open: it has no answers yet (%d skipped). %s comes back to it.", st.Name, n, Cmd("stage "+strings.ToLower(st.Name)))
	}
	return Sayf("%s stays open: it has no answers yet. %s comes back to it.", st.Name, Cmd("stage "+strings.ToLower(st.Name)))
}

// planLeft lists what a plan still lacks to be complete, stage by stage:
// a stage with no answers, or the questions open in it.
func planLeft(cat *Catalogue, p *Plan) []string {
	var left []string
	for _, st := range cat.Stages {
		steps := st.Steps()
		answered := answeredIn(st, p)
		switch {
		case answered == 0:
			left = append(left, fmt.Sprintf("%s has no answers yet", st.Name))
		case answered < len(steps):
			var open []string
			for i, q := range steps {
				if p.Answers[q.ID].Text == "" {
					open = append(open, fmt.Sprint(i+1))
				}
			}
			noun := "question"
			if len(open) > 1 {
				noun = "questions"
			}
			left = append(left, fmt.Sprintf("%s %s %s open", st.Name, noun, andList(open)))
		case !p.Completed[st.ID]:
			left = append(left, fmt.Sprintf("%s's actions and KPIs are not done", st.Name))
		}
	}
	return left
}

// planDoneText is said once the coach has been through every stage: the
// plan is complete, or here is what is left before it is.
func planDoneText(cat *Catalogue, p *Plan) Msg {
	left := planLeft(cat, p)
	if len(left) == 0 {
		return Sayf("Every stage is worked through: your RACE plan is complete. %s shows it, %s writes it out.", Cmd("status"), Cmd("export"))
	}
	return Sayf("You've been through every stage, but the plan isn't complete yet: %s. %s opens a stage again, and %s shows what is open.",
		strings.Join(left, "; "), Cmd("stage <name>"), Cmd("status"))
}

// skipRest records the stage's unanswered questions as skipped, for `done`
// before the questions are through: they stay open, and say so.
func (s *stepper) skipRest(st Stage) {
	p := s.out.Plan
	for _, q := range st.Steps() {
		if p.Answers[q.ID].Text == "" && !p.Skipped[q.ID] {
			s.apply(QuestionSkipped{QuestionID: q.ID})
		}
	}
}
