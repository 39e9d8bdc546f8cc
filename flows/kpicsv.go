package flows

import (
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
)

// kpiCSVHeader names the columns of KPIHistoryCSV.
var kpiCSVHeader = []string{"kpi", "stage", "unit", "currency", "time", "value", "by", "checkin", "baseline", "target", "deadline", "owner"}

// KPIHistoryCSV writes every recorded value of the plan's KPIs as CSV, one
// row per value, ordered by KPI (in the order of kpis) and then by time.
// Each row repeats its KPI's target so the file stands alone in a
// spreadsheet. Numbers are plain (12400, 3.5 for 3.5%, seconds for
// durations); an n/a value, a missing baseline or target and a missing
// deadline are empty cells. Times are RFC 3339 in loc (UTC if nil);
// deadlines are calendar dates. Values of KPIs not in kpis are left out.
//
// people renders KPI names and owners, which people typed, and who gave
// each value, as plain text. Text a spreadsheet would run as a formula (a
// name or owner starting with =, +, - or @) is prefixed with a single quote;
// control characters are left out.
func KPIHistoryCSV(w io.Writer, kpis []KPI, ms map[int64][]Measurement, loc *time.Location, people People) error {
	if loc == nil {
		loc = time.UTC
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(kpiCSVHeader); err != nil {
		return fmt.Errorf("write kpi csv: %w", err)
	}
	for _, k := range kpis {
		rows := slices.Clone(ms[k.ID])
		slices.SortStableFunc(rows, func(a, b Measurement) int { return a.At.Compare(b.At) })
		baseline, target, deadline := "", "", ""
		if k.HasBaseline() {
			baseline = plainNumber(k.Baseline.Amount)
		}
		if k.HasTarget() {
			target = plainNumber(k.Target.Amount)
		}
		if !k.Deadline.IsZero() {
			deadline = k.Deadline.Format(time.DateOnly)
		}
		for _, m := range rows {
			v := kpiValue(k, m.Value)
			value, checkin := "", ""
			if !v.Missing {
				value = plainNumber(v.Amount)
			}
			if m.Checkin != 0 {
				checkin = strconv.FormatInt(m.Checkin, 10)
			}
			at := ""
			if !m.At.IsZero() {
				at = m.At.In(loc).Format(time.RFC3339)
			}
			row := []string{safeCell(people.text(k.Name)), string(k.Stage), string(k.Unit), safeCell(v.Currency), at, value,
				safeCell(people.name(m.By)), checkin, baseline, target, deadline, safeCell(people.text(k.Owner))}
			if err := cw.Write(row); err != nil {
				return fmt.Errorf("write kpi csv: %w", err)
			}
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write kpi csv: %w", err)
	}
	return nil
}

// plainNumber writes a number the way spreadsheets read it: no grouping, no
// exponent, no more digits than it has.
func plainNumber(x float64) string {
	return strconv.FormatFloat(x, 'f', -1, 64)
}

// safeCell keeps a spreadsheet from running text as a formula: Excel and
// LibreOffice treat cells starting with =, +, - or @ as formulas, and an
// owner written "@ana" would otherwise show as an error. Control
// characters are left out first, so that none can hide such a start.
func safeCell(s string) string {
	s = printable(s)
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
