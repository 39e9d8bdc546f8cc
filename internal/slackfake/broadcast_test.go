package slackfake

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

func TestBroadcastsIn(t *testing.T) {
	t.Parallel()
	blocks := `[{"type":"section","text":{"type":"mrkdwn","text":"hi <!here> and <!subteam^S1|@design>"}},` +
		`{"type":"context","elements":[{"type":"plain_text","text":"<!channel> as typed"}]},` +
		`{"type":"actions","elements":[{"type":"button","text":{"type":"plain_text","text":"x"},"value":"<!everyone>"}]}]`
	for _, tt := range []struct {
		key  string
		v    any
		want []string
	}{
		{"text", "a <!channel> b <!Everyone|everyone>", []string{"<!channel>", "<!Everyone|everyone>"}},
		{"text", "@channel &lt;!here&gt; <@U1>", nil},
		{"blocks", blocks, []string{"<!here>", "<!subteam^S1|@design>"}},
		{"link_names", "1", []string{"link_names=1"}},
		{"link_names", "0", nil},
		{"parse", "full", []string{"parse=full"}},
		{"private_metadata", "<!here>", nil},
	} {
		var v any = tt.v
		if s, ok := tt.v.(string); ok && tt.key == "blocks" {
			var raw any
			if err := json.Unmarshal([]byte(s), &raw); err != nil {
				t.Fatal(err)
			}
			v = raw
		}
		if got := broadcastsIn(tt.key, v); !slices.Equal(got, tt.want) {
			t.Errorf("broadcastsIn(%q, %v) = %q, want %q", tt.key, tt.v, got, tt.want)
		}
	}
}

func TestCheckBlocksLimits(t *testing.T) {
	t.Parallel()
	long := func(n int) string { return strings.Repeat("é", n) }
	for _, tt := range []struct {
		name   string
		blocks string
		ok     bool
	}{
		{"a full section", `[{"type":"section","text":{"type":"mrkdwn","text":"` + long(3000) + `"}}]`, true},
		{"a section past 3000", `[{"type":"section","text":{"type":"mrkdwn","text":"` + long(3001) + `"}}]`, false},
		{"a header past 150", `[{"type":"header","text":{"type":"plain_text","text":"` + long(151) + `"}}]`, false},
		{"a button label past 75", `[{"type":"actions","elements":[{"type":"button","text":{"type":"plain_text","text":"` + long(76) + `"},"value":"v"}]}]`, false},
		{"an input past 3000", `[{"type":"input","label":{"type":"plain_text","text":"l"},"element":{"type":"plain_text_input","initial_value":"` + long(3001) + `"}}]`, false},
		{"an option past 75", `[{"type":"input","label":{"type":"plain_text","text":"l"},"element":{"type":"static_select","options":[{"text":{"type":"plain_text","text":"` + long(76) + `"},"value":"1"}]}}]`, false},
	} {
		err := checkBlocks([]byte(tt.blocks), limitMessageBlocks)
		if (err == nil) != tt.ok {
			t.Errorf("%s: err = %v", tt.name, err)
		}
	}
	var many []string
	for range 51 {
		many = append(many, `{"type":"divider"}`)
	}
	if err := checkBlocks([]byte("["+strings.Join(many, ",")+"]"), limitMessageBlocks); err == nil {
		t.Error("51 blocks in a message were taken")
	}
	if err := checkBlocks([]byte("["+strings.Join(many, ",")+"]"), limitViewBlocks); err != nil {
		t.Errorf("51 blocks in a view: %v", err)
	}
}
