package flows_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/racebot/racebot/flows"
)

// ciNow is "today" in the check-in tests: week 9 of Fernhill Coffee's
// quarter, the morning of check-in 3.
var ciNow = time.Date(2027, 1, 18, 10, 0, 0, 0, time.UTC)

func ciDay(m time.Month, d int) time.Time {
	y := 2027
	if m >= time.November {
		y = 2026
	}
	return time.Date(y, m, d, 9, 0, 0, 0, time.UTC)
}

// ciKPIs is a plan with five KPIs: two owned by Ana (once as a labelled
// mention), one each by Ben and Cat, and a custom one without owner or
// target.
func ciKPIs() []flows.KPI {
	deadline := time.Date(2027, 3, 31, 0, 0, 0, 0, time.UTC)
	set := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	k := func(id int64, key, name string, stage flows.StageID, unit flows.UnitKind, base, target float64, owner string) flows.KPI {
		return flows.KPI{ID: id, Plan: 7, Stage: stage, Key: key, Name: name, Unit: unit, HigherIsBetter: true,
			Baseline: flows.Value{Amount: base, Unit: unit}, Target: flows.Value{Amount: target, Unit: unit},
			Deadline: deadline, Owner: owner, By: "UANA", At: set}
	}
	revenue := k(3, "revenue", "Revenue", flows.StageConvert, flows.UnitCurrency, 9000, 30000, "<@UANA|ana>")
	revenue.Currency = "USD"
	custom := k(5, "q-a-sign-ups", "Q&A sign-ups", flows.StageAct, flows.UnitCount, 0, 0, "")
	custom.Baseline, custom.Target, custom.Deadline = flows.Value{Unit: flows.UnitCount, Missing: true}, flows.Value{Unit: flows.UnitCount, Missing: true}, time.Time{}
	return []flows.KPI{
		k(1, "visitors", "Unique visitors", flows.StageReach, flows.UnitCount, 8000, 20000, "<@UANA>"),
		k(2, "leads", "Leads", flows.StageAct, flows.UnitCount, 150, 400, "<@UBEN>"),
		revenue,
		k(4, "lead-rate", "Lead conversion rate", flows.StageAct, flows.UnitPercent, 1.8, 2.5, "<@UCAT>"),
		custom,
	}
}

func ciM(kpi int64, checkin int64, at time.Time, amount float64, unit flows.UnitKind, by string) flows.Measurement {
	return flows.Measurement{KPI: kpi, Value: flows.Value{Amount: amount, Unit: unit}, At: at, By: by, Checkin: checkin}
}

// ciMeasurements are the values recorded so far, deliberately out of
// order within a KPI: storage sorts them, but callers may not.
func ciMeasurements() map[int64][]flows.Measurement {
	c, usd := flows.UnitCount, flows.UnitCurrency
	na := ciM(3, 3, ciDay(time.January, 18), 0, usd, "UANA")
	na.Value.Missing = true
	return map[int64][]flows.Measurement{
		1: {
			ciM(1, 3, ciDay(time.January, 18), 12400, c, "UANA"),
			ciM(1, 1, ciDay(time.December, 7), 9000, c, "UANA"),
			ciM(1, 2, ciDay(time.December, 14), 10100, c, "UANA"),
			ciM(1, 0, ciDay(time.January, 10), 11000, c, "UANA"), // between check-ins
		},
		2: {
			ciM(2, 1, ciDay(time.December, 7), 160, c, "UBEN"),
			ciM(2, 2, ciDay(time.December, 14), 170, c, "UBEN"),
		},
		3: {ciM(3, 1, ciDay(time.December, 7), 9800, usd, "UANA"), na},
		5: {ciM(5, 3, ciDay(time.January, 18).Add(time.Hour), 12, c, "UDAN")},
	}
}

// summaryView is what a test checks of a summary: the counts and owners,
// and each line's values as people read them ("nil" for none).
type summaryView struct {
	Updated, Total int
	MissingOwners  []string
	Nobody         bool
	Latest         []string
	Previous       []string
}

