package flows

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

var (
	scoreRe    = regexp.MustCompile(`(?i)^(impact|effort|i|e)\s*[:=]?\s*(\d+)$`)
	relativeRe = regexp.MustCompile(`(?i)^in\s+(\d+)\s+(day|days|week|weeks|month|months)$`)
)

var dateLayouts = []string{"2006-01-02", "2 Jan 2006", "Jan 2 2006", "2 January 2006", "January 2 2006", "02/01/2006"}

// ParseAction reads one action line: "what | owner | due | impact N | effort N".
// Past the first field the parts may come in any order and are recognised by
// their form (a date, "impact 4", a bare score); bare scores are impact then
// effort. Owner and due date may be left out, scores may not: ranking needs them.
func ParseAction(line string, now time.Time) (Action, error) {
	parts := splitOutsideRefs(line, '|')
	a := Action{Text: strings.TrimSpace(parts[0])}
	if a.Text == "" {
		return Action{}, userErr(ErrBadInput, "An action needs a description first, for example %s.", Code("Add reviews to product pages | Ana | 2027-02-15 | impact 4 | effort 2"))
	}
	var bare []int
	for _, raw := range parts[1:] {
		part := strings.TrimSpace(raw)
		if part == "" {
			continue
		}
		if m := scoreRe.FindStringSubmatch(part); m != nil {
			n, _ := strconv.Atoi(m[2])
			if n < 1 || n > 5 {
				return Action{}, userErr(ErrBadInput, "Impact and effort are scores from 1 to 5; %q is outside that range.", User(part))
			}
			if strings.HasPrefix(strings.ToLower(m[1]), "i") {
				a.Impact = n
			} else {
				a.Effort = n
			}
			continue
		}
		if n, err := strconv.Atoi(part); err == nil {
			if n < 1 || n > 5 {
				return Action{}, userErr(ErrBadInput, "Impact and effort are scores from 1 to 5; %d is outside that range.", n)
			}
			bare = append(bare, n)
			continue
		}
		if d, ok := parseDue(part, now); ok {
			a.Due = d
			continue
		}
		if looksLikeDate(part) {
			return Action{}, userErr(ErrBadInput, "I couldn't read the date %q. Write it as 2027-02-15, or %s.", User(part), Code("in 3 weeks"))
		}
		if a.Owner != "" {
			return Action{}, userErr(ErrBadInput, "I read both %q and %q as the owner. Give one owner per action, separated by %s from the rest.", User(a.Owner), User(part), Code("|"))
		}
		a.Owner = strings.TrimPrefix(strings.TrimPrefix(part, "owner"), ":")
		a.Owner = strings.TrimSpace(a.Owner)
	}
	for _, n := range bare {
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
	if !a.Due.IsZero() && a.Due.Before(startOfDay(now)) {
		return Action{}, userErr(ErrBadInput, "The due date %s is already past; pick a date from today on.", a.Due.Format("2006-01-02"))
	}
	return a, nil
}

func parseDue(s string, now time.Time) (time.Time, bool) {
	s = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(strings.ToLower(s), "due"), ":"))
	for _, layout := range dateLayouts {
		if t, err := time.ParseInLocation(layout, s, now.Location()); err == nil {
			return t, true
		}
	}
	if m := relativeRe.FindStringSubmatch(s); m != nil {
		n, _ := strconv.Atoi(m[1])
		day := startOfDay(now)
		switch strings.TrimSuffix(m[2], "s") {
		case "day":
			return day.AddDate(0, 0, n), true
		case "week":
			return day.AddDate(0, 0, 7*n), true
		default:
			return day.AddDate(0, n, 0), true
		}
	}
	return time.Time{}, false
}

// looksLikeDate catches a date we failed to read, so "2027-13-45" gets an
// error instead of becoming the action's owner.
func looksLikeDate(s string) bool {
	digits := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			digits++
		}
	}
	return digits >= 4 || strings.HasPrefix(strings.ToLower(strings.TrimSpace(s)), "due")
}

func startOfDay(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, t.Location())
}
