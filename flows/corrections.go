package flows

import "strings"

// TakeCorrected reads the edit of a line the coach refused as the line its
// author meant to write then: an action or a KPI line for the prompt the
// message replied to (in.Saw, else what the plan asks now), read as if
// typed when the edit was made (in.Now), which also dates what it adds,
// so that an older edit delivered later changes nothing. A line for a
// question (in.Saw names one) was refused as a line for the actions or
// KPIs prompt before it, whose post was recorded late (the coach never
// refuses an answer for what it says): it is read as that question's
// answer, as the reply read again would be. A reply word on its own is
// not taken from an edit. A line that still can't be read is refused as a
// new one would be.
func TakeCorrected(cat *Catalogue, plan *Plan, in Input) (Outcome, error) {
	s := &stepper{cat: cat, in: in, out: Outcome{Plan: plan.Clone()}, edited: in.Now}
	text := strings.TrimSpace(in.Text)
	if word, rest, _ := strings.Cut(text, " "); strings.TrimSpace(rest) == "" {
		if _, isWord := s.word(word); isWord {
			return s.out, nil
		}
	}
	saw := in.Saw
	if saw == "" {
		saw = plan.Asking(cat)
	}
	if _, _, _, ok := cat.Question(in.Saw); ok {
		// Handled before the reply is read again (coach.ReadRefusedAgain),
		// which may hold the words the edit replaced: the edit is the
		// answer, as its author corrected it. Only a question the reply
		// was written after: one the plan asks now, with no prompt
		// recorded before the reply, is not what the line was for.
		return Step(cat, plan, in)
	}
	var err error
	if id, ok := strings.CutPrefix(saw, asksActions); ok {
		if i, ok := cat.Stage(id); ok {
			err = s.addActionTo(cat.Stages[i], text)
		}
	} else if id, ok := strings.CutPrefix(saw, asksKPIs); ok {
		if i, ok := cat.Stage(id); ok {
			err = s.setKPIOf(cat.Stages[i].ID, text)
		}
	}
	if err != nil {
		return Outcome{Plan: plan}, err
	}
	return s.out, nil
}
