package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"time"

	"github.com/racebot/racebot/assist"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/markup"
	"github.com/racebot/racebot/report"
	"github.com/racebot/racebot/storage"
)

// The terminal is one workspace with one channel: the same coach and store as
// in Slack, addressed with fixed IDs.
const (
	terminalTeam    = "local"
	terminalChannel = "terminal"
)

// console is the terminal front door: lines in, plain text out.
type console struct {
	coach     *flows.Coach
	assistant *assist.Assistant
	kpis      func(ctx context.Context, team string, plan flows.PlanID) ([]flows.KPI, error)
	values    func(ctx context.Context, team string, plan flows.PlanID) (map[int64][]flows.Measurement, error)
	// dir is where report charts are written: beside the database.
	dir   string
	user  string
	out   io.Writer
	style style
	now   func() time.Time
	// pending, when set, takes the next line: the answer to a question the
	// console asked (confirm a deletion, use a draft).
	pending func(ctx context.Context, line string)
}

// runServe is the HTTP front door, whatever tokens are set.
func runServe(ctx context.Context, cfg Config, args []string, stderr io.Writer) error {
	fs := newFlagSet("racebot serve", stderr)
	cfg.bindFlags(fs)
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if err := cfg.Validate(ModeHTTP); err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	return runSlack(ctx, cfg, ModeHTTP, stderr)
}

func runCoach(ctx context.Context, cfg Config, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("racebot", stderr)
	cfg.bindFlags(fs)
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	mode := cfg.Mode(false)
	if err := cfg.Validate(mode); err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	if mode != ModeTerminal {
		return runSlack(ctx, cfg, mode, stderr)
	}
	db, err := openDB(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer db.Close()
	cat := flows.RACE()
	// Logs would interleave with the conversation; in the terminal only
	// warnings go to stderr, as text.
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	helper, err := newAssistant(cfg, cat, logger, nil)
	if err != nil {
		return err
	}
	c := &console{
		coach:     &flows.Coach{Catalogue: cat, Store: db, Location: time.Local, UserText: markdownUserText},
		assistant: helper,
		kpis:      db.KPIs,
		values:    db.Measurements,
		dir:       filepath.Dir(cfg.DB),
		user:      terminalUser(),
		out:       stdout,
		style:     styleFor(stdin, stdout),
		now:       time.Now,
	}
	return c.loop(ctx, stdin)
}

// openDB opens the database and says in one sentence what is wrong with a
// file that cannot be used.
func openDB(ctx context.Context, path string) (*storage.DB, error) {
	db, err := storage.Open(ctx, path)
	switch {
	case errors.Is(err, storage.ErrCorrupt):
		return nil, fmt.Errorf("%s is not a racebot database or is damaged; nothing was changed. Point RACEBOT_DB (or --db) at another file", path)
	case errors.Is(err, storage.ErrReadOnly):
		return nil, fmt.Errorf("cannot write to %s; nothing was changed. Check the folder exists and is writable, or point RACEBOT_DB (or --db) elsewhere", path)
	case err != nil:
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	return db, nil
}

func terminalUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return "you"
}

func (c *console) loop(ctx context.Context, stdin io.Reader) error {
	c.greet(ctx)
	sc := bufio.NewScanner(stdin)
	// Long answers are welcome; the default 64 KiB line limit is not.
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	c.prompt()
	for sc.Scan() {
		if ctx.Err() != nil {
			return nil
		}
		line := strings.TrimSpace(sc.Text())
		if line == "quit" || line == "exit" {
			return nil
		}
		c.handle(ctx, line)
		c.prompt()
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read input: %w", err)
	}
	c.println("")
	return nil
}

func (c *console) greet(ctx context.Context) {
	c.println(c.style.bold("racebot") + " — your RACE planning coach (Plan, Reach, Act, Convert, Engage).")
	req := c.request("continue")
	resp, err := c.coach.Handle(ctx, req)
	if errors.Is(err, flows.ErrNoPlan) {
		c.println("Start a plan with `new <name>`, for example `new Q1 Launch`. Type `help` for every command, `quit` to leave.")
		return
	}
	c.show(ctx, resp, err)
}

func (c *console) request(text string) flows.Request {
	return flows.Request{Team: terminalTeam, Channel: terminalChannel, User: c.user, Text: text, Now: c.now()}
}

func (c *console) handle(ctx context.Context, line string) {
	if next := c.pending; next != nil {
		c.pending = nil
		next(ctx, line)
		return
	}
	c.run(ctx, c.request(line))
}

func (c *console) run(ctx context.Context, req flows.Request) {
	resp, err := c.coach.Handle(ctx, req)
	c.show(ctx, resp, err)
}

func (c *console) show(ctx context.Context, resp flows.Response, err error) {
	if err != nil {
		c.println(c.style.text(flows.Explain(err)))
		return
	}
	c.render(ctx, resp)
}

func yes(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "y", "yes":
		return true
	}
	return false
}

