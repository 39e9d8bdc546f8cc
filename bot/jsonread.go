package bot

import (
	"bytes"
	"io"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
)

// Reading the few fields racebot needs from a large JSON body with
// jsontext's tokens, skipping the rest in one pass: encoding/json goes over
// a body twice (to check it, then to decode it), and a Slack event or
// chat.postMessage's answer is mostly what racebot never reads.

// withDecoder runs read with a pooled decoder over body.
func withDecoder(body []byte, read func(*jsontext.Decoder) bool) bool {
	d := decoders.Get().(*jsontext.Decoder)
	defer func() {
		d.Reset(noBody) // so the pool does not keep the body
		decoders.Put(d)
	}()
	d.Reset(bytes.NewBuffer(body))
	return read(d)
}

// decoders are kept for reuse: a new decoder's buffers and name tables
// doubled what reading an event allocated (6.4 KB against 3.1 KB).
var decoders = sync.Pool{New: func() any { return jsontext.NewDecoder(noBody) }}

// noBody is what a decoder is left reading while pooled; it is never read.
var noBody = new(bytes.Buffer)

func jsonNames(v any) []string {
	t := reflect.TypeOf(v)
	var names []string
	for i := range t.NumField() {
		if name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ","); name != "" {
			names = append(names, name)
		}
	}
	return names
}

// atEnd reports whether nothing but space follows the value read.
func atEnd(d *jsontext.Decoder) bool {
	_, err := d.ReadToken()
	return err == io.EOF
}

// readObject reads an object, handing each name to member to read its
// value. It refuses the object if it is not one, or if a name is escaped
// or not known (see known).
func readObject(d *jsontext.Decoder, names []string, member func(name []byte) bool) bool {
	if tok, err := d.ReadToken(); err != nil || tok.Kind() != '{' {
		return false
	}
	for d.PeekKind() == '"' {
		raw, err := d.ReadValue()
		if err != nil || bytes.IndexByte(raw, '\\') >= 0 {
			return false
		}
		name := raw[1 : len(raw)-1]
		if !known(names, name) || !member(name) {
			return false
		}
	}
	tok, err := d.ReadToken()
	return err == nil && tok.Kind() == '}'
}

// known reports whether a name is one encoding/json reads as it is
// spelled: one of names, or none of them even when case is folded. A name
// that is not ASCII is refused (Slack's are): folding it may give an
// ASCII one ("ſ" folds to "s").
func known(names []string, name []byte) bool {
	for _, c := range name {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	for _, n := range names {
		if n == string(name) {
			return true
		}
	}
	for _, n := range names {
		if len(n) == len(name) && bytes.EqualFold([]byte(n), name) {
			return false
		}
	}
	return true
}

// readString reads a string into s; null leaves s as it is, as in
// encoding/json.
func readString(d *jsontext.Decoder, s *string) bool {
	tok, err := d.ReadToken()
	switch {
	case err != nil:
		return false
	case tok.Kind() == '"':
		*s = tok.String()
		return true
	}
	return tok.Kind() == 'n'
}

func readBool(d *jsontext.Decoder, b *bool) bool {
	tok, err := d.ReadToken()
	switch {
	case err != nil:
		return false
	case tok.Kind() == 't' || tok.Kind() == 'f':
		*b = tok.Bool()
		return true
	}
	return tok.Kind() == 'n'
}

// readInt reads an integer as encoding/json reads one into an int: its
// digits, with no fraction or exponent.
func readInt(d *jsontext.Decoder, n *int) bool {
	v, err := d.ReadValue()
	switch {
	case err != nil:
		return false
	case v.Kind() == 'n':
		return true
	case v.Kind() != '0':
		return false
	}
	i, err := strconv.ParseInt(string(v), 10, 0)
	*n = int(i)
	return err == nil
}

// readPointer reads an object into a new *p with read; null sets *p to
// nil, as in encoding/json.
func readPointer[T any](d *jsontext.Decoder, p **T, read func(*jsontext.Decoder, *T) bool) bool {
	if d.PeekKind() == 'n' {
		*p = nil
		return d.SkipValue() == nil
	}
	*p = new(T)
	return read(d, *p)
}
