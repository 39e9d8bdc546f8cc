package bot

import (
	"os"
	"slices"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestManifestsMatchWhatTheBotHandles keeps the app manifests in step with
// the code: the command, the events the bot reacts to, and the scopes its
// Web API calls need.
func TestManifestsMatchWhatTheBotHandles(t *testing.T) {
	type manifest struct {
		Features struct {
			AppHome struct {
				HomeTab bool `yaml:"home_tab_enabled"`
			} `yaml:"app_home"`
			SlashCommands []struct {
				Command string `yaml:"command"`
				URL     string `yaml:"url"`
			} `yaml:"slash_commands"`
		} `yaml:"features"`
		OAuth struct {
			Scopes struct {
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
			SocketMode bool `yaml:"socket_mode_enabled"`
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
		for _, scope := range []string{"commands", "chat:write", "channels:history", "groups:history", "files:write"} {
			if !slices.Contains(m.OAuth.Scopes.Bot, scope) {
				t.Errorf("%s: missing scope %s", file, scope)
			}
		}
		for _, ev := range []string{"app_home_opened", "message.channels", "message.groups"} {
			if !slices.Contains(m.Settings.Events.BotEvents, ev) {
				t.Errorf("%s: missing event %s", file, ev)
			}
		}
		if !m.Features.AppHome.HomeTab || !m.Settings.Interactivity.Enabled || m.Settings.SocketMode != socket {
			t.Errorf("%s: home tab, interactivity or socket mode setting is wrong: %+v", file, m.Settings)
		}
		if !socket {
			for _, u := range []string{m.Features.SlashCommands[0].URL, m.Settings.Events.RequestURL, m.Settings.Interactivity.RequestURL} {
				if u != "https://racebot.example.com/slack/events" {
					t.Errorf("%s: request URL %q should point at /slack/events", file, u)
				}
			}
		}
	}
}
