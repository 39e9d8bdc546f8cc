package flows

import (
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// kindWords are the words `kind <word>` is shown with, one per kind: the
// shortest that ParseKind reads.
var kindWords = map[Kind]string{
	KindSaaS:      "saas",
	KindEcommerce: "ecommerce",
	KindLocal:     "local",
	KindAgency:    "agency",
	KindNonprofit: "nonprofit",
}

// kindChoices lists the `kind` commands for every kind, for messages. Its
// words are fixed, so it is built once; like kindAsk's, the message is
// shared, clipped so that appending to it copies.
var kindChoices = sync.OnceValue(func() Msg {
	items := make([]Msg, 0, len(kindProfiles))
	for _, k := range Kinds() {
		items = append(items, Say(Cmd("kind "+kindWords[k])))
	}
	return slices.Clip(orListMsg(items))
})

func orListMsg(items []Msg) Msg {
	switch len(items) {
	case 0:
		return nil
	case 1:
		return items[0]
	}
	return Join([]Msg{Join(items[:len(items)-1], ", "), items[len(items)-1]}, " or ")
}

// kindBusiness names a kind in a sentence: "a B2B SaaS business", "an
// e-commerce / direct-to-consumer business".
func kindBusiness(k Kind) string {
	r := []rune(k.Name())
	if len(r) > 1 && (unicode.IsLower(r[1]) || r[1] == '-') {
		r[0] = unicode.ToLower(r[0])
	}
	name := string(r)
	article := "a "
	if strings.ContainsRune("aeiouAEIOU", r[0]) {
		article = "an "
	}
	return article + name + " business"
}

// kindAsk is asked once, in the reply to the first answer about the
// business, when DetectKind cannot tell what kind of business it is.
var kindAsk = sync.OnceValue(func() Msg {
	return slices.Clip(Sayf("Is this B2B SaaS, e-commerce, local services, B2B services/agency or non-profit? Reply %s so the examples fit; until then they follow %s.",
		kindChoices(), KindEcommerce.BusinessName()))
})

// kindFollows says whose examples the coach now shows.
func kindFollows(k Kind) Msg {
	return Sayf("Examples and KPI suggestions now follow %s: %s.", kindBusiness(k), k.Business())
}

// kindLearned says what the coach read the kind of business from.
func kindLearned(k Kind, why []string) Msg {
	// The strongest cues come first; a few say enough, and patterns with
	// gaps ("sell * online") are the scorer's, not the team's words.
	var quoted []Msg
	var taken []string
	for _, w := range why {
		if len(quoted) == 3 || strings.Contains(w, "*") || slices.ContainsFunc(taken, func(t string) bool { return strings.Contains(t, w) }) {
			continue
		}
		taken = append(taken, w)
		quoted = append(quoted, Sayf("%q", w))
	}
	m := Sayf("I took this for %s (from %s), so examples and KPI suggestions follow %s. Not right? Reply %s.",
		kindBusiness(k), andListMsg(quoted), k.BusinessName(), kindChoices())
	return m
}

// KindText says which kind of business a plan is for and how to change it,
// for `kind` on its own and for a new plan whose name gave it away.
func KindText(p *Plan) Msg {
	if !p.Kind.Valid() {
		return Sayf("I don't know yet what kind of business %q is for, so examples follow %s. Reply %s.", User(p.Name), KindEcommerce.BusinessName(), kindChoices())
	}
	return Sayf("%q is for %s; examples follow %s. To change it, reply %s.", User(p.Name), kindBusiness(p.Kind), p.Kind.BusinessName(), kindChoices())
}

// SetKind changes the kind of business a plan is for, as `kind <name>`
// does, and shows what the coach asks now with examples of that kind.
func SetKind(cat *Catalogue, plan *Plan, name string) (Outcome, error) {
	k, ok := ParseKind(name)
	if !ok {
		return Outcome{Plan: plan}, userErr(ErrBadInput, "I don't know the kind of business %q. Reply %s.", User(name), kindChoices())
	}
	s := &stepper{cat: cat, out: Outcome{Plan: plan.Clone()}}
	if plan.Kind == k {
		s.say(Reply{Kind: ReplyNote, Msg: Sayf("%q is already set up for %s.", User(plan.Name), kindBusiness(k))})
		return s.out, nil
	}
	s.apply(KindSet{Kind: k})
	s.say(Reply{Kind: ReplyNote, Msg: kindFollows(k)})
	if plan.Cursor.Phase != PhaseComplete {
		s.prompt()
	}
	return s.out, nil
}

// learnKind works out the kind of business from the answer about it, the
// first time there is one to read: it records the kind when the answer
// makes it plain and says so, or asks once when it does not. first is true
// for the question's first answer.
func (s *stepper) learnKind(questionID string, first bool) Msg {
	p := s.out.Plan
	if questionID != QuestionBusiness || p.Kind != "" {
		return nil
	}
	k, why, ok := ExplainKind(p.Answers[questionID].Text)
	switch {
	case ok:
		s.apply(KindSet{Kind: k})
		return kindLearned(k, why)
	case first:
		return kindAsk()
	}
	return nil
}

// exampleLine leads into a question's worked example for the plan's kind of
// business with its first sentence: "For example, at Chairside: …".
func exampleLine(cat *Catalogue, k Kind, questionID string) Msg {
	ex := ExampleFor(cat, questionID, k)
	if ex == "" {
		return nil
	}
	return Sayf("For example, at %s: %s", k.BusinessName(), firstSentence(ex))
}

// firstSentence cuts an example at the end of its first sentence of some
// length, so "Yes. The first steps…" keeps going past "Yes.".
func firstSentence(s string) string {
	if cut, ok := firstSentences.Load(s); ok {
		return cut.(string)
	}
	cut := cutFirstSentence(s)
	firstSentences.Store(s, cut)
	return cut
}

// firstSentences holds the first sentence of each example cut so far.
// Every question prompt quotes one, and the examples are the catalogue's
// and the kinds' own fixed texts, so the map stays as small as they are.
var firstSentences sync.Map

func cutFirstSentence(s string) string {
	const minLen, maxLen = 40, 240
	s = strings.Join(strings.Fields(s), " ")
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '.', '?', '!':
			if i+1 < len(s) && s[i+1] != ' ' {
				continue
			}
			if utf8.RuneCountInString(s[:i]) >= minLen {
				return shorten(s[:i+1], maxLen)
			}
		}
	}
	return shorten(s, maxLen)
}

