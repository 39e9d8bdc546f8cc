package flows_test

import (
	"encoding/csv"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/racebot/racebot/flows"
)

func TestKPIHistoryCSV(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	kpis, ms := ciKPIs(), ciMeasurements()
	const header = "kpi,stage,unit,currency,time,value,by,checkin,baseline,target,deadline,owner\n"

	pct := flows.KPI{ID: 8, Key: "lead-rate", Name: "Lead rate", Stage: flows.StageAct, Unit: flows.UnitPercent,
		Baseline: flows.Value{Amount: 1.8, Unit: flows.UnitPercent}, Target: flows.Value{Amount: 2.5, Unit: flows.UnitPercent},
		Owner: "@cat"}
	money := flows.KPI{ID: 9, Key: "revenue", Name: "=HYPERLINK(\"x\")", Stage: flows.StageConvert, Unit: flows.UnitCurrency, Currency: "EUR",
		Baseline: flows.Value{Unit: flows.UnitCurrency, Missing: true}, Target: flows.Value{Amount: 1234567.5, Unit: flows.UnitCurrency, Currency: "EUR"},
		Owner: "Ana, Ben"}
	dur := flows.KPI{ID: 10, Key: "time-on-site", Name: "Time on site", Stage: flows.StageEngage, Unit: flows.UnitDuration,
		Baseline: flows.Value{Amount: 90, Unit: flows.UnitDuration}, Target: flows.Value{Amount: 150, Unit: flows.UnitDuration}}
	other := map[int64][]flows.Measurement{
		8:  {ciM(8, 0, time.Date(2027, 7, 1, 12, 0, 0, 0, time.UTC), 3.5, flows.UnitPercent, "-UCAT")},
		9:  {{KPI: 9, Value: flows.Value{Amount: 18250.25, Unit: flows.UnitCurrency, Currency: "USD"}, At: time.Date(2027, 1, 5, 8, 30, 0, 0, time.UTC), By: "UANA"}},
		10: {ciM(10, 12, time.Date(2027, 1, 5, 8, 30, 0, 0, time.UTC), 150, flows.UnitDuration, "UDAN")},
		99: {ciM(99, 1, time.Date(2027, 1, 5, 8, 30, 0, 0, time.UTC), 1, flows.UnitCount, "UX")}, // not a KPI of these
	}

	tests := []struct {
		name string
		kpis []flows.KPI
		ms   map[int64][]flows.Measurement
		loc  *time.Location
		want string
	}{
		{
			name: "plan ordered by KPI then time, n/a empty", kpis: kpis, ms: ms, loc: time.UTC,
			want: header +
				"Unique visitors,reach,count,,2026-12-07T09:00:00Z,9000,UANA,1,8000,20000,2027-03-31,<@UANA>\n" +
				"Unique visitors,reach,count,,2026-12-14T09:00:00Z,10100,UANA,2,8000,20000,2027-03-31,<@UANA>\n" +
				"Unique visitors,reach,count,,2027-01-10T09:00:00Z,11000,UANA,,8000,20000,2027-03-31,<@UANA>\n" +
				"Unique visitors,reach,count,,2027-01-18T09:00:00Z,12400,UANA,3,8000,20000,2027-03-31,<@UANA>\n" +
				"Leads,act,count,,2026-12-07T09:00:00Z,160,UBEN,1,150,400,2027-03-31,<@UBEN>\n" +
				"Leads,act,count,,2026-12-14T09:00:00Z,170,UBEN,2,150,400,2027-03-31,<@UBEN>\n" +
				"Revenue,convert,currency,USD,2026-12-07T09:00:00Z,9800,UANA,1,9000,30000,2027-03-31,<@UANA|ana>\n" +
				"Revenue,convert,currency,USD,2027-01-18T09:00:00Z,,UANA,3,9000,30000,2027-03-31,<@UANA|ana>\n" +
				"Q&A sign-ups,act,count,,2027-01-18T10:00:00Z,12,UDAN,3,,,,\n",
		},
		{
			name: "times in the team's zone, deadlines stay dates", kpis: kpis[1:2], ms: ms, loc: berlin,
			want: header +
				"Leads,act,count,,2026-12-07T10:00:00+01:00,160,UBEN,1,150,400,2027-03-31,<@UBEN>\n" +
				"Leads,act,count,,2026-12-14T10:00:00+01:00,170,UBEN,2,150,400,2027-03-31,<@UBEN>\n",
		},
		{
			name: "plain numbers, quoting, formula guard, written currency wins", kpis: []flows.KPI{pct, money, dur}, ms: other,
			want: header +
				"Lead rate,act,percent,,2027-07-01T12:00:00Z,3.5,'-UCAT,,1.8,2.5,,'@cat\n" +
				"\"'=HYPERLINK(\"\"x\"\")\",convert,currency,USD,2027-01-05T08:30:00Z,18250.25,UANA,,,1234567.5,,\"Ana, Ben\"\n" +
				"Time on site,engage,duration,,2027-01-05T08:30:00Z,150,UDAN,12,90,150,,\n",
		},
		{name: "no KPIs: header only", ms: ms, want: header},
		{name: "KPIs without values: header only", kpis: kpis[3:4], ms: ms, want: header},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			if err := flows.KPIHistoryCSV(&b, tt.kpis, tt.ms, tt.loc, flows.People{}); err != nil {
				t.Fatalf("KPIHistoryCSV: %v", err)
			}
			// The golden text pins the quoting; the reader pins that it parses.
			if diff := cmp.Diff(tt.want, b.String()); diff != "" {
				t.Errorf("KPIHistoryCSV (-want +got):\n%s", diff)
			}
			records, err := csv.NewReader(strings.NewReader(b.String())).ReadAll()
			if err != nil {
				t.Fatalf("read back: %v", err)
			}
			for i, r := range records {
				if len(r) != 12 {
					t.Errorf("row %d has %d fields, want 12: %q", i, len(r), r)
				}
			}
		})
	}
}

// failWriter fails every write, as a closed connection would.
type failWriter struct{}

var errWrite = errors.New("broken pipe")

func (failWriter) Write([]byte) (int, error) { return 0, errWrite }

func TestKPIHistoryCSVWriteError(t *testing.T) {
	err := flows.KPIHistoryCSV(failWriter{}, ciKPIs(), ciMeasurements(), time.UTC, flows.People{})
	if !errors.Is(err, errWrite) {
		t.Errorf("KPIHistoryCSV to a broken writer = %v, want it to wrap %v", err, errWrite)
	}
}
