package jsonl

import (
	"bytes"

	"github.com/batchctl/batchctl/internal/jsonscan"
)

// walker reads a JSON value that the scanner has already validated, to pick
// out the parts a conversion needs. It trusts its input and so checks
// nothing: it finds the end of a string with bytes.IndexByte, which makes a
// second look at a request much cheaper than the first. It must only be
// given what the scanner accepted; on anything else it stops early rather
// than loop, but may return empty values.
//
// Positions are byte indexes into data.
type walker struct {
	data    []byte
	pos     int
	valueAt int // where the value of the current member or element starts
}

// walk returns a walker over raw, one JSON value.
func walk(raw []byte) walker { return walker{data: raw} }

// peek returns the first byte of the next value, or 0 at the end.
func (w *walker) peek() byte {
	w.skipSpace()
	if w.pos < len(w.data) {
		return w.data[w.pos]
	}
	return 0
}

// next returns the bytes of the next value and moves past it.
func (w *walker) next() []byte {
	w.skipSpace()
	start := w.pos
	w.skipValue()
	return w.data[start:w.pos]
}

// object enters the object at pos, for key to go through its members. It
// returns false, skipping the value, when the value is not an object.
func (w *walker) object() bool { return w.enter('{') }

// array enters the array at pos, for elem to go through its elements. It
// returns false, skipping the value, when the value is not an array.
func (w *walker) array() bool { return w.enter('[') }

func (w *walker) enter(open byte) bool {
	if w.peek() != open {
		w.skipValue()
		return false
	}
	w.pos++
	w.valueAt = -1
	return true
}

// key moves to the next member of the object entered last and returns its
// decoded key, leaving pos at the start of the member's value, which the
// caller reads or leaves: a value left unread is skipped by the next call.
// At the end of the object it moves past it and returns false:
//
//	for key, ok := w.key(); ok; key, ok = w.key() { ... }
func (w *walker) key() ([]byte, bool) {
	if !w.advance('}') || w.peek() != '"' {
		return nil, false
	}
	start := w.pos
	w.skipString()
	key := jsonscan.Unquote(w.data[start:w.pos])
	if w.peek() != ':' {
		return nil, false
	}
	w.pos++
	w.skipSpace()
	w.valueAt = w.pos
	return key, true
}

// elem moves to the next element of the array entered last, as key does
// for members:
//
//	for i := 0; w.elem(); i++ { ... }
func (w *walker) elem() bool {
	if !w.advance(']') {
		return false
	}
	w.valueAt = w.pos
	return true
}

// advance skips the value at valueAt if the caller left it unread, and
// the comma after it. It returns false, moving past close, at the end of
// the container, and false at any malformed input.
func (w *walker) advance(close byte) bool {
	if w.pos == w.valueAt {
		w.skipValue()
		if w.pos == w.valueAt { // not a value: malformed
			w.pos = len(w.data)
			return false
		}
	}
	switch w.peek() {
	case ',':
		w.pos++
		w.skipSpace()
	case close:
		w.pos++
		return false
	case 0:
		return false
	}
	return true
}

// skipValue moves past one value.
func (w *walker) skipValue() {
	w.skipSpace()
	if w.pos >= len(w.data) {
		return
	}
	switch w.data[w.pos] {
	case '"':
		w.skipString()
	case '{', '[':
		w.skipContainer()
	default: // a number or a literal
		for w.pos < len(w.data) && !isDelimiter(w.data[w.pos]) {
			w.pos++
		}
	}
}

// skipContainer moves past the object or array that starts at pos.
func (w *walker) skipContainer() {
	depth := 0
	for w.pos < len(w.data) {
		switch w.data[w.pos] {
		case '"':
			w.skipString()
			continue
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				w.pos++
				return
			}
		}
		w.pos++
	}
}

// isDelimiter reports whether c ends a number or a literal.
func isDelimiter(c byte) bool {
	switch c {
	case ',', ':', '}', ']', ' ', '\t', '\n', '\r':
		return true
	}
	return false
}

// skipString moves past the string that starts at pos.
func (w *walker) skipString() {
	i := w.pos + 1
	for {
		j := bytes.IndexByte(w.data[i:], '"')
		if j < 0 {
			w.pos = len(w.data)
			return
		}
		i += j
		backslashes := 0
		for k := i - 1; k > w.pos && w.data[k] == '\\'; k-- {
			backslashes++
		}
		i++
		if backslashes%2 == 0 {
			w.pos = i
			return
		}
	}
}

func (w *walker) skipSpace() {
	for w.pos < len(w.data) {
		switch w.data[w.pos] {
		case ' ', '\t', '\n', '\r':
			w.pos++
		default:
			return
		}
	}
}
