package jsonl

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// maxDepth bounds the nesting of arrays and objects so that a hostile line
// cannot exhaust the stack. encoding/json uses the same limit.
const maxDepth = 10000

// syntaxError is a line that is not one valid JSON text. Its message does
// not include the position, which Problem shows as a column.
type syntaxError struct {
	offset int // index of the offending byte in the line
	atEnd  bool
	msg    string
}

func (e *syntaxError) Error() string {
	if e.atEnd {
		return "unexpected end of input"
	}
	return e.msg
}

// scanner validates one JSON text (RFC 8259, with strings required to be
// valid UTF-8) in a single pass without allocating, and lets its caller pick
// out object members on the way. Decoding a request line with encoding/json
// into a struct with a json.RawMessage body scans the body four times; this
// scans it once and is more than ten times faster (BenchmarkScanLine).
//
// Positions are byte indexes into data. Each parsing method starts at the
// first byte of what it parses (after any whitespace) and leaves pos just
// past it.
type scanner struct {
	data  []byte
	pos   int
	depth int
}

// document parses data as exactly one JSON value surrounded by optional
// whitespace. When the value is an object, member is called for each of its
// members as in object. It returns the kind of the value ("object",
// "string", ...), which is meaningful even when the value is invalid.
func (s *scanner) document(member func(key []byte) error) (kind string, err error) {
	s.skipSpace()
	kind = kindOf(s.data[s.pos:])
	if kind == "object" {
		err = s.object(member)
	} else {
		err = s.value()
	}
	if err != nil {
		return kind, err
	}
	s.skipSpace()
	if s.pos < len(s.data) {
		return kind, s.unexpected("end of line after the JSON value")
	}
	return kind, nil
}

// capture parses one value and returns its bytes.
func (s *scanner) capture() ([]byte, error) {
	s.skipSpace()
	start := s.pos
	err := s.value()
	return s.data[start:s.pos], err
}

// captureObject is capture, but calls member for each member when the value
// is an object.
func (s *scanner) captureObject(member func(key []byte) error) ([]byte, error) {
	s.skipSpace()
	start := s.pos
	var err error
	if s.pos < len(s.data) && s.data[s.pos] == '{' {
		err = s.object(member)
	} else {
		err = s.value()
	}
	return s.data[start:s.pos], err
}

// value parses any JSON value.
func (s *scanner) value() error {
	s.skipSpace()
	if s.pos >= len(s.data) {
		return s.unexpected("a value")
	}
	switch c := s.data[s.pos]; c {
	case '{':
		return s.object(nil)
	case '[':
		return s.array()
	case '"':
		return s.string()
	case 't':
		return s.literal("true")
	case 'f':
		return s.literal("false")
	case 'n':
		return s.literal("null")
	default:
		if c == '-' || isDigit(c) {
			return s.number()
		}
		return s.unexpected("a value")
	}
}

// object parses an object. For each member it consumes the key and the
// colon and then calls member with the decoded key, which must parse the
// value (with value, capture, ...); a nil member skips every value.
func (s *scanner) object(member func(key []byte) error) error {
	if err := s.enter(); err != nil {
		return err
	}
	s.skipSpace()
	if s.pos < len(s.data) && s.data[s.pos] == '}' {
		s.pos++
		s.depth--
		return nil
	}
	want := "a string key or '}'"
	for {
		s.skipSpace()
		if s.pos >= len(s.data) || s.data[s.pos] != '"' {
			return s.unexpected(want)
		}
		key, err := s.key()
		if err != nil {
			return err
		}
		s.skipSpace()
		if s.pos >= len(s.data) || s.data[s.pos] != ':' {
			return s.unexpected("':' after object key")
		}
		s.pos++
		if member != nil {
			err = member(key)
		} else {
			err = s.value()
		}
		if err != nil {
			return err
		}
		s.skipSpace()
		if s.pos < len(s.data) {
			switch s.data[s.pos] {
			case ',':
				s.pos++
				want = "a string key"
				continue
			case '}':
				s.pos++
				s.depth--
				return nil
			}
		}
		return s.unexpected("',' or '}' after object member")
	}
}

// array parses an array.
func (s *scanner) array() error {
	if err := s.enter(); err != nil {
		return err
	}
	s.skipSpace()
	if s.pos < len(s.data) && s.data[s.pos] == ']' {
		s.pos++
		s.depth--
		return nil
	}
	for {
		if err := s.value(); err != nil {
			return err
		}
		s.skipSpace()
		if s.pos < len(s.data) {
			switch s.data[s.pos] {
			case ',':
				s.pos++
				continue
			case ']':
				s.pos++
				s.depth--
				return nil
			}
		}
		return s.unexpected("',' or ']' after array element")
	}
}

// enter consumes the '{' or '[' that opens a container.
func (s *scanner) enter() error {
	if s.depth == maxDepth {
		return s.fail("nesting deeper than " + strconv.Itoa(maxDepth) + " levels")
	}
	s.depth++
	s.pos++
	return nil
}

// key parses an object key and returns it decoded.
func (s *scanner) key() ([]byte, error) {
	start := s.pos
	if err := s.string(); err != nil {
		return nil, err
	}
	return unquote(s.data[start:s.pos])
}

