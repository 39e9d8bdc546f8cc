package flows_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/racebot/racebot/flows"
)

// decodeStored stands in for a transport's Markdown rendering of people's
// stored text: it only decodes &amp;, &lt; and &gt;.
func decodeStored(s string) string {
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(s)
}

func TestKPIMarkdown(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	kpis, ms := ciKPIs(), ciMeasurements()
	piped := kpis[1]
	piped.Name, piped.Owner = "Leads | MQL", "Ben | Cat"

	const noFunnel = "\n## Funnel\n\nNot enough targets yet to check the funnel.\n"
	tests := []struct {
		name string
		kpis []flows.KPI
		loc  *time.Location
		want string
	}{
		{
			name: "plan", kpis: kpis, loc: time.UTC,
			want: `## KPIs

| KPI | Stage | Baseline | Target | Deadline | Owner | Latest | Progress | Status |
|---|---|---|---|---|---|---|---|---|
| Unique visitors | Reach | 8,000 | 20k a month | 2027-03-31 | <@UANA> | 12.4k | 37% | 🔴 off track |
| Leads | Act | 150 | 400 a month | 2027-03-31 | <@UBEN> | 170 | 8% | 🔴 off track |
| Revenue | Convert | $9,000 | $30,000 a month | 2027-03-31 | <@UANA\|ana> | $9,800 | 4% | 🔴 off track |
| Lead conversion rate | Act | 1.8% | 2.5% | 2027-03-31 | <@UCAT> | — | — | ⚪ no data |
| Q&A sign-ups | Act | — | — | — | — | 12 | — | ⚪ no data |

### Recorded values

**Unique visitors**

- 9,000 — UANA, 2026-12-07 09:00 (check-in 1)
- 10.1k — UANA, 2026-12-14 09:00 (check-in 2)
- 11k — UANA, 2027-01-10 09:00
- 12.4k — UANA, 2027-01-18 09:00 (check-in 3)

**Leads**

- 160 — UBEN, 2026-12-07 09:00 (check-in 1)
- 170 — UBEN, 2026-12-14 09:00 (check-in 2)

**Revenue**

- $9,800 — UANA, 2026-12-07 09:00 (check-in 1)
- n/a — UANA, 2027-01-18 09:00 (check-in 3)

**Lead conversion rate**

_No values yet._

**Q&A sign-ups**

- 12 — UDAN, 2027-01-18 10:00 (check-in 3)

## Funnel

- I can't check the funnel yet: it needs targets for sales rate (Convert) and average order value (Convert). A visitor-to-buyer rate can stand in for the lead and sales rates.
`,
		},
		{
			name: "pipes escaped, times in the team's zone", kpis: []flows.KPI{piped}, loc: berlin,
			want: `## KPIs

| KPI | Stage | Baseline | Target | Deadline | Owner | Latest | Progress | Status |
|---|---|---|---|---|---|---|---|---|
| Leads \| MQL | Act | 150 | 400 a month | 2027-03-31 | Ben \| Cat | 170 | 8% | 🔴 off track |

### Recorded values

**Leads | MQL**

- 160 — UBEN, 2026-12-07 10:00 (check-in 1)
- 170 — UBEN, 2026-12-14 10:00 (check-in 2)

## Funnel

- I can't check the funnel yet: it needs targets for visitors (Reach), lead rate (Act), sales rate (Convert), average order value (Convert) and revenue (Convert). A visitor-to-buyer rate can stand in for the lead and sales rates.
`,
		},
		{
			name: "no target anywhere", kpis: kpis[4:],
			want: `## KPIs

| KPI | Stage | Baseline | Target | Deadline | Owner | Latest | Progress | Status |
|---|---|---|---|---|---|---|---|---|
| Q&A sign-ups | Act | — | — | — | — | 12 | — | ⚪ no data |

### Recorded values

**Q&A sign-ups**

- 12 — UDAN, 2027-01-18 10:00 (check-in 3)
` + noFunnel,
		},
		{name: "no KPIs", want: "## KPIs\n\n_No KPIs yet._\n" + noFunnel},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := flows.KPIMarkdown(tt.kpis, ms, tt.loc, ciNow, flows.People{Text: decodeStored})
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("KPIMarkdown (-want +got):\n%s", diff)
			}
		})
	}
}

// TestKPIMarkdownFunnel checks that a plan whose targets can be checked
// gets every finding of the funnel check, each as a list item.
func TestKPIMarkdownFunnel(t *testing.T) {
	kpis := append(fernhill(), revenueKPI(9000))
	for i := range kpis {
		kpis[i].ID = int64(i + 1)
	}
	got := flows.KPIMarkdown(kpis, nil, time.UTC, ciNow, flows.People{Text: decodeStored})
	_, funnel, ok := strings.Cut(got, "\n## Funnel\n\n")
	if !ok {
		t.Fatalf("no funnel section in:\n%s", got)
	}
	r := flows.Funnel(kpis)
	if r.Bottleneck == "" {
		t.Fatalf("the test plan should have a bottleneck; Funnel = %+v", r)
	}
	var want strings.Builder
	for _, l := range r.Lines {
		want.WriteString("- " + l + "\n")
	}
	if diff := cmp.Diff(want.String(), funnel); diff != "" {
		t.Errorf("funnel section (-want +got):\n%s", diff)
	}
	if strings.Count(got, "_No values yet._") != len(kpis) {
		t.Errorf("want %d KPIs without values in:\n%s", len(kpis), got)
	}
}
