package flows

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Export is a plan as a document a lead can forward: a one-screen summary
// first, then every answer, the action plan, the KPIs with every value and
// the funnel check. The service fills what it keeps (coach.Service.Export);
// the transport adds how people are named. The latest review comes from
// the store, or from the transport that just showed one. Each optional part of the summary is left out while it is
// empty.
type Export struct {
	Catalogue *Catalogue
	Plan      *Plan
	Values    map[int64][]Measurement
	// Location renders dates and times; UTC when nil.
	Location *time.Location
	// Now is when the export is made: KPI statuses and the plan score are
	// as of then.
	Now time.Time
	// People renders what people typed, and who they are, as Markdown.
	People People

	// Capability is the team's capability ratings, in any order; the
	// summary shows the first and the latest side by side.
	Capability []CapabilityRating
	// Review is the plan's latest review, when one was made.
	Review *ExportReview
}

// ExportReview is a review of a plan, by the language model or the
// built-in rules, as the export shows it.
type ExportReview struct {
	// Plan is the plan reviewed: an export of another plan leaves it out.
	Plan PlanID
	At   time.Time
	// By is who asked for it (a user id), "" when not known.
	By string
	// Text is the review as it was shown, in the stored form of what
	// people type (see SpanUser): the export renders it with People.Text.
	Text string
	// FromModel is true when the language model wrote it.
	FromModel bool
}

// Summary limits: the summary is meant to fit one screen.
const (
	summaryObjectiveRunes = 600
	summaryActions        = 5
)

// ExportMarkdown is the whole plan as a document with nothing but the plan
// and its values: Export without the optional parts.
func ExportMarkdown(cat *Catalogue, p *Plan, ms map[int64][]Measurement, loc *time.Location, now time.Time, people People) string {
	return Export{Catalogue: cat, Plan: p, Values: ms, Location: loc, Now: now, People: people}.Markdown()
}

// Markdown writes the document. Control characters people typed (or a
// model wrote) are left out: the file is read in editors, terminals and
// previews that would act on them.
func (e Export) Markdown() string {
	loc := e.Location
	if loc == nil {
		loc = time.UTC
	}
	doc := Markdown(e.Catalogue, e.Plan, loc, e.People)
	head, body, _ := strings.Cut(doc, "\n## ")
	var b strings.Builder
	b.WriteString(head)
	fmt.Fprintf(&b, "Exported on %s.\n\n", e.Now.In(loc).Format("2 January 2006"))
	e.writeSummary(&b, loc)
	if r := e.Review; r != nil && r.Plan == e.Plan.ID && strings.TrimSpace(r.Text) != "" {
		b.WriteString("\n## Latest review\n\n")
		b.WriteString(reviewByline(r, loc, e.People) + "\n\n")
		// Quoted, so that a heading the review may hold stays inside it.
		b.WriteString(quoteLines(e.People.text(r.Text)) + "\n")
	}
	b.WriteString("\n## " + body)
	if len(e.Plan.KPIs) > 0 {
		b.WriteString("\n" + KPIMarkdown(e.Plan.KPIs, e.Values, loc, e.Now, e.People))
	}
	return printable(b.String())
}

