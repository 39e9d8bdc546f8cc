// Package packed holds plans the way the stores' caches keep them: each
// answer packed into one byte slice, so that thousands of cached plans cost
// the collector a few objects each instead of four per answer, and the
// strings a caller gets are shared rather than copied.
package packed

import (
	"maps"
	"slices"
	"time"
	"unsafe"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/storage/internal/record"
)

// Plan is a plan packed for a cache. Unpack gives each caller a plan of its
// own to change.
type Plan struct {
	// Head is the plan with nil Answers, Skipped and Completed: they are
	// kept below and rebuilt by Unpack. A cache may change Head's scalar
	// fields in place (a thread bound, a version raised).
	Head      flows.Plan
	answers   []Answer
	skipped   []string
	completed []flows.StageID
}

// Pack packs p, its times to the millisecond as the stores keep them.
// old is what the cache held for the plan before, or nil: a commit usually
// changes one answer of many, and the answers p has unchanged keep their
// bytes.
func Pack(p *flows.Plan, old *Plan) Plan {
	var prev []Answer
	if old != nil {
		prev = old.answers
	}
	e := Plan{Head: *p}
	e.Head.CreatedAt = Stored(p.CreatedAt)
	e.Head.Answers, e.Head.Skipped, e.Head.Completed = nil, nil, nil
	e.Head.Actions = slices.Clip(slices.Clone(p.Actions))
	e.Head.KPIs = slices.Clip(slices.Clone(p.KPIs))
	e.Head.Prior = maps.Clone(p.Prior)
	e.answers = packAnswers(p.Answers, prev)
	e.skipped = make([]string, 0, len(p.Skipped))
	for q, ok := range p.Skipped {
		if ok {
			e.skipped = append(e.skipped, q)
		}
	}
	e.completed = make([]flows.StageID, 0, len(p.Completed))
	for s, ok := range p.Completed {
		if ok {
			e.completed = append(e.completed, s)
		}
	}
	return e
}

// Unpack builds the plan a caller gets: its own maps and slices, the
// strings shared (they never change).
func (e *Plan) Unpack() *flows.Plan {
	p := e.Head
	p.Answers = make(map[string]flows.Answer, len(e.answers))
	for _, pa := range e.answers {
		a := pa.unpack()
		p.Answers[a.QuestionID] = a
	}
	p.Skipped = make(map[string]bool, len(e.skipped))
	for _, q := range e.skipped {
		p.Skipped[q] = true
	}
	p.Completed = make(map[flows.StageID]bool, len(e.completed))
	for _, s := range e.completed {
		p.Completed[s] = true
	}
	p.Actions = slices.Clip(slices.Clone(e.Head.Actions))
	p.KPIs = slices.Clip(slices.Clone(e.Head.KPIs))
	p.Prior = maps.Clone(e.Head.Prior)
	return &p
}

// Size estimates the bytes the plan holds: its structs and the text in
// them.
func (e *Plan) Size() int {
	p := &e.Head
	n := int(unsafe.Sizeof(*e)) + len(p.Team) + len(p.Channel) + len(p.Name) + len(p.CreatedBy) + len(p.Thread)
	for id, pr := range p.Prior {
		n += len(id) + int(unsafe.Sizeof(pr)) + len(pr.Text) + len(pr.By) + len(pr.From)
	}
	for _, pa := range e.answers {
		n += int(unsafe.Sizeof(pa)) + cap(pa)
	}
	for _, q := range e.skipped {
		n += int(unsafe.Sizeof(q)) + len(q)
	}
	for _, s := range e.completed {
		n += int(unsafe.Sizeof(s)) + len(s)
	}
	for _, a := range p.Actions {
		n += int(unsafe.Sizeof(a)) + len(a.Stage) + len(a.Text) + len(a.Owner) + len(a.By) + len(a.Source)
	}
	for _, k := range p.KPIs {
		n += int(unsafe.Sizeof(k)) + len(k.Stage) + len(k.Key) + len(k.Name) + len(k.Currency) + len(k.Owner) + len(k.By) + len(k.Source)
	}
	return n
}

// Stored is t as the stores keep it, and a load returns it.
func Stored(t time.Time) time.Time { return record.FromMillis(record.Millis(t)) }
