package flows_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/racebot/racebot/flows"
)

// kpiNow is "today" in the KPI tests: Fernhill Coffee sets its targets in
// late November for the quarter ending 31 March 2027.
var kpiNow = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

func kpiDate(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func val(x float64, u flows.UnitKind) flows.Value { return flows.Value{Amount: x, Unit: u} }

func usd(x float64) flows.Value {
	return flows.Value{Amount: x, Unit: flows.UnitCurrency, Currency: "USD"}
}

func none(u flows.UnitKind) flows.Value { return flows.Value{Unit: u, Missing: true} }

func TestParseKPILine(t *testing.T) {
	cat := flows.RACE()
	deadline := kpiDate(2027, 3, 31)
	tests := []struct {
		name  string
		stage flows.StageID
		line  string
		want  flows.KPI
	}{
		{
			name: "catalogue id, every part", stage: flows.StageReach,
			line: "visitors | baseline 8k | target 20k | by 2027-03-31 | owner Ana",
			want: flows.KPI{Stage: flows.StageReach, Key: "visitors", Name: "Unique visitors", Unit: flows.UnitCount, HigherIsBetter: true,
				Period: flows.PeriodMonth, Baseline: val(8000, flows.UnitCount), Target: val(20000, flows.UnitCount), Deadline: deadline, Owner: "Ana", At: kpiNow},
		},
		{
			name: "name, other keywords, any order, relative date", stage: flows.StageReach,
			line: "Unique Visitors | owner: Ana | to 20,000 | from 9,000 | in 12 weeks",
			want: flows.KPI{Stage: flows.StageReach, Key: "visitors", Name: "Unique visitors", Unit: flows.UnitCount, HigherIsBetter: true,
				Period: flows.PeriodMonth, Baseline: val(9000, flows.UnitCount), Target: val(20000, flows.UnitCount), Deadline: kpiDate(2027, 2, 15), Owner: "Ana", At: kpiNow},
		},
		{
			name: "acronym, money, mention", stage: flows.StageConvert,
			line: "AOV | baseline $30 | target 34 | deadline 31 Mar 2027 | @ana",
			want: flows.KPI{Stage: flows.StageConvert, Key: "aov", Name: "Average order value", Unit: flows.UnitCurrency, Currency: "USD", HigherIsBetter: true,
				Baseline: usd(30), Target: usd(34), Deadline: deadline, Owner: "@ana", At: kpiNow},
		},
		{
			name: "full name, euro target, no baseline", stage: flows.StageConvert,
			line: "average order value | target €34",
			want: flows.KPI{Stage: flows.StageConvert, Key: "aov", Name: "Average order value", Unit: flows.UnitCurrency, Currency: "EUR", HigherIsBetter: true,
				Baseline: none(flows.UnitCurrency), Target: flows.Value{Amount: 34, Unit: flows.UnitCurrency, Currency: "EUR"}, At: kpiNow},
		},
		{
			name: "lower is better, slack mention, due", stage: flows.StageAct,
			line: "bounce | baseline 62% | target 45% | due 2027-03-31 | <@U123>",
			want: flows.KPI{Stage: flows.StageAct, Key: "bounce-rate", Name: "Bounce rate", Unit: flows.UnitPercent,
				Baseline: val(62, flows.UnitPercent), Target: val(45, flows.UnitPercent), Deadline: deadline, Owner: "<@U123>", At: kpiNow},
		},
		{
			name: "durations", stage: flows.StageAct,
			line: "time on site | now 2m 30s | goal 3m 30s | until 2 March 2027 | owner Priya",
			want: flows.KPI{Stage: flows.StageAct, Key: "time-on-site", Name: "Time on site", Unit: flows.UnitDuration, HigherIsBetter: true,
				Baseline: val(150, flows.UnitDuration), Target: val(210, flows.UnitDuration), Deadline: kpiDate(2027, 3, 2), Owner: "Priya", At: kpiNow},
		},
		{
			name: "bare date and bare owner", stage: flows.StageAct,
			line: "leads | target 600 | 2027-03-31 | Ben",
			want: flows.KPI{Stage: flows.StageAct, Key: "leads", Name: "Leads", Unit: flows.UnitCount, HigherIsBetter: true,
				Period: flows.PeriodMonth, Baseline: none(flows.UnitCount), Target: val(600, flows.UnitCount), Deadline: deadline, Owner: "Ben", At: kpiNow},
		},
		{
			name: "alias", stage: flows.StageEngage,
			line: "LTV | target $140",
			want: flows.KPI{Stage: flows.StageEngage, Key: "clv", Name: "Customer lifetime value", Unit: flows.UnitCurrency, Currency: "USD", HigherIsBetter: true,
				Baseline: none(flows.UnitCurrency), Target: usd(140), At: kpiNow},
		},
		{
			name: "words of the name, plural", stage: flows.StageEngage,
			line: "repeat purchases | baseline 30% | target 40%",
			want: flows.KPI{Stage: flows.StageEngage, Key: "repeat-rate", Name: "Repeat purchase rate", Unit: flows.UnitPercent, HigherIsBetter: true,
				Baseline: val(30, flows.UnitPercent), Target: val(40, flows.UnitPercent), At: kpiNow},
		},
		{
			name: "any stage when none is given", stage: "",
			line: "revenue | target $18k",
			want: flows.KPI{Stage: flows.StageConvert, Key: "revenue", Name: "Revenue", Unit: flows.UnitCurrency, Currency: "USD", HigherIsBetter: true,
				Period: flows.PeriodMonth, Baseline: none(flows.UnitCurrency), Target: usd(18000), At: kpiNow},
		},
		{
			name: "currency in a note with an aside", stage: flows.StageConvert,
			line: "revenue | target 18k (USD, est)",
			want: flows.KPI{Stage: flows.StageConvert, Key: "revenue", Name: "Revenue", Unit: flows.UnitCurrency, Currency: "USD", HigherIsBetter: true,
				Period: flows.PeriodMonth, Baseline: none(flows.UnitCurrency), Target: usd(18000), At: kpiNow},
		},
		{
			name: "custom count", stage: flows.StageReach,
			line: "custom: webinar sign-ups (count) | target 200 | by 2027-03-31 | owner Priya",
			want: flows.KPI{Stage: flows.StageReach, Key: "webinar-sign-ups", Name: "webinar sign-ups", Unit: flows.UnitCount, HigherIsBetter: true,
				Baseline: none(flows.UnitCount), Target: val(200, flows.UnitCount), Deadline: deadline, Owner: "Priya", At: kpiNow},
		},
		{
			name: "custom without unit is a count", stage: flows.StagePlan,
			line: "Custom:  Market stall   visitors",
			want: flows.KPI{Stage: flows.StagePlan, Key: "market-stall-visitors", Name: "Market stall visitors", Unit: flows.UnitCount, HigherIsBetter: true,
				Baseline: none(flows.UnitCount), Target: none(flows.UnitCount), At: kpiNow},
		},
		{
			name: "custom money, lower is better", stage: flows.StageAct,
			line: "custom: cost per demo (currency, lower is better) | baseline $12 | target $8",
			want: flows.KPI{Stage: flows.StageAct, Key: "cost-per-demo", Name: "cost per demo", Unit: flows.UnitCurrency, Currency: "USD",
				Baseline: usd(12), Target: usd(8), At: kpiNow},
		},
		{
			name: "custom percent", stage: flows.StageEngage,
			line: "custom: email open rate (%) | baseline 38% | target 45%",
			want: flows.KPI{Stage: flows.StageEngage, Key: "email-open-rate", Name: "email open rate", Unit: flows.UnitPercent, HigherIsBetter: true,
				Baseline: val(38, flows.UnitPercent), Target: val(45, flows.UnitPercent), At: kpiNow},
		},
		{
			name: "n/a baseline", stage: flows.StageReach,
			line: "followers | baseline n/a | target 5k",
			want: flows.KPI{Stage: flows.StageReach, Key: "followers", Name: "Fans and followers", Unit: flows.UnitCount, HigherIsBetter: true,
				Baseline: none(flows.UnitCount), Target: val(5000, flows.UnitCount), At: kpiNow},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := flows.ParseKPILine(cat, tt.stage, tt.line, kpiNow)
			if err != nil {
				t.Fatalf("ParseKPILine(%q): %v", tt.line, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseKPILine(%q) (-want +got):\n%s", tt.line, diff)
			}
		})
	}
}

func TestParseKPILineErrors(t *testing.T) {
	cat := flows.RACE()
	tests := []struct {
		stage flows.StageID
		line  string
		want  string // part of the message
		bad   error
	}{
		{flows.StageReach, "  | target 20k", "Start with the KPI's name", flows.ErrBadInput},
		{flows.StageReach, "revenue | target $1k", "Revenue is a Convert KPI; set it in the Convert stage", flows.ErrBadInput},
		{flows.StageReach, "happiness", `I don't know a KPI called "happiness" in Reach. Pick one of Unique visitors, Value per visit`, flows.ErrBadInput},
		{flows.StagePlan, "brand awareness", "The Plan stage has no KPIs of its own", flows.ErrBadInput},
		{flows.StageAct, "rate", "could be Lead conversion rate or Bounce rate", flows.ErrBadInput},
		{"nowhere", "visitors", `There is no stage called "nowhere"`, flows.ErrBadInput},
		{flows.StageReach, "visitors | target 1,25", `For the target, "1,25" is ambiguous`, flows.ErrBadValue},
		{flows.StageReach, "visitors | target 3.5%", "For the target", flows.ErrBadValue},
		{flows.StageReach, "visitors | target 20k | target 30k", "You gave the target twice", flows.ErrBadInput},
		{flows.StageReach, "visitors | 20k", `I couldn't tell what "20k" is`, flows.ErrBadInput},
		{flows.StageReach, "visitors | target", `"target" has nothing after it`, flows.ErrBadInput},
		{flows.StageReach, "visitors | by 2027-13-45", `I couldn't read the deadline "2027-13-45"`, flows.ErrBadInput},
		{flows.StageReach, "visitors | 2027-13-45", `I couldn't read the date "2027-13-45"`, flows.ErrBadInput},
		{flows.StageReach, "visitors | owner Ana | @ben", "You gave the owner twice", flows.ErrBadInput},
		{flows.StageConvert, "revenue | baseline $8k | target €20k", "The baseline is in USD but the target in EUR", flows.ErrBadValue},
		{flows.StageConvert, "revenue | baseline €8k | target 18k (USD, est)", "The baseline is in EUR but the target in USD", flows.ErrBadValue},
		{flows.StageReach, "custom: visitors", "Unique visitors is already in the catalogue, as a KPI of Reach", flows.ErrBadInput},
		{flows.StageReach, "custom: podcast plays (furlongs)", `I don't know the unit "furlongs"`, flows.ErrBadInput},
		{flows.StageReach, "custom: podcast plays (count, percent)", "names two", flows.ErrBadInput},
		{flows.StageReach, "custom: (count)", "Give the custom KPI a name", flows.ErrBadInput},
		{flows.StageReach, "custom: podcast plays (count", "Put the unit in parentheses", flows.ErrBadInput},
		{"", "custom: podcast plays", "Say which stage", flows.ErrBadInput},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			k, err := flows.ParseKPILine(cat, tt.stage, tt.line, kpiNow)
			if err == nil {
				t.Fatalf("ParseKPILine(%q) = %+v, want an error", tt.line, k)
			}
			if !errors.Is(err, tt.bad) || !errors.Is(err, flows.ErrBadInput) {
				t.Errorf("error %v is not %v", err, tt.bad)
			}
			if msg := flows.Explain(err).String(); !strings.Contains(msg, tt.want) {
				t.Errorf("message %q does not contain %q", msg, tt.want)
			}
		})
	}
}

