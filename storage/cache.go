package storage

import (
	"slices"
	"sort"
	"sync"
	"unsafe"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/storage/internal/packed"
)

// planCache keeps recently used plans in memory, with what an answer needs
// beside its plan: which plan a thread belongs to, and which prompts the
// plan's conversation asked. A thread reply then needs no read at all: the
// plan, its thread and its prompts come from here, and the only statement
// is the commit.
//
// A cached plan is trusted without asking the file. Every write of this
// process goes through the writer and updates or drops the plan it
// changed once it has committed, so in-process the cache is never behind
// the file. Another process on the same file is noticed two ways: a
// commit from a plan it moved fails the version check (UPDATE … WHERE
// version = ?) with flows.ErrConflict, which drops the plan here so the
// retry loads it afresh; and the writer sees the file's data_version
// change at its next transaction, which clears the cache. Until then a
// read may show a plan as it was, but no stale plan is ever committed
// over a newer one.
//
// So every write that changes what a plan loads as must leave the cache
// right once it has committed: Commit and its kin cache the plan as
// committed (cacheAfter), BindThread notes the thread (bound), and
// anything else that raises the version (bumpVersion) drops the plan
// after its transaction.
//
// Plans are kept compactly (each answer packed in a byte slice) and the cache
// is bounded both by count and by an estimate of their bytes. It is a
// segmented LRU: a plan loaded or created waits in the probation part,
// whose least recently used go first, and moves to the protected part
// (at most protectedShare of either bound) when it is committed a second
// time while cached: a plan answered again is a plan in use. Reads do not
// move a plan up: an answer's own reads (its reply's post, its header)
// follow its commit at once and say nothing about the next. A plain LRU
// would drop every plan just before its next turn when more plans are in
// use than it holds (a racebot serving many busy workspaces): then no
// answer finds its plan, and each reads it from the file to push out the
// next. The two parts alone did no better when more plans were answered
// in turn than the count: a full cache also takes a plan in only if it
// was used more lately than each plan it would push out (admits, usage).
type planCache struct {
	mu sync.Mutex
	// gen counts the plans dropped and the plans lost. A plan loaded from
	// the file, or committed, is put only if no drop happened since the
	// load or commit began (dropped), nor a loss in its slot (lost): a
	// drop that raced it may have been for a change the load did not see,
	// and a plan lost meanwhile may have been newer than the load (a
	// commit turned away by a full cache, or pushed out), so that caching
	// the load would take the plan back in time.
	gen     uint64
	dropped uint64
	// lost holds, for each slot (a plan id modulo lostSlots), the
	// generation at which a plan of the slot last left the cache without
	// a drop (pushed out, turned away, replaced) or had a prompt recorded
	// while not cached, which no entry noted.
	lost    [lostSlots]uint64
	plans   map[flows.PlanID]*cached
	threads map[threadKey]flows.PlanID
	// probation and protected are the sentinels of the two parts' recency
	// lists: probation.next is the newest of its part.
	probation, protected cached
	bytes                int
	// protectedPlans and protectedBytes are the protected part's share of
	// len(plans) and bytes.
	protectedPlans, protectedBytes int
	maxPlans                       int
	maxBytes                       int
	// usage decides which plans a full cache takes in.
	usage *usage
}

// Bounds of the cache. A plan whose first stage is answered in a few
// sentences a question takes about 7 KB here, a plan just started under
// 0.5 KB: the byte budget holds over two thousand of the first, the count
// four thousand of the second. Past either, plans go as fit says.
const (
	maxCachedPlans = 4096
	maxCachedBytes = 16 << 20
	// protectedShare is the part of either bound, in percent, that plans
	// committed again may take from newcomers.
	protectedShare = 80
)

// lostSlots is the length of planCache.lost. A loss turns away the puts
// in flight of every plan of its slot, but plans lostSlots ids apart are
// seldom in use at once: ids are given in turn.
const lostSlots = 4096

// maxAsked is how many of a plan's latest prompts are kept. Replies answer
// recent prompts; one to an older prompt than these reads the file.
const maxAsked = 32

type threadKey struct{ team, channel, thread string }

type cached struct {
	prev, next *cached
	packed.Plan
	size      int
	protected bool
	// committed says a commit was cached since the plan was loaded or
	// created: the next one moves it to the protected part.
	committed bool
	asked     askedLog
}

// askedLog is the tail of a plan's asked table, oldest first.
type askedLog struct {
	loaded bool
	// partial means older rows exist than those kept.
	partial bool
	rows    []askedRow
	// seq counts prompts recorded since the entry was made, so a log read
	// from the file is installed only if none was recorded meanwhile.
	seq uint64
}

