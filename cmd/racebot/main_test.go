package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/racebot/racebot/flows"
)

// binDir holds the racebot binary the tests that run the program share;
// TestMain makes it and removes it.
var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "racebot-test-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

var (
	buildOnce sync.Once
	buildErr  error
	buildOut  []byte
)

// buildBinary compiles racebot, once for all the tests of the package, so
// a test runs the program exactly as a user would without each paying for
// a link of its own.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(binDir, "racebot")
	buildOnce.Do(func() {
		args := []string{"build", "-o", bin}
		if raceBuild {
			args = append(args, "-race")
		}
		buildOut, buildErr = exec.Command("go", append(args, ".")...).CombinedOutput()
	})
	if buildErr != nil {
		t.Fatalf("go build: %v\n%s", buildErr, buildOut)
	}
	return bin
}

// noExitPause is the environment entry that spares a race-built racebot
// the race detector's default second of sleep before it exits, kept for
// other threads' reports, on every run a test makes of it. A race it
// found still fails its exit status. GORACE options of the test's own
// environment are kept.
func noExitPause() string {
	return "GORACE=" + strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0")
}

// runBinary runs racebot with stdin and a clean environment: no Slack
// tokens, so it is the terminal coach.
func runBinary(t *testing.T, bin, dir, stdin string, args ...string) (string, string, error) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = []string{"HOME=" + dir, "PATH=" + os.Getenv("PATH"), noExitPause()}
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return stdout.String(), stderr.String(), err
}

func TestTerminalCoachWholePlanResumesAndExports(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t)
	dir := t.TempDir()
	cat := flows.RACE()

	// First session: Plan and Reach, with a skip, a back and actions; it
	// stops halfway through Act, as a person closing the terminal would.
	var first, second []string
	first = append(first, "new Q1 Launch")
	want := map[string]string{}
	answer := func(script *[]string, q flows.Question, text string) {
		*script = append(*script, text)
		want[q.ID] = text
	}
	for si, st := range cat.Stages {
		for qi, q := range st.Steps() {
			// The first session ends before Act question 3, mid-stage.
			script := &first
			if si > 2 || (si == 2 && qi >= 2) {
				script = &second
			}
			if si == 1 && qi == 1 {
				*script = append(*script, "skip", "back")
			}
			answer(script, q, q.Example)
		}
		script := &first
		if si >= 2 {
			script = &second
		}
		*script = append(*script, st.WrapUp.Action.Example, "done")
		if line, ok := kpiLines[st.ID]; ok {
			*script = append(*script, line, "done")
		}
	}
	// An edit of an earlier answer: the new text is what export shows.
	second = append(second, "/race edit reach 3", "A better answer about the value we bring.")
	reach3 := cat.Stages[1].Steps()[2].ID
	want[reach3] = "A better answer about the value we bring."
	second = append(second, "edit reach 3", "A better answer about the value we bring.")

	out, stderr, err := runBinary(t, bin, dir, strings.Join(first, "\n")+"\n")
	if err != nil {
		t.Fatalf("first run: %v\nstderr: %s\nstdout: %s", err, stderr, out)
	}
	if strings.Contains(out, "\x1b[") {
		t.Error("piped output contains terminal escape codes")
	}
	if !strings.Contains(out, "Reach stage done.") {
		t.Errorf("first run did not finish Reach:\n%s", out)
	}

	// Second session on the same file: it resumes at Act question 3.
	out, stderr, err = runBinary(t, bin, dir, strings.Join(second, "\n")+"\n")
	if err != nil {
		t.Fatalf("second run: %v\nstderr: %s", err, stderr)
	}
	act3 := cat.Stages[2].Steps()[2].Text
	if i := strings.Index(out, act3); i < 0 || i > strings.Index(out, "Saved.") {
		t.Errorf("second run did not resume at %q before the first answer:\n%.1200s", act3, out)
	}
	if !strings.Contains(out, "your RACE plan is complete") {
		t.Errorf("second run did not complete the plan:\n%s", tail(out, 3000))
	}
	if strings.Contains(out, "I don't know") || strings.Contains(out, "went wrong") {
		t.Errorf("second run reported an error:\n%s", out)
	}

	md, stderr, err := runBinary(t, bin, dir, "", "export", "--plan", "q1 launch")
	if err != nil {
		t.Fatalf("export: %v\n%s", err, stderr)
	}
	for id, text := range want {
		if !strings.Contains(md, text) {
			t.Errorf("export lacks the answer to %s: %q", id, text)
		}
	}
	if !strings.Contains(md, "(revision 2)") {
		t.Error("export does not mark the edited answer's revision")
	}
	for _, st := range cat.Stages {
		if !strings.Contains(md, strings.Split(st.WrapUp.Action.Example, " | ")[0]) {
			t.Errorf("export lacks the %s action", st.Name)
		}
	}
	if strings.Contains(md, "Not answered yet") || strings.Contains(md, "Skipped") {
		t.Errorf("export shows an open question although all were answered")
	}
}