func TestKPIResolverReadsCheckInReplies(t *testing.T) {
	cat := flows.RACE()
	var kpis []flows.KPI
	for _, l := range []struct {
		stage flows.StageID
		line  string
	}{
		{flows.StageReach, "visitors | target 20k"},
		{flows.StageAct, "lead rate | target 2.5%"},
		{flows.StageConvert, "aov | target $34"},
		{flows.StageConvert, "revenue | target $18k"},
		{flows.StageReach, "custom: webinar sign-ups (count) | target 200"},
	} {
		k, err := flows.ParseKPILine(cat, l.stage, l.line, kpiNow)
		if err != nil {
			t.Fatal(err)
		}
		kpis = append(kpis, k)
	}
	got, errs := flows.ParseReadings("unique visitors 12.4k, lead conversion rate 2.1%, average order value $31, revenue $18,250, webinar sign ups 40, bounce rate 50%",
		flows.KPIResolver(kpis))
	want := []flows.Reading{
		{KPI: "visitors", Value: val(12400, flows.UnitCount), Raw: "12.4k"},
		{KPI: "lead-rate", Value: val(2.1, flows.UnitPercent), Raw: "2.1%"},
		{KPI: "aov", Value: usd(31), Raw: "$31"},
		{KPI: "revenue", Value: usd(18250), Raw: "$18,250"},
		{KPI: "webinar-sign-ups", Value: val(40, flows.UnitCount), Raw: "40"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("readings (-want +got):\n%s", diff)
	}
	if len(errs) != 1 || !strings.Contains(flows.Explain(errs[0]).String(), "bounce rate") {
		t.Errorf("errors = %v, want one about bounce rate, which the plan does not track", errs)
	}
}

// problemKey is a Problem without its wording, for comparing lists.
type problemKey struct {
	Field    string
	Blocking bool
}

func TestCheckTarget(t *testing.T) {
	visitors := func(base, target flows.Value, deadline time.Time, owner string) flows.KPI {
		return flows.KPI{Key: "visitors", Name: "Unique visitors", Unit: flows.UnitCount, HigherIsBetter: true,
			Baseline: base, Target: target, Deadline: deadline, Owner: owner, At: kpiNow}
	}
	bounce := func(base, target float64, deadline time.Time) flows.KPI {
		return flows.KPI{Key: "bounce-rate", Name: "Bounce rate", Unit: flows.UnitPercent,
			Baseline: val(base, flows.UnitPercent), Target: val(target, flows.UnitPercent), Deadline: deadline, Owner: "Priya", At: kpiNow}
	}
	leadRate := func(base, target float64) flows.KPI {
		return flows.KPI{Key: "lead-rate", Name: "Lead conversion rate", Unit: flows.UnitPercent, HigherIsBetter: true,
			Baseline: val(base, flows.UnitPercent), Target: val(target, flows.UnitPercent), Deadline: kpiDate(2027, 3, 31), Owner: "Ana", At: kpiNow}
	}
	count := func(x float64) flows.Value { return val(x, flows.UnitCount) }
	march31, sixWeeks := kpiDate(2027, 3, 31), kpiDate(2027, 1, 4)

	tests := []struct {
		name string
		k    flows.KPI
		want []problemKey
		msgs []string // each must appear in one of the messages, in order
	}{
		{
			name: "Fernhill's visitors target is SMART",
			k:    visitors(count(9000), count(20000), march31, "Ana"),
		},
		{
			name: "nothing but a name",
			k:    flows.KPI{Key: "leads", Name: "Leads", Unit: flows.UnitCount, HigherIsBetter: true},
			want: []problemKey{{"target", true}, {"baseline", false}, {"deadline", true}, {"owner", true}},
			msgs: []string{"Set a number to aim for, so leads is measurable; for example `target 20k`.",
				"Without a baseline I can't judge progress",
				"Add a deadline so the target is time-bound",
				"Name an owner who will report leads at check-ins"},
		},
		{
			name: "n/a target and baseline",
			k:    visitors(none(flows.UnitCount), none(flows.UnitCount), march31, "Ana"),
			want: []problemKey{{"target", true}, {"baseline", false}},
		},
		{
			name: "target below baseline",
			k:    visitors(count(9000), count(8000), march31, "Ana"),
			want: []problemKey{{"target", true}},
			msgs: []string{"The target (8,000) is below the baseline (9,000), but for unique visitors higher is better; aim above 9,000."},
		},
		{
			name: "bounce rate target above baseline",
			k:    bounce(62, 70, march31),
			want: []problemKey{{"target", true}},
			msgs: []string{"The target (70%) is above the baseline (62%), but for bounce rate lower is better; aim below 62%."},
		},
		{
			name: "bounce rate going down is fine",
			k:    bounce(62, 45, march31),
		},
		{
			name: "target equals baseline",
			k:    visitors(count(9000), count(9000), march31, "Ana"),
			want: []problemKey{{"target", true}},
			msgs: []string{"The target equals the baseline (9,000), so there is nothing to achieve; aim above it."},
		},
		{
			name: "deadline passed",
			k:    visitors(count(9000), count(12000), kpiDate(2026, 10, 1), "Ana"),
			want: []problemKey{{"deadline", true}},
			msgs: []string{"The deadline 2026-10-01 has already passed"},
		},
		{
			name: "deadline today still counts",
			k:    visitors(count(9000), count(10000), kpiDate(2026, 11, 23), "Ana"),
		},
		{
			name: "6.3x in six weeks",
			k:    visitors(count(8000), count(50000), sixWeeks, "Ana"),
			want: []problemKey{{"target", false}},
			msgs: []string{"Going from 8,000 to 50k unique visitors in 6 weeks is 6.3×; plans rarely more than double in a quarter, so check the target or allow more time."},
		},
		{
			name: "3x in six weeks is the limit",
			k:    visitors(count(8000), count(24000), sixWeeks, "Ana"),
		},
		{
			name: "4.4x over a year is believable",
			k:    visitors(count(9000), count(40000), kpiDate(2027, 11, 23), "Ana"),
		},
		{
			name: "bounce rate cut to a quarter in six weeks",
			k:    bounce(60, 15, sixWeeks),
			want: []problemKey{{"target", false}},
			msgs: []string{"Cutting bounce rate from 60% to 15% in 6 weeks is a 4.0× drop"},
		},
		{
			name: "bounce rate to zero",
			k:    bounce(60, 0, march31),
			want: []problemKey{{"target", false}},
			msgs: []string{"Bringing bounce rate down to zero in 4 months is rarely possible"},
		},
		{
			name: "percent above 100",
			k:    leadRate(80, 120),
			want: []problemKey{{"target", true}},
			msgs: []string{"A target of 120% can't be right: lead conversion rate is a share, and a share can't pass 100%."},
		},
		{
			name: "lead rate 1.8% to 2.5% is fine",
			k:    leadRate(1.8, 2.5),
		},
		{
			name: "lead rate tenfold",
			k:    leadRate(1.8, 18),
			want: []problemKey{{"target", false}},
			msgs: []string{"Going from 1.8% to 18% lead conversion rate in 4 months is 10.0×"},
		},
		{
			name: "currencies differ",
			k: flows.KPI{Key: "revenue", Name: "Revenue", Unit: flows.UnitCurrency, HigherIsBetter: true, Baseline: usd(8000),
				Target: flows.Value{Amount: 9000, Unit: flows.UnitCurrency, Currency: "EUR"}, Deadline: march31, Owner: "Ana", At: kpiNow},
			want: []problemKey{{"target", true}},
			msgs: []string{"The baseline is in USD but the target in EUR"},
		},
		{
			name: "zero baseline skips the growth rule",
			k:    visitors(count(0), count(500), sixWeeks, "Ana"),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps := flows.CheckTarget(tt.k, kpiNow)
			var got []problemKey
			for _, p := range ps {
				got = append(got, problemKey{p.Field, p.Blocking})
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("problems (-want +got):\n%s\nproblems: %+v", diff, ps)
			}
			for i, m := range tt.msgs {
				if i >= len(ps) || !strings.Contains(ps[i].Msg.String(), m) {
					t.Errorf("problem %d: problems %+v, want message %q", i, ps, m)
				}
			}
			wantBlocking := false
			for _, p := range tt.want {
				wantBlocking = wantBlocking || p.Blocking
			}
			if flows.HasBlocking(ps) != wantBlocking {
				t.Errorf("HasBlocking = %v, want %v", !wantBlocking, wantBlocking)
			}
		})
	}
}

