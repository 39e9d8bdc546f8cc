package prompts

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var testMessages = Messages{System: "You are racebot.", User: "Draft an answer."}

// wantRequest is the part of a received request the tests compare.
type wantRequest struct {
	Path     string
	Auth     string
	Model    string
	Messages []string // "role: content"
	Stream   bool
	Usage    bool // stream_options.include_usage
}

func summarise(got []gotRequest) []wantRequest {
	out := make([]wantRequest, 0, len(got))
	for _, g := range got {
		w := wantRequest{Path: g.Path, Auth: g.Auth, Model: g.Model, Stream: g.Stream}
		for _, m := range g.Messages {
			w.Messages = append(w.Messages, m.Role+": "+m.Content)
		}
		if g.StreamOptions != nil {
			w.Usage = g.StreamOptions.IncludeUsage
		}
		out = append(out, w)
	}
	return out
}

func plainRequest() wantRequest {
	return wantRequest{
		Path: "/v1/chat/completions", Auth: "Bearer " + testKey, Model: "test-model",
		Messages: []string{"system: You are racebot.", "user: Draft an answer."},
	}
}

func streamRequest() wantRequest {
	w := plainRequest()
	w.Stream, w.Usage = true, true
	return w
}

func TestCompleteSuccess(t *testing.T) {
	f := newFakeServer(t, reply{body: completionJSON("  We post short recipe videos.\n", "stop", 412, 37)})
	c, sleeps, logs := testClient(t, f, nil)

	got, err := c.Complete(t.Context(), "T1/C1/q1", testMessages)
	if err != nil {
		t.Fatalf("Complete: %v", err)
	}
	want := Result{Text: "We post short recipe videos.", PromptTokens: 412, CompletionTokens: 37}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("result (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]wantRequest{plainRequest()}, summarise(f.requests())); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	if len(*sleeps) != 0 {
		t.Errorf("slept %v, want no retries", *sleeps)
	}
	for _, want := range []string{`msg="llm call"`, "plan=T1/C1/q1", "prompt_tokens=412", "completion_tokens=37", "model=test-model", "duration="} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %s:\n%s", want, logs)
		}
	}
	if strings.Contains(logs.String(), testKey) {
		t.Errorf("log leaks the API key:\n%s", logs)
	}
}

func TestCompleteWithoutAPIKey(t *testing.T) {
	f := newFakeServer(t, reply{body: completionJSON("ok", "stop", 1, 1)})
	c, _, _ := testClient(t, f, func(cfg *Config) { cfg.APIKey = "" })
	if _, err := c.Complete(t.Context(), "p", testMessages); err != nil {
		t.Fatalf("Complete: %v", err)
	}
	if auth := f.requests()[0].Auth; auth != "" {
		t.Errorf("Authorization = %q, want none for a local server", auth)
	}
}