// kpiLines set one KPI per stage that has a KPI catalogue.
var kpiLines = map[flows.StageID]string{
	flows.StageReach:   "visitors | baseline 8k | target 20k | by 2027-03-31 | owner Ana",
	flows.StageAct:     "lead-rate | baseline 1.5% | target 2.5% | by 2027-03-31 | owner Priya",
	flows.StageConvert: "aov | baseline $28 | target $30 | by 2027-03-31 | owner Ben",
	flows.StageEngage:  "repeat-rate | baseline 40% | target 50% | by 2027-06-30 | owner Ana",
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}

func TestTerminalDeleteAsksFirst(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var out bytes.Buffer
	env := func(k string) string {
		if k == "RACEBOT_DB" {
			return filepath.Join(dir, "r.db")
		}
		return ""
	}
	script := "new Keep me\ndelete Keep me\nno\nplans\ndelete Keep me\nyes\nplans\n"
	if err := run(context.Background(), nil, env, strings.NewReader(script), &out, &out); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{"This cannot be undone. Type yes to confirm.", "Kept it; nothing was deleted.", "▸ Keep me —", `Deleted plan "Keep me".`, "No plans in this channel yet."} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
}

func TestBadDatabaseFileIsOneSentence(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "notes.txt")
	os.WriteFile(bad, bytes.Repeat([]byte("not a database "), 20), 0o600)
	tests := []struct {
		name, path, want string
	}{
		{"corrupt", bad, "is not a racebot database or is damaged; nothing was changed"},
		{"missing folder", filepath.Join(dir, "nope", "r.db"), "cannot write to"},
		{"a folder", dir, "cannot write to"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			err := run(context.Background(), []string{"--db", tt.path}, func(string) string { return "" }, strings.NewReader(""), &out, &errb)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to say %q", err, tt.want)
			}
		})
	}
}