func viewSummary(tb testing.TB, s flows.CheckinSummary) summaryView {
	tb.Helper()
	v := summaryView{Updated: s.Updated, Total: s.Total, MissingOwners: s.MissingOwners, Nobody: s.Nobody}
	show := func(m *flows.Measurement) string {
		if m == nil {
			return "nil"
		}
		return flows.FormatValue(m.Value)
	}
	for _, l := range s.Lines {
		v.Latest = append(v.Latest, show(l.Latest))
		v.Previous = append(v.Previous, show(l.Previous))
	}
	return v
}

func TestSummarizeCheckin(t *testing.T) {
	kpis, ms := ciKPIs(), ciMeasurements()
	twice := ciMeasurements()
	// Ana corrects her number later the same day; the newer one counts.
	twice[1] = append(twice[1], ciM(1, 3, ciDay(time.January, 18).Add(2*time.Hour), 12500, flows.UnitCount, "UANA"))

	tests := []struct {
		name    string
		kpis    []flows.KPI
		ms      map[int64][]flows.Measurement
		checkin int64
		want    summaryView
	}{
		{
			name: "three of five, n/a counts, previous is the value between check-ins",
			kpis: kpis, ms: ms, checkin: 3,
			want: summaryView{Updated: 3, Total: 5, MissingOwners: []string{"<@UBEN>", "<@UCAT>"},
				Latest:   []string{"12.4k", "nil", "n/a", "nil", "12"},
				Previous: []string{"11k", "170", "9,800", "nil", "nil"}},
		},
		{
			name: "earlier check-in: previous comes before its values, owner without a name is skipped",
			kpis: kpis, ms: ms, checkin: 2,
			want: summaryView{Updated: 2, Total: 5, MissingOwners: []string{"<@UANA|ana>", "<@UCAT>"},
				Latest:   []string{"10.1k", "170", "nil", "nil", "nil"},
				Previous: []string{"9,000", "160", "9,800", "nil", "12"}},
		},
		{
			name: "nobody answered: each owner once, labelled mention deduplicated",
			kpis: kpis, ms: ms, checkin: 4,
			want: summaryView{Updated: 0, Total: 5, Nobody: true, MissingOwners: []string{"<@UANA>", "<@UBEN>", "<@UCAT>"},
				Latest:   []string{"nil", "nil", "nil", "nil", "nil"},
				Previous: []string{"12.4k", "170", "9,800", "nil", "12"}},
		},
		{
			name: "checkin 0 is no check-in, even for values given outside one",
			kpis: kpis, ms: ms, checkin: 0,
			want: summaryView{Updated: 0, Total: 5, Nobody: true, MissingOwners: []string{"<@UANA>", "<@UBEN>", "<@UCAT>"},
				Latest:   []string{"nil", "nil", "nil", "nil", "nil"},
				Previous: []string{"12.4k", "170", "9,800", "nil", "12"}},
		},
		{
			name: "a corrected value replaces the first",
			kpis: kpis[:1], ms: twice, checkin: 3,
			want: summaryView{Updated: 1, Total: 1, Latest: []string{"12.5k"}, Previous: []string{"11k"}},
		},
		{
			name: "no KPIs",
			want: summaryView{Nobody: true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := viewSummary(t, flows.SummarizeCheckin(tt.kpis, tt.ms, tt.checkin, ciNow))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("SummarizeCheckin (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSummarizeCheckinProgress(t *testing.T) {
	kpis, ms := ciKPIs(), ciMeasurements()
	s := flows.SummarizeCheckin(kpis, ms, 3, ciNow)
	// Each line carries the same judgement KPIProgress makes on its own.
	for i, k := range kpis {
		want := flows.KPIProgress(k, ms[k.ID], ciNow)
		if diff := cmp.Diff(want, s.Lines[i].Progress); diff != "" {
			t.Errorf("%s progress (-want +got):\n%s", k.Key, diff)
		}
	}
	// The input map is left as it was: out of order.
	if got := ms[1][0].Value.Amount; got != 12400 {
		t.Errorf("SummarizeCheckin reordered the caller's measurements: first is %v", got)
	}
}

func TestCheckinSummaryText(t *testing.T) {
	kpis, ms := ciKPIs(), ciMeasurements()
	tests := []struct {
		name    string
		title   string
		kpis    []flows.KPI
		checkin int64
		want    string
	}{
		{
			name: "check-in 3", title: "Q1 Launch", kpis: kpis, checkin: 3,
			want: "Q1 Launch — 3 of 5 KPIs updated\n" +
				"• Unique visitors: 12.4k (was 11k) · target 20k a month by 31 Mar 2027 · 37% of the way · 🔴 off track\n" +
				"• Leads: — (last 170) · target 400 a month by 31 Mar 2027 · 8% of the way · 🔴 off track\n" +
				"• Revenue: n/a (was $9,800) · target $30,000 a month by 31 Mar 2027 · 4% of the way · 🔴 off track\n" +
				"• Lead conversion rate: — · target 2.5% by 31 Mar 2027 · ⚪ no data\n" +
				"• Q&A sign-ups: 12 · no target · ⚪ no data",
		},
		{
			name: "no title, one KPI", kpis: kpis[1:2], checkin: 2,
			want: "1 of 1 KPIs updated\n• Leads: 170 (was 160) · target 400 a month by 31 Mar 2027 · 8% of the way · 🔴 off track",
		},
		{
			name: "no KPIs", title: "Q1 Launch",
			want: "Q1 Launch — no KPIs to check in on yet; set some with `kpi`.",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := flows.SummarizeCheckin(tt.kpis, ms, tt.checkin, ciNow).Text(tt.title)
			got := msg.String()
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Text (-want +got):\n%s", diff)
			}
			if strings.Contains(got, "<@") {
				t.Errorf("Text mentions someone, which would ping them on every update:\n%s", got)
			}
		})
	}
}

func TestCheckinStatusWords(t *testing.T) {
	deadline := time.Date(2027, 3, 31, 0, 0, 0, 0, time.UTC)
	base := flows.KPI{ID: 1, Name: "Leads", Unit: flows.UnitCount, HigherIsBetter: true,
		Baseline: flows.Value{Amount: 100, Unit: flows.UnitCount}, Target: flows.Value{Amount: 200, Unit: flows.UnitCount},
		Deadline: deadline, At: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)}
	tests := []struct {
		name  string
		value float64
		want  string
	}{
		// From 100 on 1 Jan to the value on 18 Jan, projected to 1 Apr.
		{"on pace", 160, "🟢 on track"},
		{"most of the way", 117, "🟡 at risk"},
		{"too slow", 105, "🔴 off track"},
		{"there already", 210, "✅ achieved"},
		{"went down", 90, "🔴 off track"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms := map[int64][]flows.Measurement{1: {ciM(1, 3, ciDay(time.January, 18), tt.value, flows.UnitCount, "UBEN")}}
			got := flows.SummarizeCheckin([]flows.KPI{base}, ms, 3, ciNow).Text("").String()
			if !strings.HasSuffix(got, tt.want) {
				t.Errorf("Text = %q, want it to end in %q", got, tt.want)
			}
		})
	}
}

