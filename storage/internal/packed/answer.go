package packed

import (
	"bytes"
	"encoding/binary"
	"time"
	"unsafe"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/storage/internal/record"
)

// Answer is one cached answer packed into a byte slice, which holds
// no pointers. Kept as flows.Answer values, the answers of the cached
// plans were most of the objects on the heap (a text, an author, a source
// and the struct, each answer), and the collector marked and scanned every
// one of them in every cycle; a packed answer is one object it need not
// look into.
//
// A packed answer is never changed, so the strings unpack reads are views
// of its bytes rather than copies, and a commit that leaves an answer as
// it was keeps its bytes (see reuse).
type Answer []byte

// zeroAt stands for the zero time, which has no milliseconds of its own
// that would come back as time.Time{}.
const zeroAt = -1 << 63

// packAnswer packs a, its times to the millisecond as the stores keep them.
// It packs on the stack and copies the result, so a cached answer is
// allocated for the bytes it holds: sized up front for the longest
// varints, each had carried some 80 bytes it never used, a tenth of the
// cache for answers of a few sentences.
func packAnswer(a flows.Answer) Answer {
	var scratch [2048]byte
	return Answer(bytes.Clone(appendAnswer(scratch[:0], a)))
}

func appendAnswer(b []byte, a flows.Answer) []byte {
	b = appendString(b, a.QuestionID)
	b = appendString(b, a.Text)
	b = appendString(b, a.By)
	b = appendString(b, a.Source)
	b = appendAt(b, a.At)
	b = binary.AppendVarint(b, int64(a.Revision))
	b = binary.AppendVarint(b, int64(a.Last))
	drafted := byte(0)
	if a.Drafted {
		drafted = 1
	}
	b = append(b, drafted)
	b = appendAt(b, a.Edited)
	b = binary.AppendUvarint(b, uint64(len(a.Also)))
	for _, o := range a.Also {
		b = appendString(b, o.Text)
		b = appendString(b, o.By)
		b = appendAt(b, o.At)
		b = appendString(b, o.Source)
		b = binary.AppendVarint(b, int64(o.Revision))
		b = appendAt(b, o.Edited)
	}
	return b
}

// unpack is the answer; its strings share the packed bytes.
func (pa Answer) unpack() flows.Answer {
	r := packReader{b: pa}
	var a flows.Answer
	a.QuestionID = r.string()
	a.Text = r.string()
	a.By = r.string()
	a.Source = r.string()
	a.At = r.at()
	a.Revision = int(r.varint())
	a.Last = int(r.varint())
	a.Drafted = r.byte() == 1
	a.Edited = r.at()
	if n := r.uvarint(); n > 0 {
		a.Also = make([]flows.Contribution, n)
		for i := range a.Also {
			o := &a.Also[i]
			o.Text = r.string()
			o.By = r.string()
			o.At = r.at()
			o.Source = r.string()
			o.Revision = int(r.varint())
			o.Edited = r.at()
		}
	}
	return a
}

// same reports whether pa packs a, without unpacking its co-answers.
// Strings read from pa compare at once when a's are the same views.
func (pa Answer) same(a flows.Answer) bool {
	r := packReader{b: pa}
	if r.string() != a.QuestionID || r.string() != a.Text || r.string() != a.By || r.string() != a.Source ||
		r.varint() != atMillis(a.At) || int(r.varint()) != a.Revision || int(r.varint()) != a.Last || (r.byte() == 1) != a.Drafted ||
		r.varint() != atMillis(a.Edited) || int(r.uvarint()) != len(a.Also) {
		return false
	}
	for _, o := range a.Also {
		if r.string() != o.Text || r.string() != o.By || r.varint() != atMillis(o.At) || r.string() != o.Source || int(r.varint()) != o.Revision ||
			r.varint() != atMillis(o.Edited) {
			return false
		}
	}
	return true
}

// packAnswers packs answers, keeping the bytes of those that old already
// packs as they are: a commit usually changes one answer of many.
func packAnswers(answers map[string]flows.Answer, old []Answer) []Answer {
	out := make([]Answer, 0, len(answers))
	for _, a := range answers {
		out = append(out, reuse(old, a))
	}
	return out
}

func reuse(old []Answer, a flows.Answer) Answer {
	for _, pa := range old {
		r := packReader{b: pa}
		if r.string() == a.QuestionID {
			if pa.same(a) {
				return pa
			}
			break
		}
	}
	return packAnswer(a)
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendAt(b []byte, t time.Time) []byte { return binary.AppendVarint(b, atMillis(t)) }

func atMillis(t time.Time) int64 {
	if t.IsZero() {
		return zeroAt
	}
	return record.Millis(t)
}

// packReader reads what packAnswer wrote; only the process that packed an
// answer reads it, so it is well formed.
type packReader struct {
	b   []byte
	off int
}

func (r *packReader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b[r.off:])
	r.off += n
	return v
}

func (r *packReader) varint() int64 {
	v, n := binary.Varint(r.b[r.off:])
	r.off += n
	return v
}

func (r *packReader) byte() byte {
	c := r.b[r.off]
	r.off++
	return c
}

func (r *packReader) string() string {
	n := int(r.uvarint())
	if n == 0 {
		return ""
	}
	s := unsafe.String(&r.b[r.off], n)
	r.off += n
	return s
}

func (r *packReader) at() time.Time {
	ms := r.varint()
	if ms == zeroAt {
		return time.Time{}
	}
	return record.FromMillis(ms)
}
