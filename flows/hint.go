package flows

import (
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// hintMaxWords bounds the lines CommandHint looks at: a command and its
// arguments are a few words ("action done 1", "stage nowhere"); a longer
// line that starts with a command word is a sentence ("Stage one of our
// launch is the pilot").
const hintMaxWords = 4

// CommandHint says, for a line Classify read as an answer while a
// question was open, what the command its author may have meant needs:
// "If you meant the stage command, name a stage: …". Such a line is kept
// as the answer (a line is a command only when it is exactly a command
// form); the hint keeps its author from believing a command ran. A hint on
// a real answer is noise, so it reports false for everything else, and is
// conservative:
//
//   - the line is one line of at most four words, not ending as a
//     sentence does (. ! ? …), and its first word is in lower case, as
//     commands are typed, or capitalised as phones write it; a capital
//     may start a sentence too ("Stage gate"), so then the words after it
//     must be unmistakably a try at the command's arguments (see
//     unmistakable), and a near miss of a command gets no hint;
//   - its first word is a command word that takes arguments, followed by
//     words that read as a try at them (see attempts): `stage nowhere`,
//     `action done 1` with no actions, `values visitors 12k` with no such
//     KPI, but not "score high", "edit later" or "action plan pending";
//   - or its first word is not a command but one edit (a letter added,
//     dropped or changed, past the first two) away from one, both of four
//     letters or more (`statu`, `stge reach`): alone, or followed by words
//     as above. Plurals and singulars of a command ("plan", "value",
//     "reports") and the step words' neighbours (none, note, ship, pack)
//     are everyday answers and get no hint.
//
// `new` gets no hint: one that could be the command is offered already.
func CommandHint(text string, lc LineContext) (Msg, bool) {
	text = strings.TrimSpace(text)
	// Every answer to a question comes here, most of them sentences: they
	// are turned away before anything is allocated.
	if text == "" || moreWordsThan(text, hintMaxWords) || strings.ContainsAny(text, "\n\r") {
		return nil, false
	}
	if last, _ := utf8.DecodeLastRuneInString(text); strings.ContainsRune(".!?…", last) {
		return nil, false
	}
	words := strings.Fields(text)
	word, args := words[0], words[1:]
	capital := false
	if lower := strings.ToLower(word); lower != word {
		if !capitalised(word) {
			return nil, false
		}
		word, capital = lower, true
	}
	if word == "next" || word == "new" {
		return nil, false
	}
	spec, exact := findSpec(word)
	if !exact {
		var ok bool
		// A capitalised word one letter from a command is a word of its
		// own ("Scope", "Expert") far more often than a typo.
		if spec, ok = nearCommand(word); !ok || capital {
			return nil, false
		}
	}
	if len(args) > 0 && !(spec.Args && attempts(spec.Name, args, lc) && (!capital || unmistakable(spec.Name, args, lc))) {
		return nil, false
	}
	if exact && len(args) == 0 {
		return nil, false
	}
	return Sayf("If you meant the %s command, %s", Cmd(spec.Name), commandNeeds(spec, lc)), true
}

// attempts reports whether args, the words after command name, read as a
// try at its arguments, which the words of an answer rarely do. The
// arguments of `continue` and `delete` are a plan's name, which cannot be
// told from an answer's words: they never do.
func attempts(name string, args []string, lc LineContext) bool {
	switch name {
	case "stage", "kpi", "kind":
		return len(args) == 1 && allLetters(args[0])
	case "edit":
		return len(args) <= 2 && slices.ContainsFunc(args, func(a string) bool { return hasDigit(a) || isStageName(a, lc) })
	case "action":
		return near(args[0], "open", "doing", "done", "drop", "dropped")
	case "values":
		return slices.ContainsFunc(args, hasDigit)
	case "score":
		return slices.ContainsFunc(args, func(a string) bool { return isStageName(strings.TrimRight(a, ",:"), lc) })
	case "help":
		return len(args) == 1 && near(args[0], "kpi", "kpis", "action", "actions")
	case "privacy", "remind":
		return len(args) == 1 && (near(args[0], "on", "off") || switchWords[strings.ToLower(args[0])])
	case "checkin":
		return slices.ContainsFunc(args, func(a string) bool { return hasDigit(a) || scheduleWords[strings.ToLower(a)] })
	}
	return false
}

// capitalised reports whether word is written as a phone starts a line:
// its first letter in upper case, the rest in lower case. Classify reads
// such a word as the command it spells ("Stage reach" runs), so its hint
// must too; a word in capitals ("KPI growth") is not a command typed.
func capitalised(word string) bool {
	r, n := utf8.DecodeRuneInString(word)
	return unicode.IsUpper(r) && strings.ToLower(word[n:]) == word[n:]
}

// unmistakable reports whether the arguments after a capitalised command
// word are a try at them even where the line could be a sentence's start.
// One word of letters is an attempt in lower case, but "Stage gate", "Kpi
// dashboard" and "Kind regards" are answers: with a capital, the word must
// be one letter from a stage or a kind. A schedule needs a number, so
// "Checkin weekly" stays an answer; an edit, only numbers and stages.
func unmistakable(name string, args []string, lc LineContext) bool {
	switch name {
	case "stage", "kpi":
		if lc.Catalogue == nil {
			return false
		}
		return slices.ContainsFunc(lc.Catalogue.Stages, func(st Stage) bool { return near(args[0], strings.ToLower(st.Name)) })
	case "kind":
		for _, w := range kindWords {
			if near(args[0], w) {
				return true
			}
		}
		return false
	case "checkin":
		return slices.ContainsFunc(args, hasDigit)
	case "edit":
		// "Edit 3 videos" is a plan's action: every word must be a
		// question's number or one letter from a stage.
		return !slices.ContainsFunc(args, func(a string) bool {
			return !allDigits(a) && (lc.Catalogue == nil || !slices.ContainsFunc(lc.Catalogue.Stages, func(st Stage) bool { return near(a, strings.ToLower(st.Name)) }))
		})
	}
	return true
}

// switchWords are what people type for on and off.
var switchWords = map[string]bool{"yes": true, "no": true, "true": true, "false": true, "enable": true, "enabled": true, "disable": true, "disabled": true}

// scheduleWords start a check-in schedule.
var scheduleWords = map[string]bool{"every": true, "daily": true, "weekly": true, "monthly": true, "biweekly": true, "cron": true,
	"monday": true, "tuesday": true, "wednesday": true, "thursday": true, "friday": true, "saturday": true, "sunday": true}

// near reports whether word, in any case, is one of targets or one edit
// from one.
func near(word string, targets ...string) bool {
	word = strings.ToLower(word)
	return slices.ContainsFunc(targets, func(t string) bool { return word == t || oneEdit(word, t) })
}

func isStageName(word string, lc LineContext) bool {
	if lc.Catalogue == nil {
		return false
	}
	return slices.ContainsFunc(lc.Catalogue.Stages, func(st Stage) bool { return strings.EqualFold(st.Name, word) })
}

func hasDigit(s string) bool { return strings.ContainsAny(s, "0123456789") }

func allLetters(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return !unicode.IsLetter(r) }) < 0
}

