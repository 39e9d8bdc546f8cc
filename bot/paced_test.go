package bot

import (
	"sync"
	"testing"
	"time"
)

// TestPacedForgetsIdleKeys: past its bound, paced forgets the keys whose
// interval is over and that have nothing out or waiting, and keeps those
// within their interval, whose next change must still wait for its end.
func TestPacedForgetsIdleKeys(t *testing.T) {
	t.Parallel()
	clk := &clock{now: t0}
	var wg sync.WaitGroup
	ran := map[int]int{}
	var mu sync.Mutex
	p := newPaced(time.Minute, clk.Now, func(k int) {
		mu.Lock()
		defer mu.Unlock()
		ran[k]++
	}, func(_ int, fn func()) { wg.Go(fn) })
	waiting := 0
	p.after = func(time.Duration, func()) func() bool { waiting++; return func() bool { return true } }
	p.most = 2

	p.refresh(1)
	clk.Add(2 * time.Minute)
	p.refresh(2)
	wg.Wait()
	p.refresh(3) // past the bound: 1 is idle and over its interval, 2 is not
	wg.Wait()
	p.mu.Lock()
	_, kept1 := p.keys[1]
	_, kept2 := p.keys[2]
	p.mu.Unlock()
	if kept1 || !kept2 {
		t.Errorf("kept 1: %v, kept 2: %v; want 1 forgotten and 2 kept", kept1, kept2)
	}
	p.refresh(2)
	if waiting != 1 {
		t.Errorf("a change of 2 within its interval waits %d times, want once", waiting)
	}
	if ran[1] != 1 || ran[2] != 1 || ran[3] != 1 {
		t.Errorf("runs = %v, want one each", ran)
	}
}
