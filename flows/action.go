package flows

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

var (
	scoreRe     = regexp.MustCompile(`(?i)\b(impact|effort|i|e)\s*[:=]?\s*(\d+)\b`)
	scoreFiller = regexp.MustCompile(`(?i)^[\s,;/&+]*(?:and[\s,;/&+]*)?$`)
	dashSep     = regexp.MustCompile(`\s+[-–—]+\s+`)
)

const actionExample = "Add reviews to product pages | Ana | 2027-02-15 | impact 4 | effort 2"

// ParseAction reads one action line: what, then owner, due date, impact
// and effort. The parts are separated by "|", by " - " or by commas, and
// after the first they may come in any order, recognised by their form: a
// date as people write it ("2027-02-15", "15 Mar", "by end of February",
// "next friday", "Q1", "in 2 weeks", read relative to now), scores
// ("impact 4, effort 3", or two bare numbers, impact first), and an owner
// who looks like a person (a mention or a name; never a date). With "|"
// every part after the first must be one of these; with dashes or commas,
// which descriptions use too, the parts are read from the end and the
// first that is none of them ends the description. Owner and due date may
// be left out, scores may not: ranking needs them.
func ParseAction(line string, now time.Time) (Action, error) {
	a, err := readAction(line, now)
	if err != nil {
		return Action{}, err
	}
	if err := dueFromToday(a.Due, now); err != nil {
		return Action{}, err
	}
	return a, nil
}

// dueFromToday refuses a due date before now's day.
func dueFromToday(due, now time.Time) error {
	if !due.IsZero() && due.Before(startOfDay(now)) {
		return userErr(ErrBadInput, "The due date %s is already past; pick a date from today on.", dueText(due))
	}
	return nil
}

// readAction is ParseAction but for its due date, which may be past.
func readAction(line string, now time.Time) (Action, error) {
	line = strings.TrimSpace(line)
	// Separators are looked for outside references only: Slack sends a
	// link or a channel with a bar, and maybe dashes or commas, between
	// its address and its label. masked is line with the inside of each
	// reference blanked out, byte for byte, so its offsets are line's.
	parts, seps, strict := actionParts(line)
	r := actionReader{now: now}
	first := 0
	for i := len(parts) - 1; i >= 1; i-- {
		ok, err := r.part(parts[i], strict)
		if err != nil {
			return Action{}, err
		}
		if !ok {
			first = i
			break
		}
	}
	a := r.a
	// The description is the line up to its first field, as typed: its
	// own dashes and spacing stay as they were.
	end := len(line)
	if first < len(seps) {
		end = seps[first][0]
	}
	a.Text = strings.TrimSpace(line[:end])
	if a.Text == "" {
		return Action{}, userErr(ErrBadInput, "An action needs a description first, for example %s.", Code(actionExample))
	}
	for i := len(r.bare) - 1; i >= 0; i-- {
		n := r.bare[i]
		switch {
		case a.Impact == 0:
			a.Impact = n
		case a.Effort == 0:
			a.Effort = n
		default:
			return Action{}, userErr(ErrBadInput, "There are more scores than impact and effort in that action; write them as %s.", Code("impact 4 | effort 2"))
		}
	}
	if a.Impact == 0 || a.Effort == 0 {
		return Action{}, userErr(ErrBadInput, "Give %q an impact and an effort score from 1 to 5 by adding %s to the line, or reply %s to finish the stage.", User(a.Text), Code("| impact 4 | effort 2"), Code("done"))
	}
	return a, nil
}

// actionParts splits an action line into its parts at seps, the offsets
// of its separators; strict is true when every part after the first must
// be a field (see actionSeparator).
func actionParts(line string) (parts []string, seps [][]int, strict bool) {
	masked := maskRefs(line)
	sep, strict := actionSeparator(masked)
	switch sep {
	case "|":
		seps = indexBytes(masked, '|')
	case " - ":
		seps = dashSep.FindAllStringIndex(masked, -1)
	case ",":
		seps = commaIndexes(masked)
	}
	return splitAt(line, seps), seps, strict
}