func (c *console) render(ctx context.Context, resp flows.Response) {
	for _, r := range resp.Replies {
		switch r.Kind {
		case flows.ReplyExport:
			c.println(r.Markdown)
		case flows.ReplyConfirm:
			c.println(c.style.text(r.Msg) + " Type yes to confirm.")
			confirm := r.Confirm
			c.pending = func(ctx context.Context, line string) {
				if !yes(line) {
					c.println("Kept it; nothing was deleted.")
					return
				}
				c.run(ctx, c.request("/race "+confirm))
			}
		default:
			c.println(c.style.text(r.Msg))
		}
	}
	switch {
	case resp.Draft != nil && resp.Draft.KPIs:
		res := c.assistant.SuggestKPIs(ctx, resp.Plan, resp.Draft.Stage, nil)
		if res.Note != "" {
			c.println(c.style.note(res.Note))
		}
		c.println(c.style.text(resultMsg(res)))
	case resp.Draft != nil:
		c.draft(ctx, resp.Plan, resp.Draft.QuestionID)
	case resp.Review:
		c.review(ctx, resp.Plan)
	case resp.Report:
		c.report(ctx, resp.Plan)
	}
}

// report writes the KPI chart as a PNG beside the database and says where.
func (c *console) report(ctx context.Context, p *flows.Plan) {
	ms, err := c.values(ctx, p.Team, p.ID)
	if err != nil {
		c.println(c.style.text(flows.Explain(err)))
		return
	}
	var png bytes.Buffer
	if err := report.Chart(&png, p.Name+" · KPI progress", p.KPIs, ms, c.now(), time.Local); err != nil {
		c.println(c.style.text(flows.Explain(err)))
		return
	}
	path := filepath.Join(c.dir, flows.Slug(p.Name)+"-kpis.png")
	if err := os.WriteFile(path, png.Bytes(), 0o644); err != nil {
		c.println(fmt.Sprintf("Could not write the chart to %s: %v", path, err))
		return
	}
	c.println("Chart written to " + path)
}

// draft shows a draft. A model's draft can become the answer (y), be
// edited first (e) or be dropped (n); the built-in coach's help is only
// shown, since its example is about another business.
func (c *console) draft(ctx context.Context, p *flows.Plan, questionID string) {
	res := c.assistant.Draft(ctx, p, questionID, nil)
	if res.Note != "" {
		c.println(c.style.note(res.Note))
	}
	if !res.FromModel {
		c.println(c.style.text(resultMsg(res)))
		return
	}
	c.println("Draft:\n" + res.Text)
	c.println("Use this draft? y = save it as the answer, e = edit it first, n = discard it")
	c.pending = func(ctx context.Context, line string) {
		switch strings.ToLower(strings.TrimSpace(line)) {
		case "y", "yes":
			resp, err := c.coach.AcceptDraft(ctx, c.request(""), questionID, res.Text)
			c.show(ctx, resp, err)
		case "e", "edit":
			c.println("Type your version of the answer:")
			c.pending = func(ctx context.Context, line string) {
				resp, err := c.coach.EditAnswers(ctx, c.request(""), map[string]string{questionID: line})
				c.show(ctx, resp, err)
			}
		default:
			c.println("Draft discarded. Type your own answer when you're ready.")
		}
	}
}

func (c *console) review(ctx context.Context, p *flows.Plan) {
	kpis, err := c.kpis(ctx, p.Team, p.ID)
	if err != nil {
		c.println(c.style.text(flows.Explain(err)))
		return
	}
	res := c.assistant.Review(ctx, p, kpis, c.now(), nil)
	if res.Note != "" {
		c.println(c.style.note(res.Note))
	}
	c.println(c.style.text(resultMsg(res)))
}

func (c *console) prompt() {
	if c.style.tty {
		fmt.Fprint(c.out, "> ")
	}
}

func (c *console) println(s string) { fmt.Fprintln(c.out, s) }

// style renders the coach's messages for a terminal: bold and dim on a real
// terminal, plain characters when output is piped, so scripts and logs
// never see escape codes.
type style struct{ tty bool }

func styleFor(in io.Reader, out io.Writer) style {
	return style{tty: isTerminal(in) && isTerminal(out)}
}

func isTerminal(v any) bool {
	f, ok := v.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// text renders a message. Commands are typed here without a prefix; they
// and other literals to type stand between backticks. People's text is
// shown as they wrote it.
func (s style) text(m flows.Msg) string {
	var b strings.Builder
	for _, sp := range m {
		t := sp.Text
		switch sp.Kind {
		case flows.SpanCode, flows.SpanCommand:
			t = "`" + t + "`"
		case flows.SpanUser:
			t = terminalUserText(t)
		}
		switch {
		case !s.tty:
		case sp.Style == flows.StyleStrong:
			t = "\x1b[1m" + t + "\x1b[0m"
		case sp.Style == flows.StyleEmph:
			t = "\x1b[2m" + t + "\x1b[0m"
		}
		b.WriteString(t)
	}
	return b.String()
}

// note renders a side remark, dim on a terminal.
func (s style) note(t string) string { return s.text(flows.Say(flows.Text(t).Emph())) }

// terminalUserText shows people's text as they wrote it, decoded from its
// stored form: mentions as names, &lt; as "<".
func terminalUserText(stored string) string { return markup.Stored(stored).Plain(nil) }

// markdownUserText is people's text in a Markdown export.
func markdownUserText(stored string) string { return markup.Stored(stored).Markdown(nil) }

// resultMsg is a draft or review: the built-in coach's message, or the
// model's words.
func resultMsg(r assist.Result) flows.Msg {
	if r.Msg != nil {
		return r.Msg
	}
	return flows.Say(flows.Text(r.Text))
}

func (s style) bold(t string) string {
	if s.tty {
		return "\x1b[1m" + t + "\x1b[0m"
	}
	return t
}
