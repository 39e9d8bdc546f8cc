package flows

import (
	"slices"
	"strings"
	"sync"
)

// Command is a parsed racebot command.
type Command struct {
	Name string
	Arg  string
	// Yes confirms a destructive command (`delete <name> --yes`).
	Yes bool
	// From names the plan a new one starts from (`new <name> --from <plan>`).
	From string
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
	{Name: "help", Usage: "help [kpi|actions]", Help: "show this list, or how to write a KPI or an action line", Example: "help kpi", Args: true},
	{Name: "new", Usage: "new <name> [--from <plan>]", Help: "start a plan in this channel; --from offers an earlier plan's answers and carries its KPIs over", Example: `new Q2 Plan --from "Q1 Launch"`, Args: true},
	{Name: "plans", Usage: "plans", Help: "list this channel's plans"},
	{Name: "continue", Usage: "continue [name]", Help: "pick up a plan where it stopped", Args: true},
	{Name: "kind", Usage: "kind <kind>", Help: "the kind of business, so examples and KPI suggestions fit: saas, ecommerce, local, agency or nonprofit", Example: "kind saas", Args: true},
	{Name: "stage", Usage: "stage <stage>", Help: "jump to Plan, Reach, Act, Convert or Engage", Args: true},
	{Name: "skip", Usage: "skip", Help: "leave the open question for later"},
	{Name: "back", Usage: "back", Help: "go back one question"},
	{Name: "done", Usage: "done", Help: "finish the stage (or its actions) and move on"},
	{Name: "draft", Usage: "draft", Help: "help me write the answer to the open question"},
	{Name: "edit", Usage: "edit <stage> <n>", Help: "change an earlier answer", Example: "edit reach 2", Args: true},
	{Name: "status", Usage: "status", Help: "stages done, answers, actions, KPIs and the plan score"},
	{Name: "export", Usage: "export", Help: "the whole plan as Markdown"},
	{Name: "kpi", Usage: "kpi [stage]", Help: "set KPIs with SMART targets for a stage", Args: true},
	{Name: "funnel", Usage: "funnel", Help: "check that the stage targets add up to the revenue target"},
	{Name: "values", Usage: "values <kpi> <value>, …", Help: "record KPI values", Example: "values visitors 12.4k, leads 310", Args: true},
	{Name: "report", Usage: "report", Help: "a chart of every KPI against its target"},
	{Name: "checkin", Usage: "checkin <schedule>", Help: "KPI check-ins on a schedule: weekly, every few weeks, monthly or cron", Example: "checkin every monday 09:00 Europe/Berlin", Args: true},
	{Name: "schedule", Usage: "schedule", Help: "the next check-ins and a log of past ones"},
	{Name: "pause", Usage: "pause", Help: "pause check-ins (holidays)"},
	{Name: "resume", Usage: "resume", Help: "resume check-ins"},
	{Name: "review", Usage: "review", Help: "a critique of the plan: gaps, weak KPIs, the funnel, quick wins"},
	{Name: "actions", Usage: "actions", Help: "the plan's actions, numbered, with their status"},
	{Name: "action", Usage: "action <status> <n or words>", Help: "mark an action open, doing, done or dropped", Example: "action done 2", Args: true},
	{Name: "score", Usage: "score", Help: "rate the team's capability per stage (1–5) and see where to invest next; ratings can follow the word", Example: "score plan 3, reach 2, act 3, convert 2, engage 4", Args: true},
	{Name: "retro", Usage: "retro", Help: "close the quarter: each KPI against its target, actions done and not, three questions"},
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
	if name == "new" {
		cmd.Arg, cmd.From = cutFrom(arg)
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

// The help texts never change, and help is the command people
// send most: each is built once and handed out as a copy.
var (
	helpText   = onceMsg(buildHelpText)
	kpiHelp    = onceMsg(buildKPIHelp)
	actionHelp = onceMsg(buildActionHelp)
)

// onceMsg builds a message on first use and shares it after, as the
// prompts are shared (see promptMemo): clipped, so that a caller appending
// to it copies, and never changed in place. Help is what people ask for
// most, and a fresh copy for each asker was most of what answering them
// allocated.
func onceMsg(build func() Msg) func() Msg {
	return sync.OnceValue(func() Msg { return slices.Clip(build()) })
}

func buildHelpText() Msg {
	var b msgBuilder
	b.printf("%s coaches your team through a RACE plan: Plan, Reach, Act, Convert, Engage.\nCommands:\n", Text("racebot").Strong())
	for _, s := range commandSpecs {
		b.printf("• %s — %s", Cmd(s.Usage), s.Help)
		if s.Example != "" {
			b.printf(", e.g. %s", Cmd(s.Example))
		}
		b.add("\n")
	}
	b.printf("While a question is open, just reply with your answer; %s, %s, %s and %s work as replies too. %s and %s show how to write KPI and action lines.",
		Code("skip"), Code("back"), Code("done"), Code("draft"), Cmd("help kpi"), Cmd("help actions"))
	return b.msg()
}

// helpTopics are the subjects `help <topic>` explains, by the words people
// use for them.
var helpTopics = map[string]func() Msg{
	"kpi": kpiHelp, "kpis": kpiHelp, "targets": kpiHelp, "target": kpiHelp,
	"action": actionHelp, "actions": actionHelp,
}

// HelpTopic explains one topic, or lists the commands for "".
func HelpTopic(topic string) (Msg, error) {
	topic = strings.ToLower(strings.TrimSpace(topic))
	if topic == "" {
		return helpText(), nil
	}
	if f, ok := helpTopics[topic]; ok {
		return f(), nil
	}
	return nil, userErr(ErrBadInput, "I have help on %s and %s; %s lists the commands.", Cmd("help kpi"), Cmd("help actions"), Cmd("help"))
}

func buildKPIHelp() Msg {
	var b msgBuilder
	b.printf("%s One KPI per line, its name first, then the parts separated by %s in any order:\n", Text("KPI lines.").Strong(), Code("|"))
	b.printf("• %s\n", Code(kpiLineExample))
	b.printf("• %s — today's value; %s — the value to reach (%s and %s work too)\n", Code("baseline 8k"), Code("target 20k"), Code("from"), Code("to"))
	b.printf("• %s, %s, %s or %s — the deadline\n", Code("by 2027-03-31"), Code("by 31 Mar"), Code("by end of March"), Code("in 12 weeks"))
	b.printf("• %s, or a name or a mention alone — who reports it at check-ins\n", Code("owner Ana"))
	b.printf("• %s, %s, %s, %s or %s — the period of a count or an amount, so the funnel compares like with like\n", Code("per month"), Code("per week"), Code("per quarter"), Code("per year"), Code("over the plan"))
	b.printf("A line for a KPI the plan already has replaces its target; the baseline, owner and period it leaves out stay as they were (%s clears the baseline).\n", Code("baseline none"))
	b.printf("Values: %s, %s, %s, %s or %s, %s. A share can't pass 100%%.\n", Code("12.4k"), Code("$18,250"), Code("2.5%"), Code("2m 30s"), Code("14 days"), Code("4.5"))
	b.printf("Lower is better for churn, costs (%s, %s, %s), bounce and unsubscribe rates and time to first value: aim below the baseline.\n", Code("cost-per-lead"), Code("cpa"), Code("cac"))
	b.printf("Your own KPI: %s. In the parentheses: count, currency, percent, duration or ratio, and %s where less is the goal (churn, cost per lead); a target below the baseline reads as lower is better too.",
		Code(customKPIExample), Code("lower is better"))
	return b.msg()
}

func buildActionHelp() Msg {
	var b msgBuilder
	b.printf("%s One action per line: what, then owner, due date, impact and effort, separated by %s, %s or %s:\n", Text("Action lines.").Strong(), Code("|"), Code(" - "), Code(","))
	b.printf("• %s\n", Code("Add reviews to product pages | Ana | 2027-02-15 | impact 4 | effort 2"))
	b.printf("• %s\n", Code("Launch the referral scheme - Sara - by end of February - impact 4, effort 3"))
	b.printf("Due dates: %s, %s, %s, %s, %s, %s (the end of the quarter). Impact and effort are scores from 1 (low) to 5 (high); quick wins, high impact for low effort, go first.\n",
		Code("2027-02-15"), Code("15 Mar"), Code("end of February"), Code("next friday"), Code("in 2 weeks"), Code("Q1"))
	b.printf("The owner is a person: a name such as %s or a mention.", Code("Sara"))
	return b.msg()
}
