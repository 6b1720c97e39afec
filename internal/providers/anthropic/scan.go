package anthropic

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// maxDepth bounds the nesting of a document, as encoding/json does.
const maxDepth = 10000

// scanner reads one JSON document in a single pass. It validates all of it
// with the grammar encoding/json accepts, while its caller decodes only the
// members it needs and skips the rest; strings decode as encoding/json
// decodes them (invalid UTF-8 and lone surrogates become U+FFFD). It exists
// because result normalization is a hot loop: encoding/json scans a result
// line up to four times to decode a few fields of its response body.
// (It is the openai package's scanner, until both move to one package.)
//
// Every value reader starts at the next non-space byte and leaves the
// scanner just after the value it read.
type scanner struct {
	data  []byte
	pos   int
	depth int
}

// syntaxError says the document is not valid JSON.
type syntaxError struct {
	msg    string
	offset int
}

func (e *syntaxError) Error() string { return fmt.Sprintf("%s at offset %d", e.msg, e.offset) }

// unexpected reports the byte at the current position, or the end of the
// input, as invalid in context.
func (s *scanner) unexpected(context string) error {
	if s.pos >= len(s.data) {
		return &syntaxError{msg: "unexpected end of input", offset: s.pos}
	}
	return &syntaxError{msg: fmt.Sprintf("invalid character %q %s", s.data[s.pos], context), offset: s.pos}
}

// typeError says the value at the current position is not of the type
// wanted, or not valid JSON at all.
func (s *scanner) typeError(want string) error {
	start := s.pos
	if err := s.skip(); err != nil {
		return err
	}
	s.pos = start
	found := "null"
	switch c := s.peek(); {
	case c == '{':
		found = "object"
	case c == '[':
		found = "array"
	case c == '"':
		found = "string"
	case c == 't' || c == 'f':
		found = "boolean"
	case c == '-' || isDigit(c):
		found = "number"
	}
	return fmt.Errorf("found %s, want %s", found, want)
}

// peek skips white space and returns the next byte, 0 at the end.
func (s *scanner) peek() byte {
	for ; s.pos < len(s.data); s.pos++ {
		switch c := s.data[s.pos]; c {
		case ' ', '\t', '\n', '\r':
		default:
			return c
		}
	}
	return 0
}

// end checks that nothing but white space follows the document.
func (s *scanner) end() error {
	if s.peek() != 0 || s.pos < len(s.data) {
		return s.unexpected("after top-level value")
	}
	return nil
}

// null consumes a null, reporting whether there was one.
func (s *scanner) null() bool {
	if s.peek() != 'n' || !bytes.HasPrefix(s.data[s.pos:], []byte("null")) {
		return false
	}
	s.pos += len("null")
	return true
}

// object reads an object (null reads as an empty one), calling member
// with each key (decoded) and the scanner positioned at its value, which
// member must read.
func (s *scanner) object(member func(key []byte) error) error {
	switch s.peek() {
	case '{':
	case 'n':
		return s.literal("null")
	default:
		return s.typeError("object")
	}
	if err := s.enter(); err != nil {
		return err
	}
	if s.peek() == '}' {
		s.leave()
		return nil
	}
	for {
		if s.peek() != '"' {
			return s.unexpected("looking for beginning of object key string")
		}
		key, err := s.key()
		if err != nil {
			return err
		}
		if s.peek() != ':' {
			return s.unexpected("after object key")
		}
		s.pos++
		if err := member(key); err != nil {
			return err
		}
		switch s.peek() {
		case ',':
			s.pos++
		case '}':
			s.leave()
			return nil
		default:
			return s.unexpected("after object key:value pair")
		}
	}
}

// array reads an array (null reads as an empty one), calling elem with
// each element's index and the scanner positioned at it, which elem must
// read.
func (s *scanner) array(elem func(i int) error) error {
	switch s.peek() {
	case '[':
	case 'n':
		return s.literal("null")
	default:
		return s.typeError("array")
	}
	if err := s.enter(); err != nil {
		return err
	}
	if s.peek() == ']' {
		s.leave()
		return nil
	}
	for i := 0; ; i++ {
		if err := elem(i); err != nil {
			return err
		}
		switch s.peek() {
		case ',':
			s.pos++
		case ']':
			s.leave()
			return nil
		default:
			return s.unexpected("after array element")
		}
	}
}