// string parses a string.
func (s *scanner) string() error {
	data := s.data
	start := s.pos + 1
	i := start
	for {
		i += plainPrefix(data[i:])
		for i < len(data) && data[i] >= 0x20 && data[i] != '"' && data[i] != '\\' {
			i++
		}
		if i >= len(data) {
			s.pos = i
			return s.eof()
		}
		switch data[i] {
		case '"':
			if raw := data[start:i]; !utf8.Valid(raw) {
				s.pos = start + invalidUTF8(raw)
				return s.fail("invalid UTF-8 in string")
			}
			s.pos = i + 1
			return nil
		case '\\':
			s.pos = i
			if err := s.escape(); err != nil {
				return err
			}
			i = s.pos
		default:
			s.pos = i
			return s.fail("control character " + describe(data[i:]) + " in string (escape it)")
		}
	}
}

// escape parses one escape sequence in a string.
func (s *scanner) escape() error {
	s.pos++ // the backslash
	if s.pos >= len(s.data) {
		return s.eof()
	}
	switch s.data[s.pos] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		s.pos++
		return nil
	case 'u':
		s.pos++
		for range 4 {
			if s.pos >= len(s.data) || !isHex(s.data[s.pos]) {
				return s.unexpected(`a hexadecimal digit in \u escape`)
			}
			s.pos++
		}
		return nil
	default:
		return s.unexpected(`an escape character (one of "\/bfnrtu) after '\'`)
	}
}

// number parses a number.
func (s *scanner) number() error {
	if s.data[s.pos] == '-' {
		s.pos++
	}
	if s.pos < len(s.data) && s.data[s.pos] == '0' {
		s.pos++
	} else if err := s.digits("a digit"); err != nil {
		return err
	}
	if s.pos < len(s.data) && s.data[s.pos] == '.' {
		s.pos++
		if err := s.digits("a digit after '.'"); err != nil {
			return err
		}
	}
	if s.pos < len(s.data) && (s.data[s.pos] == 'e' || s.data[s.pos] == 'E') {
		s.pos++
		if s.pos < len(s.data) && (s.data[s.pos] == '+' || s.data[s.pos] == '-') {
			s.pos++
		}
		if err := s.digits("a digit in exponent"); err != nil {
			return err
		}
	}
	return nil
}

// digits consumes one or more decimal digits; want describes them in the
// error when there is none.
func (s *scanner) digits(want string) error {
	if s.pos >= len(s.data) || !isDigit(s.data[s.pos]) {
		return s.unexpected(want)
	}
	for s.pos < len(s.data) && isDigit(s.data[s.pos]) {
		s.pos++
	}
	return nil
}

// literal parses the literal lit (true, false or null).
func (s *scanner) literal(lit string) error {
	for i := range len(lit) {
		if s.pos >= len(s.data) || s.data[s.pos] != lit[i] {
			return s.unexpected("literal " + lit)
		}
		s.pos++
	}
	return nil
}

func (s *scanner) skipSpace() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// unexpected reports that the byte at pos is not what the grammar wants, or
// that the line ended early.
func (s *scanner) unexpected(want string) error {
	if s.pos >= len(s.data) {
		return s.eof()
	}
	return s.fail("expected " + want + ", found " + describe(s.data[s.pos:]))
}

// eof reports that the line ended in the middle of a value.
func (s *scanner) eof() error {
	return &syntaxError{offset: len(s.data), atEnd: true}
}

// fail reports msg about the byte at pos.
func (s *scanner) fail(msg string) error {
	return &syntaxError{offset: s.pos, msg: msg}
}

// unquote returns the contents of quoted, a valid JSON string literal, with
// escapes decoded. It allocates only when there are escapes.
func unquote(quoted []byte) ([]byte, error) {
	inner := quoted[1 : len(quoted)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		return inner, nil
	}
	var v string
	if err := json.Unmarshal(quoted, &v); err != nil {
		return nil, fmt.Errorf("decode string: %w", err)
	}
	return []byte(v), nil
}

// kindOf names the JSON type of the value that starts at b[0], as users know
// them from the JSON spec.
func kindOf(b []byte) string {
	if len(b) == 0 {
		return "nothing"
	}
	switch b[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	default:
		return "number"
	}
}

// describe quotes the character at the start of b for an error message.
// Typographic quotes pasted from a word processor show up as themselves.
func describe(b []byte) string {
	r, size := utf8.DecodeRune(b)
	if r == utf8.RuneError && size <= 1 {
		return fmt.Sprintf("byte 0x%02x", b[0])
	}
	return strconv.QuoteRune(r)
}

// invalidUTF8 returns the index of the first byte of b that is not part of
// a valid UTF-8 sequence.
func invalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return len(b)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isHex(c byte) bool {
	return isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// plainPrefix returns the length of a prefix of b, a multiple of 8, in
// which no byte needs attention inside a string: none is a quote, a
// backslash or a control character. It tests 8 bytes at a time, which makes
// validation about 1.5 times faster on typical requests, whose bulk is
// prompt text.
//
// For a word x, (x - n*ones) &^ x & highs is non-zero when some byte of x is
// below n (n <= 0x80), and the lowest such byte is always flagged; higher
// flags may be false positives caused by a borrow, which only end the fast
// path early. A byte equal to c is a zero byte, that is a byte below 1, of
// x ^ c*ones. The masks share &^x instead of each using its own operand:
// that only differs for bytes with the high bit set in x, which are
// non-ASCII and never special.
func plainPrefix(b []byte) int {
	const (
		ones  = 0x0101010101010101
		highs = 0x8080808080808080
	)
	n := 0
	for ; n+8 <= len(b); n += 8 {
		x := binary.LittleEndian.Uint64(b[n:])
		control := x - 0x20*ones
		quote := (x ^ '"'*ones) - ones
		backslash := (x ^ '\\'*ones) - ones
		if (control|quote|backslash)&^x&highs != 0 {
			break
		}
	}
	return n
}