// writeSummary writes the one-screen summary: objectives, score, KPIs,
// funnel, top actions and capability.
func (e Export) writeSummary(b *strings.Builder, loc *time.Location) {
	p, people := e.Plan, e.People
	b.WriteString("## Summary\n\n")

	b.WriteString("**Objectives**\n\n")
	switch a := p.Answers[QuestionObjectives]; {
	case strings.TrimSpace(a.Text) != "":
		text, cut := clip(strings.TrimSpace(people.text(a.Text)), summaryObjectiveRunes)
		b.WriteString(quoteLines(text) + "\n")
		if cut {
			b.WriteString("\n_The whole answer is under Plan below._\n")
		}
	case p.Skipped[QuestionObjectives]:
		b.WriteString("_Skipped in the Plan stage._\n")
	default:
		b.WriteString("_Not set yet: the Plan stage asks for them._\n")
	}

	score := ScorePlan(e.Catalogue, p, e.Now)
	var parts []string
	for _, pt := range score.Parts {
		parts = append(parts, fmt.Sprintf("%s %d/%d", strings.ToLower(pt.Name), pt.Points, pt.Max))
	}
	fmt.Fprintf(b, "\n**Plan score: %d/100** (%s)", score.Total, strings.Join(parts, " · "))
	if len(score.Tips) > 0 {
		b.WriteString(". To raise it:\n\n")
		for _, t := range score.Tips {
			fmt.Fprintf(b, "- %s (+%d)\n", mdInline(msgMarkdown(t.Msg, people.text)), t.Gain)
		}
	} else {
		b.WriteString("\n")
	}

	if len(p.KPIs) > 0 {
		fmt.Fprintf(b, "\n**KPIs** on %s\n\n", e.Now.In(loc).Format("2 Jan 2006"))
		b.WriteString("| KPI | Owner | Latest | Target | Progress | Status |\n|---|---|---|---|---|---|\n")
		for _, k := range p.KPIs {
			prog := KPIProgress(k, Comparable(k, e.Values[k.ID]), e.Now)
			latest, target, progress := "—", "—", "—"
			if prog.Latest != nil {
				latest = FormatValue(kpiValue(k, prog.Latest.Value))
			}
			if k.HasTarget() {
				target = TargetValue(k)
				if !k.Deadline.IsZero() {
					target += " by " + k.Deadline.Format("2 Jan 2006")
				}
			}
			if pct, ok := percentText(k, prog); ok {
				progress = pct
			}
			fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s |\n", cell(people.text(k.Name)), cell(cmpOr(people.text(k.Owner), "—")),
				latest, target, progress, statusText(prog.Status))
		}
	}

	if counts := FunnelCounts(p.KPIs, e.Values); counts != nil {
		b.WriteString("\n**Funnel**, " + FunnelCaption(p.KPIs) + ": ")
		var steps []string
		worked := false
		for _, c := range counts {
			v := func(x float64) string {
				if c.Unit == UnitCount {
					// Worked out from rates, a count has decimals no one counted.
					x = math.Round(x)
				}
				return FormatValue(Value{Amount: x, Unit: c.Unit, Currency: c.Currency})
			}
			actual, target := "—", ""
			if c.HasActual {
				actual = v(c.Actual)
				if c.ActualFrom != "" {
					actual += "*"
					worked = true
				}
			}
			if c.HasTarget {
				target = v(c.Target)
				if c.TargetFrom != "" {
					target += "*"
					worked = true
				}
			}
			switch name := strings.ToLower(c.Name); {
			case c.HasTarget:
				steps = append(steps, fmt.Sprintf("%s %s of %s", name, actual, target))
			case c.HasActual:
				steps = append(steps, fmt.Sprintf("%s %s (no target)", name, actual))
			}
		}
		b.WriteString(mdEscape(strings.Join(steps, " → ")) + ".")
		if worked {
			b.WriteString(` \* worked out from the rates beside it.`)
		}
		b.WriteString("\n")
		if r := Funnel(p.KPIs); r.Bottleneck != "" {
			fmt.Fprintf(b, "The targets fall short of the revenue target; the bottleneck is %s.\n", stageTitle(r.Bottleneck))
		}
	}

	// Done and dropped actions need no doing: the action plan below
	// lists them all.
	ranked := slices.DeleteFunc(p.RankedActions(), Action.Closed)
	if len(ranked) > 0 {
		b.WriteString("\n**Top actions**, quick wins first:\n\n")
		for _, a := range ranked[:min(len(ranked), summaryActions)] {
			line := mdInline(people.text(a.Text))
			if a.QuickWin() {
				line += " ⚡"
			}
			var who []string
			if owner := mdInline(people.text(a.Owner)); owner != "" {
				who = append(who, owner)
			}
			if !a.Due.IsZero() {
				who = append(who, "due "+a.Due.Format("2 Jan 2006"))
			}
			if len(who) > 0 {
				line += " — " + strings.Join(who, ", ")
			}
			// Each under its own number, not its rank: a reader marks it
			// done with that number. A bold one, as "3." would start a
			// list numbered again from 3.
			fmt.Fprintf(b, "- **%d.** %s\n", a.Number, line)
		}
		if n := len(ranked) - summaryActions; n > 0 {
			fmt.Fprintf(b, "\n_%d more in the action plan below._\n", n)
		}
	}

	if line := capabilityLine(e.Catalogue, e.Capability, loc); line != "" {
		b.WriteString("\n" + line + "\n")
	}
}