// enter consumes an opening bracket.
func (s *scanner) enter() error {
	if s.depth == maxDepth {
		return &syntaxError{msg: "exceeded max depth", offset: s.pos}
	}
	s.depth++
	s.pos++
	return nil
}

// leave consumes a closing bracket.
func (s *scanner) leave() {
	s.depth--
	s.pos++
}

// skip reads any value.
func (s *scanner) skip() error {
	switch c := s.peek(); {
	case c == '{':
		return s.object(func([]byte) error { return s.skip() })
	case c == '[':
		return s.array(func(int) error { return s.skip() })
	case c == '"':
		_, _, err := s.stringSpan()
		return err
	case c == '-' || isDigit(c):
		return s.number()
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	}
	return s.unexpected("looking for beginning of value")
}

// str reads a string; null reads as "".
func (s *scanner) str() (string, error) {
	if s.null() {
		return "", nil
	}
	raw, escaped, err := s.stringSpan()
	if err != nil {
		return "", err
	}
	if !escaped && utf8.Valid(raw) {
		return string(raw), nil
	}
	return string(appendUnquoted(make([]byte, 0, len(raw)), raw)), nil
}

// appendStr reads a string (null reads as "") and appends it, decoded, to
// dst.
func (s *scanner) appendStr(dst []byte) ([]byte, error) {
	if s.null() {
		return dst, nil
	}
	raw, escaped, err := s.stringSpan()
	if err != nil {
		return dst, err
	}
	if !escaped && utf8.Valid(raw) {
		return append(dst, raw...), nil
	}
	return appendUnquoted(dst, raw), nil
}

