package bot

import "sync"

// lanes runs each key's jobs at most n at a time, in the order given;
// the rest wait as closures, with none of their work begun. A pacer whose
// runs come all at once (every header rewrite waiting at shutdown) would
// otherwise start them together: each builds its request and opens a
// connection to Slack, which answers a few at a time anyway. The key is
// what Slack limits on its own, a workspace: jobs waiting out one
// workspace's rate limit hold up none of another's.
type lanes struct {
	n int
	// start runs fn as tracked background work, so that shutdown waits
	// for the jobs queued behind it too: a lane goes on until none wait.
	start func(fn func())
	// recover is deferred around each job, with what the jobs are, so a
	// job that panics does not leave those behind it waiting for good. It
	// must call the built-in recover itself (Bot.recover does).
	recover func(what string)
	what    string

	mu sync.Mutex
	// keys holds the keys with a job out; a key's entry goes with its
	// last lane.
	keys map[string]*laneQueue
}

type laneQueue struct {
	out   int
	queue []func()
}

func newLanes(n int, start func(func()), recover func(string), what string) *lanes {
	return &lanes{n: n, start: start, recover: recover, what: what, keys: map[string]*laneQueue{}}
}

// run runs fn now if one of key's lanes is free, or after key's jobs
// given before it.
func (l *lanes) run(key string, fn func()) {
	l.mu.Lock()
	defer l.mu.Unlock()
	q := l.keys[key]
	if q == nil {
		q = &laneQueue{}
		l.keys[key] = q
	}
	if q.out == l.n {
		q.queue = append(q.queue, fn)
		return
	}
	q.out++
	l.start(func() { l.lane(key, q, fn) })
}

func (l *lanes) lane(key string, q *laneQueue, fn func()) {
	for fn != nil {
		l.do(fn)
		fn = l.next(key, q)
	}
}

func (l *lanes) do(fn func()) {
	defer l.recover(l.what)
	fn()
}

// next takes key's oldest waiting job, or closes the lane when none waits.
func (l *lanes) next(key string, q *laneQueue) func() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(q.queue) == 0 {
		if q.out--; q.out == 0 {
			delete(l.keys, key)
		}
		return nil
	}
	fn := q.queue[0]
	q.queue[0] = nil
	q.queue = q.queue[1:]
	return fn
}

// waiting is how many jobs wait for a lane.
func (l *lanes) waiting() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, q := range l.keys {
		n += len(q.queue)
	}
	return n
}