// mentions counts each Slack mention in a text by user id.
func mentions(s string) map[string]int {
	n := map[string]int{}
	for _, m := range regexp.MustCompile(`<@([A-Z0-9]+)[^>]*>`).FindAllStringSubmatch(s, -1) {
		n[m[1]]++
	}
	return n
}

func TestOpeningText(t *testing.T) {
	kpis, ms := ciKPIs(), ciMeasurements()
	const list = "\n• Unique visitors: target 20k a month by 31 Mar 2027 · last 12.4k" +
		"\n• Leads: target 400 a month by 31 Mar 2027 · last 170" +
		"\n• Revenue: target $30,000 a month by 31 Mar 2027 · last $9,800" +
		"\n• Lead conversion rate: target 2.5% by 31 Mar 2027 · no values yet" +
		"\n• Q&A sign-ups: no target · last 12" +
		"\nReply in this thread with your numbers, e.g. `visitors 12.4k, leads 170`, or press Enter values. Write `n/a` for a number you don't have." +
		"\nOwners: <@UANA> <@UBEN> <@UCAT>"
	tests := []struct {
		name   string
		plan   string
		kpis   []flows.KPI
		late   bool
		missed int
		want   string
	}{
		{name: "on time", plan: "Q1 Launch", kpis: kpis,
			want: "📊 KPI check-in for Q1 Launch" + list},
		{name: "late after three missed", plan: "Q1 Launch", kpis: kpis, late: true, missed: 3,
			want: "📊 KPI check-in for Q1 Launch (late: racebot was down; 3 check-ins were missed and this one catches up)" + list},
		{name: "late after one missed", plan: "Q1 Launch", kpis: kpis, late: true, missed: 1,
			want: "📊 KPI check-in for Q1 Launch (late: racebot was down; 1 check-in was missed and this one catches up)" + list},
		{name: "late, none missed", plan: "Q1 Launch", kpis: kpis, late: true,
			want: "📊 KPI check-in for Q1 Launch (late: racebot was down, so this one comes late)" + list},
		// On time, standing for the ones skipped while racebot was away.
		{name: "on time after two missed", plan: "Q1 Launch", kpis: kpis, missed: 2,
			want: "📊 KPI check-in for Q1 Launch (2 earlier check-ins were missed while racebot was down)" + list},
		{name: "on time after one missed", plan: "Q1 Launch", kpis: kpis, missed: 1,
			want: "📊 KPI check-in for Q1 Launch (1 earlier check-in was missed while racebot was down)" + list},
		// The plan's name is the team's text, kept apart for the transport
		// to render safely (see TestOpeningTextKeepsPeoplesTextApart).
		{name: "plan name as typed", plan: "R&amp;D <!channel>", kpis: kpis[3:4],
			want: "📊 KPI check-in for R&amp;D <!channel>" +
				"\n• Lead conversion rate: target 2.5% by 31 Mar 2027 · no values yet" +
				"\nReply in this thread with your numbers, e.g. `lead-rate 2.5%`, or press Enter values. Write `n/a` for a number you don't have." +
				"\nOwners: <@UCAT>"},
		{name: "no owners, no line", plan: "Q1", kpis: kpis[4:],
			want: "📊 KPI check-in for Q1" +
				"\n• Q&A sign-ups: no target · last 12" +
				"\nReply in this thread with your numbers, e.g. `q-a-sign-ups 12`, or press Enter values. Write `n/a` for a number you don't have."},
		{name: "no KPIs", plan: "Q1",
			want: "📊 KPI check-in for Q1\nThis plan has no KPIs yet; set some with `kpi` and I'll ask for their numbers here."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := flows.OpeningText(tt.plan, tt.kpis, ms, tt.late, tt.missed)
			got := msg.String()
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("OpeningText (-want +got):\n%s", diff)
			}
			for id, n := range mentions(got) {
				if n != 1 {
					t.Errorf("<@%s> is mentioned %d times, want once", id, n)
				}
			}
		})
	}
}