func TestCompleteRetries(t *testing.T) {
	ok := reply{body: completionJSON("Quick wins first.", "stop", 10, 4)}
	tests := []struct {
		name     string
		replies  []reply
		wantErr  error
		requests int
		// sleeps lists the exact waits, or nil with jitter set to check
		// each wait lies within the backoff bounds.
		sleeps []time.Duration
		jitter int
	}{
		{
			name: "429 with Retry-After then success",
			replies: []reply{
				{status: 429, header: map[string]string{"Retry-After": "2"}, body: apiErrorJSON("Rate limit reached", "requests", "rate_limit_exceeded")},
				ok,
			},
			requests: 2, sleeps: []time.Duration{2 * time.Second},
		},
		{
			name: "429 with Retry-After-Ms then success",
			replies: []reply{
				{status: 429, header: map[string]string{"Retry-After-Ms": "250"}, body: apiErrorJSON("slow down", "requests", "rate_limit_exceeded")},
				ok,
			},
			requests: 2, sleeps: []time.Duration{250 * time.Millisecond},
		},
		{
			name:     "503 without Retry-After then success",
			replies:  []reply{{status: 503, body: "upstream unavailable"}, ok},
			requests: 2, jitter: 1,
		},
		{
			name:     "500 every time",
			replies:  []reply{{status: 500, body: apiErrorJSON("The server had an error", "server_error", "")}},
			wantErr:  ErrUnavailable,
			requests: 3, jitter: 2,
		},
		{
			name:     "429 every time",
			replies:  []reply{{status: 429, header: map[string]string{"Retry-After": "1"}, body: apiErrorJSON("Rate limit", "requests", "")}},
			wantErr:  ErrUnavailable,
			requests: 3, sleeps: []time.Duration{time.Second, time.Second},
		},
		{
			name:     "Retry-After longer than we wait",
			replies:  []reply{{status: 429, header: map[string]string{"Retry-After": "3600"}, body: apiErrorJSON("quota", "requests", "")}},
			wantErr:  ErrUnavailable,
			requests: 1,
		},
		{
			name:     "401 is not retried",
			replies:  []reply{{status: 401, body: apiErrorJSON("Incorrect API key provided", "invalid_request_error", "invalid_api_key")}},
			wantErr:  ErrRejected,
			requests: 1,
		},
		{
			name:     "404 unknown model is not retried",
			replies:  []reply{{status: 404, body: apiErrorJSON("model 'test-model' not found", "not_found_error", "")}},
			wantErr:  ErrRejected,
			requests: 1,
		},
		{
			name:     "content filter error",
			replies:  []reply{{status: 400, body: apiErrorJSON("The response was filtered", "invalid_request_error", "content_filter")}},
			wantErr:  ErrRefused,
			requests: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeServer(t, tt.replies...)
			c, sleeps, _ := testClient(t, f, func(cfg *Config) { cfg.backoffBase = 40 * time.Millisecond })
			got, err := c.Complete(t.Context(), "plan", testMessages)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
			} else if err != nil || got.Text != "Quick wins first." {
				t.Fatalf("Complete = %+v, %v; want success", got, err)
			}
			if n := len(f.requests()); n != tt.requests {
				t.Errorf("server got %d requests, want %d", n, tt.requests)
			}
			for _, r := range summarise(f.requests()) {
				if diff := cmp.Diff(plainRequest(), r); diff != "" {
					t.Errorf("request (-want +got):\n%s", diff)
				}
			}
			if tt.jitter == 0 {
				if diff := cmp.Diff(tt.sleeps, *sleeps); diff != "" {
					t.Errorf("sleeps (-want +got):\n%s", diff)
				}
				return
			}
			if len(*sleeps) != tt.jitter {
				t.Fatalf("slept %v, want %d waits", *sleeps, tt.jitter)
			}
			for i, d := range *sleeps {
				step := 40 * time.Millisecond << i
				if d < step/2 || d > step {
					t.Errorf("wait %d = %s, want within [%s, %s]", i, d, step/2, step)
				}
			}
		})
	}
}

func TestCompleteFailures(t *testing.T) {
	tests := []struct {
		name    string
		reply   reply
		wantErr error
	}{
		{"empty choices", reply{body: `{"id":"x","object":"chat.completion","choices":[],"usage":{"prompt_tokens":5}}`}, ErrEmpty},
		{"blank text", reply{body: completionJSON(" \n ", "stop", 5, 0)}, ErrEmpty},
		{"only thinking", reply{body: completionJSON("<think>hmm</think>\n", "stop", 5, 3)}, ErrEmpty},
		{"malformed JSON", reply{body: `{"choices": [{"message": {"content": "half`}, ErrMalformed},
		{"not JSON at all", reply{body: `<html>Bad gateway</html>`, header: map[string]string{"Content-Type": "text/html"}}, ErrMalformed},
		{"wrong JSON types", reply{body: `{"choices": "none"}`}, ErrMalformed},
		{"empty body", reply{body: ""}, ErrMalformed},
		{"content filter finish", reply{body: completionJSON("", "content_filter", 5, 0)}, ErrRefused},
		{"refusal", reply{body: `{"choices":[{"index":0,"message":{"role":"assistant","content":"","refusal":"I can't help with that."},"finish_reason":"stop"}]}`}, ErrRefused},
		{"timeout", reply{hang: true}, ErrUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeServer(t, tt.reply)
			c, sleeps, _ := testClient(t, f, stallTimeout(tt.reply))
			got, err := c.Complete(t.Context(), "plan", testMessages)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Complete = %+v, %v; want %v", got, err, tt.wantErr)
			}
			if got != (Result{}) {
				t.Errorf("result = %+v, want zero", got)
			}
			if n := len(f.requests()); n != 1 || len(*sleeps) != 0 {
				t.Errorf("%d requests and waits %v, want one request and no retry", n, *sleeps)
			}
			if strings.Contains(err.Error(), testKey) {
				t.Errorf("error leaks the API key: %v", err)
			}
		})
	}
}

