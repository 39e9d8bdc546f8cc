// Package terminal is racebot's terminal transport: the same coaching
// service as in Slack, driven by lines typed (or piped) on standard input
// and answered as plain text, bold and dim only on a real terminal.
package terminal

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/racebot/racebot/assist"
	"github.com/racebot/racebot/charts"
	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/markup"
	"github.com/racebot/racebot/report"
)

// The terminal is one workspace with one channel: the same service and store
// as in Slack, addressed with fixed IDs.
const (
	Team    = "local"
	Channel = "terminal"
)

// Config wires a terminal coach.
type Config struct {
	Service   *coach.Service
	Assistant *assist.Assistant
	// Dir is where report charts are written: beside the database.
	Dir  string
	User string
	// In and Out are the conversation's streams; Styled turns on bold and
	// dim (a real terminal at both ends).
	In     io.Reader
	Out    io.Writer
	Styled bool
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// console is the terminal front door: lines in, plain text out.
type console struct {
	svc       *coach.Service
	assistant *assist.Assistant
	dir       string
	user      string
	out       io.Writer
	style     style
	now       func() time.Time
	// session and seq make each line's delivery key, the terminal's
	// counterpart of a Slack event id.
	session string
	seq     int
	// plan is the plan this window is on: the one it opened on, started
	// or continued. Another window on the file may make another plan the
	// current one; this window's lines still go to this one. Until the
	// window has one (0), the current plan is used.
	plan     flows.PlanID
	planName string
	// saw is what the coach last asked on this console: a reply answers
	// that, even when another session on the same plan moved on.
	saw string
	// pending, when set, takes the next line: the answer to a question the
	// console asked (confirm a deletion, use a draft).
	pending func(ctx context.Context, line string)
	// lastReview is the latest review shown on this console, for an export
	// of its plan to include even when storing it failed.
	lastReview *flows.ExportReview
}

// Run talks with the person until input ends, they type quit, or ctx ends
// (Ctrl-C, SIGTERM): then it returns at once, between two lines, so nothing
// is left half-written.
func Run(ctx context.Context, cfg Config) error {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	var id [6]byte
	rand.Read(id[:])
	c := &console{
		svc: cfg.Service, assistant: cfg.Assistant, dir: cfg.Dir, user: cfg.User,
		out: cfg.Out, style: style{tty: cfg.Styled}, now: cfg.Now, session: hex.EncodeToString(id[:]),
	}
	return c.loop(ctx, cfg.In)
}

func (c *console) loop(ctx context.Context, stdin io.Reader) error {
	c.greet(ctx)
	lines, errc := readLines(stdin)
	c.prompt()
	for {
		// Reading happens on its own goroutine, so a signal ends the wait
		// for input at once instead of after the next Enter.
		select {
		case <-ctx.Done():
			c.println("")
			return nil
		case in, ok := <-lines:
			if !ok {
				if err := <-errc; err != nil {
					return fmt.Errorf("read input: %w", err)
				}
				c.println("")
				return nil
			}
			if in.tooLong {
				c.println(fmt.Sprintf("That line is longer than %d MiB, so I left it out and saved nothing. Split it over several replies, or shorten it.", maxLine>>20))
				c.prompt()
				continue
			}
			line := strings.TrimSpace(in.text)
			if line == "quit" || line == "exit" {
				return nil
			}
			c.handle(ctx, line)
			c.prompt()
		}
	}
}

// maxLine is the longest line the console reads: long answers are
// welcome, a pasted file is not.
const maxLine = 1 << 20

// inputLine is one line typed or piped, without its line end; tooLong
// says it ran past maxLine and was left out.
type inputLine struct {
	text    string
	tooLong bool
}

// readLines reads stdin line by line on a goroutine of its own. A line
// past maxLine is read to its end and passed on as too long, and reading
// goes on after it; a bufio.Scanner would stop there for good. The
// goroutine may stay blocked in a read after Run returns; the process is
// ending then.
func readLines(stdin io.Reader) (<-chan inputLine, <-chan error) {
	lines := make(chan inputLine)
	errc := make(chan error, 1)
	go func() {
		defer close(lines)
		r := bufio.NewReaderSize(stdin, 64*1024)
		for {
			in, err := readLine(r)
			if err != nil && !errors.Is(err, io.EOF) {
				errc <- err
				return
			}
			if in.text != "" || in.tooLong || err == nil {
				lines <- in
			}
			if err != nil {
				errc <- nil
				return
			}
		}
	}()
	return lines, errc
}

// readLine reads up to and including the next line feed and returns the
// line without it (and without a carriage return before it). It keeps no
// more than maxLine bytes: the rest of a longer line is read and dropped.
// At the end of the input it returns what the last line held and io.EOF.
func readLine(r *bufio.Reader) (inputLine, error) {
	var buf []byte
	var in inputLine
	for {
		chunk, err := r.ReadSlice('\n')
		if !in.tooLong {
			content := len(buf) + len(bytes.TrimRight(chunk, "\r\n"))
			if content > maxLine {
				in.tooLong, buf = true, nil
			} else {
				buf = append(buf, chunk...)
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if !in.tooLong {
			in.text = strings.TrimSuffix(strings.TrimSuffix(string(buf), "\n"), "\r")
		}
		return in, err
	}
}

func (c *console) greet(ctx context.Context) {
	c.println(c.style.bold("racebot") + " — your RACE planning coach (Plan, Reach, Act, Convert, Engage).")
	req := c.request("continue")
	resp, err := c.svc.Handle(ctx, req)
	if errors.Is(err, flows.ErrNoPlan) {
		c.println("Start a plan with `new <name>`, for example `new Q1 Launch`. Type `help` for every command, `quit` to leave.")
		return
	}
	c.show(ctx, resp, err)
}

func (c *console) request(text string) coach.Request {
	c.seq++
	return coach.Request{
		Team: Team, Channel: Channel, User: c.user, Text: text, Now: c.now(), Saw: c.saw, Plan: c.plan,
		Key: fmt.Sprintf("terminal:%s:%d", c.session, c.seq), Review: c.lastReview,
		ResumeRetro: true,
	}
}

func (c *console) handle(ctx context.Context, line string) {
	if next := c.pending; next != nil {
		c.pending = nil
		next(ctx, line)
		return
	}
	c.run(ctx, c.request(typed(line)))
}

// typed is a line as the coach keeps what people type: in Slack's
// encoding, so "R&D" typed here and "R&D" typed in Slack are the same plan
// name, answer or KPI.
func typed(line string) string { return string(markup.FromPlain(line)) }

func (c *console) run(ctx context.Context, req coach.Request) {
	resp, err := c.svc.Handle(ctx, req)
	if errors.Is(err, coach.ErrPlanGone) && c.plan != 0 {
		err = &flows.UserError{Err: err, Msg: flows.Sayf("The plan this window was on, %q, no longer exists (it may have been deleted in another window), so nothing was saved; pick another with %s, or start one with %s.", flows.User(c.planName), flows.Cmd("continue <name>"), flows.Cmd("new <name>"))}
	}
	c.show(ctx, resp, err)
}

func (c *console) show(ctx context.Context, resp coach.Response, err error) {
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

func (c *console) render(ctx context.Context, resp coach.Response) {
	if resp.Plan != nil && (resp.Created || resp.Continued) {
		c.plan, c.planName = resp.Plan.ID, resp.Plan.Name
	}
	for _, r := range resp.Replies {
		if asks := r.Asks(); asks != "" {
			c.saw = asks
			// A window that opened on no plan is on the first one whose
			// question it shows, though another window started it: the
			// reply to that question belongs to that plan, not to one
			// another window continues meanwhile.
			if c.plan == 0 && resp.Plan != nil {
				c.plan, c.planName = resp.Plan.ID, resp.Plan.Name
			}
		}
		switch r.Kind {
		case flows.ReplyExport:
			c.println(visible(r.Markdown))
		case flows.ReplyRetroQuestion:
			c.println(c.style.text(retroPrompt(r.QuestionID)))
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
		res := c.assistant.SuggestKPIs(ctx, resp.Plan, nil, resp.Draft.Stage, nil)
		if res.Note != "" {
			c.println(c.style.note(res.Note))
		}
		c.println(c.style.text(resultMsg(res)))
	case resp.Draft != nil:
		c.draft(ctx, resp.Plan, resp.Draft)
	case resp.Review:
		c.review(ctx, resp.Plan)
	case resp.Report:
		c.report(ctx, resp.Plan)
	case hasKind(resp.Replies, flows.ReplyScoreForm):
		c.rateCapability(ctx)
	case hasKind(resp.Replies, flows.ReplyRetro):
		if asks, ok := retroAsks(resp.Replies); ok {
			c.answerRetro(resp.Retro, asks)
		}
	}
}

// report writes the KPI chart as a PNG beside the database and says where.
func (c *console) report(ctx context.Context, p *flows.Plan) {
	ms, err := c.svc.Measurements(ctx, p.Team, p.ID)
	if err != nil {
		c.println(c.style.text(flows.Explain(err)))
		return
	}
	var png bytes.Buffer
	name := terminalUserText(p.Name)
	if err := report.Chart(&png, name+" · KPI progress", p, ms, c.now(), time.Local); err != nil {
		c.println(c.style.text(flows.Explain(err)))
		return
	}
	path := filepath.Join(c.dir, flows.Slug(name)+"-kpis.png")
	if err := os.WriteFile(path, png.Bytes(), 0o644); err != nil {
		c.println(visible(fmt.Sprintf("Could not write the chart to %s: %v", path, err)))
		return
	}
	c.println(visible("Chart written to " + path))

	// The funnel beside it, when the plan tracks any of its stages.
	png.Reset()
	caption := flows.FunnelCaption(p.KPIs)
	err = report.Funnel(&png, name+" · Funnel, "+caption, p.KPIs, ms)
	switch {
	case errors.Is(err, charts.ErrNoData):
		return
	case err != nil:
		c.println(c.style.text(flows.Explain(err)))
		return
	}
	path = filepath.Join(c.dir, flows.Slug(name)+"-funnel.png")
	if err := os.WriteFile(path, png.Bytes(), 0o644); err != nil {
		c.println(visible(fmt.Sprintf("Could not write the funnel to %s: %v", path, err)))
		return
	}
	c.println(visible("Funnel, " + caption + ", written to " + path))
}

// draft shows a draft. A model's draft can become the answer (y), be
// edited first (e) or be dropped (n); the built-in coach's help is only
// shown, since its example is about another business.
func (c *console) draft(ctx context.Context, p *flows.Plan, d *flows.DraftRequest) {
	questionID := d.QuestionID
	res := c.assistant.Draft(ctx, p, nil, questionID, nil)
	if res.Note != "" {
		c.println(c.style.note(res.Note))
	}
	if !res.FromModel {
		c.println(c.style.text(resultMsg(res)))
		return
	}
	c.println("Draft:\n" + visible(res.Text))
	c.println("Use this draft? y = save it as the answer, e = edit it first, n = discard it")
	// The answer goes to the plan the draft was written for, though
	// another window on this file makes another plan current meanwhile.
	forPlan := func() coach.Request {
		req := c.request("")
		req.Plan = p.ID
		return req
	}
	// Another window may have deleted it meanwhile too.
	gone := func(err error) error {
		if errors.Is(err, flows.ErrNoPlan) {
			return &flows.UserError{Err: err, Msg: flows.Sayf("The plan this draft was for, %q, no longer exists; it may have been deleted in another window. Nothing was saved.", flows.User(p.Name))}
		}
		return err
	}
	// An answer another window gave or changed since the draft was asked
	// for, which this one has not seen, keeps its words beside the draft.
	shown := map[string]int{questionID: d.Revision}
	c.pending = func(ctx context.Context, line string) {
		switch strings.ToLower(strings.TrimSpace(line)) {
		case "y", "yes":
			resp, err := c.svc.AcceptDraftShown(ctx, forPlan(), questionID, typed(res.Text), shown)
			c.show(ctx, resp, gone(err))
		case "e", "edit":
			c.println("Type your version of the answer:")
			c.pending = func(ctx context.Context, line string) {
				resp, err := c.svc.EditAnswersShown(ctx, forPlan(), map[string]string{questionID: typed(line)}, shown)
				c.show(ctx, resp, gone(err))
			}
		default:
			c.println("Draft discarded. Type your own answer when you're ready.")
		}
	}
}

func (c *console) review(ctx context.Context, p *flows.Plan) {
	kpis, err := c.svc.KPIs(ctx, p.Team, p.ID)
	if err != nil {
		c.println(c.style.text(flows.Explain(err)))
		return
	}
	// Dated when asked, as in Slack: a slower review of an older plan,
	// from another window, must not replace a newer one as the latest.
	asked := c.now()
	res := c.assistant.Review(ctx, p, nil, kpis, asked, nil)
	if res.Note != "" {
		c.println(c.style.note(res.Note))
	}
	c.println(c.style.text(resultMsg(res)))
	// Kept as shown, without the terminal's colours.
	text := string(markup.FromPlain(style{}.text(resultMsg(res))))
	if res.FromModel {
		text = string(markup.FromPlain(res.Text))
	}
	r := flows.ExportReview{Plan: p.ID, At: asked, By: c.user, Text: text, FromModel: res.FromModel}
	c.lastReview = &r
	if err := c.svc.ReviewGiven(ctx, p.Team, p.ID, r.Text, r.FromModel, r.By, r.At); err != nil {
		// The export of this session still has it; another may not.
		c.println(c.style.note("The review could not be kept for later exports."))
		c.println(c.style.text(flows.Explain(err)))
	}
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

// IsTerminal reports whether v is a character device: a person at a
// keyboard rather than a pipe or a file.
func IsTerminal(v any) bool {
	f, ok := v.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// text renders a message. Commands are typed here without a prefix; they
// and other literals to type stand between backticks. People's text is
// shown as they wrote it, but for control characters, which are shown
// escaped (see visible).
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
		t = visible(t)
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

// visible shows the control characters in s instead of sending them to
// the terminal, which would act on them: an escape sequence someone typed
// or stored could recolour the screen, move the cursor, retitle the window
// or, on some terminals, answer back as if typed. C0 controls and DEL
// are written in caret notation (ESC is ^[, as a terminal echoes it), C1
// controls and the bidirectional overrides as \u009b; bytes that are not
// UTF-8 become U+FFFD. Line feeds and tabs stay: they only lay text out.
func visible(s string) string {
	clean := true
	for _, r := range s {
		if control(r) || r == utf8.RuneError {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n' || r == '\t':
			b.WriteRune(r)
		case r < 0x20:
			b.WriteString("^" + string(rune(r+'@')))
		case r == 0x7f:
			b.WriteString("^?")
		case control(r):
			fmt.Fprintf(&b, "\\u%04x", r)
		default:
			// Invalid bytes arrive as utf8.RuneError, written as U+FFFD.
			b.WriteRune(r)
		}
	}
	return b.String()
}

// control reports whether visible escapes r.
func control(r rune) bool {
	switch {
	case r == '\n' || r == '\t':
		return false
	case r < 0x20, r >= 0x7f && r <= 0x9f:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

// note renders a side remark, dim on a terminal.
func (s style) note(t string) string { return s.text(flows.Say(flows.Text(t).Emph())) }

// terminalUserText shows people's text as they wrote it, decoded from its
// stored form: mentions as names, &lt; as "<".
func terminalUserText(stored string) string { return markup.Stored(stored).Plain(nil) }

// MarkdownUserText is people's text in a Markdown export.
func MarkdownUserText(stored string) string { return markup.Stored(stored).Markdown(nil) }

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
