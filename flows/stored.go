package flows

import "strings"

// splitOutsideRefs cuts s at every sep that is not inside a stored
// reference (see SpanUser): the | in a labelled link such as
// <https://shop.example|our shop> belongs to the link, not to the line's
// fields.
func splitOutsideRefs(s string, sep byte) []string {
	var parts []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '<':
			if end := strings.IndexByte(s[i:], '>'); end > 0 {
				if _, ok := storedRef(s[i : i+end+1]); ok {
					i += end
				}
			}
		case sep:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

// decodeEntities undoes the escaping of &, < and > in stored text, for
// comparisons that should not depend on it: a KPI named "R&amp;D spend"
// is the "R&D spend" someone names in a reply, whichever form either was
// stored in. A single left-to-right pass, so "&amp;lt;" becomes "&lt;".
func decodeEntities(s string) string {
	if strings.IndexByte(s, '&') < 0 {
		return s
	}
	return entityDecoder.Replace(s)
}

var entityDecoder = strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">")

// endsWithEntity reports whether s ends with an escaped &, < or > but for
// its closing semicolon, which is then part of the text and no separator.
func endsWithEntity(s string) bool {
	return strings.HasSuffix(s, "&amp") || strings.HasSuffix(s, "&lt") || strings.HasSuffix(s, "&gt")
}