func TestCompleteConnectionRefused(t *testing.T) {
	f := newFakeServer(t, reply{body: completionJSON("never", "stop", 1, 1)})
	c, sleeps, _ := testClient(t, f, nil)
	f.Close() // the port now refuses connections
	_, err := c.Complete(t.Context(), "plan", testMessages)
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("err = %v, want ErrUnavailable", err)
	}
	if len(*sleeps) != 0 {
		t.Errorf("slept %v, want connection errors not retried", *sleeps)
	}
}

func TestCompleteCallerCancels(t *testing.T) {
	f := newFakeServer(t, reply{status: 500, body: "oops"})
	ctx, cancel := context.WithCancel(t.Context())
	c, _, _ := testClient(t, f, func(cfg *Config) {
		// The caller gives up while the client waits to retry.
		cfg.sleep = func(context.Context, time.Duration) error { cancel(); return context.Canceled }
	})
	_, err := c.Complete(ctx, "plan", testMessages)
	if !errors.Is(err, ErrUnavailable) || !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want ErrUnavailable and context.Canceled", err)
	}
}

func TestCompleteBadConfig(t *testing.T) {
	c := NewClient(Config{BaseURL: "http://[::1", Model: "m", sleep: func(context.Context, time.Duration) error { return nil }}, nil)
	if _, err := c.Complete(t.Context(), "plan", testMessages); !errors.Is(err, ErrRejected) {
		t.Fatalf("err = %v, want ErrRejected", err)
	}
	if _, err := c.Complete(t.Context(), "plan", Messages{}); !errors.Is(err, ErrMissing) {
		t.Fatalf("empty messages: err = %v, want ErrMissing", err)
	}
}

// streamEvents splits text into deltas and ends with a usage chunk and
// [DONE], as OpenAI does with include_usage.
func streamEvents(finish string, deltas ...string) []string {
	var ev []string
	for _, d := range deltas {
		ev = append(ev, chunkJSON(d, ""))
	}
	ev = append(ev, chunkJSON("", finish), usageChunkJSON(120, 9), "[DONE]")
	return ev
}

func TestStreamSuccess(t *testing.T) {
	f := newFakeServer(t, reply{events: streamEvents("stop", "We ", "post short ", "recipe videos", ".")})
	c, _, logs := testClient(t, f, nil)
	var seen []string
	got, err := c.Stream(t.Context(), "plan-7", testMessages, func(s string) { seen = append(seen, s) })
	if err != nil {
		t.Fatalf("Stream: %v", err)
	}
	want := Result{Text: "We post short recipe videos.", PromptTokens: 120, CompletionTokens: 9}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("result (-want +got):\n%s", diff)
	}
	wantSeen := []string{"We", "We post short", "We post short recipe videos", "We post short recipe videos."}
	if diff := cmp.Diff(wantSeen, seen); diff != "" {
		t.Errorf("deltas (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]wantRequest{streamRequest()}, summarise(f.requests())); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	for _, want := range []string{"plan=plan-7", "prompt_tokens=120", "completion_tokens=9", "mode=stream"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %s:\n%s", want, logs)
		}
	}
}

