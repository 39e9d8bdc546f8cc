package bench

import (
	"encoding/json"
	"testing"
	"time"
)

func TestPacedPostsTakeTurnsPerChannel(t *testing.T) {
	s := &SlackAPI{nextTurn: make(map[string]time.Time)}
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	if got := s.turn("C1", t0); !got.Equal(t0) {
		t.Errorf("unpaced: turn %s, want now", got)
	}
	s.PacePosts(time.Second)
	for i, want := range []time.Time{t0, t0.Add(time.Second), t0.Add(2 * time.Second)} {
		if got := s.turn("C1", t0); !got.Equal(want) {
			t.Errorf("post %d in C1 at once: turn %s, want %s", i, got, want)
		}
	}
	if got := s.turn("C2", t0); !got.Equal(t0) {
		t.Errorf("another channel waits for C1: turn %s", got)
	}
	// A quiet channel has its turn at once again.
	later := t0.Add(time.Minute)
	if got := s.turn("C1", later); !got.Equal(later) {
		t.Errorf("after a quiet minute: turn %s, want %s", got, later)
	}
}

// TestJSONArgsAsUnmarshal: the fake's reader of a JSON call takes what
// json.Unmarshal takes from racebot's posts (blocks, escapes and all),
// and what it does not expect it leaves to json.Unmarshal.
func TestJSONArgsAsUnmarshal(t *testing.T) {
	bodies := []string{
		`{"channel":"C1","text":"hi","blocks":[{"type":"section","text":{"type":"mrkdwn","text":"\"ts\": \"no\" {[<@U1>]}"}},{"type":"actions","elements":[{"type":"button","value":"1"}]}],"thread_ts":"1700000000.000100","unfurl_links":false,"metadata":{"event_type":"racebot_post","event_payload":{"key":"once:x"}}}`,
		`{"channel":"C\u00312","ts":"1.2","thread_ts":"3.4"}`,
		`{"channel":"C1","channel":"C2"}`,
		`{"thread_ts":null,"channel":"C1"}`,
		`{"chann\u0065l":"C1"}`,
		`{"Channel":"C1"}`,
		`{}`,
		`[]`,
		`{"channel":"C1"`,
		`{"channel":"C1"} {}`,
	}
	for _, body := range bodies {
		var want apiArgs
		wantErr := json.Unmarshal([]byte(body), &want)
		got, err := jsonArgs([]byte(body))
		if got != want || (err == nil) != (wantErr == nil) {
			t.Errorf("jsonArgs(%s) = %+v, %v; json.Unmarshal: %+v, %v", body, got, err, want, wantErr)
		}
	}
}
