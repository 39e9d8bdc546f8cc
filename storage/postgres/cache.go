package postgres

import (
	"sync"
	"time"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/storage/internal/packed"
)

// planCache keeps loaded plans by id. Every change to a plan's row or what
// hangs off it raises the plan's version, so a cached plan is used only
// after one indexed read confirms its version is still current: loading a
// plan afresh takes six queries, and answering a question needs the plan
// every time. Another replica's commits raise the version too, so replicas
// on one database never answer from a plan another has moved on.
// (LISTEN/NOTIFY would save only that one indexed read.)
//
// Plans are kept packed, as package storage's cache keeps them: thousands
// of plans as flows.Plan values were most of the objects on the heap, and
// the collector scanned them all in every cycle.
type planCache struct {
	mu    sync.Mutex
	plans map[flows.PlanID]*cached
	bytes int
	// maxPlans and maxBytes bound the cache: past either, it starts
	// over, which costs one full load per plan.
	maxPlans, maxBytes int
}

type cached struct {
	packed.Plan
	size int
}

// Bounds of the cache, package storage's.
const (
	maxCachedPlans = 4096
	maxCachedBytes = 16 << 20
)

func newPlanCache() *planCache {
	return &planCache{plans: make(map[flows.PlanID]*cached), maxPlans: maxCachedPlans, maxBytes: maxCachedBytes}
}

// get returns a copy of the cached plan if it is the same plan, created at
// created, and still at version v.
func (c *planCache) get(id flows.PlanID, team string, v int64, created time.Time) (*flows.Plan, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.plans[id]
	if !ok || e.Head.Version != v || e.Head.Team != team || !e.Head.CreatedAt.Equal(created) {
		return nil, false
	}
	return e.Unpack(), true
}

func (c *planCache) put(p *flows.Plan) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var prev *packed.Plan
	if old, ok := c.plans[p.ID]; ok {
		prev = &old.Plan
		c.bytes -= old.size
		delete(c.plans, p.ID)
	}
	e := &cached{Plan: packed.Pack(p, prev)}
	e.size = e.Size()
	if len(c.plans) >= c.maxPlans || c.bytes+e.size > c.maxBytes {
		clear(c.plans)
		c.bytes = 0
	}
	c.plans[p.ID] = e
	c.bytes += e.size
}

func (c *planCache) drop(id flows.PlanID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.plans[id]; ok {
		c.bytes -= e.size
		delete(c.plans, id)
	}
}