// NamesScores reports whether line gives an impact or an effort score by
// name ("impact 9", "e2") in a part of its own after the first, in range
// or not: whatever else is wrong with it, it was written as an action
// line, not as an answer to a question. A lone letter is not enough but
// in a line of bars or beside the other letter ("i9 e2"): an answer's
// parts can read as one ("Shoreditch, E1 and E2", "CES, E3").
func NamesScores(line string) bool {
	parts, _, strict := actionParts(strings.TrimSpace(line))
	var i, e bool
	for _, part := range parts[1:] {
		part = strings.TrimSpace(part)
		for _, m := range scoreParts(part) {
			word := strings.ToLower(part[m[2]:m[3]])
			if strict || len(word) > 1 {
				return true
			}
			i, e = i || word == "i", e || word == "e"
		}
	}
	return i && e
}

// actionSeparator picks how a line's parts are separated: "|" when it has
// one, else " - " (or a spaced dash), else commas. strict is true for "|",
// which descriptions do not use, so every later part must be understood.
func actionSeparator(line string) (sep string, strict bool) {
	switch {
	case strings.Contains(line, "|"):
		return "|", true
	case dashSep.MatchString(line):
		return " - ", false
	case strings.Contains(line, ","):
		return ",", false
	}
	return "", false
}

// commaIndexes returns the offsets of the commas splitComma splits at.
func commaIndexes(s string) [][]int {
	var out [][]int
	for i := 0; i < len(s); i++ {
		if s[i] == ',' && !(i > 0 && i+1 < len(s) && isDigit(s[i-1]) && isDigit(s[i+1])) {
			out = append(out, []int{i, i + 1})
		}
	}
	return out
}

// splitComma splits at commas, except one between two digits ("1,200").
func splitComma(s string) []string { return splitAt(s, commaIndexes(s)) }

// actionReader collects the parts of an action line, read from its end.
type actionReader struct {
	now  time.Time
	a    Action
	bare []int // bare scores, in the order read (from the end)
}

// part reads one part after the description. It reports false when the
// part is not a field (or a field already given), so that in a loose line
// it belongs to the description; strict lines refuse it instead.
func (r *actionReader) part(raw string, strict bool) (bool, error) {
	part := strings.TrimSpace(raw)
	if part == "" {
		return true, nil
	}
	ok, err := r.field(part)
	if ok || err != nil {
		return ok, err
	}
	// "impact 4, effort 3" or "Sara, 15 Mar" inside one part.
	if sub := splitComma(part); len(sub) > 1 {
		saved := *r
		all := true
		for i := len(sub) - 1; i >= 0 && all; i-- {
			if s := strings.TrimSpace(sub[i]); s != "" {
				ok, err := r.field(s)
				if err != nil {
					return false, err
				}
				all = ok
			}
		}
		if all {
			return true, nil
		}
		*r = saved
	}
	if !strict {
		if msg := r.looseProblem(part); len(msg) > 0 {
			return false, userErr(ErrBadInput, "%s", msg)
		}
		return false, nil
	}
	_, isDate := parseDue(part, r.now)
	switch {
	case isDate:
		return false, userErr(ErrBadInput, "That action has two due dates, %q and %s; keep one.", User(part), dueText(r.a.Due))
	case r.a.Owner != "" && ownerProblem(part, false, false) == nil:
		return false, userErr(ErrBadInput, "I read both %q and %q as the owner. Give one owner per action, separated by %s from the rest.", User(part), User(r.a.Owner), Code("|"))
	case looksLikeDate(part):
		return false, userErr(ErrBadInput, "I couldn't read the date %q. Write it as 2027-02-15, 15 Mar, end of February or %s.", User(part), Code("in 3 weeks"))
	}
	if msg := ownerProblem(part, false, false); len(msg) > 0 {
		return false, userErr(ErrBadInput, "%s", msg)
	}
	return false, userErr(ErrBadInput, "I couldn't tell what %q is in that action.", User(part))
}

