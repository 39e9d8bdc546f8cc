package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/racebot/racebot/install"
)

// Config is everything racebot reads from its environment and flags, parsed
// once at start-up.
type Config struct {
	DB string
	// DatabaseURL, when set, puts racebot on PostgreSQL instead of the
	// SQLite file DB (postgres://user:password@host:5432/racebot).
	DatabaseURL string
	Addr        string

	SlackBotToken      string
	SlackAppToken      string
	SlackSigningSecret string
	SlackAPIURL        string

	// SlackClientID, SlackClientSecret and SlackStateSecret (Bolt's
	// names) make racebot a distributed app: workspaces install it at
	// /slack/install, each served with its own token.
	SlackClientID     string
	SlackClientSecret string
	SlackStateSecret  string
	// SlackRedirectURI is the OAuth redirect URL when it cannot be derived
	// from the install request's host (a proxy rewriting it).
	SlackRedirectURI string
	// TokenKey, when set, seals the installations' tokens at rest with
	// AES-256-GCM (RACEBOT_TOKEN_KEY, 32 bytes in base64 or hex).
	TokenKey []byte
	// UninstallRetention keeps an uninstalled workspace's data this long
	// before deleting it; zero keeps the bot's default, thirty days.
	UninstallRetention time.Duration
	badTokenKey        bool

	OpenAIKey     string
	OpenAIBaseURL string
	OpenAIModel   string
	LLMTimeout    time.Duration

	// NudgeAfter and CloseAfter time each check-in's one reminder and its
	// close; zero keeps the bot's defaults (a day, three days).
	NudgeAfter, CloseAfter time.Duration
	// badDurations collects unreadable duration settings for Validate.
	badDurations []error
}

// Mode says which front door racebot opens.
type Mode string

const (
	ModeTerminal Mode = "terminal"
	ModeSocket   Mode = "socket"
	ModeHTTP     Mode = "http"
)

func loadConfig(getenv func(string) string) Config {
	c := Config{
		DB:                 envOr(getenv, "RACEBOT_DB", "racebot.db"),
		DatabaseURL:        strings.TrimSpace(getenv("RACEBOT_DATABASE_URL")),
		Addr:               envOr(getenv, "RACEBOT_ADDR", ":3000"),
		SlackBotToken:      strings.TrimSpace(getenv("SLACK_BOT_TOKEN")),
		SlackAppToken:      strings.TrimSpace(getenv("SLACK_APP_TOKEN")),
		SlackSigningSecret: strings.TrimSpace(getenv("SLACK_SIGNING_SECRET")),
		SlackAPIURL:        strings.TrimSpace(getenv("SLACK_API_URL")),
		SlackClientID:      strings.TrimSpace(getenv("SLACK_CLIENT_ID")),
		SlackClientSecret:  strings.TrimSpace(getenv("SLACK_CLIENT_SECRET")),
		SlackStateSecret:   strings.TrimSpace(getenv("SLACK_STATE_SECRET")),
		SlackRedirectURI:   strings.TrimSpace(getenv("SLACK_REDIRECT_URI")),
		OpenAIKey:          strings.TrimSpace(getenv("OPENAI_API_KEY")),
		OpenAIBaseURL:      strings.TrimSpace(getenv("OPENAI_BASE_URL")),
		OpenAIModel:        envOr(getenv, "OPENAI_MODEL", "gpt-4o-mini"),
		LLMTimeout:         30 * time.Second,
	}
	c.NudgeAfter = c.duration(getenv, "RACEBOT_NUDGE_AFTER")
	c.CloseAfter = c.duration(getenv, "RACEBOT_CLOSE_AFTER")
	c.UninstallRetention = c.duration(getenv, "RACEBOT_UNINSTALL_RETENTION")
	if k := strings.TrimSpace(getenv("RACEBOT_TOKEN_KEY")); k != "" {
		key, err := install.ParseKey(k)
		c.TokenKey, c.badTokenKey = key, err != nil
	}
	return c
}

func (c *Config) duration(getenv func(string) string, key string) time.Duration {
	v := strings.TrimSpace(getenv(key))
	if v == "" {
		return 0
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		c.badDurations = append(c.badDurations, fmt.Errorf("%s %q is not a duration such as 24h or 90m", key, v))
		return 0
	}
	return d
}

func envOr(getenv func(string) string, key, def string) string {
	if v := strings.TrimSpace(getenv(key)); v != "" {
		return v
	}
	return def
}

// bindFlags lets flags override the environment for one run.
func (c *Config) bindFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.DB, "db", c.DB, "SQLite database file (env RACEBOT_DB)")
	fs.StringVar(&c.Addr, "addr", c.Addr, "listen address for racebot serve (env RACEBOT_ADDR)")
}

// OAuthEnabled reports whether racebot is a distributed app, installed
// through Slack's OAuth flow.
func (c Config) OAuthEnabled() bool { return c.SlackClientID != "" }

