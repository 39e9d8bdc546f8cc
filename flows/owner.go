package flows

import (
	"strings"
	"unicode"
)

// maxOwnerWords bounds an owner's name: "Ana", "Mei Lin Wong", "the sales
// team"; a longer run of words is a sentence, not a person.
const maxOwnerWords = 4

// noOne holds what a team writes for no owner at all.
var noOne = map[string]bool{"none": true, "nobody": true, "no one": true, "noone": true, "no-one": true}

// ownerProblem says why text cannot be an owner, or returns nil when it
// looks like a person: a mention, an @name, or a name of letters. named is
// true when the text came after "owner", which lets month names through
// ("owner May") but never a date ("owner yesterday"); date is true when
// the text reads as a date.
func ownerProblem(text string, named, date bool) Msg {
	s := strings.TrimSpace(text)
	switch {
	case s == "":
		return Sayf("Name the owner, like %s or a mention.", Code("owner Ana"))
	case startsWithRef(s) && strings.TrimSpace(s[strings.IndexByte(s, '>')+1:]) == "":
		return nil
	case date:
		return Sayf("%q is a date, not a person; name the owner, like %s or a mention.", User(s), Code("owner Ana"))
	case noOne[strings.ToLower(strings.Join(strings.Fields(s), " "))]:
		// "baseline none" clears a baseline, but what has an owner needs
		// one: it would be asked of someone called "none".
		return Sayf("%q names no one, and someone has to report it; name the owner, like %s or a mention.", User(s), Code("owner Ana"))
	}
	name := strings.TrimPrefix(s, "@")
	words := strings.Fields(name)
	letters := false
	for _, r := range name {
		switch {
		case unicode.IsLetter(r):
			letters = true
		case r == ' ', r == '-', r == '\'', r == '’', r == '.':
		default:
			return Sayf("%q doesn't look like a person; name the owner with letters, like %s, or mention them.", User(s), Code("owner Ana"))
		}
	}
	if !letters {
		return Sayf("%q doesn't look like a person; name the owner with letters, like %s, or mention them.", User(s), Code("owner Ana"))
	}
	if len(words) > maxOwnerWords {
		return Sayf("%q is long for a name; give the owner's name alone, like %s.", User(s), Code("owner Ana"))
	}
	for _, w := range timeWords(name) {
		if dateWords[w] || (!named && monthNames[w] != 0) || w == "by" || w == "due" {
			return Sayf("%q reads as a date, not a person; name the owner, like %s or a mention.", User(s), Code("owner Ana"))
		}
	}
	return nil
}
