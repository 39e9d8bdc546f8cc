package flows

import (
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
// form); the hint keeps its author from believing a command ran. It
// reports false for everything else, and is conservative:
//
//   - the line is one line of at most four words, not ending as a
//     sentence does (. ! ? …);
//   - its first word is a command word, in any case, that takes arguments
//     which did not read here (`stage nowhere`, `action done 1` with no
//     actions); a command word that takes none, followed by more words,
//     starts a sentence ("Status quo") and gets no hint;
//   - or its first word, typed in lower case as commands are, is not a
//     command but one edit (a letter added, dropped or changed) away from
//     one, both of four letters or more (`statu`, `stge reach`): alone, or
//     followed by words when that command takes arguments. The step words
//     (skip, back, done, next, draft) are left out of this: their
//     neighbours (none, note, ship, pack) are everyday answers.
//
// `new` gets no hint: one that could be the command is offered already.
func CommandHint(text string, lc LineContext) (Msg, bool) {
	text = strings.TrimSpace(text)
	// Every answer to a question comes here, most of them sentences: they
	// are turned away before anything is allocated.
	if text == "" || moreWordsThan(text, hintMaxWords) || strings.ContainsAny(text, "\n\r") || strings.ContainsAny(lastRune(text), ".!?…") {
		return nil, false
	}
	words := strings.Fields(text)
	word, alone := words[0], len(words) == 1
	name := strings.ToLower(word)
	spec, exact := findSpec(name)
	switch {
	case name == "next", name == "new":
		return nil, false
	case exact && (alone || !spec.Args):
		return nil, false
	case !exact:
		var ok bool
		if spec, ok = nearCommand(word); !ok || (!alone && !spec.Args) {
			return nil, false
		}
	}
	return Sayf("If you meant the %s command, %s", Cmd(spec.Name), commandNeeds(spec.Name, lc)), true
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

func lastRune(s string) string {
	r, _ := utf8.DecodeLastRuneInString(s)
	return string(r)
}

// stepWords are the replies a near miss of is not looked for.
var stepWords = map[string]bool{"skip": true, "back": true, "done": true, "draft": true}

// nearCommand finds the command one edit away from word, typed in lower
// case; a word near two commands is not guessed at.
func nearCommand(word string) (commandSpec, bool) {
	if utf8.RuneCountInString(word) < 4 || strings.ToLower(word) != word || strings.IndexFunc(word, func(r rune) bool { return !unicode.IsLetter(r) }) >= 0 {
		return commandSpec{}, false
	}
	var found []commandSpec
	for _, s := range commandSpecs {
		if len(s.Name) >= 4 && !stepWords[s.Name] && oneEdit(word, s.Name) {
			found = append(found, s)
		}
	}
	if len(found) != 1 {
		return commandSpec{}, false
	}
	return found[0], true
}

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
// CommandHint starts.
func commandNeeds(name string, lc LineContext) Msg {
	switch name {
	case "stage", "kpi":
		var names []string
		if lc.Catalogue != nil {
			for _, st := range lc.Catalogue.Stages {
				names = append(names, strings.ToLower(st.Name))
			}
		}
		return Sayf("name a stage: %s.", Text(orList(names)))
	case "edit":
		return Sayf("name a stage and a question's number, as in %s.", Cmd("edit reach 2"))
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
		return Sayf("give a status (open, doing, done or dropped) and an action's number or words, as in %s; %s lists them.", Cmd("action done 1"), Cmd("actions"))
	case "kind":
		return Say(Text("name one: saas, ecommerce, local, agency or nonprofit."))
	case "help":
		return Sayf("type %s alone, or %s or %s.", Cmd("help"), Cmd("help kpi"), Cmd("help actions"))
	case "privacy", "remind":
		return Sayf("add %s or %s.", Code("on"), Code("off"))
	case "checkin":
		if lc.ParseSchedule == nil {
			return Say(Text("check-ins are not available here."))
		}
		return Sayf("give a schedule it can read, as in %s.", Cmd("checkin every monday 09:00 Europe/Berlin"))
	case "score":
		return Sayf("rate every stage from 1 to 5, as in %s.", Cmd("score plan 3, reach 2, act 3, convert 2, engage 4"))
	case "continue", "delete":
		return Sayf("name a plan of this channel; %s lists them.", Cmd("plans"))
	}
	return Sayf("type %s on its own.", Cmd(name))
}
