package markup

import "strings"

// Slack renders s as mrkdwn for posting back into Slack. It is s unchanged
// except that broadcasts (<!channel>, <!here>, <!everyone>, <!subteam^…>)
// become the plain words @channel, @here, @everyone and the group's label,
// so repeating someone's text never notifies a whole channel or group. User
// mentions, channel links, dates and links are kept byte for byte, so a
// reply that names <@UBEN> still notifies Ben, as the person who wrote it
// meant.
//
// The words stay inert only while the message is posted without link_names
// or parse=full, which would turn a typed @channel back into a broadcast.
//
// A stray < or an entity racebot does not know (<javascript:…|x>, <!foo>)
// is escaped, so it shows as the text it is and cannot combine with what
// follows into an entity. Control characters are dropped.
func (s Stored) Slack() string {
	str := clean(string(s))
	if strings.IndexByte(str, '<') < 0 {
		return str
	}
	var b strings.Builder
	b.Grow(len(str) + 16)
	for rest := str; rest != ""; {
		var t token
		t, rest = next(rest)
		switch t.kind {
		case kText, kUser, kChannel, kDate, kLink:
			b.WriteString(t.raw)
		case kBroadcast:
			b.WriteByte('@')
			b.WriteString(t.id)
		case kSubteam:
			b.WriteString(subteamName(t.label))
		case kStray:
			b.WriteString("&lt;")
		case kUnknown:
			b.WriteString("&lt;")
			b.WriteString(t.inner())
			b.WriteString("&gt;")
		}
	}
	return b.String()
}

// SlackInStyle renders s as Slack does, for a place where racebot puts it
// inside its own bold or italics: a plan's or a KPI's name in a heading.
// Slack's formatting has no escape character, so each *, _, ~ and ` of
// the text has a zero-width space on either side: it still shows, but can
// neither open nor close bold, italics, strikethrough or code, so
// "*Q3* launch_plan" reads as typed instead of ending racebot's bold
// early. Mentions, channels, links and emoji codes are kept as Slack
// keeps them.
func (s Stored) SlackInStyle() string {
	str := s.Slack()
	if !strings.ContainsAny(str, formatting) {
		return str
	}
	var b strings.Builder
	b.Grow(len(str) + 16)
	for rest := str; rest != ""; {
		var t token
		t, rest = next(rest)
		if t.kind != kText {
			b.WriteString(t.raw)
			continue
		}
		skip := 0
		for i, r := range t.raw {
			if i < skip {
				continue
			}
			if r == ':' {
				if n := emojiCode(t.raw[i:]); n > 0 {
					b.WriteString(t.raw[i : i+n])
					skip = i + n
					continue
				}
			}
			if strings.ContainsRune(formatting, r) {
				b.WriteString(zeroWidthSpace)
				b.WriteRune(r)
				b.WriteString(zeroWidthSpace)
				continue
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

// emojiCode returns the length of the emoji code (":white_check_mark:")
// s starts with, or 0. Slack shows such a code as its emoji only while
// it is whole, and an _ in it between two letters or digits can neither
// open nor close formatting, so it is kept as typed.
func emojiCode(s string) int {
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ':':
			if i == 1 {
				return 0
			}
			return i + 1
		case c == '_':
			if !alnum(s[i-1]) || i+1 >= len(s) || !alnum(s[i+1]) {
				return 0
			}
		case alnum(c), c == '-', c == '+':
		default:
			return 0
		}
	}
	return 0
}

func alnum(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' }

// formatting are the characters Slack's mrkdwn pairs into formatting.
const formatting = "*_~`"

// zeroWidthSpace is neither a space nor punctuation to Slack's parser,
// which opens and closes formatting only next to those, and shows nothing.
const zeroWidthSpace = "\u200b"

// Plain renders s as plain text for a terminal or an LLM prompt: entities
// become what a reader in Slack would see (@Ana, #general, @here, the date's
// fallback), &amp;, &lt; and &gt; are decoded, and control characters are
// dropped. A link shows its label with the URL in brackets when the label
// says something else, so a label cannot hide where a link goes.
//
// Names resolves user and channel ids; when it is nil or does not know an id,
// the label inside the entity is used, then the id.
func (s Stored) Plain(n Names) string {
	str := clean(string(s))
	if strings.IndexByte(str, '<') < 0 {
		return decode(str)
	}
	var b strings.Builder
	b.Grow(len(str))
	for rest := str; rest != ""; {
		var t token
		t, rest = next(rest)
		switch t.kind {
		case kText:
			writeDecoded(&b, t.raw)
		case kUser:
			b.WriteByte('@')
			b.WriteString(userName(n, t))
		case kChannel:
			b.WriteByte('#')
			b.WriteString(channelName(n, t))
		case kBroadcast:
			b.WriteByte('@')
			b.WriteString(t.id)
		case kSubteam:
			writeDecoded(&b, subteamName(t.label))
		case kDate:
			writeDecoded(&b, t.label)
		case kLink:
			url, label := decode(t.id), decode(t.label)
			switch {
			case label == "" || label == url:
				b.WriteString(url)
			case sameAddress(label, url):
				b.WriteString(label)
			default:
				b.WriteString(label + " (" + url + ")")
			}
		case kStray:
			b.WriteByte('<')
		case kUnknown:
			b.WriteByte('<')
			writeDecoded(&b, t.inner())
			b.WriteByte('>')
		}
	}
	return b.String()
}

// UserIDs returns the ids of the people mentioned in s, each once, in the
// order they first appear, for looking up their names before rendering.
func (s Stored) UserIDs() []string { return s.ids(kUser) }

// ChannelIDs returns the ids of the channels s links to, each once, in the
// order they first appear, as UserIDs does for people.
func (s Stored) ChannelIDs() []string { return s.ids(kChannel) }

func (s Stored) ids(k kind) []string {
	var ids []string
	for rest := clean(string(s)); rest != ""; {
		var t token
		t, rest = next(rest)
		if t.kind == k && !contains(ids, t.id) {
			ids = append(ids, t.id)
		}
	}
	return ids
}

func contains(ids []string, id string) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// userName is the decoded display name for a user mention, without the @.
func userName(n Names, t token) string {
	if n != nil {
		if name, ok := n.UserName(t.id); ok && name != "" {
			return clean(name)
		}
	}
	return labelOr(t, "@")
}

// channelName is the decoded display name for a channel link, without the #.
func channelName(n Names, t token) string {
	if n != nil {
		if name, ok := n.ChannelName(t.id); ok && name != "" {
			return clean(name)
		}
	}
	return labelOr(t, "#")
}

// labelOr returns the entity's decoded label without a leading sigil, or its
// id when it has no label.
func labelOr(t token, sigil string) string {
	if l := strings.TrimPrefix(decode(t.label), sigil); l != "" {
		return l
	}
	return t.id
}

// subteamName is what a user group mention turns into, still encoded: its
// label, which Slack writes with the @ (<!subteam^S123|@design>), or @team
// when there is none.
func subteamName(label string) string {
	label = strings.TrimPrefix(label, "@")
	if label == "" {
		return "@team"
	}
	return "@" + label
}

// sameAddress reports whether label is url without its scheme, which is how
// Slack links what people type: www.x.example becomes
// <http://www.x.example|www.x.example> and an e-mail address becomes
// <mailto:a@b.example|a@b.example>. Showing the label alone then hides
// nothing and shows what was typed.
func sameAddress(label, url string) bool {
	p := scheme(url)
	return p != "" && label == url[len(p):]
}
