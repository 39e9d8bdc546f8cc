package flows

import "strings"

// splitOutsideRefs cuts s at every sep that is not inside a stored
// reference (see SpanUser): the | in a labelled link such as
// <https://shop.example|our shop> belongs to the link, not to the line's
// fields.
func splitOutsideRefs(s string, sep byte) []string {
	return splitAt(s, indexBytes(maskRefs(s), sep))
}

// splitAt cuts s around each separator at the [start, end) offsets seps,
// in order.
func splitAt(s string, seps [][]int) []string {
	parts := make([]string, 0, len(seps)+1)
	start := 0
	for _, at := range seps {
		parts = append(parts, s[start:at[0]])
		start = at[1]
	}
	return append(parts, s[start:])
}

// maskRefs returns s with what is between the brackets of each stored
// reference (see storedRef) replaced by as many x's, so that searching it
// for separators finds none inside a link, mention or channel.
func maskRefs(s string) string {
	if strings.IndexByte(s, '<') < 0 {
		return s
	}
	b := []byte(s)
	for i := 0; i < len(s); i++ {
		if s[i] != '<' {
			continue
		}
		if end := strings.IndexByte(s[i:], '>'); end > 0 {
			if _, ok := storedRef(s[i : i+end+1]); ok {
				for j := i + 1; j < i+end; j++ {
					b[j] = 'x'
				}
				i += end
			}
		}
	}
	return string(b)
}

// indexBytes returns the offsets of each c in s, as [start, end) pairs.
func indexBytes(s string, c byte) [][]int {
	var out [][]int
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			out = append(out, []int{i, i + 1})
		}
	}
	return out
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