// userTexts lists the texts of a message's SpanUser spans, in order.
func userTexts(m flows.Msg) []string {
	var out []string
	for _, sp := range m {
		if sp.Kind == flows.SpanUser {
			out = append(out, sp.Text)
		}
	}
	return out
}

// TestOpeningTextKeepsPeoplesTextApart checks that the plan's name, the KPI
// names and the owners reach the transport as the team's text, never as
// our words, so the transport decides how to show them.
func TestOpeningTextKeepsPeoplesTextApart(t *testing.T) {
	kpis, ms := ciKPIs(), ciMeasurements()
	got := userTexts(flows.OpeningText("R&amp;D <!channel>", kpis[1:], ms, false, 0))
	want := []string{"R&amp;D <!channel>", "Leads", "Revenue", "Lead conversion rate", "Q&A sign-ups", "<@UBEN>", "<@UANA|ana>", "<@UCAT>"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("user spans (-want +got):\n%s", diff)
	}
	for _, sp := range flows.OpeningText("Q1", kpis, ms, false, 0) {
		if sp.Kind == flows.SpanText && strings.Contains(sp.Text, "<") {
			t.Errorf("our words carry markup: %q", sp.Text)
		}
	}
}

// TestOpeningTextExampleParses checks that the reply the opening message
// suggests is one the check-in reader understands, for KPIs of every unit.
func TestOpeningTextExampleParses(t *testing.T) {
	kpis, ms := ciKPIs(), ciMeasurements()
	dur := flows.KPI{ID: 6, Key: "time-on-site", Name: "Average time on site", Unit: flows.UnitDuration,
		Target: flows.Value{Amount: 150, Unit: flows.UnitDuration}}
	ratio := flows.KPI{ID: 7, Key: "roas", Name: "Return on ad spend", Unit: flows.UnitRatio,
		Target: flows.Value{Missing: true, Unit: flows.UnitRatio}}
	example := regexp.MustCompile("e\\.g\\. `([^`]*)`")
	for i := range kpis {
		for _, pair := range [][]flows.KPI{{kpis[i], kpis[(i+1)%len(kpis)]}, {dur, ratio}, {kpis[i], dur}} {
			name := pair[0].Key + "+" + pair[1].Key
			t.Run(name, func(t *testing.T) {
				text := flows.OpeningText("Q1", pair, ms, false, 0).String()
				m := example.FindStringSubmatch(text)
				if m == nil {
					t.Fatalf("no example reply in:\n%s", text)
				}
				readings, errs := flows.ParseReadings(m[1], flows.KPIResolver(pair))
				if len(errs) > 0 {
					t.Fatalf("ParseReadings(%q): %v", m[1], errs)
				}
				var keys []string
				for _, r := range readings {
					keys = append(keys, r.KPI)
				}
				if diff := cmp.Diff([]string{pair[0].Key, pair[1].Key}, keys); diff != "" {
					t.Errorf("ParseReadings(%q) KPIs (-want +got):\n%s", m[1], diff)
				}
			})
		}
	}
}

