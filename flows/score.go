package flows

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// Keys of the plan score's parts, in the order they are shown.
const (
	ScoreComplete   = "complete"
	ScoreMeasurable = "measurable"
	ScoreOwned      = "owned"
	ScoreActionable = "actionable"
	ScoreFunnel     = "funnel"
)

// scorePartMax is what each of the five parts is worth; five make 100.
const scorePartMax = 20

// maxScoreTips is how many ways to raise the score are suggested at once:
// enough to choose from, few enough to act on this week.
const maxScoreTips = 3

// ScorePart is one of the five things a reviewer looks for in a plan, with
// the points it earns.
type ScorePart struct {
	Key    string
	Name   string
	Points int
	Max    int
}

// ScoreTip is one change that would raise the score, and by how much.
type ScoreTip struct {
	Part string
	Gain int
	Msg  Msg
}

// PlanScore grades a plan out of 100: is it complete, measurable, owned,
// actionable, and does its funnel add up? Tips are the few changes that
// would raise it most, biggest gain first.
type PlanScore struct {
	Total int
	Parts []ScorePart
	Tips  []ScoreTip
}

// Part returns the part with the given key.
func (s PlanScore) Part(key string) (ScorePart, bool) {
	for _, p := range s.Parts {
		if p.Key == key {
			return p, true
		}
	}
	return ScorePart{}, false
}

// scored is one part worked out as a share of its points, with the one
// change that would raise it most and the share it would reach then.
type scored struct {
	key, name string
	share     float64
	tip       Msg
	after     float64
}

func points(share float64) int {
	return int(math.Round(scorePartMax * math.Max(0, math.Min(1, share))))
}

// ScorePlan scores a plan as it stands now. It is pure and cheap, so it is
// worked out afresh wherever it is shown (status, review, export) and
// follows every change to the plan.
//
//   - Complete: the share of questions answered.
//   - Measurable: each stage with catalogue KPIs has one with a target
//     (40%), a deadline still ahead (30%) and a baseline (30%).
//   - Owned: the share of KPIs and live actions with an owner.
//   - Actionable: each stage has a live action with a due date (half for
//     one without a date, or only overdue ones).
//   - Coherent funnel: the funnel's inputs are set (half) and its targets
//     reach the revenue target (the other half, shrinking with the gap).
func ScorePlan(cat *Catalogue, p *Plan, now time.Time) PlanScore {
	parts := []scored{
		scoreComplete(cat, p),
		scoreMeasurable(cat, p, now),
		scoreOwned(p),
		scoreActionable(cat, p, now),
		scoreFunnel(p),
	}
	var s PlanScore
	for _, sc := range parts {
		pts := points(sc.share)
		s.Parts = append(s.Parts, ScorePart{Key: sc.key, Name: sc.name, Points: pts, Max: scorePartMax})
		s.Total += pts
		if gain := points(sc.after) - pts; gain > 0 && len(sc.tip) > 0 {
			s.Tips = append(s.Tips, ScoreTip{Part: sc.key, Gain: gain, Msg: sc.tip})
		}
	}
	slices.SortStableFunc(s.Tips, func(a, b ScoreTip) int { return cmp.Compare(b.Gain, a.Gain) })
	s.Tips = s.Tips[:min(len(s.Tips), maxScoreTips)]
	return s
}

func scoreComplete(cat *Catalogue, p *Plan) scored {
	sc := scored{key: ScoreComplete, name: "Complete"}
	total, answered := 0, 0
	worst, worstOpen := "", 0
	for _, st := range cat.Stages {
		open := 0
		for _, q := range st.Steps() {
			total++
			if p.Answers[q.ID].Text != "" {
				answered++
			} else {
				open++
			}
		}
		if open > worstOpen {
			worst, worstOpen = st.Name, open
		}
	}
	if total == 0 {
		sc.share = 1
		return sc
	}
	sc.share = float64(answered) / float64(total)
	if worstOpen > 0 {
		sc.after = float64(answered+worstOpen) / float64(total)
		sc.tip = Sayf("Answer the %s still open in %s (%s).", plural(worstOpen, "question"), worst, Cmd("stage "+strings.ToLower(worst)))
	}
	return sc
}