func TestStreamHidesThinking(t *testing.T) {
	f := newFakeServer(t, reply{events: streamEvents("stop", "<thi", "nk>The team wants", " videos.</think>", "\n\nRecipe ", "videos.")})
	c, _, _ := testClient(t, f, nil)
	var seen []string
	got, err := c.Stream(t.Context(), "plan", testMessages, func(s string) { seen = append(seen, s) })
	if err != nil {
		t.Fatalf("Stream: %v", err)
	}
	if got.Text != "Recipe videos." {
		t.Errorf("text = %q, want the answer without the thinking", got.Text)
	}
	if diff := cmp.Diff([]string{"Recipe", "Recipe videos."}, seen); diff != "" {
		t.Errorf("deltas (-want +got):\n%s", diff)
	}
}

func TestStreamFallsBack(t *testing.T) {
	plain := reply{body: completionJSON("Recipe videos and taste tests.", "stop", 80, 6)}
	tests := []struct {
		name   string
		refuse reply
	}{
		{"400 on stream", reply{status: 400, body: apiErrorJSON("stream_options is not supported", "invalid_request_error", "")}},
		{"404 on stream", reply{status: 404, body: "404 page not found", header: map[string]string{"Content-Type": "text/plain"}}},
		{"JSON instead of events", reply{body: completionJSON("Recipe videos and taste tests.", "stop", 80, 6)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeServer(t, tt.refuse, plain)
			c, sleeps, logs := testClient(t, f, nil)
			var seen []string
			got, err := c.Stream(t.Context(), "plan", testMessages, func(s string) { seen = append(seen, s) })
			if err != nil {
				t.Fatalf("Stream: %v", err)
			}
			want := Result{Text: "Recipe videos and taste tests.", PromptTokens: 80, CompletionTokens: 6}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("result (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{want.Text}, seen); diff != "" {
				t.Errorf("deltas (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]wantRequest{streamRequest(), plainRequest()}, summarise(f.requests())); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
			if len(*sleeps) != 0 {
				t.Errorf("slept %v, want no retries", *sleeps)
			}
			if !strings.Contains(logs.String(), "mode=complete") {
				t.Errorf("log does not say the call fell back:\n%s", logs)
			}

			// The client remembers: the next call skips the streaming probe.
			if _, err := c.Stream(t.Context(), "plan", testMessages, nil); err != nil {
				t.Fatalf("second Stream: %v", err)
			}
			if diff := cmp.Diff([]wantRequest{streamRequest(), plainRequest(), plainRequest()}, summarise(f.requests())); diff != "" {
				t.Errorf("requests after second call (-want +got):\n%s", diff)
			}
		})
	}
}

func TestStreamFailures(t *testing.T) {
	tests := []struct {
		name     string
		replies  []reply
		wantErr  error
		requests int
	}{
		{"500 every time", []reply{{status: 500, body: "boom"}}, ErrUnavailable, 3},
		{"401 is rejected without fallback", []reply{{status: 401, body: apiErrorJSON("bad key", "invalid_request_error", "invalid_api_key")}}, ErrRejected, 1},
		{"malformed chunk", []reply{{events: []string{chunkJSON("We ", ""), `{"choices": [{"delta": `, "[DONE]"}}}, ErrMalformed, 1},
		{"error event mid-stream", []reply{{events: []string{chunkJSON("We ", ""), apiErrorJSON("overloaded", "server_error", "")}}}, ErrUnavailable, 1},
		{"content filter finish", []reply{{events: []string{chunkJSON("We ", ""), chunkJSON("", "content_filter"), "[DONE]"}}}, ErrRefused, 1},
		{"nothing streamed", []reply{{events: []string{chunkJSON("", "stop"), "[DONE]"}}}, ErrEmpty, 1},
		{"stalls mid-stream", []reply{{events: []string{chunkJSON("We ", "")}, hang: true}}, ErrUnavailable, 1},
		{"ends mid-sentence", []reply{{events: []string{chunkJSON("We ", ""), chunkJSON("roast ", "")}}}, ErrUnavailable, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeServer(t, tt.replies...)
			c, _, _ := testClient(t, f, stallTimeout(tt.replies...))
			got, err := c.Stream(t.Context(), "plan", testMessages, func(string) {})
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Stream = %+v, %v; want %v", got, err, tt.wantErr)
			}
			if n := len(f.requests()); n != tt.requests {
				t.Errorf("server got %d requests, want %d", n, tt.requests)
			}
		})
	}
}

