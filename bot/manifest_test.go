package bot

import (
	"maps"
	"os"
	"slices"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestManifestsMatchWhatTheBotHandles keeps the app manifests in step with
// the code: the command, the events the bot reacts to, and the scopes its
// Web API calls need.
func TestManifestsMatchWhatTheBotHandles(t *testing.T) {
	t.Parallel()
	type manifest struct {
		Features struct {
			AppHome struct {
				HomeTab     bool `yaml:"home_tab_enabled"`
				MessagesTab bool `yaml:"messages_tab_enabled"`
				ReadOnly    bool `yaml:"messages_tab_read_only_enabled"`
			} `yaml:"app_home"`
			Shortcuts []struct {
				Name       string `yaml:"name"`
				Type       string `yaml:"type"`
				CallbackID string `yaml:"callback_id"`
			} `yaml:"shortcuts"`
			SlashCommands []struct {
				Command string `yaml:"command"`
				URL     string `yaml:"url"`
			} `yaml:"slash_commands"`
		} `yaml:"features"`
		Functions map[string]struct {
			Title  string `yaml:"title"`
			Inputs map[string]struct {
				Type     string `yaml:"type"`
				Required bool   `yaml:"is_required"`
			} `yaml:"input_parameters"`
			Outputs map[string]struct {
				Type string `yaml:"type"`
			} `yaml:"output_parameters"`
		} `yaml:"functions"`
		OAuth struct {
			RedirectURLs []string `yaml:"redirect_urls"`
			Scopes       struct {
				Bot []string `yaml:"bot"`
			} `yaml:"scopes"`
		} `yaml:"oauth_config"`
		Settings struct {
			Events struct {
				RequestURL string   `yaml:"request_url"`
				BotEvents  []string `yaml:"bot_events"`
			} `yaml:"event_subscriptions"`
			Interactivity struct {
				Enabled    bool   `yaml:"is_enabled"`
				RequestURL string `yaml:"request_url"`
			} `yaml:"interactivity"`
			SocketMode      bool   `yaml:"socket_mode_enabled"`
			TokenRotation   bool   `yaml:"token_rotation_enabled"`
			OrgDeploy       bool   `yaml:"org_deploy_enabled"`
			FunctionRuntime string `yaml:"function_runtime"`
		} `yaml:"settings"`
	}
	for file, socket := range map[string]bool{"../slack/manifest.socket.yml": true, "../slack/manifest.http.yml": false} {
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var m manifest
		if err := yaml.Unmarshal(raw, &m); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if len(m.Features.SlashCommands) != 1 || m.Features.SlashCommands[0].Command != "/race" {
			t.Errorf("%s: slash commands = %+v", file, m.Features.SlashCommands)
		}
		// files:read is files.info's, which tells whether an upload whose
		// answer was lost is shared (see uploadFile).
		for _, scope := range []string{"commands", "chat:write", "channels:history", "groups:history", "files:write", "files:read",
			"users:read", "im:write", "im:history", "app_mentions:read"} {
			if !slices.Contains(m.OAuth.Scopes.Bot, scope) {
				t.Errorf("%s: missing scope %s", file, scope)
			}
		}
		for _, ev := range []string{"app_home_opened", "message.channels", "message.groups", "message.im", "app_mention", "function_executed", "user_change"} {
			if !slices.Contains(m.Settings.Events.BotEvents, ev) {
				t.Errorf("%s: missing event %s", file, ev)
			}
		}
		if !m.Features.AppHome.HomeTab || !m.Settings.Interactivity.Enabled || m.Settings.SocketMode != socket {
			t.Errorf("%s: home tab, interactivity or socket mode setting is wrong: %+v", file, m.Settings)
		}
		if !m.Features.AppHome.MessagesTab || m.Features.AppHome.ReadOnly {
			t.Errorf("%s: people can't write to racebot directly: %+v", file, m.Features.AppHome)
		}
		shortcuts := map[string]string{}
		for _, s := range m.Features.Shortcuts {
			shortcuts[s.CallbackID] = s.Type
			if s.Name == "" || len([]rune(s.Name)) > 24 {
				t.Errorf("%s: shortcut %s has name %q", file, s.CallbackID, s.Name)
			}
		}
		if want := map[string]string{shortcutAddToPlan: "message", shortcutMyValues: "global"}; !maps.Equal(shortcuts, want) {
			t.Errorf("%s: shortcuts = %v, want %v", file, shortcuts, want)
		}
		// Custom steps: the callback ids, inputs and outputs the code
		// reads and writes.
		if !m.Settings.OrgDeploy || m.Settings.FunctionRuntime != "remote" {
			t.Errorf("%s: custom steps need org_deploy_enabled and function_runtime remote: %+v", file, m.Settings)
		}
		steps := map[string]struct {
			inputs  map[string]string
			outputs []string
		}{
			functionRecordValues: {map[string]string{inputChannel: "slack#/types/channel_id", inputPlan: "string", inputValues: "string", inputUser: "slack#/types/user_id"}, []string{outputRecorded}},
			functionStartCheckin: {map[string]string{inputChannel: "slack#/types/channel_id", inputPlan: "string"}, []string{outputPlan}},
		}
		if len(m.Functions) != len(steps) {
			t.Errorf("%s: %d functions, want %d", file, len(m.Functions), len(steps))
		}
		for id, want := range steps {
			fn, ok := m.Functions[id]
			if !ok || fn.Title == "" {
				t.Errorf("%s: no function %s", file, id)
				continue
			}
			got := map[string]string{}
			for name, in := range fn.Inputs {
				got[name] = in.Type
			}
			if !maps.Equal(got, want.inputs) || !fn.Inputs[inputChannel].Required {
				t.Errorf("%s: %s inputs = %v, want %v with the channel required", file, id, got, want.inputs)
			}
			if outs := slices.Sorted(maps.Keys(fn.Outputs)); !slices.Equal(outs, want.outputs) {
				t.Errorf("%s: %s outputs = %v, want %v", file, id, outs, want.outputs)
			}
		}
		if !socket {
			// An install asks for exactly the scopes the manifest grants.
			if got, want := slices.Sorted(slices.Values(m.OAuth.Scopes.Bot)), slices.Sorted(slices.Values(BotScopes)); !slices.Equal(got, want) {
				t.Errorf("%s: bot scopes %v, but /slack/install asks for %v", file, got, want)
			}
			if !slices.Equal(m.OAuth.RedirectURLs, []string{"https://racebot.example.com/slack/oauth_redirect"}) {
				t.Errorf("%s: redirect URLs %v, want the install's /slack/oauth_redirect", file, m.OAuth.RedirectURLs)
			}
			if !m.Settings.TokenRotation {
				t.Errorf("%s: token rotation is off", file)
			}
			for _, ev := range []string{"app_uninstalled", "tokens_revoked"} {
				if !slices.Contains(m.Settings.Events.BotEvents, ev) {
					t.Errorf("%s: missing event %s, which stops serving an uninstalled workspace", file, ev)
				}
			}
			for _, u := range []string{m.Features.SlashCommands[0].URL, m.Settings.Events.RequestURL, m.Settings.Interactivity.RequestURL} {
				if u != "https://racebot.example.com/slack/events" {
					t.Errorf("%s: request URL %q should point at /slack/events", file, u)
				}
			}
		}
	}
}
