package prompts

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

const testKey = "sk-test-secret-123"

// reply is one scripted answer of the fake server.
type reply struct {
	status int
	header map[string]string
	body   string   // sent as is for a plain reply
	events []string // sent as SSE "data:" lines when set
	// hang makes the server stall (after any events) until the client
	// gives up, to exercise timeouts.
	hang bool
}

// gotRequest is what the fake server received.
type gotRequest struct {
	Path  string
	Auth  string
	Model string `json:"model"`
	// Messages as role/content pairs.
	Messages []struct {
		Role    string `json:"role"`
		Content string `json:"content"`
	} `json:"messages"`
	Stream        bool `json:"stream"`
	StreamOptions *struct {
		IncludeUsage bool `json:"include_usage"`
	} `json:"stream_options"`
}

// fakeServer speaks OpenAI's chat completions format on loopback, answering
// the n-th request with the n-th reply and repeating the last one.
type fakeServer struct {
	*httptest.Server
	mu      sync.Mutex
	replies []reply
	got     []gotRequest
}

func newFakeServer(tb testing.TB, replies ...reply) *fakeServer {
	tb.Helper()
	f := &fakeServer{replies: replies}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	tb.Cleanup(f.Close)
	return f
}

func (f *fakeServer) serve(w http.ResponseWriter, r *http.Request) {
	var req gotRequest
	body, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(body, &req); err != nil {
		http.Error(w, "bad request body", http.StatusBadRequest)
		return
	}
	req.Path = r.URL.Path
	req.Auth = r.Header.Get("Authorization")
	f.mu.Lock()
	rep := f.replies[min(len(f.got), len(f.replies)-1)]
	f.got = append(f.got, req)
	f.mu.Unlock()

	for k, v := range rep.header {
		w.Header().Set(k, v)
	}
	if rep.events != nil {
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(cmpOr(rep.status, http.StatusOK))
		for _, e := range rep.events {
			fmt.Fprintf(w, "data: %s\n\n", e)
			w.(http.Flusher).Flush()
		}
	} else if !rep.hang || rep.body != "" {
		if w.Header().Get("Content-Type") == "" {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(cmpOr(rep.status, http.StatusOK))
		io.WriteString(w, rep.body)
	}
	if rep.hang {
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	}
}

func cmpOr(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

func (f *fakeServer) requests() []gotRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]gotRequest(nil), f.got...)
}

// stallTimeout shortens the client's timeout when a reply stalls, so the
// test ends soon, and leaves the default otherwise: a short timeout on
// every case would fail a busy machine's slow request as if it stalled.
// The shortened one is still long enough for the request to reach a
// busy machine's fake.
func stallTimeout(replies ...reply) func(*Config) {
	return func(cfg *Config) {
		for _, r := range replies {
			if r.hang {
				cfg.Timeout = time.Second
			}
		}
	}
}

// testClient returns a client for f whose backoff sleeps are recorded
// instead of slept, and a buffer holding its logs.
func testClient(tb testing.TB, f *fakeServer, change func(*Config)) (*Client, *[]time.Duration, *bytes.Buffer) {
	tb.Helper()
	var (
		mu     sync.Mutex
		sleeps []time.Duration
		logs   bytes.Buffer
	)
	cfg := Config{
		APIKey:     testKey,
		BaseURL:    f.URL + "/v1",
		Model:      "test-model",
		Timeout:    5 * time.Second,
		MaxRetries: 2,
		HTTPClient: f.Client(),
		sleep: func(ctx context.Context, d time.Duration) error {
			mu.Lock()
			defer mu.Unlock()
			sleeps = append(sleeps, d)
			return ctx.Err()
		},
	}
	if change != nil {
		change(&cfg)
	}
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	return NewClient(cfg, logger), &sleeps, &logs
}

func completionJSON(text, finish string, promptTokens, completionTokens int) string {
	b, _ := json.Marshal(map[string]any{
		"id": "chatcmpl-1", "object": "chat.completion", "created": 1700000000, "model": "test-model",
		"choices": []any{map[string]any{
			"index":         0,
			"message":       map[string]any{"role": "assistant", "content": text},
			"finish_reason": finish,
		}},
		"usage": map[string]any{
			"prompt_tokens": promptTokens, "completion_tokens": completionTokens,
			"total_tokens": promptTokens + completionTokens,
		},
	})
	return string(b)
}

func chunkJSON(content, finish string) string {
	choice := map[string]any{"index": 0, "delta": map[string]any{"content": content}, "finish_reason": nil}
	if finish != "" {
		choice["finish_reason"] = finish
	}
	b, _ := json.Marshal(map[string]any{
		"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1700000000, "model": "test-model",
		"choices": []any{choice},
	})
	return string(b)
}

func usageChunkJSON(promptTokens, completionTokens int) string {
	return fmt.Sprintf(`{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"test-model","choices":[],"usage":{"prompt_tokens":%d,"completion_tokens":%d,"total_tokens":%d}}`,
		promptTokens, completionTokens, promptTokens+completionTokens)
}

func apiErrorJSON(message, typ, code string) string {
	return fmt.Sprintf(`{"error":{"message":%q,"type":%q,"code":%q}}`, message, typ, code)
}