// LLMEnabled reports whether drafting may call a model: a key for hosted
// services, or a base URL for a local server that needs none.
func (c Config) LLMEnabled() bool { return c.OpenAIKey != "" || c.OpenAIBaseURL != "" }

// Mode picks the front door from the tokens present: no Slack tokens at all
// means the terminal coach.
func (c Config) Mode(serve bool) Mode {
	switch {
	case serve:
		return ModeHTTP
	case c.SlackBotToken == "" && c.SlackAppToken == "" && c.SlackSigningSecret == "" && c.SlackClientID == "":
		return ModeTerminal
	case c.SlackAppToken != "":
		return ModeSocket
	default:
		return ModeHTTP
	}
}

// Validate reports every problem at once, so a misconfigured deployment is
// fixed in one round rather than one error per restart.
func (c Config) Validate(mode Mode) error {
	errs := append([]error(nil), c.badDurations...)
	if c.DB == "" && c.DatabaseURL == "" {
		errs = append(errs, errors.New("RACEBOT_DB (or --db) is empty"))
	}
	if u := c.DatabaseURL; u != "" && !strings.HasPrefix(u, "postgres://") && !strings.HasPrefix(u, "postgresql://") {
		errs = append(errs, errors.New("RACEBOT_DATABASE_URL must be a postgres:// URL, like postgres://racebot:secret@db:5432/racebot"))
	}
	if mode != ModeTerminal {
		switch {
		case c.SlackBotToken == "" && c.OAuthEnabled() && mode == ModeHTTP:
			// Every workspace brings its own token when it installs.
		case c.SlackBotToken == "":
			errs = append(errs, errors.New("SLACK_BOT_TOKEN is required in Slack mode"))
		case !strings.HasPrefix(c.SlackBotToken, "xoxb-"):
			errs = append(errs, errors.New("SLACK_BOT_TOKEN must be a bot token starting with xoxb-"))
		}
	}
	switch mode {
	case ModeSocket:
		if !strings.HasPrefix(c.SlackAppToken, "xapp-") {
			errs = append(errs, errors.New("SLACK_APP_TOKEN must be an app-level token starting with xapp-"))
		}
	case ModeHTTP:
		if c.OAuthEnabled() && c.SlackClientSecret == "" {
			errs = append(errs, errors.New("SLACK_CLIENT_SECRET is required with SLACK_CLIENT_ID: installs exchange their code with it"))
		}
		if c.OAuthEnabled() && c.SlackStateSecret == "" {
			errs = append(errs, errors.New("SLACK_STATE_SECRET is required with SLACK_CLIENT_ID: it signs each install's state"))
		}
		if c.SlackSigningSecret == "" {
			errs = append(errs, errors.New("SLACK_SIGNING_SECRET is required in HTTP mode: without it requests cannot be verified"))
		}
		if c.Addr == "" {
			errs = append(errs, errors.New("RACEBOT_ADDR (or --addr) is empty"))
		}
	}
	if mode == ModeSocket && c.OAuthEnabled() {
		errs = append(errs, errors.New("SLACK_CLIENT_ID needs the HTTP front door: remove SLACK_APP_TOKEN to install racebot in other workspaces"))
	}
	if c.badTokenKey {
		errs = append(errs, errors.New("RACEBOT_TOKEN_KEY must be 32 bytes in base64 or hex, such as the output of: openssl rand -base64 32"))
	}
	if c.SlackAPIURL != "" && !strings.HasPrefix(c.SlackAPIURL, "http") {
		errs = append(errs, fmt.Errorf("SLACK_API_URL %q is not an http(s) URL", c.SlackAPIURL))
	}
	if c.OpenAIBaseURL != "" && !strings.HasPrefix(c.OpenAIBaseURL, "http") {
		errs = append(errs, fmt.Errorf("OPENAI_BASE_URL %q is not an http(s) URL", c.OpenAIBaseURL))
	}
	return errors.Join(errs...)
}

// newFlagSet is a subcommand's flags, for parseFlags to read; name is
// the subcommand as typed, with the arguments besides its flags, which
// its --help would otherwise leave out.
func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	// The flag package would list the flags on stderr for --help too;
	// parseFlags lists them where they belong.
	fs.Usage = func() {}
	return fs
}

// parseFlags reads a subcommand's flags. -h or --help asks a question
// rather than making a mistake: the flags go to stdout and help is true,
// for the subcommand to end there with exit status 0. A mistake, which the
// flag package has named on stderr, is followed there by the flags.
func parseFlags(fs *flag.FlagSet, args []string, stdout io.Writer) (help bool, err error) {
	switch err := fs.Parse(args); {
	case errors.Is(err, flag.ErrHelp):
		printFlags(fs, stdout)
		return true, nil
	case err != nil:
		printFlags(fs, fs.Output())
		return false, errUsage
	}
	return false, nil
}

func printFlags(fs *flag.FlagSet, w io.Writer) {
	out := fs.Output()
	defer fs.SetOutput(out)
	fs.SetOutput(w)
	fmt.Fprintf(w, "Usage of %s:\n", fs.Name())
	fs.PrintDefaults()
}