// kpiAfter returns a measurement taken days after kpiNow.
func kpiAfter(days int, v flows.Value) flows.Measurement {
	return flows.Measurement{KPI: 1, Value: v, At: kpiNow.AddDate(0, 0, days), By: "U1"}
}

func TestKPIProgress(t *testing.T) {
	march31 := kpiDate(2027, 3, 31)
	// span is the days from kpiNow to the end of the deadline day, where
	// the trend is projected to.
	span := kpiDate(2027, 4, 1).Sub(kpiNow).Hours() / 24
	count := func(x float64) flows.Value { return val(x, flows.UnitCount) }
	pct := func(x float64) flows.Value { return val(x, flows.UnitPercent) }
	visitors := flows.KPI{ID: 1, Key: "visitors", Unit: flows.UnitCount, HigherIsBetter: true,
		Baseline: count(9000), Target: count(20000), Deadline: march31, Owner: "Ana", At: kpiNow}
	bounce := flows.KPI{ID: 1, Key: "bounce-rate", Unit: flows.UnitPercent,
		Baseline: pct(62), Target: pct(45), Deadline: march31, Owner: "Priya", At: kpiNow}
	noBaseline := visitors
	noBaseline.Baseline = none(flows.UnitCount)
	noTarget := visitors
	noTarget.Target = flows.Value{}
	noDeadline := visitors
	noDeadline.Deadline = time.Time{}

	// weekly is a steady climb that lands on 20k at the deadline.
	var weekly []flows.Measurement
	for w := 1; w <= 8; w++ {
		days := 7 * w
		weekly = append(weekly, kpiAfter(days, count(9000+11000*float64(days)/span)))
	}
	m := func(days int, v flows.Value) *flows.Measurement { x := kpiAfter(days, v); return &x }

	tests := []struct {
		name string
		k    flows.KPI
		ms   []flows.Measurement
		now  time.Time
		want flows.Progress
	}{
		{
			name: "no values yet", k: visitors, now: kpiNow,
			want: flows.Progress{Status: flows.StatusNoData},
		},
		{
			name: "one value ahead of pace", k: visitors, now: kpiNow.AddDate(0, 0, 28),
			ms: []flows.Measurement{kpiAfter(28, count(12000))},
			want: flows.Progress{Latest: m(28, count(12000)), Percent: 3000.0 / 11000 * 100, Status: flows.StatusOnTrack,
				Projected: 9000 + 3000.0/28*span, HasProjection: true},
		},
		{
			name: "one value a little behind pace", k: visitors, now: kpiNow.AddDate(0, 0, 28),
			ms: []flows.Measurement{kpiAfter(28, count(11000))},
			want: flows.Progress{Latest: m(28, count(11000)), Percent: 2000.0 / 11000 * 100, Status: flows.StatusAtRisk,
				Projected: 9000 + 2000.0/28*span, HasProjection: true},
		},
		{
			name: "one value far behind pace", k: visitors, now: kpiNow.AddDate(0, 0, 28),
			ms: []flows.Measurement{kpiAfter(28, count(9500))},
			want: flows.Progress{Latest: m(28, count(9500)), Percent: 500.0 / 11000 * 100, Status: flows.StatusOffTrack,
				Projected: 9000 + 500.0/28*span, HasProjection: true},
		},
		{
			name: "steady weekly climb", k: visitors, now: kpiNow.AddDate(0, 0, 56),
			ms: weekly,
			want: flows.Progress{Latest: &weekly[7], Percent: 56 / span * 100, Status: flows.StatusOnTrack,
				Projected: 20000, HasProjection: true},
		},
		{
			name: "values out of order and an n/a", k: visitors, now: kpiNow.AddDate(0, 0, 28),
			ms: []flows.Measurement{kpiAfter(28, none(flows.UnitCount)), kpiAfter(21, count(11000)), kpiAfter(7, count(9500))},
			want: flows.Progress{Latest: m(21, count(11000)), Percent: 2000.0 / 11000 * 100, Status: flows.StatusOnTrack,
				// Least squares through (0, 9000), (7, 9500), (21, 11000):
				// slope 22166.67 / 228.67 a day through the mean (9.33, 9833.33).
				Projected: 9833.3333 + 22166.6667/228.6667*(span-9.3333), HasProjection: true},
		},
		{
			name: "target reached", k: visitors, now: kpiNow.AddDate(0, 0, 100),
			ms: []flows.Measurement{kpiAfter(50, count(15000)), kpiAfter(100, count(21000))},
			want: flows.Progress{Latest: m(100, count(21000)), Percent: 12000.0 / 11000 * 100, Status: flows.StatusAchieved,
				Projected: 9000 + 12000.0/100*span, HasProjection: true},
		},
		{
			name: "deadline passed short of the target", k: visitors, now: kpiDate(2027, 4, 2),
			ms: []flows.Measurement{kpiAfter(64, count(14500)), kpiAfter(128, count(19000))},
			want: flows.Progress{Latest: m(128, count(19000)), Percent: 10000.0 / 11000 * 100, Status: flows.StatusOffTrack,
				Projected: 14166.6667 + 78.125*(span-64), HasProjection: true}, // least squares through days 0, 64, 128
		},
		{
			name: "bounce rate falling fast enough", k: bounce, now: kpiNow.AddDate(0, 0, 28),
			ms: []flows.Measurement{kpiAfter(28, pct(58))},
			want: flows.Progress{Latest: m(28, pct(58)), Percent: 4.0 / 17 * 100, Status: flows.StatusOnTrack,
				Projected: 62 - 4.0/28*span, HasProjection: true},
		},
		{
			name: "bounce rate falling too slowly", k: bounce, now: kpiNow.AddDate(0, 0, 28),
			ms: []flows.Measurement{kpiAfter(28, pct(60))},
			want: flows.Progress{Latest: m(28, pct(60)), Percent: 2.0 / 17 * 100, Status: flows.StatusOffTrack,
				Projected: 62 - 2.0/28*span, HasProjection: true},
		},
		{
			name: "bounce rate rising", k: bounce, now: kpiNow.AddDate(0, 0, 28),
			ms: []flows.Measurement{kpiAfter(28, pct(66))},
			want: flows.Progress{Latest: m(28, pct(66)), Percent: -4.0 / 17 * 100, Status: flows.StatusOffTrack,
				Projected: 62 + 4.0/28*span, HasProjection: true},
		},
		{
			name: "bounce rate at target", k: bounce, now: kpiNow.AddDate(0, 0, 28),
			ms: []flows.Measurement{kpiAfter(28, pct(44))},
			want: flows.Progress{Latest: m(28, pct(44)), Percent: 18.0 / 17 * 100, Status: flows.StatusAchieved,
				Projected: 62 - 18.0/28*span, HasProjection: true},
		},
		{
			name: "bounce rate exactly on target", k: bounce, now: kpiNow.AddDate(0, 0, 28),
			ms: []flows.Measurement{kpiAfter(28, pct(45))},
			want: flows.Progress{Latest: m(28, pct(45)), Percent: 100, Status: flows.StatusAchieved,
				Projected: 62 - 17.0/28*span, HasProjection: true},
		},
		{
			name: "one value and no baseline: no trend", k: noBaseline, now: kpiNow.AddDate(0, 0, 28),
			ms:   []flows.Measurement{kpiAfter(28, count(12000))},
			want: flows.Progress{Latest: m(28, count(12000)), Status: flows.StatusEarly},
		},
		{
			name: "no baseline: the first value stands in", k: noBaseline, now: kpiNow.AddDate(0, 0, 28),
			ms: []flows.Measurement{kpiAfter(14, count(10000)), kpiAfter(28, count(11000))},
			want: flows.Progress{Latest: m(28, count(11000)), Percent: 1000.0 / 10000 * 100, Status: flows.StatusAtRisk,
				Projected: 11000 + 1000.0/14*(span-28), HasProjection: true},
		},
		{
			name: "no target", k: noTarget, now: kpiNow.AddDate(0, 0, 28),
			ms:   []flows.Measurement{kpiAfter(28, count(12000))},
			want: flows.Progress{Latest: m(28, count(12000)), Status: flows.StatusNoData},
		},
		{
			name: "no deadline", k: noDeadline, now: kpiNow.AddDate(0, 0, 28),
			ms:   []flows.Measurement{kpiAfter(28, count(12000))},
			want: flows.Progress{Latest: m(28, count(12000)), Percent: 3000.0 / 11000 * 100, Status: flows.StatusNoData},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := flows.KPIProgress(tt.k, tt.ms, tt.now)
			// TestKPITrendLine checks where the trend line starts.
			trendStart := cmpopts.IgnoreFields(flows.Progress{}, "TrendFrom", "TrendFromValue")
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateApprox(0, 0.01), trendStart); diff != "" {
				t.Errorf("KPIProgress (-want +got):\n%s", diff)
			}
		})
	}
}

// TestParseKPILineNamesEveryCatalogueKPI makes sure no KPI of the catalogue
// shadows another: each answers to its id, its name and its name in capitals.
func TestParseKPILineNamesEveryCatalogueKPI(t *testing.T) {
	cat := flows.RACE()
	for _, st := range cat.Stages {
		for _, d := range st.KPIs {
			for _, name := range []string{d.ID, d.Name, strings.ToUpper(d.Name)} {
				for _, stage := range []flows.StageID{st.ID, ""} {
					k, err := flows.ParseKPILine(cat, stage, name, kpiNow)
					if err != nil {
						t.Errorf("ParseKPILine(%q in %q): %v", name, stage, err)
						continue
					}
					if k.Key != d.ID || k.Stage != d.Stage || k.Unit != d.Unit || k.HigherIsBetter != d.HigherIsBetter {
						t.Errorf("ParseKPILine(%q in %q) = %s in %s, want %s in %s", name, stage, k.Key, k.Stage, d.ID, d.Stage)
					}
				}
			}
		}
	}
}