// StageKPIs are the KPIs to suggest for a stage of a plan of kind k: the
// kind's (catalogue KPIs that fit, then its own) when the kind is known,
// every catalogue KPI of the stage when it is not. Each call returns a
// fresh slice.
func StageKPIs(cat *Catalogue, stage StageID, k Kind) []KPIDef {
	var out []KPIDef
	if k.Valid() {
		for _, d := range KindKPIs(k) {
			if d.Stage == stage {
				out = append(out, d)
			}
		}
		return out
	}
	if i, ok := cat.Stage(string(stage)); ok {
		out = append(out, cat.Stages[i].KPIs...)
	}
	return out
}

// kindCustom finds a KPI of the kind's own (one the catalogue lacks) for a
// stage, by what people call it, as kpiHead finds catalogue KPIs.
func kindCustom(k Kind, stage StageID, head string, percent bool) (KPIDef, bool) {
	p, ok := k.profile()
	if !ok {
		return KPIDef{}, false
	}
	var defs []KPIDef
	for _, d := range p.Custom {
		if d.Stage == stage {
			defs = append(defs, d)
		}
	}
	found := matchKPIGiven(len(defs), func(i int) (string, string, UnitKind) { return defs[i].ID, defs[i].Name, defs[i].Unit }, head, percent)
	if len(found) != 1 {
		return KPIDef{}, false
	}
	return defs[found[0]], true
}
