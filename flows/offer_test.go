package flows

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// TestRefuseLapsedYes: an offer that lapsed as the plan moved on names
// who moved it; one withdrawn, expired, still valid or not of a plan is
// not refused this way.
func TestRefuseLapsedYes(t *testing.T) {
	cat := RACE()
	made := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	o := Offer{Plan: 1, User: "ana", Command: "new Launch plan", QuestionID: QuestionBusiness, Version: 2, Expires: made.Add(10 * time.Minute)}
	plan := func(version int64, answers map[string]Answer, actions ...Action) *Plan {
		return &Plan{ID: 1, Version: version, Answers: answers, Actions: actions}
	}
	own := Answer{Text: "new Launch plan", By: "ana", At: made}
	now := made.Add(time.Minute)
	for _, tc := range []struct {
		name string
		o    Offer
		p    *Plan
		now  time.Time
		want string // "" for no refusal
	}{
		{"ben answered", o, plan(3, map[string]Answer{QuestionBusiness: own, QuestionValueProposition: {Text: "Coffee.", By: "ben", At: now}}), now,
			"lapsed when ben answered Plan question 2 (value proposition)"},
		{"ben added an action", o, plan(3, map[string]Answer{QuestionBusiness: own}, Action{Number: 4, By: "ben", At: now}), now,
			"lapsed when ben added action 4"},
		{"moved without a trace", o, plan(3, map[string]Answer{QuestionBusiness: own, QuestionValueProposition: {Text: "Older.", By: "ben", At: made.Add(-time.Minute)}}), now,
			"lapsed when the plan moved on after your line"},
		{"still valid", o, plan(2, map[string]Answer{QuestionBusiness: own}), now, ""},
		{"expired", o, plan(3, map[string]Answer{QuestionBusiness: own}), o.Expires, ""},
		{"withdrawn", func() Offer { w := o; w.Withdrawn = true; return w }(), plan(3, map[string]Answer{QuestionBusiness: own}), now, ""},
		{"another plan", o, &Plan{ID: 2, Version: 3}, now, ""},
	} {
		err := RefuseLapsedYes(cat, tc.o, tc.p, made, tc.now)
		if tc.want == "" {
			if err != nil {
				t.Errorf("%s: refused with %q, want nil", tc.name, Explain(err).String())
			}
			continue
		}
		if !errors.Is(err, ErrBadInput) {
			t.Errorf("%s: err = %v, want bad input", tc.name, err)
			continue
		}
		if got := Explain(err).String(); !strings.Contains(got, tc.want) || !strings.Contains(got, "`new Launch plan`") || !strings.Contains(got, "`yes, indeed`") {
			t.Errorf("%s: told %q, want %q, how to start the plan and how to answer yes", tc.name, got, tc.want)
		}
	}
}
