package slackfake

import (
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"
)

// fault is what is injected into one method's answers.
type fault struct {
	rateLimited int           // answers left to turn into 429
	retryAfter  time.Duration // Retry-After of those answers
	failures    int           // answers left to turn into failStatus
	failStatus  int
	refusals    int    // answers left to turn into refusal, the work not done
	refusal     string // the error code of those answers
	// Faults after the work: the call is handled (a message is posted),
	// then its answer is turned into failAfterStatus or the connection is
	// reset, so the caller cannot tell that it worked.
	failAfter       int
	failAfterStatus int
	resetAfter      int
	delay           time.Duration // held before every answer
	hold            chan struct{} // closed by Hold's release; nil when not held
	release         chan struct{} // closed when the delay changes, letting held answers go
}

// RateLimitNext makes the next n calls of method answer HTTP 429 with a
// Retry-After header of retryAfter rounded up to whole seconds, which
// slack-go turns into *slack.RateLimitedError. It replaces any rate limit
// still pending for method.
func (f *Fake) RateLimitNext(method string, n int, retryAfter time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	ft := f.faultLocked(method)
	ft.rateLimited, ft.retryAfter = n, retryAfter
}

// FailNext makes the next n calls of method answer with HTTP status (a 5xx
// usually), which slack-go turns into slack.StatusCodeError. It replaces any
// failure still pending for method.
func (f *Fake) FailNext(method string, n int, status int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	ft := f.faultLocked(method)
	ft.failures, ft.failStatus = n, status
}

// RefuseNext makes the next n calls of method answer ok:false with the
// error code, without doing the work, as Slack declines a request it will
// decline again (invalid_arguments, say); slack-go turns the answer into
// slack.SlackErrorResponse. It replaces any refusal still pending for
// method.
func (f *Fake) RefuseNext(method string, n int, code string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	ft := f.faultLocked(method)
	ft.refusals, ft.refusal = n, code
}

// FailAfterNext makes the next n calls of method do their work (post the
// message, update the view) and then answer with HTTP status instead of
// the result, as Slack does when it fails after committing: the caller
// sees a slack.StatusCodeError for something that happened. It replaces
// any such failure still pending for method.
func (f *Fake) FailAfterNext(method string, n int, status int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	ft := f.faultLocked(method)
	ft.failAfter, ft.failAfterStatus = n, status
}

// ResetAfterNext makes the next n calls of method do their work and then
// reset the connection without answering, as when a connection drops
// after Slack took a request: the caller gets a connection error for
// something that happened. Such calls are recorded with Status 0.
func (f *Fake) ResetAfterNext(method string, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faultLocked(method).resetAfter = n
}

// Delay holds every answer to method for d until it is called again with
// 0. A held request is let go early when its caller gives up, the fake
// closes or Delay is called again for the method, so a test can delay by
// an hour to hold requests until it lets them go.
func (f *Fake) Delay(method string, d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	ft := f.faultLocked(method)
	ft.delay = d
	if ft.release != nil {
		close(ft.release)
	}
	ft.release = make(chan struct{})
}

// Hold holds every answer to method, without a timer, until the returned
// release is called; release lets the held requests and every later one
// through, and calling it again is harmless. A test decides when the
// answers go, for example once two posts are in flight at the same time,
// which Delay can only guess at. A held request is let go early when its
// caller gives up or the fake closes, as with Delay.
func (f *Fake) Hold(method string) (release func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	ft := f.faultLocked(method)
	gate := make(chan struct{})
	ft.hold = gate
	var once sync.Once
	return func() {
		once.Do(func() {
			f.mu.Lock()
			defer f.mu.Unlock()
			if ft.hold == gate {
				ft.hold = nil
			}
			close(gate)
			f.notifyLocked()
		})
	}
}

func (f *Fake) faultLocked(method string) *fault {
	ft, ok := f.faults[method]
	if !ok {
		ft = &fault{}
		f.faults[method] = ft
	}
	return ft
}

// reply is an HTTP answer that is decided under f.mu and written after.
type reply struct {
	status      int
	header      http.Header
	contentType string
	body        []byte
	slackError  string // for the call record
}

// answer is the path every request takes: it waits out any delay, turns the
// answer into an injected fault if one is pending, otherwise runs handle,
// and records the call together with the state change handle made, so a
// test that sees the call also sees its effect.
func (f *Fake) answer(w http.ResponseWriter, r *http.Request, call Call, handle func(*Call) reply) {
	f.mu.Lock()
	f.inFlight[call.Method]++
	var (
		delay   time.Duration
		hold    chan struct{}
		release <-chan struct{}
	)
	if ft, ok := f.faults[call.Method]; ok {
		delay, hold, release = ft.delay, ft.hold, ft.release
	}
	f.notifyLocked()
	f.mu.Unlock()

	gaveUp, reset := false, false
	if hold != nil {
		select {
		case <-hold:
		case <-r.Context().Done():
			gaveUp = true
		case <-f.closing:
			gaveUp = true
		}
	}
	if delay > 0 && !gaveUp {
		timer := time.NewTimer(delay)
		select {
		case <-timer.C:
		case <-release:
		case <-r.Context().Done():
			gaveUp = true
		case <-f.closing:
			gaveUp = true
		}
		timer.Stop()
	}

	f.mu.Lock()
	f.inFlight[call.Method]--
	var rep reply
	switch ft := f.faults[call.Method]; {
	case gaveUp:
		rep = reply{slackError: "caller gave up while delayed"}
	case ft != nil && ft.rateLimited > 0:
		ft.rateLimited--
		secs := int64((ft.retryAfter + time.Second - 1) / time.Second)
		rep = jsonReply(map[string]any{"ok": false, "error": "ratelimited"})
		rep.status = http.StatusTooManyRequests
		rep.header = http.Header{"Retry-After": {fmt.Sprint(secs)}}
		rep.slackError = "ratelimited"
	case ft != nil && ft.failures > 0:
		ft.failures--
		// Slack answers 5xx with an HTML page, which slack-go does not parse.
		rep = reply{
			status:      ft.failStatus,
			contentType: "text/html; charset=utf-8",
			body:        []byte("<html><body>" + http.StatusText(ft.failStatus) + "</body></html>"),
		}
	case ft != nil && ft.refusals > 0:
		ft.refusals--
		rep = errorReply(ft.refusal)
	default:
		rep = handle(&call)
		switch {
		case ft != nil && ft.failAfter > 0:
			ft.failAfter--
			rep = reply{
				status:      ft.failAfterStatus,
				contentType: "text/html; charset=utf-8",
				body:        []byte("<html><body>" + http.StatusText(ft.failAfterStatus) + "</body></html>"),
				slackError:  "failed after the work was done",
			}
		case ft != nil && ft.resetAfter > 0:
			ft.resetAfter--
			reset = true
			rep = reply{slackError: "connection reset after the work was done"}
		}
	}
	call.Status = rep.status
	call.Error = rep.slackError
	f.calls = append(f.calls, call)
	f.notifyLocked()
	f.mu.Unlock()

	if gaveUp {
		return
	}
	if reset {
		resetConn(w)
		return
	}
	for k, v := range rep.header {
		w.Header()[k] = v
	}
	if rep.contentType != "" {
		w.Header().Set("Content-Type", rep.contentType)
	}
	w.WriteHeader(rep.status)
	_, _ = w.Write(rep.body)
}

// resetConn drops the connection under w without an answer. A zero linger
// makes the close a TCP reset, so the client reads "connection reset by
// peer" while it waits for the response to a request it has sent.
func resetConn(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return
	}
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0)
	}
	_ = conn.Close()
}
