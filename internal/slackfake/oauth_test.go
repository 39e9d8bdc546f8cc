package slackfake_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/slack-go/slack"

	"github.com/racebot/racebot/internal/slackfake"
)

// TestOAuthExchangeAndRotation drives the fake's oauth.v2.access through
// slack-go: a code is exchanged once, for a token of its workspace only;
// a refresh retires the old pair.
func TestOAuthExchangeAndRotation(t *testing.T) {
	fake := slackfake.New(t)
	fake.SetOAuthApp(slackfake.OAuthApp{ClientID: "cid", ClientSecret: "secret", Rotation: true})
	ctx := context.Background()
	opt := slack.OAuthOptionAPIURL(fake.APIURL())
	authorize := fake.URL() + "/oauth/v2/authorize?" + url.Values{"client_id": {"cid"}, "scope": {"chat:write"}, "redirect_uri": {"https://app/cb"}, "state": {"s1"}}.Encode()
	back, err := fake.Approve(authorize, slackfake.Workspace{TeamID: "TA"})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(back)
	if u.Query().Get("state") != "s1" || u.Query().Get("code") == "" {
		t.Fatalf("redirect back %s", back)
	}
	code := u.Query().Get("code")
	if _, err := slack.GetOAuthV2ResponseContext(ctx, http.DefaultClient, "cid", "wrong", code, "https://app/cb", opt); err == nil || err.Error() != "invalid_client" {
		t.Errorf("wrong secret: %v, want invalid_client", err)
	}
	resp, err := slack.GetOAuthV2ResponseContext(ctx, http.DefaultClient, "cid", "secret", code, "https://app/cb", opt)
	if err != nil || resp.Team.ID != "TA" || resp.RefreshToken == "" || resp.ExpiresIn <= 0 {
		t.Fatalf("exchange: %+v %v", resp, err)
	}
	if _, err := slack.GetOAuthV2ResponseContext(ctx, http.DefaultClient, "cid", "secret", code, "https://app/cb", opt); err == nil || err.Error() != "invalid_code" {
		t.Errorf("second exchange of one code: %v, want invalid_code", err)
	}
	tokenB := fake.AddWorkspace(slackfake.Workspace{TeamID: "TB"})
	if _, err := slack.New(resp.AccessToken, slack.OptionAPIURL(fake.APIURL())).AuthTestContext(ctx); err != nil {
		t.Errorf("TA's token: %v", err)
	}
	if _, err := slack.New("xoxb-made-up", slack.OptionAPIURL(fake.APIURL())).AuthTestContext(ctx); err == nil {
		t.Error("a token the fake never issued was accepted")
	}
	refreshed, err := slack.RefreshOAuthV2TokenContext(ctx, http.DefaultClient, "cid", "secret", resp.RefreshToken, opt)
	if err != nil || refreshed.AccessToken == resp.AccessToken {
		t.Fatalf("refresh: %+v %v", refreshed, err)
	}
	if _, err := slack.New(resp.AccessToken, slack.OptionAPIURL(fake.APIURL())).AuthTestContext(ctx); err == nil {
		t.Error("the token a refresh replaced still works")
	}
	if _, err := slack.RefreshOAuthV2TokenContext(ctx, http.DefaultClient, "cid", "secret", resp.RefreshToken, opt); err == nil {
		t.Error("a spent refresh token worked again")
	}
	auth, err := slack.New(tokenB, slack.OptionAPIURL(fake.APIURL())).AuthTestContext(ctx)
	if err != nil || auth.TeamID != "TB" {
		t.Errorf("TB's token: %+v %v", auth, err)
	}
	for _, c := range fake.Calls("auth.test") {
		if c.Token == tokenB && c.Team != "TB" {
			t.Errorf("call with TB's token recorded as %q's", c.Team)
		}
	}
}