type askedRow struct {
	at   int64
	asks string
	// author is who alone the row was asked for (flows.AskedAuthor); ""
	// for a prompt posted, which everyone saw.
	author string
}

// seenBy reports whether a reply by author answers the row's prompt.
func (r askedRow) seenBy(author string) bool { return r.author == "" || r.author == author }

func newPlanCache() *planCache {
	c := &planCache{
		plans:    make(map[flows.PlanID]*cached),
		threads:  make(map[threadKey]flows.PlanID),
		maxPlans: maxCachedPlans,
		maxBytes: maxCachedBytes,
		usage:    newUsage(maxCachedPlans),
	}
	c.empty()
	return c
}

func (c *planCache) empty() {
	c.probation.next, c.probation.prev = &c.probation, &c.probation
	c.protected.next, c.protected.prev = &c.protected, &c.protected
	c.bytes, c.protectedPlans, c.protectedBytes = 0, 0, 0
}

// generation is the value to pass to put for a load or commit that begins
// now.
func (c *planCache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// stale says whether a plan id loaded or committed by an operation that
// began at generation gen may be older than the cache has known it. The
// caller holds mu.
func (c *planCache) stale(id flows.PlanID, gen uint64) bool {
	return gen < c.dropped || gen < c.lost[uint64(id)%lostSlots]
}

// lose notes that the cache no longer knows all it knew of plan id. The
// caller holds mu.
func (c *planCache) lose(id flows.PlanID) {
	c.gen++
	c.lost[uint64(id)%lostSlots] = c.gen
}

// get returns a copy of the team's cached plan id, for the caller to
// change as it likes.
func (c *planCache) get(team string, id flows.PlanID) (*flows.Plan, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.usage.add(id)
	e, ok := c.plans[id]
	if !ok || e.Head.Team != team {
		return nil, false
	}
	c.touch(e)
	c.fit(nil)
	return e.Unpack(), true
}

// put caches p as loaded by an operation that began at generation gen. A
// plan dropped since gen is not cached (a drop may stand for a change p
// lacks), and an older version never replaces a newer one: loads and
// commits finish in any order.
func (c *planCache) put(p *flows.Plan, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.store(p, gen, false)
}

// committed caches p as a commit that began at generation gen left it, as
// put does.
func (c *planCache) committed(p *flows.Plan, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.store(p, gen, true)
}

// store is put and committed; it returns the entry it made for a plan not
// cached before, if it was taken in. The caller holds mu.
func (c *planCache) store(p *flows.Plan, gen uint64, commit bool) (made *cached) {
	if commit {
		c.usage.add(p.ID)
	}
	e, ok := c.plans[p.ID]
	if c.stale(p.ID, gen) {
		switch {
		case ok:
			c.remove(e)
		case commit:
			// The file is now ahead of any load of the plan in flight.
			c.lose(p.ID)
		}
		return nil
	}
	if ok {
		if e.Head.Team != p.Team || !e.Head.CreatedAt.Equal(packed.Stored(p.CreatedAt)) {
			// The id was reused by a plan created since; which of the
			// two is the live one is for the file to say.
			c.remove(e)
			return nil
		}
		if e.Head.Version > p.Version {
			return nil
		}
		c.unindex(e)
		e.fill(p)
		c.resize(e, e.measure()-e.size)
		switch {
		case commit && e.committed:
			c.promote(e)
		default:
			e.committed = e.committed || commit
			c.touch(e)
		}
	} else {
		e = &cached{committed: commit}
		e.fill(p)
		size := e.measure()
		if !c.admits(p.ID, size) {
			c.lose(p.ID)
			return nil
		}
		c.plans[p.ID] = e
		c.link(e, &c.probation)
		c.resize(e, size)
		made = e
	}
	if p.Thread != "" {
		c.threads[threadKey{p.Team, p.Channel, p.Thread}] = p.ID
	}
	c.fit(e)
	if c.plans[p.ID] != e {
		// The bounds hold nothing (fit drops the plan put only then).
		return nil
	}
	return made
}

// admits says whether a plan not cached, of size bytes, is taken in:
// always while there is room, and in a full cache only if it was used
// more lately than each plan that would go for it (see usage), in the
// order fit drops them. A plan larger than the one fit drops first may
// take the place of several, each maybe used more than it.
func (c *planCache) admits(id flows.PlanID, size int) bool {
	plans, bytes := len(c.plans)+1, c.bytes+size
	uses := c.usage.estimate(id)
	for _, head := range [...]*cached{&c.probation, &c.protected} {
		for e := head.prev; e != head && (plans > c.maxPlans || bytes > c.maxBytes); e = e.prev {
			if c.usage.estimate(e.Head.ID) >= uses {
				return false
			}
			plans, bytes = plans-1, bytes-e.size
		}
	}
	return true
}

// fit keeps the protected part within its share, handing its least
// recently used back to probation, and then the whole cache within its
// bounds, dropping from probation first. keep, the plan just put, is
// dropped last: a plan cached only to be dropped at once would never be
// found.
func (c *planCache) fit(keep *cached) {
	for c.protectedPlans > c.maxPlans*protectedShare/100 ||
		(c.protectedBytes > c.maxBytes*protectedShare/100 && c.protectedPlans > 1) {
		c.demote(c.protected.prev)
	}
	for len(c.plans) > c.maxPlans || (c.bytes > c.maxBytes && len(c.plans) > 1) {
		c.remove(c.victim(keep))
	}
}

// victim is the plan fit drops next: the least recently used on
// probation, then of the protected, but keep only when nothing else is
// left. keep may be probation's oldest with others still there: the
// plans fit just demoted go in as newer than it.
func (c *planCache) victim(keep *cached) *cached {
	for _, head := range [...]*cached{&c.probation, &c.protected} {
		for e := head.prev; e != head; e = e.prev {
			if e != keep {
				return e
			}
		}
	}
	return keep
}

// putCreated caches a plan just created at generation gen: its row is all
// there is of it, and its conversation has asked nothing yet. Its creation
// counts as its first commit.
//
// Only the entry this call makes is taken to know every prompt. An entry
// found there was loaded by a request that reached the plan since its
// commit, as the channel's current plan, and may have recorded a prompt
// before it was cached. A prompt recorded while the plan was not cached
// at all noted nothing here, but it is a loss (see asked), and after one
// store makes no entry.
func (c *planCache) putCreated(p *flows.Plan, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.store(p, gen, true); e != nil {
		e.asked.loaded = true
	}
}

// bound notes that a plan was bound to thread by a write that began at
// generation gen and left it at version.
func (c *planCache) bound(team string, id flows.PlanID, thread string, version int64, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.plans[id]
	if !ok {
		// The file is now ahead of any load of the plan in flight.
		c.lose(id)
		return
	}
	if c.stale(id, gen) || e.Head.Team != team || e.Head.Version != version-1 || e.Head.Thread != "" {
		c.remove(e)
		return
	}
	e.Head.Thread, e.Head.Version = thread, version
	c.resize(e, len(thread))
	c.threads[threadKey{e.Head.Team, e.Head.Channel, thread}] = id
}

// drop forgets a plan: it changed in a way the cache cannot follow, or it
// is gone.
func (c *planCache) drop(id flows.PlanID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.dropped = c.gen
	if e, ok := c.plans[id]; ok {
		c.remove(e)
	}
}

// clear forgets every plan: another process wrote to the file.
func (c *planCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.dropped = c.gen
	clear(c.plans)
	clear(c.threads)
	c.empty()
}

// thread returns the cached plan bound to a thread. A thread stays bound to
// its plan for the plan's life, so the answer holds as long as the plan is
// cached.
func (c *planCache) thread(team, channel, thread string) (flows.PlanID, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	id, ok := c.threads[threadKey{team, channel, thread}]
	return id, ok
}

// lastAsked answers LastAsked from the cache, for a reply by author. When
// the plan is cached but its prompts are not, it returns a token for
// installAsked; when it cannot answer at all, ok is false and the caller
// reads the file.
func (c *planCache) lastAsked(team string, id flows.PlanID, at int64, author string) (r askedRow, ok bool, tok askedToken) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, found := c.plans[id]
	if !found || e.Head.Team != team {
		return askedRow{}, false, askedToken{}
	}
	if !e.asked.loaded {
		return askedRow{}, false, askedToken{e: e, seq: e.asked.seq}
	}
	rows := e.asked.rows
	i := sort.Search(len(rows), func(i int) bool { return rows[i].at > at })
	// A move kept for someone else alone is followed within seconds by
	// the prompt its step posts: this walks past a few rows at most,
	// never more than maxAsked, allocating nothing.
	for i > 0 && !rows[i-1].seenBy(author) {
		i--
	}
	if i == 0 {
		// Nothing kept at or before at: either there is nothing, or it
		// is older than the kept tail.
		return askedRow{}, !e.asked.partial, askedToken{}
	}
	return rows[i-1], true, askedToken{}
}

