package flows

import (
	"slices"
	"strings"
	"time"
)

// Prior is an answer of an earlier plan, offered to a plan started from
// it: "Last quarter: …; reply keep to keep it".
type Prior struct {
	Text string
	By   string
	// From names the plan it came from.
	From string
}

// Unquote takes off a pair of quotes around a whole plan name, straight
// or curly, as people write a name of several words. Quotes that belong to
// words inside ("Buy" vs "Rent", 'Q1' Launch 'B') are the name's own and
// stay; an apostrophe within a word (O'Brien's) is no quote.
func Unquote(name string) string {
	for _, q := range [][2]string{{`"`, `"`}, {"'", "'"}, {"“", "”"}, {"‘", "’"}, {"„", "“"}} {
		inner, ok := strings.CutPrefix(name, q[0])
		if !ok {
			continue
		}
		if inner, ok = strings.CutSuffix(inner, q[1]); !ok {
			continue
		}
		for _, w := range strings.Fields(inner) {
			if strings.HasPrefix(w, q[0]) || strings.HasSuffix(w, q[1]) {
				return name
			}
		}
		return strings.TrimSpace(inner)
	}
	return name
}

// cutFrom splits `new <name> --from <plan>` into the name and the plan it
// starts from, quotes taken off. Slack may have turned "--" into a dash.
func cutFrom(arg string) (name, from string) {
	for _, flag := range []string{"--from", "—from", "–from"} {
		i := strings.Index(strings.ToLower(arg), flag)
		if i < 0 {
			continue
		}
		name = strings.TrimSpace(arg[:i])
		from = Unquote(strings.TrimSpace(arg[i+len(flag):]))
		return name, from
	}
	return arg, ""
}

// CarryOver starts a new plan from an old one, for `new <name> --from
// <old>`: its answers become starting points (Plan.Prior), and its KPIs
// come over with the last value recorded as the new baseline. Targets and
// deadlines are left for the team to set afresh, since a new quarter
// needs its own; actions stay with the old plan, whose retro lists them.
func CarryOver(old *Plan, ms map[int64][]Measurement, name, by string, now time.Time) *Plan {
	p := NewPlan(old.Team, old.Channel, name, by, now)
	p.Privacy = old.Privacy
	if old.Kind != "" && p.Kind == "" {
		// The team told the old plan its kind of business, or its
		// answers did; a quarter's name rarely says it again. A name
		// that does ("Webshop relaunch") says it for the new plan.
		p.Kind = old.Kind
	}
	p.Prior = make(map[string]Prior, len(old.Answers))
	for id, a := range old.Answers {
		if a.Text != "" {
			// Co-answers come along: everyone's words are the starting
			// point, not only the first to answer.
			texts := []string{a.Text}
			for _, o := range a.Also {
				if o.Text != "" && !slices.Contains(texts, o.Text) {
					texts = append(texts, o.Text)
				}
			}
			p.Prior[id] = Prior{Text: strings.Join(texts, "\n"), By: a.By, From: old.Name}
		}
	}
	for _, k := range old.KPIs {
		nk := KPI{
			Stage: k.Stage, Key: k.Key, Name: k.Name, Unit: k.Unit, Currency: k.Currency, HigherIsBetter: k.HigherIsBetter, Period: k.Period,
			Baseline: k.Baseline, Target: Value{Unit: k.Unit, Missing: true}, Owner: k.Owner, By: by, At: now,
		}
		if m, ok := lastValue(Comparable(k, ms[k.ID])); ok {
			nk.Baseline = kpiValue(k, m.Value)
		}
		p.KPIs = append(p.KPIs, nk)
	}
	return p
}

// CarriedText tells the team what a plan started from another one brought
// with it: the answers on offer, the KPIs with their new baselines, and
// the actions left undone.
func CarriedText(p, old *Plan) Msg {
	var b msgBuilder
	b.printf("Started from %q, with its answers (%d) offered as starting points: reply %s to keep one, or write a new answer.", User(old.Name), len(p.Prior), Code("keep"))
	if len(p.KPIs) > 0 {
		b.add("\nKPIs carried over, with the last values as new baselines:")
		for _, k := range p.KPIs {
			b.printf("\n• %s: baseline %s", kpiName(k), valueOrDash(k.Baseline, k.HasBaseline()))
		}
		b.printf("\nGive each a new target and deadline with %s.", Cmd("kpi <stage>"))
	}
	var undone []Msg
	for _, a := range old.Actions {
		if !a.Closed() {
			undone = append(undone, Sayf("%q", User(a.Text)))
		}
	}
	if len(undone) > 0 {
		b.printf("\nNot done in %q: %s. Add them again where they still matter.", User(old.Name), Join(undone, ", "))
	}
	return b.msg()
}

// withPrior adds the earlier plan's answer to a question's prompt while
// the question has no answer of its own.
func withPrior(m Msg, p *Plan, questionID string) Msg {
	prior, ok := p.Prior[questionID]
	if !ok || prior.Text == "" || p.Answers[questionID].Text != "" {
		return m
	}
	return m.Append(Sayf("\nLast quarter: %s\nReply %s to keep it, or write a new answer.", User(prior.Text), Code("keep")))
}

// keep answers the open question with the earlier plan's answer, or keeps
// the answer it has.
func (s *stepper) keep() error {
	p := s.out.Plan
	if p.Cursor.Phase != PhaseQuestion {
		return userErr(ErrBadInput, "%s keeps an answer from last quarter; there is no question open right now.", Code("keep"))
	}
	_, q, ok := p.Current(s.cat)
	if !ok {
		return userErr(ErrBadInput, "There is no open question to keep an answer for.")
	}
	prev := p.Answers[q.ID]
	prior := p.Prior[q.ID]
	switch {
	case prev.Text != "":
		s.say(Reply{Kind: ReplyNote, Msg: Say(Text("Kept the answer as it was."))})
	case prior.Text == "":
		return userErr(ErrBadInput, "There is no answer from last quarter to keep here; write your answer, or %s to leave it for later.", Code("skip"))
	default:
		s.apply(AnswerRecorded{Answer: Answer{
			QuestionID: q.ID, Text: prior.Text, By: s.in.User, At: s.in.Now, Revision: prev.Next(), Source: s.in.Source,
		}})
		s.say(Reply{Kind: ReplySaved, QuestionID: q.ID, Msg: Sayf("Kept last quarter's answer from %q.", User(prior.From))})
	}
	s.advance()
	return nil
}
