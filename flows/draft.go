package flows

import "strings"

// Context question IDs: the answers any draft for the plan builds on.
const (
	QuestionBusiness         = "plan.business"
	QuestionValueProposition = "plan.value-proposition"
)

// OfflineDraft helps with a question without a language model: what a good
// answer covers, the worked example, and the plan's own earlier answers that
// bear on it, so the team writes from its own material.
func OfflineDraft(cat *Catalogue, p *Plan, questionID string) Msg {
	q, stage, step, ok := cat.Question(questionID)
	if !ok {
		return Sayf("I can't find that question any more; %s shows where the plan stands.", Cmd("status"))
	}
	var b msgBuilder
	b.printf("%s %s\n", Text("A head start for:").Strong(), q.Text)
	b.printf("• %s %s\n", Text("What a good answer covers:").Strong(), q.Hint)
	b.printf("• %s %s\n", Text("A worked example from "+p.Kind.BusinessName()+":").Strong(), ExampleFor(cat, questionID, p.Kind))
	if ctx := draftContext(cat, p, stage, step); len(ctx) > 0 {
		b.printf("• %s\n", Text("From your plan so far:").Strong())
		for _, line := range ctx {
			b.printf("    – %s\n", line)
		}
	}
	b.add("Write your own version as a reply.")
	return b.msg()
}

// draftContext picks the earlier answers a draft should build on: the
// business and value proposition, then this stage's answers before the step.
func draftContext(cat *Catalogue, p *Plan, stage, step int) []Msg {
	var lines []Msg
	seen := map[string]bool{}
	add := func(id string) {
		a := p.Answers[id]
		if a.Text == "" || seen[id] {
			return
		}
		seen[id] = true
		q, _, _, _ := cat.Question(id)
		lines = append(lines, Sayf("%s %s", q.Text, User(shorten(a.Text, 200))))
	}
	cur := cat.Stages[stage].Steps()[step].ID
	seen[cur] = true
	add(QuestionBusiness)
	add(QuestionValueProposition)
	for _, q := range cat.Stages[stage].Steps()[:step] {
		add(q.ID)
	}
	return lines
}

// shorten cuts s to at most n runes on a word boundary.
func shorten(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	cut := string(r[:n])
	if i := strings.LastIndexByte(cut, ' '); i > n/2 {
		cut = cut[:i]
	}
	return cut + "…"
}
