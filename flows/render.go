package flows

import (
	"fmt"
	"strings"
	"time"
)

// StatusText summarises a plan: where it stands, each stage's progress, the
// questions still open and how each KPI is doing.
func StatusText(cat *Catalogue, p *Plan, ms map[int64][]Measurement, now time.Time) Msg {
	var b msgBuilder
	b.printf("%s — %s\n", User(p.Name).Strong(), whereText(cat, p))
	for _, sp := range p.Progress(cat) {
		mark := "○"
		switch {
		case sp.Done && sp.Answered > 0:
			// A stage with no answers is open, however it was left.
			mark = "✓"
		case sp.Answered > 0 || sp.Actions > 0:
			mark = "◐"
		}
		b.printf("%s %-8s %d/%d answered", mark, sp.Name, sp.Answered, sp.Total)
		if sp.Skipped > 0 {
			b.printf(", %d skipped", sp.Skipped)
		}
		b.printf(", %d action(s)\n", sp.Actions)
	}
	if open := openQuestions(cat, p); len(open) > 0 {
		b.printf("Open questions: %s\n", strings.Join(open, ", "))
	}
	if len(p.KPIs) > 0 {
		b.add("KPIs:\n")
	}
	for _, k := range p.KPIs {
		prog := KPIProgress(k, Comparable(k, ms[k.ID]), now)
		latest := "no values yet"
		if prog.Latest != nil {
			latest = "latest " + FormatValue(kpiValue(k, prog.Latest.Value))
		}
		b.printf("• %s: %s · %s · %s\n", kpiName(k), latest, targetText(k), statusText(prog.Status))
	}
	b.printf("%s\n", ScorePlan(cat, p, now).Text())
	return trimNewlines(b.msg())
}

// trimNewlines drops the line ends a message built line by line ends with.
func trimNewlines(m Msg) Msg {
	for len(m) > 0 {
		last := &m[len(m)-1]
		if last.Kind != SpanText {
			break
		}
		last.Text = strings.TrimRight(last.Text, "\n")
		if last.Text != "" {
			break
		}
		m = m[:len(m)-1]
	}
	return m
}

// whereText says in a few words what the coach is waiting for.
func whereText(cat *Catalogue, p *Plan) string {
	switch p.Cursor.Phase {
	case PhaseComplete:
		if n := openCount(cat, p); n > 0 {
			return fmt.Sprintf("through every stage, %d question(s) still open", n)
		}
		return "complete"
	case PhaseActions:
		return fmt.Sprintf("%s: collecting actions", cat.Stages[p.Cursor.Stage].Name)
	case PhaseKPIs:
		return fmt.Sprintf("%s: setting KPIs", cat.Stages[p.Cursor.Stage].Name)
	}
	st, _, ok := p.Current(cat)
	if !ok {
		return "not started"
	}
	return fmt.Sprintf("%s: question %d of %d", st.Name, p.Cursor.Step+1, len(st.Steps()))
}

// NextStep describes what the plan needs next, for overviews such as the
// Slack home tab.
func NextStep(cat *Catalogue, p *Plan) string { return whereText(cat, p) }

func openCount(cat *Catalogue, p *Plan) int {
	n := 0
	for _, st := range cat.Stages {
		n += len(st.Steps()) - answeredIn(st, p)
	}
	return n
}

func openQuestions(cat *Catalogue, p *Plan) []string {
	var open []string
	for _, st := range cat.Stages {
		for i, q := range st.Steps() {
			if p.Answers[q.ID].Text == "" {
				open = append(open, fmt.Sprintf("%s %d", st.Name, i+1))
			}
		}
	}
	if len(open) > 12 {
		open = append(open[:12], fmt.Sprintf("and %d more", len(open)-12))
	}
	return open
}

func plansText(cat *Catalogue, plans []*Plan, current PlanID) Msg {
	var b msgBuilder
	b.add("Plans in this channel:\n")
	for _, p := range plans {
		answered, total := 0, 0
		for _, sp := range p.Progress(cat) {
			answered += sp.Answered
			total += sp.Total
		}
		marker := "•"
		if p.ID == current {
			marker = "▸"
		}
		b.printf("%s %s — %d/%d answered, %s\n", marker, User(p.Name).Strong(), answered, total, whereText(cat, p))
	}
	b.printf("%s switches plan.", Cmd("continue <name>"))
	return b.msg()
}