func TestConfigValidateReportsEverything(t *testing.T) {
	cfg := loadConfig(func(k string) string {
		return map[string]string{"SLACK_BOT_TOKEN": "xoxp-user", "SLACK_APP_TOKEN": "app", "OPENAI_BASE_URL": "localhost:11434", "RACEBOT_NUDGE_AFTER": "tomorrow"}[k]
	})
	err := cfg.Validate(cfg.Mode(false))
	if err == nil {
		t.Fatal("want errors")
	}
	for _, want := range []string{"xoxb-", "xapp-", "OPENAI_BASE_URL", "RACEBOT_NUDGE_AFTER"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if got := loadConfig(func(string) string { return "" }).Mode(false); got != ModeTerminal {
		t.Errorf("no tokens: mode = %s, want terminal", got)
	}
}

func TestConfigOAuth(t *testing.T) {
	env := func(kv map[string]string) Config { return loadConfig(func(k string) string { return kv[k] }) }
	key := "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=" // 32 bytes, base64
	ok := env(map[string]string{"SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "s", "SLACK_STATE_SECRET": "st", "SLACK_SIGNING_SECRET": "sig", "RACEBOT_TOKEN_KEY": key, "RACEBOT_UNINSTALL_RETENTION": "168h"})
	if mode := ok.Mode(false); mode != ModeHTTP {
		t.Errorf("OAuth without a bot token: mode %s, want http", mode)
	}
	if err := ok.Validate(ModeHTTP); err != nil {
		t.Errorf("OAuth without a bot token: %v", err)
	}
	if len(ok.TokenKey) != 32 || ok.UninstallRetention != 168*time.Hour {
		t.Errorf("token key %d bytes, retention %v", len(ok.TokenKey), ok.UninstallRetention)
	}
	bad := env(map[string]string{"SLACK_CLIENT_ID": "1.2", "SLACK_SIGNING_SECRET": "sig", "RACEBOT_TOKEN_KEY": "short"})
	err := bad.Validate(ModeHTTP)
	for _, want := range []string{"SLACK_CLIENT_SECRET", "SLACK_STATE_SECRET", "RACEBOT_TOKEN_KEY"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
	if err != nil && strings.Contains(err.Error(), "short") {
		t.Errorf("the error quotes the key: %v", err)
	}
	socket := env(map[string]string{"SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "s", "SLACK_STATE_SECRET": "st", "SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"})
	if err := socket.Validate(socket.Mode(false)); err == nil || !strings.Contains(err.Error(), "SLACK_CLIENT_ID") {
		t.Errorf("OAuth in Socket Mode: %v", err)
	}
}

// TestHelpFlagShowsUsage: `racebot --help`, a newcomer's first try, shows
// the commands as `racebot help` does, not the bare list of flags.
func TestHelpFlagShowsUsage(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"--help"}, {"-h"}, {"-help"}} {
		var out, errb bytes.Buffer
		err := run(context.Background(), args, func(string) string { return "" }, strings.NewReader(""), &out, &errb)
		if err != nil || out.String() != usage {
			t.Errorf("racebot %s = %v, stdout %q, stderr %q; want the usage on stdout", strings.Join(args, " "), err, out.String(), errb.String())
		}
	}
}

// TestSubcommandHelpIsNoMistake: `racebot serve --help` and the like are a
// question, answered on stdout with exit status 0 and the flags named as
// they are typed; a flag that does not exist is still a usage mistake.
func TestSubcommandHelpIsNoMistake(t *testing.T) {
	getenv := func(string) string { return "" }
	for _, args := range [][]string{{"serve", "--help"}, {"export", "-h"}, {"backup", "--help"}, {"migrate", "-help"},
		{"schedule", "--help"}, {"schedule", "next", "--help"}} {
		var out, errb bytes.Buffer
		err := run(context.Background(), args, getenv, strings.NewReader(""), &out, &errb)
		if err != nil || !strings.Contains(out.String(), "racebot "+args[0]) || errb.Len() > 0 {
			t.Errorf("racebot %s = %v, stdout %q, stderr %q; want its usage on stdout and no error", strings.Join(args, " "), err, out.String(), errb.String())
		}
		if strings.Contains(out.String(), "-addr racebot serve") {
			t.Errorf("racebot %s names the -addr flag's value as \"racebot serve\":\n%s", strings.Join(args, " "), out.String())
		}
	}
	var out, errb bytes.Buffer
	if err := run(context.Background(), []string{"serve", "--nope"}, getenv, strings.NewReader(""), &out, &errb); exitCode(err) != 2 || !strings.Contains(errb.String(), "-nope") {
		t.Errorf("racebot serve --nope = %v, stderr %q; want a usage mistake", err, errb.String())
	}
}

// TestSubcommandHelpNamesItsArgument: `racebot backup --help` and
// `racebot schedule next --help` say what goes besides the flags (the
// file to write, the schedule to read), which the flags alone do not.
func TestSubcommandHelpNamesItsArgument(t *testing.T) {
	getenv := func(string) string { return "" }
	for args, want := range map[string]string{"backup --help": "<new-file.db>", "schedule next --help": `"<spec>"`} {
		var out, errb bytes.Buffer
		if err := run(context.Background(), strings.Fields(args), getenv, strings.NewReader(""), &out, &errb); err != nil || !strings.Contains(out.String(), want) {
			t.Errorf("racebot %s = %v, stdout %q; want it to name %s", args, err, out.String(), want)
		}
	}
}
