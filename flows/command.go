package flows

import (
	"fmt"
	"strings"
)

// Command is a parsed `/race` command.
type Command struct {
	Name string
	Arg  string
	// Yes confirms a destructive command (`delete <name> --yes`).
	Yes bool
}

// commandSpec documents one command; the table drives parsing and help.
type commandSpec struct {
	Name  string
	Usage string
	Help  string
	// Bare marks commands that work without `/race` when typed alone, as a
	// reply in the coaching conversation.
	Bare bool
}

var commandSpecs = []commandSpec{
	{Name: "help", Usage: "help", Help: "show this list", Bare: true},
	{Name: "new", Usage: "new <name>", Help: "start a plan in this channel"},
	{Name: "plans", Usage: "plans", Help: "list this channel's plans", Bare: true},
	{Name: "continue", Usage: "continue [name]", Help: "pick up a plan where it stopped", Bare: true},
	{Name: "stage", Usage: "stage <stage>", Help: "jump to Plan, Reach, Act, Convert or Engage"},
	{Name: "status", Usage: "status", Help: "stages done, answers and actions", Bare: true},
	{Name: "export", Usage: "export", Help: "the whole plan as Markdown", Bare: true},
	{Name: "delete", Usage: "delete <name>", Help: "delete a plan (asks to confirm)"},
}

// ParseCommand reads the text after `/race`. An unknown command is a
// *UserError that lists what is available.
func ParseCommand(text string) (Command, error) {
	text = strings.TrimSpace(text)
	text = strings.TrimSpace(strings.TrimPrefix(text, "/race"))
	if text == "" {
		return Command{Name: "help"}, nil
	}
	word, arg, _ := strings.Cut(text, " ")
	cmd := Command{Name: strings.ToLower(word), Arg: strings.TrimSpace(arg)}
	if _, ok := findSpec(cmd.Name); !ok {
		return Command{}, userErr(ErrBadInput, "I don't know the command %q. Try `/race help` to see them all.", word)
	}
	if cmd.Name == "delete" {
		if rest, ok := strings.CutSuffix(cmd.Arg, "--yes"); ok {
			cmd.Arg, cmd.Yes = strings.TrimSpace(rest), true
		}
	}
	return cmd, nil
}

func findSpec(name string) (commandSpec, bool) {
	for _, s := range commandSpecs {
		if s.Name == name {
			return s, true
		}
	}
	return commandSpec{}, false
}

// bareCommand recognises a command typed without `/race` in a conversation.
// Only whole-line command words count, so an answer that merely starts with
// "new" or "status" is never mistaken for one; commands that take free text
// need `/race` unless no question is waiting for an answer.
func bareCommand(text string, answering bool) (Command, bool) {
	text = strings.TrimSpace(text)
	if strings.HasPrefix(text, "/race") {
		cmd, err := ParseCommand(text)
		return cmd, err == nil
	}
	word, arg, _ := strings.Cut(text, " ")
	spec, ok := findSpec(strings.ToLower(word))
	if !ok {
		return Command{}, false
	}
	arg = strings.TrimSpace(arg)
	if (spec.Bare && arg == "") || !answering {
		cmd, err := ParseCommand(text)
		return cmd, err == nil
	}
	return Command{}, false
}

func helpText() string {
	var b strings.Builder
	b.WriteString("*racebot* coaches your team through a RACE plan: Plan, Reach, Act, Convert, Engage.\nCommands (`/race <command>`):\n")
	for _, s := range commandSpecs {
		fmt.Fprintf(&b, "• `%s` — %s\n", s.Usage, s.Help)
	}
	b.WriteString("While a question is open, reply with your answer, or `skip`, `back`, `done` (finish the stage), `draft` (help me write it), `stage <name>`, `edit <stage> <n>`.")
	return b.String()
}