// capabilityLine is the capability trend in one line: each stage's first
// rating and its latest, "Reach 2 → 3".
func capabilityLine(cat *Catalogue, ratings []CapabilityRating, loc *time.Location) string {
	if len(ratings) == 0 {
		return ""
	}
	ratings = slices.Clone(ratings)
	slices.SortStableFunc(ratings, func(a, b CapabilityRating) int { return a.At.Compare(b.At) })
	first, last := ratings[0], ratings[len(ratings)-1]
	var parts []string
	for _, st := range cat.Stages {
		now, ok := last.Scores[st.ID]
		if !ok {
			continue
		}
		if was, before := first.Scores[st.ID]; len(ratings) > 1 && before {
			parts = append(parts, fmt.Sprintf("%s %d → %d", st.Name, was, now))
		} else {
			parts = append(parts, fmt.Sprintf("%s %d", st.Name, now))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	when := last.At.In(loc).Format("2 Jan 2006")
	if len(ratings) > 1 {
		when = first.At.In(loc).Format("2 Jan 2006") + " → " + when
	}
	return fmt.Sprintf("**Capability** (1–5), %s: %s.", when, strings.Join(parts, ", "))
}

// reviewByline says when a review was made, who asked for it, and
// whether AI wrote it: a reader weighs a model's words differently.
func reviewByline(r *ExportReview, loc *time.Location, people People) string {
	start := "_Made"
	if r.FromModel {
		start = "_Written by AI"
	}
	s := start
	if !r.At.IsZero() {
		s += " on " + r.At.In(loc).Format("2 January 2006")
	}
	if by := mdInline(people.name(r.By)); by != "" {
		s += " for " + by
	}
	switch {
	case s != start:
	case r.FromModel:
		return "_The latest review, written by AI._"
	default:
		return "_The latest review._"
	}
	return s + "._"
}

// clip shortens s to at most n runes, at a word boundary, and reports
// whether it did.
func clip(s string, n int) (string, bool) {
	if utf8.RuneCountInString(s) <= n {
		return s, false
	}
	r := []rune(s)[:n]
	cut := string(r)
	if i := strings.LastIndexAny(cut, " \n"); i > n/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " \n,;:") + " …", true
}

// mdEscape keeps characters Markdown would take as emphasis from doing so
// in text racebot writes around numbers.
func mdEscape(s string) string {
	return strings.NewReplacer("*", `\*`, "_", `\_`).Replace(s)
}

// printable drops the control characters from a document: every C0
// control but the line feed and the tab, DEL, the C1 controls (U+0080 to
// U+009F, which some terminals act on as escape sequences) and the
// bidirectional overrides and isolates, which can make text read other
// than it is. Line ends become line feeds; bytes that are not UTF-8 become
// U+FFFD.
func printable(s string) string {
	clean := true
	for _, r := range s {
		if unprintable(r) || r == utf8.RuneError {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if !unprintable(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// unprintable reports whether printable drops r.
func unprintable(r rune) bool {
	switch {
	case r == '\n' || r == '\t':
		return false
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}
