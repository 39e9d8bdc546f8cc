package flows

import "strings"

// Command is a parsed racebot command.
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
	// Example is a command that shows the arguments, for help.
	Example string
	// Args marks commands that take text after the command word.
	Args bool
}

var commandSpecs = []commandSpec{
	{Name: "help", Usage: "help", Help: "show this list"},
	{Name: "new", Usage: "new <name>", Help: "start a plan in this channel", Args: true},
	{Name: "plans", Usage: "plans", Help: "list this channel's plans"},
	{Name: "continue", Usage: "continue [name]", Help: "pick up a plan where it stopped", Args: true},
	{Name: "stage", Usage: "stage <stage>", Help: "jump to Plan, Reach, Act, Convert or Engage", Args: true},
	{Name: "skip", Usage: "skip", Help: "leave the open question for later"},
	{Name: "back", Usage: "back", Help: "go back one question"},
	{Name: "done", Usage: "done", Help: "finish the stage (or its actions) and move on"},
	{Name: "draft", Usage: "draft", Help: "help me write the answer to the open question"},
	{Name: "edit", Usage: "edit <stage> <n>", Help: "change an earlier answer", Example: "edit reach 2", Args: true},
	{Name: "status", Usage: "status", Help: "stages done, answers and actions"},
	{Name: "export", Usage: "export", Help: "the whole plan as Markdown"},
	{Name: "kpi", Usage: "kpi [stage]", Help: "set KPIs with SMART targets for a stage", Args: true},
	{Name: "funnel", Usage: "funnel", Help: "check that the stage targets add up to the revenue target"},
	{Name: "values", Usage: "values <kpi> <value>, …", Help: "record KPI values", Example: "values visitors 12.4k, leads 310", Args: true},
	{Name: "report", Usage: "report", Help: "a chart of every KPI against its target"},
	{Name: "checkin", Usage: "checkin <schedule>", Help: "weekly KPI check-ins", Example: "checkin every monday 09:00 Europe/Berlin", Args: true},
	{Name: "schedule", Usage: "schedule", Help: "the next check-ins and a log of past ones"},
	{Name: "pause", Usage: "pause", Help: "pause check-ins (holidays)"},
	{Name: "resume", Usage: "resume", Help: "resume check-ins"},
	{Name: "review", Usage: "review", Help: "a critique of the plan: gaps, weak KPIs, the funnel, quick wins"},
	{Name: "remind", Usage: "remind on|off", Help: "direct messages to you before this plan's check-ins close and its actions are due (on, the default), or none (off)", Args: true},
	{Name: "privacy", Usage: "privacy on|off", Help: "keep this plan's text away from the AI model (on), or allow drafting with it (off)", Args: true},
	{Name: "delete", Usage: "delete <name>", Help: "delete a plan (asks to confirm)", Args: true},
}

// ParseCommand reads a command without its prefix ("new Q1 Launch"): the
// command's name in a chat belongs to the transport, which cuts it off.
// An unknown command is a *UserError that lists what is available.
func ParseCommand(text string) (Command, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return Command{Name: "help"}, nil
	}
	word, arg, _ := strings.Cut(text, " ")
	name := strings.ToLower(word)
	if _, ok := findSpec(name); !ok {
		return Command{}, userErr(ErrBadInput, "I don't know the command %q. Try %s to see them all.", User(word), Cmd("help"))
	}
	return newCommand(name, strings.TrimSpace(arg)), nil
}

// newCommand makes a command of a known name and its trimmed argument.
func newCommand(name, arg string) Command {
	cmd := Command{Name: name, Arg: arg}
	if name == "delete" {
		if rest, ok := strings.CutSuffix(arg, "--yes"); ok {
			cmd.Arg, cmd.Yes = strings.TrimSpace(rest), true
		}
	}
	return cmd
}

func findSpec(name string) (commandSpec, bool) {
	for _, s := range commandSpecs {
		if s.Name == name {
			return s, true
		}
	}
	return commandSpec{}, false
}

func helpText() Msg {
	var b msgBuilder
	b.printf("%s coaches your team through a RACE plan: Plan, Reach, Act, Convert, Engage.\nCommands:\n", Text("racebot").Strong())
	for _, s := range commandSpecs {
		b.printf("• %s — %s", Cmd(s.Usage), s.Help)
		if s.Example != "" {
			b.printf(", e.g. %s", Cmd(s.Example))
		}
		b.add("\n")
	}
	b.printf("While a question is open, just reply with your answer; %s, %s, %s and %s work as replies too.", Code("skip"), Code("back"), Code("done"), Code("draft"))
	return b.msg()
}