func TestNudgeText(t *testing.T) {
	kpis, ms := ciKPIs(), ciMeasurements()
	tests := []struct {
		name    string
		kpis    []flows.KPI
		checkin int64
		missing []string // nil: take the summary's own
		want    string
	}{
		{
			name: "only the missing owners", kpis: kpis, checkin: 3,
			want: "3 of 5 KPIs updated; <@UBEN> <@UCAT>, your numbers are still missing — reply here when you have them. Still open: Leads and Lead conversion rate.",
		},
		{
			name: "an owner given twice is mentioned once", kpis: kpis, checkin: 3, missing: []string{"<@UBEN>", "<@UCAT>", "<@UBEN>", ""},
			want: "3 of 5 KPIs updated; <@UBEN> <@UCAT>, your numbers are still missing — reply here when you have them. Still open: Leads and Lead conversion rate.",
		},
		{
			name: "nobody answered", kpis: kpis, checkin: 4,
			want: "0 of 5 KPIs updated; <@UANA> <@UBEN> <@UCAT>, your numbers are still missing — reply here when you have them. Still open: Unique visitors, Leads, Revenue, Lead conversion rate and Q&A sign-ups.",
		},
		{
			name: "missing KPIs have no owner", kpis: kpis[4:], checkin: 2,
			want: "0 of 1 KPIs updated; still open: Q&A sign-ups. Anyone can reply here with the numbers.",
		},
		{
			name: "all in", kpis: kpis[:2], checkin: 2,
			want: "2 of 2 KPIs updated; every number is in, thank you!",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := flows.SummarizeCheckin(tt.kpis, ms, tt.checkin, ciNow)
			missing := tt.missing
			if missing == nil {
				missing = s.MissingOwners
			}
			msg := flows.NudgeText(missing, s)
			got := msg.String()
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("NudgeText (-want +got):\n%s", diff)
			}
			for id, n := range mentions(got) {
				if n != 1 {
					t.Errorf("<@%s> is mentioned %d times, want once", id, n)
				}
			}
		})
	}
}

func TestClosingText(t *testing.T) {
	kpis, ms := ciKPIs(), ciMeasurements()
	tests := []struct {
		name    string
		kpis    []flows.KPI
		checkin int64
		want    string
	}{
		{
			name: "nobody answered", kpis: kpis, checkin: 4,
			want: "Check-in closed: nobody answered this time. Late values can still be added in this thread.",
		},
		{
			name: "some answered", kpis: kpis, checkin: 3,
			want: "Check-in closed: 3 of 5 KPIs updated.\n🔴 3 off track · ⚪ 2 no data\n" +
				"No values for Leads and Lead conversion rate. Late values can still be added in this thread.",
		},
		{
			name: "everyone answered", kpis: kpis[:2], checkin: 2,
			want: "Check-in closed: all 2 KPIs updated.\n🔴 2 off track\nLate values can still be added in this thread.",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := flows.ClosingText(flows.SummarizeCheckin(tt.kpis, ms, tt.checkin, ciNow)).String()
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ClosingText (-want +got):\n%s", diff)
			}
			if strings.Contains(got, "<@") {
				t.Errorf("ClosingText mentions someone:\n%s", got)
			}
		})
	}
}