// askedToken names a cache entry whose prompts were found missing, and how
// many had been recorded into it then.
type askedToken struct {
	e   *cached
	seq uint64
}

// installAsked caches a plan's latest prompts read from the file (newest
// first, at most maxAsked+1 of them, the extra one only telling that more
// exist), unless the entry went or a prompt was recorded meanwhile.
func (c *planCache) installAsked(tok askedToken, newestFirst []askedRow) {
	if tok.e == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e := tok.e
	if c.plans[e.Head.ID] != e || e.asked.loaded || e.asked.seq != tok.seq {
		return
	}
	partial := len(newestFirst) > maxAsked
	if partial {
		newestFirst = newestFirst[:maxAsked]
	}
	rows := slices.Clone(newestFirst)
	slices.Reverse(rows)
	e.asked = askedLog{loaded: true, partial: partial, rows: rows, seq: e.asked.seq}
	c.resize(e, askedSize(rows))
}

// asked notes a prompt recorded in the file, for author alone when set
// (flows.AskedAuthor). The first prompt recorded at a time stays, as in
// the table.
func (c *planCache) asked(team string, id flows.PlanID, at int64, asks, author string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.plans[id]
	if !ok || e.Head.Team != team {
		// An entry made later must not take the plan to have asked
		// nothing (see putCreated).
		c.lose(id)
		return
	}
	e.asked.seq++
	if !e.asked.loaded {
		return
	}
	rows := e.asked.rows
	i, found := slices.BinarySearchFunc(rows, at, func(r askedRow, at int64) int { return cmpInt(r.at, at) })
	if found || (i == 0 && e.asked.partial && len(rows) > 0) {
		// Known, or older than the kept tail, which reads the file anyway.
		return
	}
	before := askedSize(rows)
	rows = slices.Insert(rows, i, askedRow{at: at, asks: asks, author: author})
	if len(rows) > maxAsked {
		rows = slices.Delete(rows, 0, len(rows)-maxAsked)
		e.asked.partial = true
	}
	e.asked.rows = rows
	c.resize(e, askedSize(rows)-before)
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// remove unlinks e and its thread; the caller holds mu.
func (c *planCache) remove(e *cached) {
	c.lose(e.Head.ID)
	c.unindex(e)
	delete(c.plans, e.Head.ID)
	c.unlink(e)
	c.bytes -= e.size
}

// resize notes that e grew by d bytes.
func (c *planCache) resize(e *cached, d int) {
	e.size += d
	c.bytes += d
	if e.protected {
		c.protectedBytes += d
	}
}

func (c *planCache) unindex(e *cached) {
	if e.Head.Thread == "" {
		return
	}
	k := threadKey{e.Head.Team, e.Head.Channel, e.Head.Thread}
	if c.threads[k] == e.Head.ID {
		delete(c.threads, k)
	}
}

// link makes e the newest of the part whose sentinel is head.
func (c *planCache) link(e, head *cached) {
	e.prev, e.next = head, head.next
	head.next.prev = e
	head.next = e
	e.protected = head == &c.protected
	if e.protected {
		c.protectedPlans++
		c.protectedBytes += e.size
	}
}

func (c *planCache) unlink(e *cached) {
	e.prev.next, e.next.prev = e.next, e.prev
	e.prev, e.next = nil, nil
	if e.protected {
		c.protectedPlans--
		c.protectedBytes -= e.size
		e.protected = false
	}
}

// touch makes e the newest of its part.
func (c *planCache) touch(e *cached) {
	head := &c.probation
	if e.protected {
		head = &c.protected
	}
	if head.next == e {
		return
	}
	c.unlink(e)
	c.link(e, head)
}

// promote makes e, committed again while cached, the newest protected
// plan.
func (c *planCache) promote(e *cached) {
	if c.protected.next == e {
		return
	}
	c.unlink(e)
	c.link(e, &c.protected)
}

// demote hands e, the least recently used protected plan, back to
// probation as its newest: it still goes after the plans there.
func (c *planCache) demote(e *cached) {
	c.unlink(e)
	c.link(e, &c.probation)
}

// fill packs p into e, keeping the bytes of the answers e held that p
// has unchanged. It leaves e.size as it was: the caller resizes e, so the
// totals change by as much as e.
func (e *cached) fill(p *flows.Plan) {
	e.Plan = packed.Pack(p, &e.Plan)
}

// measure estimates the bytes e takes.
func (e *cached) measure() int {
	return e.Plan.Size() + int(unsafe.Sizeof(*e)-unsafe.Sizeof(e.Plan)) + askedSize(e.asked.rows)
}

func askedSize(rows []askedRow) int {
	n := 0
	for _, r := range rows {
		n += int(unsafe.Sizeof(r)) + len(r.asks) + len(r.author)
	}
	return n
}
