package flows

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// KPIMarkdown writes a plan's KPIs for the Markdown export: a table of the
// targets and where each stands at now, every recorded value with who gave
// it and when (in loc, UTC if nil), and the funnel check, or a note that
// there is nothing to check while no KPI has a target. It is meant to
// follow Markdown's plan document; people is as for Markdown. Control
// characters are left out, as in Export.
func KPIMarkdown(kpis []KPI, ms map[int64][]Measurement, loc *time.Location, now time.Time, people People) string {
	if loc == nil {
		loc = time.UTC
	}
	userText := people.text
	var b strings.Builder
	b.WriteString("## KPIs\n\n")
	if len(kpis) == 0 {
		b.WriteString("_No KPIs yet._\n")
	} else {
		b.WriteString("| KPI | Stage | Baseline | Target | Deadline | Owner | Latest | Progress | Status |\n")
		b.WriteString("|---|---|---|---|---|---|---|---|---|\n")
		for _, k := range kpis {
			p := KPIProgress(k, Comparable(k, ms[k.ID]), now)
			baseline, target, deadline, latest, progress := "—", "—", "—", "—", "—"
			if k.HasBaseline() {
				baseline = FormatValue(kpiValue(k, k.Baseline))
			}
			if k.HasTarget() {
				target = TargetValue(k)
			}
			if !k.Deadline.IsZero() {
				deadline = k.Deadline.Format(time.DateOnly)
			}
			if p.Latest != nil {
				latest = FormatValue(kpiValue(k, p.Latest.Value))
			}
			if pct, ok := percentText(k, p); ok {
				progress = pct
			}
			owner := cmpOr(userText(k.Owner), "—")
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
				cell(userText(k.Name)), stageTitle(k.Stage), baseline, target, deadline, cell(owner), latest, progress, statusText(p.Status))
		}

		b.WriteString("\n### Recorded values\n")
		for _, k := range kpis {
			fmt.Fprintf(&b, "\n**%s**\n\n", mdInline(userText(k.Name)))
			rows := slices.Clone(ms[k.ID])
			if len(rows) == 0 {
				b.WriteString("_No values yet._\n")
				continue
			}
			slices.SortStableFunc(rows, func(a, b Measurement) int { return a.At.Compare(b.At) })
			for _, m := range rows {
				fmt.Fprintf(&b, "- %s — %s, %s", FormatValue(kpiValue(k, m.Value)), mdInline(cmpOr(people.name(m.By), "unknown")), m.At.In(loc).Format("2006-01-02 15:04"))
				if m.Checkin != 0 {
					fmt.Fprintf(&b, " (check-in %d)", m.Checkin)
				}
				b.WriteString("\n")
			}
		}
	}

	// The funnel's lines become a Markdown list, one finding an item.
	b.WriteString("\n## Funnel\n\n")
	r := Funnel(kpis)
	if !slices.ContainsFunc(kpis, KPI.HasTarget) || len(r.Lines) == 0 {
		b.WriteString("Not enough targets yet to check the funnel.\n")
		return printable(b.String())
	}
	for _, l := range r.Lines {
		b.WriteString("- " + mdInline(l) + "\n")
	}
	return printable(b.String())
}

// mdInline keeps user text on one line so it cannot start a heading or a
// list of its own.
func mdInline(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
