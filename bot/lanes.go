package bot

import "sync"

// lanes runs jobs at most n at a time, in the order given; the rest wait
// as closures, with none of their work begun. A pacer whose runs come all
// at once (every header rewrite waiting at shutdown) would otherwise start
// them together: each builds its request and opens a connection to Slack,
// which answers a few at a time anyway.
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

	mu    sync.Mutex
	out   int
	queue []func()
}

func newLanes(n int, start func(func()), recover func(string), what string) *lanes {
	return &lanes{n: n, start: start, recover: recover, what: what}
}

// run runs fn now if a lane is free, or after the jobs given before it.
func (l *lanes) run(fn func()) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.out == l.n {
		l.queue = append(l.queue, fn)
		return
	}
	l.out++
	l.start(func() { l.lane(fn) })
}

func (l *lanes) lane(fn func()) {
	for fn != nil {
		l.do(fn)
		fn = l.next()
	}
}

func (l *lanes) do(fn func()) {
	defer l.recover(l.what)
	fn()
}

// next takes the oldest waiting job, or closes the lane when none waits.
func (l *lanes) next() func() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.queue) == 0 {
		l.out--
		return nil
	}
	fn := l.queue[0]
	l.queue[0] = nil
	l.queue = l.queue[1:]
	return fn
}

// waiting is how many jobs wait for a lane.
func (l *lanes) waiting() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.queue)
}
