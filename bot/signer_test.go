package bot

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/racebot/racebot/internal/slackfake"
)

// TestSignerAgreesWithVerify: the front door's pooled check (signer)
// refuses and admits exactly what Verify does, when many requests share
// one signer at once and a working space comes back after a request it
// refused half way (a signature that did not decode, a stale one) or one
// signed for another body.
func TestSignerAgreesWithVerify(t *testing.T) {
	t.Parallel()
	now := time.Unix(1700000000, 0)
	body := slackfake.EventBody(slackfake.MessageEvent{Channel: "C1", User: "UANA", ThreadTS: "1700000000.000100",
		Text: "We sell roasted coffee by subscription.", TS: "1700000001.000200"})
	stamp := fmt.Sprint(now.Unix())
	good := slackfake.Signature(secret, stamp, body)
	hexSig := strings.TrimPrefix(good, "v0=")
	type request struct {
		name      string
		stamp     string
		signature string
		body      []byte
	}
	requests := []request{
		{"signed", stamp, good, body},
		{"signed in capitals", stamp, "v0=" + strings.ToUpper(hexSig), body},
		{"signed for another body", stamp, slackfake.Signature(secret, stamp, []byte("{}")), body},
		{"tampered body", stamp, good, append(append([]byte(nil), body...), ' ')},
		{"signed with another secret", stamp, slackfake.Signature("another", stamp, body), body},
		{"signed a minute earlier", fmt.Sprint(now.Unix() - 60), slackfake.Signature(secret, fmt.Sprint(now.Unix()-60), body), body},
		{"timestamp with leading zeros", "0" + stamp, slackfake.Signature(secret, "0"+stamp, body), body},
		{"timestamp re-signed without its zeros", "0" + stamp, good, body},
		{"stale", fmt.Sprint(now.Unix() - 600), slackfake.Signature(secret, fmt.Sprint(now.Unix()-600), body), body},
		{"no timestamp", "", good, body},
		{"timestamp not a number", "soon", good, body},
		{"no signature", stamp, "", body},
		{"no v0 prefix", stamp, hexSig, body},
		{"v0 prefix alone", stamp, "v0=", body},
		{"v1 prefix", stamp, "v1=" + hexSig, body},
		{"one hex digit short", stamp, good[:len(good)-1], body},
		{"one byte short", stamp, good[:len(good)-2], body},
		{"one hex digit long", stamp, good + "0", body},
		{"one byte long", stamp, good + "00", body},
		{"not hex, right length", stamp, "v0=" + strings.Repeat("zz", 32), body},
		{"last digit not hex", stamp, good[:len(good)-1] + "g", body},
		{"first digit not hex", stamp, "v0=x" + hexSig[1:], body},
		{"a good signature's first half", stamp, "v0=" + hexSig[:32], body},
		{"empty body", stamp, slackfake.Signature(secret, stamp, nil), nil},
	}
	header := func(r request) http.Header {
		h := http.Header{}
		if r.stamp != "" {
			h.Set("X-Slack-Request-Timestamp", r.stamp)
		}
		if r.signature != "" {
			h.Set("X-Slack-Signature", r.signature)
		}
		return h
	}
	want := make([]error, len(requests))
	admitted := 0
	for i, r := range requests {
		want[i] = Verify(secret, header(r), r.body, now)
		if want[i] == nil {
			admitted++
		}
	}
	// The list means something only if Verify both admits and refuses.
	if admitted == 0 || admitted == len(requests) {
		t.Fatalf("Verify admitted %d of %d requests", admitted, len(requests))
	}
	for i, r := range requests {
		if ref := verifyAsBefore(secret, header(r), r.body, now); (ref == nil) != (want[i] == nil) {
			t.Errorf("%s: Verify says %v, the check before keyed HMACs were kept said %v", r.name, want[i], ref)
		}
	}

	// One working space, reused for every request in turn and then in the
	// other order, so each follows both refusals and admissions.
	var g signing
	for _, order := range [][]int{ascending(len(requests)), descending(len(requests))} {
		for _, i := range order {
			r := requests[i]
			if got := g.verify(secret, header(r), r.body, now); got != want[i] {
				t.Errorf("reused signing, %s: %v, Verify says %v", r.name, got, want[i])
			}
		}
	}

	// One signer shared by goroutines, each going through the requests
	// from a different place, so working spaces pass between requests of
	// every kind.
	s := newSigner(secret)
	const workers, rounds = 8, 40
	var wg sync.WaitGroup
	errs := make(chan string, workers*rounds*len(requests))
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range rounds * len(requests) {
				i := (w*7 + n*(w+1)) % len(requests)
				r := requests[i]
				if got := s.verify(header(r), r.body, now); got != want[i] {
					errs <- fmt.Sprintf("shared signer, %s: %v, Verify says %v", r.name, got, want[i])
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	seen := map[string]bool{}
	for e := range errs {
		if !seen[e] {
			seen[e] = true
			t.Error(e)
		}
	}
}

func ascending(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

func descending(n int) []int {
	out := ascending(n)
	for i, j := 0, n-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

// verifyAsBefore is Verify as it was before the front door kept its keyed
// HMACs (a new HMAC and a decoded copy of the signature each time): the
// verdicts it gives are the ones kept.
func verifyAsBefore(secret string, header http.Header, body []byte, now time.Time) error {
	tsText := header.Get("X-Slack-Request-Timestamp")
	ts, err := strconv.ParseInt(tsText, 10, 64)
	if err != nil {
		return errBadSignature
	}
	if d := now.Sub(time.Unix(ts, 0)); d > replayWindow || d < -replayWindow {
		return errStale
	}
	sig, ok := strings.CutPrefix(header.Get("X-Slack-Signature"), "v0=")
	if !ok {
		return errBadSignature
	}
	got, err := hex.DecodeString(sig)
	if err != nil {
		return errBadSignature
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("v0:" + tsText + ":"))
	mac.Write(body)
	if !hmac.Equal(got, mac.Sum(nil)) {
		return errBadSignature
	}
	return nil
}
