package postgres

import (
	"maps"
	"sync"
	"time"

	"github.com/racebot/racebot/flows"
)

// planCache keeps loaded plans by id. Every change to a plan's row or what
// hangs off it raises the plan's version, so a cached plan is used only
// after one indexed read confirms its version is still current: loading a
// plan afresh takes six queries, and answering a question needs the plan
// every time. Another replica's commits raise the version too, so replicas
// on one database never answer from a plan another has moved on. (The
// cache is package storage's, kept in step by hand: a version check per
// read is all either store needs, and LISTEN/NOTIFY would save only that
// one indexed read.)
type planCache struct {
	mu    sync.Mutex
	plans map[flows.PlanID]*flows.Plan
}

// maxCached bounds the cache; past it the cache starts over, which costs
// one full load per plan.
const maxCached = 4096

func newPlanCache() *planCache { return &planCache{plans: make(map[flows.PlanID]*flows.Plan)} }

// get returns a copy of the cached plan if it is the same plan, created at
// created, and still at version v.
func (c *planCache) get(id flows.PlanID, team string, v int64, created time.Time) (*flows.Plan, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.plans[id]
	if !ok || p.Version != v || p.Team != team || !p.CreatedAt.Equal(created) {
		return nil, false
	}
	return clonePlan(p), true
}

func (c *planCache) put(p *flows.Plan) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.plans) >= maxCached {
		clear(c.plans)
	}
	c.plans[p.ID] = clonePlan(p)
}

// clonePlan is flows.Plan.Clone with the carried answers copied too, so
// that no caller shares a map with the cache.
func clonePlan(p *flows.Plan) *flows.Plan {
	c := p.Clone()
	c.Prior = maps.Clone(p.Prior)
	return c
}

func (c *planCache) drop(id flows.PlanID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.plans, id)
}
