package record

import (
	"cmp"
	"errors"
	"fmt"
	"slices"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
)

// KPIColumns are the columns KPIs reads, in its order, from kpis k.
const KPIColumns = `k.id, k.plan_id, k.stage, k.key, k.name, k.unit, k.currency, k.higher_is_better,
	k.baseline, k.baseline_currency, k.target, k.deadline, k.owner, k.created_by, k.created_at, k.period, k.source, k.edited_at`

// KPIs reads KPI rows (KPIColumns) into out. A baseline or target
// without a number is NULL and comes back Missing.
func KPIs(out *[]flows.KPI) Reader {
	return func(scan Scan) error {
		var (
			k                flows.KPI
			stage, unit, dl  string
			period           string
			baseline, target *float64
			at, edited       int64
		)
		if err := scan(&k.ID, &k.Plan, &stage, &k.Key, &k.Name, &unit, &k.Currency, &k.HigherIsBetter,
			&baseline, &k.Baseline.Currency, &target, &dl, &k.Owner, &k.By, &at, &period, &k.Source, &edited); err != nil {
			return err
		}
		if edited != 0 {
			k.Edited = FromMillis(edited)
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

// KPIInsertColumns are the columns KPIValues gives, in its order.
const KPIInsertColumns = `plan_id, stage, key, name, unit, currency, higher_is_better, baseline, baseline_currency,
	target, deadline, owner, created_by, created_at, period, source, edited_at`

// KPIValues are k's values for KPIInsertColumns. A baseline or target
// without a number is NULL.
func KPIValues(k flows.KPI) []any {
	return []any{k.Plan, string(k.Stage), k.Key, k.Name, string(k.Unit), k.Currency, k.HigherIsBetter,
		amount(k.HasBaseline(), k.Baseline), k.Baseline.Currency, amount(k.HasTarget(), k.Target),
		Date(k.Deadline), k.Owner, k.By, Millis(k.At), string(k.Period), k.Source, OptionalMillis(k.Edited)}
}

// amount is a value's column: NULL when there is no number.
func amount(ok bool, v flows.Value) any {
	if !ok {
		return nil
	}
	return v.Amount
}

// MeasurementQueries are a store's SQL for InsertMeasurements and
// ReplaceMeasurements, each
// described with the parameters it takes.
type MeasurementQueries struct {
	Owned  string // kpi, plan: how many KPIs of the plan have that id
	Insert string // kpi_id, value, currency, at, author, checkin_id, source, edited_at
	Delete string // source, plan: delete the plan's values that came from the message
	Newer  string // source, plan, edited_at: how many of those values an edit at or after edited_at gave
	// Given (source, plan) reads the plan's values that came from the
	// message, with Measurements' columns.
	Given string
	// Left (kpi) reads a KPI's values, with Measurements' columns, oldest
	// first: after a withdrawal, to say whose value stands again.
	Left string
	Bump string // plan: raise the plan's version
	// Offers (plan), run right after Bump, moves the plan's offers that
	// were made on the version just left to the new one.
	Offers string
	// Sourced (source, plan) counts the plan's values that came from the
	// message; Lock (source, plan), where set, holds the message's values
	// to the transaction, for a store whose writers do not take turns:
	// NewSources and ReplaceMeasurements take it before anything else of
	// the plan's.
	Sourced, Lock string
	// Mark (checkin) marks a check-in's summary maybe behind its values,
	// as a drawing's mark no longer live does (flows.Checkin.SummaryMark),
	// keeping a live one live: summary_mark + 1.
	Mark string
}

// NewSources refuses, with flows.ErrConflict, values from a message that
// gave the plan values already: two deliveries of one message under
// different keys (the message and "Add to RACE plan" on it, or two edits
// correcting it), handled by two racebots at once, each found none from
// it before either recorded its own.
func NewSources(tx Tx, q *MeasurementQueries, plan flows.PlanID, ms []flows.Measurement) error {
	var sources []string
	for _, m := range ms {
		if m.Source != "" {
			sources = append(sources, m.Source)
		}
	}
	// In one order in every transaction, so two that lock the same
	// messages cannot each wait for the other.
	slices.Sort(sources)
	for _, src := range slices.Compact(sources) {
		if q.Lock != "" {
			if _, err := tx.Exec(q.Lock, src, plan); err != nil {
				return err
			}
		}
		var n int64
		if err := tx.Row(q.Sourced, src, plan)(&n); err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("values from %s: %w", src, flows.ErrConflict)
		}
	}
	return nil
}

// InsertMeasurements stores values of a plan's KPIs. A value for a KPI
// that is not the plan's (another team's, say) is refused with
// flows.ErrNoPlan; the caller's transaction then stores none of them. A
// value given as n/a, and a value of no check-in, are stored as NULL.
func InsertMeasurements(tx Tx, q *MeasurementQueries, plan flows.PlanID, ms []flows.Measurement) error {
	for _, m := range ms {
		var n int64
		if err := tx.Row(q.Owned, m.KPI, plan)(&n); err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("kpi %d: %w", m.KPI, flows.ErrNoPlan)
		}
		var value any
		if !m.Value.Missing {
			value = m.Value.Amount
		}
		var checkin any
		if m.Checkin != 0 {
			checkin = m.Checkin
		}
		if _, err := tx.Exec(q.Insert, m.KPI, value, m.Value.Currency, Millis(m.At), m.By, checkin, m.Source, OptionalMillis(m.Edited)); err != nil {
			return err
		}
	}
	return nil
}

// ErrNoSource rolls back a replacement that found no values from the
// message to replace: the caller reports 0 and writes nothing, the
// delivery key included.
var ErrNoSource = errors.New("no values from that message")

// ErrStaleEdit rolls back a replacement by an edit older than the one the
// message's values came from (Slack delivered it late): as ErrNoSource,
// nothing is written.
var ErrStaleEdit = fmt.Errorf("a later edit of that message is stored: %w", ErrNoSource)

// ReplaceMeasurements replaces the values of a plan's KPIs that came from
// the message source with ms, and reports how many it replaced and the
// values it withdrew (those of KPIs the message no longer gives one), with,
// for one that was in a check-in, every value of its KPI as it is left:
// read after the plan's row is taken (Bump), so that of two withdrawals at
// once each reads what the other left, in turn, and only one can find an
// earlier value standing again. When none came from source it fails with
// ErrNoSource, and when ms come from an edit (Measurement.Edited) no later
// than the one the values came from, with ErrStaleEdit. A withdrawal
// raises the plan's version: what was decided on the values being there (a
// KPI whose line was deleted kept for them) is then refused at its commit,
// and decided anew; and it marks the summary of each check-in whose values
// it changed (MeasurementQueries.Mark).
func ReplaceMeasurements(tx Tx, q *MeasurementQueries, plan flows.PlanID, source string, ms []flows.Measurement) (coach.Replaced, error) {
	var r coach.Replaced
	// Two edits of the message at once, each finding no later one stored:
	// the older, replacing first, would leave the newer nothing to
	// replace. Taken before the plan's row (Bump), as NewSources takes it.
	if q.Lock != "" {
		if _, err := tx.Exec(q.Lock, source, plan); err != nil {
			return r, err
		}
	}
	if len(ms) > 0 && !ms[0].Edited.IsZero() {
		var newer int64
		if err := tx.Row(q.Newer, source, plan, Millis(ms[0].Edited))(&newer); err != nil {
			return r, err
		}
		if newer > 0 {
			return r, ErrStaleEdit
		}
	}
	given := make(map[int64][]flows.Measurement)
	if err := tx.Each(Measurements(given), q.Given, source, plan); err != nil {
		return r, err
	}
	for kpi, list := range given {
		if !slices.ContainsFunc(ms, func(m flows.Measurement) bool { return m.KPI == kpi }) {
			r.Gone = append(r.Gone, list...)
		}
	}
	// In the plan's order (its KPIs' ids), not the map's.
	slices.SortFunc(r.Gone, func(a, b flows.Measurement) int { return cmp.Compare(a.KPI, b.KPI) })
	n, err := tx.Exec(q.Delete, source, plan)
	if err != nil {
		return r, err
	}
	if n == 0 {
		return r, ErrNoSource
	}
	r.N = int(n)
	if len(r.Gone) > 0 {
		if _, err := tx.Exec(q.Bump, plan); err != nil {
			return r, err
		}
		// An offer (a `yes` that starts the plan its author typed) stands
		// while the conversation is as it was made; a value taken back
		// changes nothing there, so the offer moves with the version
		// rather than lapse and leave the `yes` filed as an answer.
		if _, err := tx.Exec(q.Offers, plan); err != nil {
			return r, err
		}
		for _, m := range r.Gone {
			if _, read := r.Left[m.KPI]; read || m.Checkin == 0 {
				continue
			}
			left := make(map[int64][]flows.Measurement)
			if err := tx.Each(Measurements(left), q.Left, m.KPI); err != nil {
				return r, err
			}
			if r.Left == nil {
				r.Left = make(map[int64][]flows.Measurement)
			}
			r.Left[m.KPI] = left[m.KPI]
		}
	}
	// A withdrawal, or an edit back to an earlier value (it keeps the
	// reply's time), can bring a check-in's values back to ones some
	// racebot drew and recorded drawn, whose record then tells every tick
	// the summary (still showing the value replaced) is up to date.
	// Marked with the replacement, the summary is drawn again by a tick
	// should the racebot that took it stop before drawing. After the
	// plan's row (Bump), as the one order the rows are taken in.
	for _, c := range changedCheckins(given, ms) {
		if _, err := tx.Exec(q.Mark, c); err != nil {
			return r, err
		}
	}
	return r, InsertMeasurements(tx, q, plan, ms)
}

// changedCheckins is the check-ins, in order, whose values replacing given
// with ms changes: a value given again as it was (an edit of the text
// around it) changes none.
func changedCheckins(given map[int64][]flows.Measurement, ms []flows.Measurement) []int64 {
	// What the store keeps of a value, and so reads back.
	stored := func(m flows.Measurement) string {
		v := m.Value
		if v.Missing {
			v.Amount = 0
		}
		return fmt.Sprintf("%d %g %q %t %d %q %d", m.KPI, v.Amount, v.Currency, v.Missing, Millis(m.At), m.By, m.Checkin)
	}
	var changed []int64
	note := func(c int64) {
		if c != 0 && !slices.Contains(changed, c) {
			changed = append(changed, c)
		}
	}
	before := make(map[string]bool)
	for _, list := range given {
		for _, m := range list {
			before[stored(m)] = true
		}
	}
	after := make(map[string]bool, len(ms))
	for _, m := range ms {
		after[stored(m)] = true
		if !before[stored(m)] {
			note(m.Checkin)
		}
	}
	for _, list := range given {
		for _, m := range list {
			if !after[stored(m)] {
				note(m.Checkin)
			}
		}
	}
	slices.Sort(changed)
	return changed
}

// KPIRemoved is the outcome of removing a KPI whose message was deleted
// (flows.KPIRemoved), n the rows deleted. The removal deletes only a KPI
// without values, which the flow decided on a plan read earlier: none
// deleted means a value came meanwhile (or the KPI went), and the caller
// reads again and decides anew, as on any conflict.
func KPIRemoved(n int64) error {
	if n == 0 {
		return flows.ErrConflict
	}
	return nil
}
