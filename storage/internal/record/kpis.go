package record

import (
	"fmt"

	"github.com/racebot/racebot/flows"
)

// KPIColumns are the columns KPIs reads, in its order, from kpis k.
const KPIColumns = `k.id, k.plan_id, k.stage, k.key, k.name, k.unit, k.currency, k.higher_is_better,
	k.baseline, k.baseline_currency, k.target, k.deadline, k.owner, k.created_by, k.created_at, k.period`

// KPIs reads KPI rows (KPIColumns) into out. A baseline or target
// without a number is NULL and comes back Missing.
func KPIs(out *[]flows.KPI) Reader {
	return func(scan Scan) error {
		var (
			k                flows.KPI
			stage, unit, dl  string
			period           string
			baseline, target *float64
			at               int64
		)
		if err := scan(&k.ID, &k.Plan, &stage, &k.Key, &k.Name, &unit, &k.Currency, &k.HigherIsBetter,
			&baseline, &k.Baseline.Currency, &target, &dl, &k.Owner, &k.By, &at, &period); err != nil {
			return err
		}
		k.Stage, k.Unit, k.At, k.Period = flows.StageID(stage), flows.UnitKind(unit), FromMillis(at), flows.Period(period)
		k.Baseline.Unit, k.Baseline.Missing = k.Unit, baseline == nil
		if baseline != nil {
			k.Baseline.Amount = *baseline
		}
		k.Target = flows.Value{Unit: k.Unit, Missing: target == nil}
		if target != nil {
			k.Target.Amount, k.Target.Currency = *target, k.Currency
		}
		d, err := parseDate(dl)
		if err != nil {
			return fmt.Errorf("kpi %d deadline %q: %w", k.ID, dl, err)
		}
		k.Deadline = d
		*out = append(*out, k)
		return nil
	}
}

// Measurements reads measurement rows (kpi_id, value, currency, at,
// author, checkin_id, the KPI's unit, source) into out by KPI id. A value
// given as n/a is NULL and comes back with Value.Missing set.
func Measurements(out map[int64][]flows.Measurement) Reader {
	return func(scan Scan) error {
		var (
			m       flows.Measurement
			value   *float64
			checkin *int64
			unit    string
			at      int64
		)
		if err := scan(&m.KPI, &value, &m.Value.Currency, &at, &m.By, &checkin, &unit, &m.Source); err != nil {
			return err
		}
		if value != nil {
			m.Value.Amount = *value
		}
		if checkin != nil {
			m.Checkin = *checkin
		}
		m.Value.Missing, m.Value.Unit = value == nil, flows.UnitKind(unit)
		m.At = FromMillis(at)
		out[m.KPI] = append(out[m.KPI], m)
		return nil
	}
}