// kpiReadiness is how much of a SMART target a KPI has, for the score:
// a target, a deadline still ahead and a baseline. Its owner counts
// under Owned.
func kpiReadiness(k KPI, now time.Time) float64 {
	r := 0.0
	if k.HasTarget() {
		r += 0.4
	}
	if !k.Deadline.IsZero() && !dayOf(k.Deadline).Before(dayOf(now)) {
		r += 0.3
	}
	if k.HasBaseline() {
		r += 0.3
	}
	return r
}

// kpiGaps names what a KPI lacks of a SMART target.
func kpiGaps(k KPI, now time.Time) []string {
	var gaps []string
	if !k.HasTarget() {
		gaps = append(gaps, "a target")
	}
	switch {
	case k.Deadline.IsZero():
		gaps = append(gaps, "a deadline")
	case dayOf(k.Deadline).Before(dayOf(now)):
		gaps = append(gaps, "a deadline still ahead")
	}
	if !k.HasBaseline() {
		gaps = append(gaps, "a baseline")
	}
	return gaps
}

func scoreMeasurable(cat *Catalogue, p *Plan, now time.Time) scored {
	sc := scored{key: ScoreMeasurable, name: "Measurable"}
	var stages []Stage
	for _, st := range cat.Stages {
		if len(st.KPIs) > 0 {
			stages = append(stages, st)
		}
	}
	if len(stages) == 0 {
		sc.share = 1
		return sc
	}
	sum, worst, worstIdx := 0.0, 2.0, -1
	var worstKPI *KPI
	for i, st := range stages {
		best := 0.0
		var bestKPI *KPI
		for j := range p.KPIs {
			k := &p.KPIs[j]
			if k.Stage == st.ID && (bestKPI == nil || kpiReadiness(*k, now) > best) {
				best, bestKPI = kpiReadiness(*k, now), k
			}
		}
		sum += best
		if best < worst {
			worst, worstIdx, worstKPI = best, i, bestKPI
		}
	}
	n := float64(len(stages))
	sc.share = sum / n
	if worst >= 1 {
		return sc
	}
	sc.after = (sum - worst + 1) / n
	st := stages[worstIdx]
	if worstKPI == nil {
		sc.tip = Sayf("Give %s a KPI with a baseline, a target and a deadline (%s).", st.Name, Cmd("kpi "+strings.ToLower(st.Name)))
	} else {
		sc.tip = Sayf("Give %s %s.", kpiName(*worstKPI), andList(kpiGaps(*worstKPI, now)))
	}
	return sc
}

func scoreOwned(p *Plan) scored {
	sc := scored{key: ScoreOwned, name: "Owned"}
	total := 0
	var missing []Msg
	for _, k := range p.KPIs {
		total++
		if strings.TrimSpace(k.Owner) == "" {
			missing = append(missing, Say(kpiName(k)))
		}
	}
	for _, a := range p.Actions {
		if a.State() == ActionDropped {
			continue
		}
		total++
		if strings.TrimSpace(a.Owner) == "" {
			missing = append(missing, Sayf("%q", User(shorten(a.Text, 40))))
		}
	}
	if total == 0 {
		// Nothing to own yet: the other parts say what to add first.
		return sc
	}
	sc.share = float64(total-len(missing)) / float64(total)
	if len(missing) > 0 {
		sc.after = 1
		shown := missing[:min(len(missing), 3)]
		more := ""
		if len(missing) > len(shown) {
			more = fmt.Sprintf(" and %d more", len(missing)-len(shown))
		}
		sc.tip = Sayf("Name an owner for %s%s.", Join(shown, ", "), more)
	}
	return sc
}

func scoreActionable(cat *Catalogue, p *Plan, now time.Time) scored {
	sc := scored{key: ScoreActionable, name: "Actionable"}
	if len(cat.Stages) == 0 {
		sc.share = 1
		return sc
	}
	sum, worst, worstIdx := 0.0, 2.0, -1
	for i, st := range cat.Stages {
		v := 0.0
		for _, a := range p.Actions {
			if a.Stage != st.ID || a.State() == ActionDropped {
				continue
			}
			switch {
			case !a.Due.IsZero() && !a.Overdue(now):
				v = 1
			default:
				v = math.Max(v, 0.5)
			}
		}
		sum += v
		if v < worst {
			worst, worstIdx = v, i
		}
	}
	n := float64(len(cat.Stages))
	sc.share = sum / n
	if worst >= 1 {
		return sc
	}
	sc.after = (sum - worst + 1) / n
	st := cat.Stages[worstIdx]
	if worst == 0 {
		sc.tip = Sayf("Add an action with an owner and a due date to %s.", st.Name)
	} else {
		sc.tip = Sayf("Give %s an action with a due date still ahead: date the ones it has, or add one.", st.Name)
	}
	return sc
}