func TestStreamRetriesThenStreams(t *testing.T) {
	f := newFakeServer(t,
		reply{status: 503, header: map[string]string{"Retry-After": "0"}, body: "busy"},
		reply{events: streamEvents("stop", "Hello")},
	)
	c, sleeps, _ := testClient(t, f, nil)
	got, err := c.Stream(t.Context(), "plan", testMessages, nil)
	if err != nil || got.Text != "Hello" {
		t.Fatalf("Stream = %+v, %v", got, err)
	}
	if diff := cmp.Diff([]wantRequest{streamRequest(), streamRequest()}, summarise(f.requests())); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]time.Duration{0}, *sleeps); diff != "" {
		t.Errorf("sleeps (-want +got):\n%s", diff)
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		header, ms string
		want       time.Duration
		ok         bool
	}{
		{"", "", 0, false},
		{"3", "", 3 * time.Second, true},
		{"0.5", "", 500 * time.Millisecond, true},
		{"", "1500", 1500 * time.Millisecond, true},
		{"7", "20", 20 * time.Millisecond, true},
		{now.Add(4 * time.Second).Format(http.TimeFormat), "", 4 * time.Second, true},
		{now.Add(-time.Minute).Format(http.TimeFormat), "", 0, true},
		{"-1", "", 0, false},
		{"soon", "", 0, false},
		{"1e30", "", time.Duration(1<<63 - 1), true},
		{"+Inf", "", time.Duration(1<<63 - 1), true},
	}
	for _, tt := range tests {
		got, ok := retryAfter(&recorder{retryAfter: tt.header, retryAfterMS: tt.ms}, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("retryAfter(%q, %q) = %s, %v; want %s, %v", tt.header, tt.ms, got, ok, tt.want, tt.ok)
		}
	}
}

func TestBackoffCapped(t *testing.T) {
	c := NewClient(Config{backoffBase: time.Second, maxWait: 5 * time.Second}, nil)
	for attempt := 1; attempt <= 70; attempt++ {
		d, ok := c.backoff(attempt, &recorder{}, time.Now())
		if !ok || d < 0 || d > 5*time.Second {
			t.Fatalf("backoff(%d) = %s, %v; want within [0, 5s]", attempt, d, ok)
		}
	}
	if _, ok := c.backoff(1, &recorder{retryAfter: "6"}, time.Now()); ok {
		t.Error("backoff accepted a Retry-After over maxWait")
	}
}

func TestConfigHidesKey(t *testing.T) {
	cfg := Config{APIKey: testKey, BaseURL: "http://localhost:11434/v1", Model: "llama3.2"}
	var logs strings.Builder
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("config", "llm", cfg)
	for _, s := range []string{fmt.Sprint(cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%v", &cfg), logs.String()} {
		if strings.Contains(s, testKey) {
			t.Errorf("API key leaked: %s", s)
		}
		if !strings.Contains(s, "llama3.2") {
			t.Errorf("config rendering lost the model: %s", s)
		}
	}
}

func TestStripThink(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Plain answer.", "Plain answer."},
		{"<think>x</think>Answer", "Answer"},
		{"\n<think>a\nb</think>\n\nAnswer", "Answer"},
		{"<think>still going", ""},
		{"<thi", ""},
		{"", ""},
		{"Use <think> tags", "Use <think> tags"},
	}
	for _, tt := range tests {
		if got := stripThink(tt.in); got != tt.want {
			t.Errorf("stripThink(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
