package bench

import (
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