// looseProblem is what makes a part of a loose line an error rather than
// the end of its description: a date it cannot read, or an owner with no
// letters ("???"), where the description is already behind it.
func (r *actionReader) looseProblem(part string) Msg {
	if looksLikeDate(part) && len(strings.Fields(part)) <= 5 {
		return Sayf("I couldn't read the date %q. Write it as 2027-02-15, 15 Mar, end of February or %s.", User(part), Code("in 3 weeks"))
	}
	if !strings.ContainsFunc(part, isLetterOrDigit) {
		return ownerProblem(part, false, false)
	}
	return nil
}

func isLetterOrDigit(r rune) bool {
	return r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r > 127
}

// field reads a part as one of the fields of an action, reporting false
// when it is none, or one already given.
func (r *actionReader) field(part string) (bool, error) {
	if ok, err := r.scores(part); ok || err != nil {
		return ok, err
	}
	if n, err := strconv.Atoi(part); err == nil {
		if n < 1 || n > 5 {
			return false, userErr(ErrBadInput, "Impact and effort are scores from 1 to 5; %d is outside that range.", n)
		}
		r.bare = append(r.bare, n)
		return true, nil
	}
	if d, ok := parseDue(part, r.now); ok {
		if !r.a.Due.IsZero() {
			return false, nil
		}
		r.a.Due = d
		return true, nil
	}
	name, named := cutOwner(part)
	if named {
		if msg := ownerProblem(name, true, dateLike(name, r.now)); len(msg) > 0 {
			return false, userErr(ErrBadInput, "%s", msg)
		}
	} else if ownerProblem(part, false, false) != nil {
		return false, nil
	}
	if r.a.Owner != "" {
		return false, nil
	}
	r.a.Owner = name
	return true, nil
}

// scores reads "impact 4", "effort 2", "impact 4, effort 3" or "i4 e2".
func (r *actionReader) scores(part string) (bool, error) {
	ms := scoreParts(part)
	if ms == nil {
		return false, nil
	}
	impact, effort := r.a.Impact, r.a.Effort
	for _, m := range ms {
		word, num := strings.ToLower(part[m[2]:m[3]]), part[m[4]:m[5]]
		n, _ := strconv.Atoi(num)
		if n < 1 || n > 5 {
			return false, userErr(ErrBadInput, "Impact and effort are scores from 1 to 5; %q is outside that range.", User(strings.TrimSpace(part[m[0]:m[1]])))
		}
		score, name := &effort, "effort"
		if strings.HasPrefix(word, "i") {
			score, name = &impact, "impact"
		}
		if *score != 0 {
			return false, userErr(ErrBadInput, "That action gives its %s twice; keep one.", name)
		}
		*score = n
	}
	r.a.Impact, r.a.Effort = impact, effort
	return true, nil
}

// scoreParts finds the scores in a part that is nothing but scores (see
// scores), as scoreRe's submatch indexes; nil when it is anything else.
func scoreParts(part string) [][]int {
	ms := scoreRe.FindAllStringSubmatchIndex(part, -1)
	if len(ms) == 0 {
		return nil
	}
	var rest strings.Builder
	prev := 0
	for _, m := range ms {
		rest.WriteString(part[prev:m[0]])
		prev = m[1]
	}
	rest.WriteString(part[prev:])
	if !scoreFiller.MatchString(rest.String()) {
		return nil
	}
	return ms
}

// cutOwner takes "owner" and a colon off a part that names the owner.
func cutOwner(part string) (string, bool) {
	low := strings.ToLower(part)
	if !strings.HasPrefix(low, "owner") {
		return part, false
	}
	rest := part[len("owner"):]
	if rest != "" && rest[0] != ' ' && rest[0] != ':' && rest[0] != '=' {
		return part, false
	}
	return strings.TrimSpace(strings.TrimLeft(rest, " :=")), true
}

// dateLike reports whether text reads as a date: one parseDue reads, or
// one with a word that only means a time.
func dateLike(text string, now time.Time) bool {
	if _, ok := parseDue(text, now); ok {
		return true
	}
	for _, w := range timeWords(text) {
		if dateWords[w] {
			return true
		}
	}
	return false
}