func ExampleSummarizeCheckin() {
	k := flows.KPI{ID: 1, Key: "visitors", Name: "Unique visitors", Unit: flows.UnitCount, HigherIsBetter: true,
		Baseline: flows.Value{Amount: 8000, Unit: flows.UnitCount}, Target: flows.Value{Amount: 20000, Unit: flows.UnitCount},
		Deadline: time.Date(2027, 3, 31, 0, 0, 0, 0, time.UTC), Owner: "<@UANA>", At: time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC)}
	ms := map[int64][]flows.Measurement{1: {
		{KPI: 1, Value: flows.Value{Amount: 11000, Unit: flows.UnitCount}, At: time.Date(2027, 1, 11, 9, 0, 0, 0, time.UTC), Checkin: 1},
		{KPI: 1, Value: flows.Value{Amount: 12400, Unit: flows.UnitCount}, At: time.Date(2027, 1, 18, 9, 0, 0, 0, time.UTC), Checkin: 2},
	}}
	s := flows.SummarizeCheckin([]flows.KPI{k}, ms, 2, time.Date(2027, 1, 18, 10, 0, 0, 0, time.UTC))
	fmt.Println(s.Text("Q1 Launch"))
	// Output:
	// Q1 Launch — 1 of 1 KPIs updated
	// • Unique visitors: 12.4k (was 11k) · target 20k a month by 31 Mar 2027 · 37% of the way · 🟢 on track
}

func TestComparable(t *testing.T) {
	usdKPI := flows.KPI{ID: 3, Unit: flows.UnitCurrency, Currency: "USD"}
	plainKPI := flows.KPI{ID: 3, Unit: flows.UnitCurrency}
	money := func(amount float64, currency string) flows.Measurement {
		return flows.Measurement{KPI: 3, Value: flows.Value{Amount: amount, Unit: flows.UnitCurrency, Currency: currency}}
	}
	ms := []flows.Measurement{money(9800, ""), money(900, "EUR"), money(11000, "USD")}
	tests := []struct {
		name string
		kpi  flows.KPI
		want []float64
	}{
		{"another currency is left out", usdKPI, []float64{9800, 11000}},
		{"a KPI without currency compares all", plainKPI, []float64{9800, 900, 11000}},
		{"not money", flows.KPI{ID: 3, Unit: flows.UnitCount, Currency: "USD"}, []float64{9800, 900, 11000}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []float64
			for _, m := range flows.Comparable(tt.kpi, ms) {
				got = append(got, m.Value.Amount)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Comparable (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSummarizeCheckinForeignCurrency: a value in euros for a dollar KPI is
// shown as given, but does not drag the trend down.
func TestSummarizeCheckinForeignCurrency(t *testing.T) {
	kpis, ms := ciKPIs(), ciMeasurements()
	revenue := kpis[2]
	ms[3] = append(ms[3], flows.Measurement{KPI: 3, Value: flows.Value{Amount: 900, Unit: flows.UnitCurrency, Currency: "EUR"},
		At: ciDay(time.January, 18).Add(3 * time.Hour), By: "UANA", Checkin: 3})
	s := flows.SummarizeCheckin([]flows.KPI{revenue}, ms, 3, ciNow)
	want := "1 of 1 KPIs updated\n• Revenue: €900 (was $9,800) · target $30,000 a month by 31 Mar 2027 · 4% of the way · 🔴 off track"
	if diff := cmp.Diff(want, s.Text("").String()); diff != "" {
		t.Errorf("Text (-want +got):\n%s", diff)
	}
	if got := s.Lines[0].Progress.Latest.Value.Amount; got != 9800 {
		t.Errorf("progress judged the latest value %v, want the dollar value 9800", got)
	}
}