// moreWordsThan reports whether s has more than n words, reading no
// further than the word past n.
func moreWordsThan(s string, n int) bool {
	words, inWord := 0, false
	for _, r := range s {
		space := unicode.IsSpace(r)
		if !space && !inWord {
			if words++; words > n {
				return true
			}
		}
		inWord = !space
	}
	return false
}

// stepWords are the replies a near miss of is not looked for.
var stepWords = map[string]bool{"skip": true, "back": true, "done": true, "draft": true}

// nearCommand finds the command one edit away from word, past its first
// two letters, which typos rarely miss; a word near two commands is not
// guessed at.
func nearCommand(word string) (commandSpec, bool) {
	if utf8.RuneCountInString(word) < 4 || !allLetters(word) {
		return commandSpec{}, false
	}
	var found []commandSpec
	for _, s := range commandSpecs {
		if len(s.Name) >= 4 && !stepWords[s.Name] && word[:2] == s.Name[:2] && !pluralOf(word, s.Name) && oneEdit(word, s.Name) {
			found = append(found, s)
		}
	}
	if len(found) != 1 {
		return commandSpec{}, false
	}
	return found[0], true
}

// pluralOf reports whether word is the plural of command name, or the
// singular of a command named by a plural: a word of its own ("stages",
// "reports", "plan", "value"), where "statu" is a typo.
func pluralOf(word, name string) bool {
	return word == name+"s" || (word+"s" == name && pluralCommands[name])
}

var pluralCommands = map[string]bool{"plans": true, "values": true, "actions": true}

// oneEdit reports whether a and b differ by exactly one letter added,
// dropped or changed.
func oneEdit(a, b string) bool {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > len(rb) {
		ra, rb = rb, ra
	}
	if len(rb)-len(ra) > 1 {
		return false
	}
	i := 0
	for i < len(ra) && ra[i] == rb[i] {
		i++
	}
	if len(ra) == len(rb) {
		return i < len(ra) && string(ra[i+1:]) == string(rb[i+1:])
	}
	return string(ra[i:]) == string(rb[i+1:])
}

// commandNeeds says what a command needs to run, finishing the sentence
// CommandHint starts. Its examples are help's where they fit any plan, so
// that the two never teach different forms.
func commandNeeds(spec commandSpec, lc LineContext) Msg {
	switch spec.Name {
	case "stage", "kpi":
		var names []string
		if lc.Catalogue != nil {
			for _, st := range lc.Catalogue.Stages {
				names = append(names, strings.ToLower(st.Name))
			}
		}
		return Sayf("name a stage: %s.", Text(orList(names)))
	case "edit":
		return Sayf("name a stage and a question's number, as in %s.", Cmd(spec.Example))
	case "values":
		if len(lc.KPIs) == 0 {
			return Sayf("the plan needs KPIs first; %s sets them.", Cmd("kpi"))
		}
		k := lc.KPIs[0]
		return Sayf("name one of the plan's KPIs and its value, as in %s.", Cmd("values "+k.Key+" "+FieldExample(k)))
	case "action":
		if len(lc.Actions) == 0 {
			return Say(Text("the plan has no actions yet to mark."))
		}
		// Not help's example: its number may be one this plan lacks.
		return Sayf("give a status (open, doing, done or dropped) and an action's number or words, as in %s; %s lists them.", Cmd("action done "+strconv.Itoa(lc.Actions[0].Number)), Cmd("actions"))
	case "kind":
		words := make([]string, 0, len(kindWords))
		for _, k := range Kinds() {
			words = append(words, kindWords[k])
		}
		return Sayf("name one: %s.", Text(orList(words)))
	case "help":
		return Sayf("type %s alone, or %s or %s.", Cmd("help"), Cmd("help kpi"), Cmd("help actions"))
	case "privacy", "remind":
		return Sayf("add %s or %s.", Code("on"), Code("off"))
	case "checkin":
		if lc.ParseSchedule == nil {
			return Say(Text("check-ins are not available here."))
		}
		return Sayf("give a schedule it can read, as in %s.", Cmd(spec.Example))
	case "score":
		return Sayf("rate every stage from 1 to 5, as in %s.", Cmd(spec.Example))
	case "continue", "delete":
		return Sayf("name a plan of this channel; %s lists them.", Cmd("plans"))
	}
	return Sayf("type %s on its own.", Cmd(spec.Name))
}
