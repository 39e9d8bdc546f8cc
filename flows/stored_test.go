package flows_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/racebot/racebot/flows"
)

// The tests here feed the parsers text in Slack's stored form, the form in
// which every transport hands people's text to the coach: &, < and > are
// escaped, mentions and links are <…> references.

func TestReadingsInStoredForm(t *testing.T) {
	for _, name := range []string{"R&amp;D spend", "R&D spend"} {
		// The KPI is stored either way: old rows were kept decoded.
		kpis := []flows.KPI{
			{Key: "r-d-spend", Name: name, Unit: flows.UnitCurrency},
			{Key: "visitors", Name: "Unique visitors", Unit: flows.UnitCount},
		}
		got, errs := flows.ParseReadings("R&amp;D spend: €900; visitors 12.4k <https://x.example/a;b|from the sheet>", flows.KPIResolver(kpis))
		if len(errs) > 0 {
			t.Fatalf("KPI %q: errors %v", name, errs)
		}
		want := []flows.Reading{
			{KPI: "r-d-spend", Value: flows.Value{Amount: 900, Unit: flows.UnitCurrency, Currency: "EUR"}, Raw: "€900"},
			{KPI: "visitors", Value: flows.Value{Amount: 12400, Unit: flows.UnitCount}, Raw: "12.4k"},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("KPI %q: readings (-want +got):\n%s", name, diff)
		}
	}
}

func TestLinesSplitOutsideReferences(t *testing.T) {
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	a, err := flows.ParseAction("Fix <http://www.shop.example|www.shop.example> checkout &amp; R&amp;D | <@UBEN> | impact 4 | effort 2", now)
	if err != nil {
		t.Fatal(err)
	}
	if want := "Fix <http://www.shop.example|www.shop.example> checkout &amp; R&amp;D"; a.Text != want || a.Owner != "<@UBEN>" {
		t.Errorf("action text %q owner %q, want %q and <@UBEN>", a.Text, a.Owner, want)
	}

	k, err := flows.ParseKPILine(flows.RACE(), flows.StageReach, "visitors | target 20k | by 2027-03-31 | owner <@UBEN|ben>", now)
	if err != nil {
		t.Fatal(err)
	}
	if k.Owner != "<@UBEN|ben>" {
		t.Errorf("KPI owner = %q, want <@UBEN|ben>", k.Owner)
	}
	c, err := flows.ParseKPILine(flows.RACE(), flows.StageReach, "custom: R&amp;D spend (currency) | target $5,000 | by 2027-03-31", now)
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "R&amp;D spend" || c.Key != "r-d-spend" {
		t.Errorf("custom KPI name %q key %q, want it kept as stored with key r-d-spend", c.Name, c.Key)
	}
}

func TestMarkdownNamesPeople(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	p := flows.NewPlan("T", "C", "R&amp;D", "UANA", t0)
	for _, ch := range []flows.Change{
		flows.AnswerRecorded{Answer: flows.Answer{QuestionID: flows.QuestionBusiness, Text: "Coffee &amp; cake", By: "UANA", At: t0, Revision: 1}},
		flows.AnswerAdded{QuestionID: flows.QuestionBusiness, Revision: 2, Contribution: flows.Contribution{Text: "Beans &lt;3", By: "UBEN", At: t0}},
	} {
		p.Apply(ch)
	}
	people := flows.People{
		Text: func(s string) string { return "«" + s + "»" },
		Name: func(id string) string { return map[string]string{"UANA": "Ana", "UBEN": "Ben"}[id] },
	}
	md := flows.Markdown(flows.RACE(), p, time.UTC, people)
	for _, want := range []string{"# «R&amp;D»", "started by Ana on", "> «Coffee &amp; cake»\n\n— Ana, 2026-11-23 09:00", "> «Beans &lt;3»\n\n— Ben, 2026-11-23 09:00 (also answered)"} {
		if !strings.Contains(md, want) {
			t.Errorf("export lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "UANA") || strings.Contains(md, "UBEN") {
		t.Errorf("export shows a user id:\n%s", md)
	}
}
