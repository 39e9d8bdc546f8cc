package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// Plan is a plan created through Slack: its channel and the thread its
// header opened, where replies are answers.
type Plan struct {
	Channel string
	Thread  string
}

// CreatePlans starts n plans, one per channel (channels "C<prefix>00000"
// on), each with one signed `/race new` slash command, and waits until
// racebot has posted every plan's header and its first question in the
// header's thread, by when the thread is bound to the plan.
// One channel per plan keeps Slack's per-channel pacing of posts out of
// the way.
func CreatePlans(ctx context.Context, client *http.Client, srv *Server, api *SlackAPI, prefix string, n int) ([]Plan, error) {
	before := len(api.Threads())
	plans := make([]Plan, n)
	for i := range plans {
		plans[i].Channel = fmt.Sprintf("C%s%05d", prefix, i)
	}
	const workers = 8
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
		next     = make(chan int)
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				body := Command{Channel: plans[i].Channel, User: "UOWNER", Text: fmt.Sprintf("new Bench plan %s %d", prefix, i),
					ResponseURL: api.ResponseURL(uint64(i)), Seq: uint64(i)}.Body()
				if err := post(ctx, client, srv.URL(), body, FormType); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = fmt.Errorf("create plan in %s: %w", plans[i].Channel, err)
					}
					mu.Unlock()
				}
			}
		}()
	}
	for i := range plans {
		next <- i
	}
	close(next)
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	threads := api.WaitThreads(before+n, time.Minute)
	for i := range plans {
		ts, ok := threads[plans[i].Channel]
		if !ok {
			return nil, fmt.Errorf("racebot did not open a thread for the plan in %s", plans[i].Channel)
		}
		plans[i].Thread = ts
	}
	return plans, nil
}

// post sends one signed request and insists on a silent 200, which is how
// racebot acknowledges a slash command that worked.
func post(ctx context.Context, client *http.Client, url string, body []byte, contentType string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header = SignedHeader(body, contentType, time.Now())
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || len(bytes.TrimSpace(out)) > 0 {
		return fmt.Errorf("HTTP %d %s", resp.StatusCode, bytes.TrimSpace(out))
	}
	return nil
}