func scoreFunnel(p *Plan) scored {
	sc := scored{key: ScoreFunnel, name: "Coherent funnel"}
	if len(p.KPIs) == 0 {
		sc.after = 0.5
		sc.tip = Sayf("Set targets for visitors, lead rate, sales rate, order value and revenue, so the funnel can be checked (%s).", Cmd("funnel"))
		return sc
	}
	f := Funnel(p.KPIs)
	have := len(f.Steps)
	if f.HasRevenueTarget {
		have++
	}
	if len(f.Missing) > 0 {
		total := have + len(f.Missing)
		sc.share = 0.5 * float64(have) / float64(total)
		sc.after = 0.5
		var names []string
		for _, m := range f.Missing {
			names = append(names, funnelName(m))
		}
		sc.tip = Sayf("Set targets for %s, so the funnel can be checked.", andList(names))
		return sc
	}
	switch {
	case f.Gap <= 0:
		// The targets can't be compared (one currency each, or a zero
		// factor): the inputs are there, the check is not.
		sc.share, sc.after = 0.5, 1
		sc.tip = Sayf("Make the funnel comparable: %s explains what stops it.", Cmd("funnel"))
	case f.Gap <= 1+1e-9:
		sc.share = 1
	default:
		sc.share = 0.5 + 0.5/f.Gap
		sc.after = 1
		sc.tip = Sayf("Close the funnel gap: the revenue target is %s× what the other targets add up to; raise %s's target first (%s).", times(f.Gap), stageTitle(f.Bottleneck), Cmd("funnel"))
	}
	return sc
}

// funnelName names a funnel input; a visitor-to-buyer rate stands in for
// two of them.
func funnelName(key string) string {
	if n, ok := funnelNames[key]; ok {
		return n
	}
	if key == "visitor-to-buyer" {
		return "visitor-to-buyer rate (Convert)"
	}
	return key
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// Text is the score on one line with its parts, and the tips that would
// raise it most, for status.
func (s PlanScore) Text() Msg {
	var b msgBuilder
	b.printf("%s %d/100", Text("Plan score:").Strong(), s.Total)
	var parts []string
	for _, p := range s.Parts {
		parts = append(parts, fmt.Sprintf("%s %d/%d", strings.ToLower(p.Name), p.Points, p.Max))
	}
	b.printf(" (%s)", strings.Join(parts, " · "))
	if len(s.Tips) > 0 {
		b.add("\nTo raise it:")
		for _, t := range s.Tips {
			b.printf("\n• %s (+%d)", t.Msg, t.Gain)
		}
	}
	return b.msg()
}

// Markdown is the score as a section of the plan's export. userText is as
// for Markdown.
func (s PlanScore) Markdown(userText func(string) string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "## Plan score: %d/100\n\n| Part | Points |\n|---|---|\n", s.Total)
	for _, p := range s.Parts {
		fmt.Fprintf(&b, "| %s | %d/%d |\n", p.Name, p.Points, p.Max)
	}
	if len(s.Tips) > 0 {
		b.WriteString("\nTo raise it:\n\n")
		for _, t := range s.Tips {
			fmt.Fprintf(&b, "- %s (+%d)\n", msgMarkdown(t.Msg, userText), t.Gain)
		}
	}
	return b.String()
}

// msgMarkdown writes a message into a Markdown document: literals and
// commands as code, people's text through userText.
func msgMarkdown(m Msg, userText func(string) string) string {
	var b strings.Builder
	for _, s := range m {
		switch s.Kind {
		case SpanCode, SpanCommand:
			b.WriteString("`" + s.Text + "`")
		case SpanUser:
			b.WriteString(mdInline(userText(s.Text)))
		default:
			b.WriteString(s.Text)
		}
	}
	return b.String()
}