// People says how a document (a Markdown export, a CSV file) shows what
// people typed and who they are. Both are the transport's to decide: only it
// knows what a mention or a user id names, and how its format marks text up.
type People struct {
	// Text renders text people typed, in its stored form (see SpanUser);
	// the text is used as stored when nil.
	Text func(stored string) string
	// Name renders the person with a user id, such as an answer's author,
	// in the same format as Text; the id is used when nil.
	Name func(id string) string
}

func (pp People) text(stored string) string {
	if pp.Text == nil {
		return stored
	}
	return pp.Text(stored)
}

func (pp People) name(id string) string {
	if pp.Name == nil || id == "" {
		return id
	}
	return pp.Name(id)
}

// Markdown writes the whole plan as a document: every stage with its
// questions, the answers with who gave them and when, and the ranked actions.
// people renders what people typed, and who they are, as Markdown. Control
// characters are left out, as in Export.
func Markdown(cat *Catalogue, p *Plan, loc *time.Location, people People) string {
	if loc == nil {
		loc = time.UTC
	}
	userText := people.text
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\nA RACE plan started by %s on %s.\n", mdInline(userText(p.Name)), mdInline(people.name(p.CreatedBy)), p.CreatedAt.In(loc).Format("2 January 2006"))
	for _, st := range cat.Stages {
		fmt.Fprintf(&b, "\n## %s\n\n_%s_\n", st.Name, st.Purpose)
		for _, q := range st.Steps() {
			fmt.Fprintf(&b, "\n### %s\n\n", q.Text)
			a, ok := p.Answers[q.ID]
			switch {
			case ok && a.Text != "":
				fmt.Fprintf(&b, "%s\n\n— %s, %s", quoteLines(userText(a.Text)), mdInline(people.name(a.By)), a.At.In(loc).Format("2006-01-02 15:04"))
				if a.Revision > 1 {
					fmt.Fprintf(&b, " (revision %d)", a.Revision)
				}
				if a.Drafted {
					b.WriteString(" (drafted with help)")
				}
				b.WriteString("\n")
				for _, o := range a.Also {
					fmt.Fprintf(&b, "\n%s\n\n— %s, %s (also answered)\n", quoteLines(userText(o.Text)), mdInline(people.name(o.By)), o.At.In(loc).Format("2006-01-02 15:04"))
				}
			case p.Skipped[q.ID]:
				b.WriteString("_Skipped._\n")
			default:
				b.WriteString("_Not answered yet._\n")
			}
		}
	}
	b.WriteString("\n## Action plan\n\n")
	ranked := p.RankedActions()
	if len(ranked) == 0 {
		b.WriteString("_No actions yet._\n")
		return printable(b.String())
	}
	b.WriteString("Ranked quick wins first (high impact, low effort); # is each action's number.\n\n")
	b.WriteString("| # | Action | Stage | Owner | Due | Impact | Effort |\n|---|---|---|---|---|---|---|\n")
	for _, a := range ranked {
		due := "—"
		if !a.Due.IsZero() {
			due = a.Due.Format("2006-01-02")
		}
		owner := userText(a.Owner)
		if owner == "" {
			owner = "—"
		}
		text := userText(a.Text)
		if a.QuickWin() {
			text += " ⚡"
		}
		fmt.Fprintf(&b, "| %d | %s | %s | %s | %s | %d | %d |\n", a.Number, cell(text), stageName(cat, a.Stage), cell(owner), due, a.Impact, a.Effort)
	}
	return printable(b.String())
}

func stageName(cat *Catalogue, id StageID) string {
	if i, ok := cat.Stage(string(id)); ok {
		return cat.Stages[i].Name
	}
	return string(id)
}

func quoteLines(s string) string {
	return "> " + strings.ReplaceAll(strings.TrimSpace(s), "\n", "\n> ")
}

// cell keeps a table cell on one line and its pipes from splitting columns.
func cell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}

// Slug makes a plan name safe and readable as a file name: "Q1 Launch!"
// becomes "q1-launch".
func Slug(name string) string {
	var sb strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			sb.WriteRune(r)
			dash = false
		} else if sb.Len() > 0 && !dash {
			sb.WriteByte('-')
			dash = true
		}
	}
	if out := strings.Trim(sb.String(), "-"); out != "" {
		return out
	}
	return "race-plan"
}