// optionalStr reads a string, or null as nil.
func (s *scanner) optionalStr() (*string, error) {
	if s.null() {
		return nil, nil
	}
	v, err := s.str()
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// integer reads an integer; null reads as 0.
func (s *scanner) integer() (int64, error) {
	if s.null() {
		return 0, nil
	}
	if c := s.peek(); c != '-' && !isDigit(c) {
		return 0, s.typeError("integer")
	}
	start := s.pos
	if err := s.number(); err != nil {
		return 0, err
	}
	n, err := strconv.ParseInt(string(s.data[start:s.pos]), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("found %s, want an integer", s.data[start:s.pos])
	}
	return n, nil
}

// key reads an object key, decoded.
func (s *scanner) key() ([]byte, error) {
	raw, escaped, err := s.stringSpan()
	if err != nil || !escaped {
		return raw, err
	}
	return appendUnquoted(nil, raw), nil
}

// stringSpan reads a string and returns the bytes between its quotes,
// still encoded, and whether they contain escapes.
func (s *scanner) stringSpan() (raw []byte, escaped bool, err error) {
	if s.peek() != '"' {
		return nil, false, s.typeError("string")
	}
	d := s.data
	start := s.pos + 1
	i := start
	for {
		for i+8 <= len(d) && !hasSpecialByte(binary.LittleEndian.Uint64(d[i:])) {
			i += 8
		}
		for i < len(d) && d[i] >= 0x20 && d[i] != '"' && d[i] != '\\' {
			i++
		}
		if i == len(d) {
			s.pos = i
			return nil, false, s.unexpected("in string literal")
		}
		switch d[i] {
		case '"':
			s.pos = i + 1
			return d[start:i], escaped, nil
		case '\\':
			n := escapeLen(d[i:])
			if n == 0 {
				s.pos = min(i+1, len(d))
				return nil, false, s.unexpected("in string escape code")
			}
			escaped = true
			i += n
		default:
			s.pos = i
			return nil, false, s.unexpected("in string literal")
		}
	}
}

// hasSpecialByte reports whether any of the eight bytes in w ends a run of
// plain string bytes: a quote, a backslash or a control character. It
// tests all eight at once with the zero-byte and less-than-byte tricks
// (Bit Twiddling Hacks, "Determine if a word has a byte less than n").
func hasSpecialByte(w uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	quote := w ^ (ones * '"')
	backslash := w ^ (ones * '\\')
	return ((quote-ones)&^quote|(backslash-ones)&^backslash|(w-ones*0x20)&^w)&highs != 0
}

// escapeLen is the length of the valid escape sequence b starts with, 0
// when it is not one.
func escapeLen(b []byte) int {
	if len(b) < 2 || b[0] != '\\' {
		return 0
	}
	switch b[1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return 2
	case 'u':
		if len(b) >= 6 && hex4(b[2:6]) >= 0 {
			return 6
		}
	}
	return 0
}

// hex4 decodes four hex digits, -1 when they are not.
func hex4(b []byte) rune {
	var r rune
	for _, c := range b[:4] {
		switch {
		case isDigit(c):
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r<<4 | rune(c)
	}
	return r
}

// appendUnquoted appends the decoded contents of a string that stringSpan
// accepted, with encoding/json's replacement of invalid UTF-8 and lone
// surrogates by U+FFFD.
func appendUnquoted(dst, raw []byte) []byte {
	dst = slices.Grow(dst, len(raw)) // enough unless invalid UTF-8 grows into U+FFFD
	for len(raw) > 0 {
		c := raw[0]
		switch {
		case c == '\\':
			var n int
			dst, n = appendEscape(dst, raw)
			raw = raw[n:]
		case c < utf8.RuneSelf:
			i := 1
			for i < len(raw) && raw[i] < utf8.RuneSelf && raw[i] != '\\' {
				i++
			}
			dst = append(dst, raw[:i]...)
			raw = raw[i:]
		default:
			r, n := utf8.DecodeRune(raw)
			if r == utf8.RuneError && n == 1 {
				dst = utf8.AppendRune(dst, utf8.RuneError)
			} else {
				dst = append(dst, raw[:n]...)
			}
			raw = raw[n:]
		}
	}
	return dst
}

// appendEscape appends what the valid escape sequence raw starts with
// stands for, returning how many bytes of raw it used: a \u escape of a
// high surrogate takes the low surrogate escape that follows it.
func appendEscape(dst, raw []byte) ([]byte, int) {
	switch raw[1] {
	case 'b':
		return append(dst, '\b'), 2
	case 'f':
		return append(dst, '\f'), 2
	case 'n':
		return append(dst, '\n'), 2
	case 'r':
		return append(dst, '\r'), 2
	case 't':
		return append(dst, '\t'), 2
	case 'u':
		r := hex4(raw[2:])
		if !utf16.IsSurrogate(r) {
			return utf8.AppendRune(dst, r), 6
		}
		// The string was validated, so a \u here is a complete escape.
		if len(raw) >= 12 && raw[6] == '\\' && raw[7] == 'u' {
			if pair := utf16.DecodeRune(r, hex4(raw[8:])); pair != utf8.RuneError {
				return utf8.AppendRune(dst, pair), 12
			}
		}
		return utf8.AppendRune(dst, utf8.RuneError), 6
	}
	return append(dst, raw[1]), 2 // '"', '\\' or '/'
}

// number reads a number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *scanner) number() error {
	d := s.data
	i := s.pos
	if i < len(d) && d[i] == '-' {
		i++
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case i < len(d) && isDigit(d[i]):
		i = skipDigits(d, i)
	default:
		s.pos = i
		return s.unexpected("in numeric literal")
	}
	if i < len(d) && d[i] == '.' {
		j := skipDigits(d, i+1)
		if j == i+1 {
			s.pos = j
			return s.unexpected("after decimal point in numeric literal")
		}
		i = j
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		j := skipDigits(d, i)
		if j == i {
			s.pos = j
			return s.unexpected("in exponent of numeric literal")
		}
		i = j
	}
	s.pos = i
	return nil
}

func skipDigits(d []byte, i int) int {
	for i < len(d) && isDigit(d[i]) {
		i++
	}
	return i
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// literal reads the literal lit (true, false or null).
func (s *scanner) literal(lit string) error {
	for i := range len(lit) {
		if s.pos >= len(s.data) || s.data[s.pos] != lit[i] {
			return s.unexpected(fmt.Sprintf("in literal %s (expecting %q)", lit, lit[i]))
		}
		s.pos++
	}
	return nil
}

// isSyntaxError reports whether err says a document is not valid JSON.
func isSyntaxError(err error) bool {
	var se *syntaxError
	return errors.As(err, &se)
}
