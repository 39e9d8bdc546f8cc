package flows

import (
	"strconv"
	"strings"
	"unicode"
)

// LineKind says what a line typed in a plan's conversation is.
type LineKind int

// A line is an answer unless it is exactly a command form; one that could
// be either is ambiguous, and the caller keeps it as the answer and offers
// the command.
const (
	LineAnswer LineKind = iota
	LineCommand
	LineAmbiguous
)

func (k LineKind) String() string {
	switch k {
	case LineCommand:
		return "command"
	case LineAmbiguous:
		return "ambiguous"
	}
	return "answer"
}

// LineContext is what Classify needs to know to tell whether a command's
// arguments parse where the line was typed.
type LineContext struct {
	Catalogue *Catalogue
	// Open is true while the plan waits for a reply (a question, an action
	// or a KPI), so a line may be an answer to it.
	Open bool
	// KPIs are the plan's KPIs, which the readings after `values` must name.
	KPIs []KPI
	// Actions are the plan's actions, one of which `action` must name.
	Actions []Action
	// LastActionNumber is the plan's (see Plan.LastActionNumber): `action`
	// naming a removed action's number is the command too, so its author
	// is told the action is gone rather than finding the line kept as an
	// answer.
	LastActionNumber int
	// PlanExists reports whether the channel has a plan of that name, for
	// `continue` and `delete`; nil means it has none.
	PlanExists func(name string) bool
	// ParseSchedule checks the schedule after `checkin`; nil means none
	// parses (check-ins are not available).
	ParseSchedule func(spec string) error
}

// MaxPlanName is the longest plan name, in characters: short enough for a
// Slack header and a modal title.
const MaxPlanName = 80

// Classify tells a command from an answer in a line typed without its prefix
// (lines with it are always commands, for ParseCommand). A line is a
// command only when it is exactly a command form: a command word alone, or
// one followed by arguments that parse here (`stage reach`, `edit plan 2`,
// `values visitors 12.4k`, `privacy on`, `continue <a plan of this
// channel>`). Anything else — "Stage by stage onboarding", "Status quo is
// fine", "Continue growing" — is an answer. `new <name>` while the plan
// waits for a reply could be either and is LineAmbiguous.
func Classify(text string, lc LineContext) (Command, LineKind) {
	text = strings.TrimSpace(text)
	word, arg := text, ""
	if i := strings.IndexFunc(text, unicode.IsSpace); i >= 0 {
		word, arg = text[:i], strings.TrimSpace(text[i:])
	}
	name := strings.ToLower(word)
	if name == "next" {
		// Step's other word for done, kept for people used to it.
		name = "done"
	}
	spec, ok := findSpec(name)
	switch {
	case !ok:
		return Command{}, LineAnswer
	case arg == "":
		// A word alone: commands that need arguments explain what to add.
		return newCommand(name, ""), LineCommand
	case !spec.Args:
		return Command{}, LineAnswer
	}
	cmd := newCommand(name, arg)
	switch {
	case name == "new" && !lc.Open:
		// Nothing to answer: a name too long is explained, not stored.
		return cmd, LineCommand
	case !parses(cmd, lc):
		return Command{}, LineAnswer
	case name == "new" && cmd.From == "":
		// With --from it can only be the command.
		return cmd, LineAmbiguous
	}
	return cmd, LineCommand
}

// parses reports whether a command's argument means something here.
func parses(cmd Command, lc LineContext) bool {
	switch cmd.Name {
	case "new":
		return len([]rune(cmd.Arg)) <= MaxPlanName
	case "continue", "delete":
		return lc.PlanExists != nil && cmd.Arg != "" && lc.PlanExists(cmd.Arg)
	case "stage", "kpi":
		_, ok := lc.Catalogue.Stage(cmd.Arg)
		return ok
	case "edit":
		_, _, ok := lc.Catalogue.findStep(cmd.Arg)
		return ok
	case "values":
		if len(lc.KPIs) == 0 {
			return false
		}
		// A line that names the plan's KPIs, or a catalogue KPI the plan
		// does not track, is the command even when a value can't be read
		// ("values visitors 1,25", "values leads 30" beside only the lead
		// rate): its author is told why, rather than finding it kept as
		// an answer.
		named := false
		resolve := KPIResolver(lc.KPIs)
		readings, _ := ParseReadings(cmd.Arg, func(token string) (string, UnitKind, bool) {
			named = named || isCatalogueName(token) || len(matchKPI(len(lc.KPIs), func(i int) (string, string, UnitKind) { return lc.KPIs[i].Key, lc.KPIs[i].Name, lc.KPIs[i].Unit }, token)) > 0 ||
				wordsOfKPI(lc.KPIs, token)
			return resolve(token)
		})
		return len(readings) > 0 || named
	case "kind":
		_, ok := ParseKind(cmd.Arg)
		return ok
	case "help":
		_, ok := helpTopics[strings.ToLower(cmd.Arg)]
		return ok
	case "privacy", "remind":
		switch strings.ToLower(cmd.Arg) {
		case "on", "off":
			return true
		}
	case "checkin":
		return lc.ParseSchedule != nil && lc.ParseSchedule(cmd.Arg) == nil
	case "score":
		_, err := ParseCapability(lc.Catalogue, cmd.Arg)
		return err == nil
	case "action":
		_, ref, err := ParseActionCommand(cmd.Arg)
		if err != nil {
			return false
		}
		p := &Plan{Actions: lc.Actions, LastActionNumber: lc.LastActionNumber}
		if n, ok := actionNumberRef(trimActionRef(ref)); ok && p.removedAction(n) {
			return true
		}
		_, err = p.FindAction(ref)
		return err == nil
	}
	return false
}

// findStep reads a question reference: "reach 2" or "reach.audience".
func (c *Catalogue) findStep(ref string) (stage, step int, ok bool) {
	if _, st, sp, found := c.Question(strings.TrimSpace(ref)); found {
		return st, sp, true
	}
	name, num, _ := strings.Cut(strings.TrimSpace(ref), " ")
	si, found := c.Stage(name)
	if !found {
		return 0, 0, false
	}
	n, err := strconv.Atoi(strings.TrimSpace(num))
	if err != nil || n < 1 || n > len(c.Stages[si].Steps()) {
		return 0, 0, false
	}
	return si, n - 1, true
}
