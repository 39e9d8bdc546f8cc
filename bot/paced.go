package bot

import (
	"sync"
	"time"
)

// paced runs a job for a key (a person's Home tab, a plan's header) after
// each change to what it shows, at most once per interval and one at a
// time. Changes within the interval are gathered into one run at its end;
// a change while a run is out makes one more run after it, since that run
// may have read what the change replaced, and two runs out at once could
// land in either order.
type paced[K comparable] struct {
	every time.Duration
	now   func() time.Time
	// run does the job for a key; it is tracked work (see start).
	run func(K)
	// start runs fn, k's run, as tracked background work; it is called
	// with mu held, so that close, holding mu, knows every run already
	// started.
	start func(k K, fn func())
	// after runs fn once d has passed and returns what cancels it
	// (time.AfterFunc); tests pass their own.
	after func(d time.Duration, fn func()) (stop func() bool)
	// most is how many keys are kept before idle ones are forgotten; zero
	// keeps every one.
	most int
	// flush makes close run the waiting runs at once rather than drop
	// them: what they keep up to date is not refreshed again by anything
	// after a restart (a plan's header), unlike a Home tab, published
	// whenever it is opened.
	flush bool

	mu     sync.Mutex
	closed bool
	keys   map[K]*pacedState
	// sweepAt is the number of keys at which idle ones are next looked
	// for: twice what the last look left, so that keys all busy at once
	// cost one look per doubling, not one per new key.
	sweepAt int
}

type pacedState struct {
	last time.Time // when the latest run started
	// waiting cancels a run waiting for the interval to end; nil when none
	// waits.
	waiting        func() bool
	running, again bool
}

func newPaced[K comparable](every time.Duration, now func() time.Time, run func(K), start func(K, func())) *paced[K] {
	return &paced[K]{every: every, now: now, run: run, start: start, keys: map[K]*pacedState{},
		after: func(d time.Duration, fn func()) func() bool { return time.AfterFunc(d, fn).Stop }}
}

// refresh runs k's job now, or at the end of the interval since its last
// run, or after the run that is out; a run already waiting covers this
// change too.
func (p *paced[K]) refresh(k K) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	p.scheduleLocked(p.stateLocked(k), k)
}

// stateLocked is k's state, made if k has none.
func (p *paced[K]) stateLocked(k K) *pacedState {
	st := p.keys[k]
	if st == nil {
		p.forgetIdleLocked()
		st = &pacedState{}
		p.keys[k] = st
	}
	return st
}

// forgetIdleLocked drops, past most keys, those with nothing out or
// waiting whose interval is over: their next change runs at once, as
// it would have anyway.
func (p *paced[K]) forgetIdleLocked() {
	if p.most == 0 || len(p.keys) < max(p.most, p.sweepAt) {
		return
	}
	now := p.now()
	for k, st := range p.keys {
		if !st.running && st.waiting == nil && !now.Before(st.last.Add(p.every)) {
			delete(p.keys, k)
		}
	}
	p.sweepAt = 2 * len(p.keys)
}

func (p *paced[K]) scheduleLocked(st *pacedState, k K) {
	if st.waiting != nil {
		return
	}
	if st.running {
		st.again = true
		return
	}
	wait := st.last.Add(p.every).Sub(p.now())
	if st.last.IsZero() || wait <= 0 {
		p.runLocked(st, k)
		return
	}
	st.waiting = p.after(wait, func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		st.waiting = nil
		if !p.closed {
			p.runLocked(st, k)
		}
	})
}

func (p *paced[K]) runLocked(st *pacedState, k K) {
	st.last = p.now()
	st.running = true
	p.start(k, func() {
		defer p.ran(st, k)
		p.run(k)
	})
}

// ran notes that k's run is done, and schedules another if something
// changed while it was out.
func (p *paced[K]) ran(st *pacedState, k K) {
	p.mu.Lock()
	defer p.mu.Unlock()
	st.running = false
	switch {
	case !st.again:
	case !p.closed:
		st.again = false
		p.scheduleLocked(st, k)
	case p.flush:
		// Still tracked work, so shutdown waits for this run too.
		st.again = false
		p.runLocked(st, k)
	}
}

// rerun, called from within k's run, makes one more run after it, at the
// end of the interval as for a change; at shutdown with flush, at once.
func (p *paced[K]) rerun(k K) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if st := p.keys[k]; st != nil && st.running {
		st.again = true
	}
}

// posted notes that what k's job keeps up to date was just made afresh
// (a header posted), so that the next change waits out the interval.
func (p *paced[K]) posted(k K) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	p.stateLocked(k).last = p.now()
}

// close stops the waiting runs, or with flush starts them now, and takes
// no more; runs already started are tracked work, which shutdown waits
// for. A waiting run whose timer fired meanwhile finds p closed and does
// nothing: close ran it.
func (p *paced[K]) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	for k, st := range p.keys {
		if st.waiting == nil {
			continue
		}
		st.waiting()
		st.waiting = nil
		if p.flush {
			p.runLocked(st, k) // a run waits only while none is out
		}
	}
}
