// Package jsonscan reads a JSON document in a single pass without building
// values. A Scanner validates all of the document with the grammar
// encoding/json accepts while its caller walks it, decoding only the
// members it needs (strings and integers exactly as encoding/json decodes
// them) and keeping others as raw bytes that alias the document.
//
// It exists because reading a few members of a long line is the hot loop
// of both checking batch input and normalizing batch results: decoding
// into a struct with json.RawMessage members scans a line once to validate
// it and again for each raw member, where a Scanner scans it once, tests
// the bytes of strings eight at a time, and allocates only for what it
// decodes.
//
// Positions are byte offsets into the document. Every reading method first
// skips white space and leaves the scanner just past what it read. A
// method that fails returns a *SyntaxError when the document is not valid
// JSON, an error saying what type was found instead of the one wanted
// ("found array, want object"), or the error a callback returned.
package jsonscan

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"strconv"
	"unicode/utf8"
	"unsafe"
)

// maxDepth bounds the nesting of arrays and objects so that a hostile
// document cannot exhaust the stack. encoding/json uses the same limit.
const maxDepth = 10000

// Scanner reads one JSON document. The zero value reads an empty one; use
// New.
type Scanner struct {
	data             []byte
	pos              int
	depth            int
	strictUTF8       bool     // invalid UTF-8 in a string is a syntax error
	noLoneSurrogates bool     // a \u escape of half a surrogate pair is an error
	uniqueKeys       bool     // a key repeated in an object is an error
	keys             [][]byte // with uniqueKeys, the decoded keys of the objects being read
}

// New returns a scanner at the start of data.
func New(data []byte) Scanner { return Scanner{data: data} }

// Reset makes s read data from its start, keeping its options and the
// memory it allocated, which a scanner reused for each line of an input
// then allocates only once.
func (s *Scanner) Reset(data []byte) {
	s.data, s.pos, s.depth, s.keys = data, 0, 0, s.keys[:0]
}

// DisallowInvalidUTF8 makes invalid UTF-8 in a string a syntax error.
// By default, as in encoding/json, such a string is valid and each
// invalid byte decodes to U+FFFD.
func (s *Scanner) DisallowInvalidUTF8() { s.strictUTF8 = true }

// DisallowLoneSurrogates makes a \u escape of a surrogate that is not
// half of a pair ("\ud800") a *StrictError. encoding/json decodes it to
// U+FFFD, other parsers keep it or reject the document.
func (s *Scanner) DisallowLoneSurrogates() { s.noLoneSurrogates = true }

// DisallowDuplicateKeys makes a key that appears twice in one object, once
// decoded, a *StrictError. encoding/json keeps the last member, other
// parsers the first, or reject the document.
func (s *Scanner) DisallowDuplicateKeys() { s.uniqueKeys = true }

// Peek returns the next byte that is not white space, such as the first
// byte of the next value, or 0 at the end of the document.
func (s *Scanner) Peek() byte {
	s.skipSpace()
	if s.pos < len(s.data) {
		return s.data[s.pos]
	}
	return 0
}

// Offset returns the offset of the first byte of the next value.
func (s *Scanner) Offset() int {
	s.skipSpace()
	return s.pos
}

// End checks that nothing but white space is left.
func (s *Scanner) End() error {
	if s.skipSpace(); s.pos < len(s.data) {
		return s.unexpected(wantEnd)
	}
	return nil
}

// Prefix reads the document as the start of a longer one that is cut off
// at its end: it returns nil when some continuation could make it valid,
// and otherwise the error at the first byte that none can.
func (s *Scanner) Prefix() error {
	err := s.Skip()
	if err == nil {
		err = s.End()
	}
	if se, ok := errors.AsType[*SyntaxError](err); ok && se.AtEnd {
		return nil
	}
	return err
}

// Skip reads any value.
func (s *Scanner) Skip() error {
	switch c := s.Peek(); c {
	case '{':
		return s.object(nil)
	case '[':
		return s.array(nil)
	case '"':
		_, err := s.scanString()
		return err
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
		return s.unexpected(wantValue)
	}
}

// Raw reads any value and returns its bytes, which alias the document.
func (s *Scanner) Raw() ([]byte, error) {
	start := s.Offset()
	if err := s.Skip(); err != nil {
		return nil, err
	}
	return s.data[start:s.pos], nil
}

// RawObject is Raw that, when the value is an object, also calls member
// for each of its members as Object does.
func (s *Scanner) RawObject(member func(key []byte) error) ([]byte, error) {
	start := s.Offset()
	var err error
	if s.Peek() == '{' {
		err = s.object(member)
	} else {
		err = s.Skip()
	}
	if err != nil {
		return nil, err
	}
	return s.data[start:s.pos], nil
}

// Null reads a null, reporting whether there was one; it reads nothing
// otherwise.
func (s *Scanner) Null() bool {
	if s.Peek() != 'n' || len(s.data)-s.pos < len("null") || string(s.data[s.pos:s.pos+len("null")]) != "null" {
		return false
	}
	s.pos += len("null")
	return true
}

// Object reads an object, calling member with each key, decoded, and the
// scanner at the member's value, which member must read. The key aliases
// the document unless it had to be decoded. A null reads as an object
// without members.
func (s *Scanner) Object(member func(key []byte) error) error {
	switch s.Peek() {
	case '{':
		return s.object(member)
	case 'n':
		return s.literal("null")
	}
	return s.TypeError("object")
}

// Array reads an array, calling elem with the index of each element and
// the scanner at it, which elem must read. A null reads as an empty array.
func (s *Scanner) Array(elem func(i int) error) error {
	switch s.Peek() {
	case '[':
		return s.array(elem)
	case 'n':
		return s.literal("null")
	}
	return s.TypeError("array")
}

// Str reads a string, decoded; null reads as "".
func (s *Scanner) Str() (string, error) {
	if s.Null() {
		return "", nil
	}
	str, err := s.stringContents()
	if err != nil {
		return "", err
	}
	if s.plain(str) {
		return string(str.contents), nil
	}
	b := appendUnquoted(make([]byte, 0, len(str.contents)), str.contents)
	return unsafe.String(unsafe.SliceData(b), len(b)), nil // b is not used again
}

// AppendStr reads a string (null reads as "") and appends it, decoded, to
// dst.
func (s *Scanner) AppendStr(dst []byte) ([]byte, error) {
	if s.Null() {
		return dst, nil
	}
	str, err := s.stringContents()
	if err != nil {
		return dst, err
	}
	if s.plain(str) {
		return append(dst, str.contents...), nil
	}
	return appendUnquoted(dst, str.contents), nil
}

// RawStr reads a string and returns its contents as they are, escape
// sequences and all, aliasing the document (AppendDecoded decodes them).
// Unlike Str it does not take null.
func (s *Scanner) RawStr() ([]byte, error) {
	str, err := s.stringContents()
	return str.contents, err
}

// OptionalStr reads a string, decoded, or null as nil.
func (s *Scanner) OptionalStr() (*string, error) {
	if s.Null() {
		return nil, nil
	}
	v, err := s.Str()
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// Int reads an integer that fits in 64 bits; null reads as 0.
func (s *Scanner) Int() (int64, error) {
	if s.Null() {
		return 0, nil
	}
	if c := s.Peek(); c != '-' && !isDigit(c) {
		return 0, s.TypeError("integer")
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

// TypeError reads the next value and returns an error saying that it is
// not of the type wanted, such as "found array, want object"; or, when it
// is not valid JSON, the syntax error.
func (s *Scanner) TypeError(want string) error {
	start := s.Offset()
	if err := s.Skip(); err != nil {
		return err
	}
	return fmt.Errorf("found %s, want %s", KindOf(s.data[start:s.pos]), want)
}

// KindOf names the JSON type of the value raw starts with, as the JSON
// specification names them: "object", "array", "string", "number",
// "boolean" or "null"; "nothing" when raw is empty.
func KindOf(raw []byte) string {
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
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

// object reads the object at pos. A nil member skips every value, without
// decoding keys.
func (s *Scanner) object(member func(key []byte) error) error {
	if err := s.enter(); err != nil {
		return err
	}
	if s.Peek() == '}' {
		s.leave()
		return nil
	}
	frame := len(s.keys)
	var seen map[string]struct{} // with uniqueKeys, the keys of a large object
	want := wantFirstKey
	for {
		if s.Peek() != '"' {
			return s.unexpected(want)
		}
		at := s.pos
		key, err := s.scanString()
		if err != nil {
			return err
		}
		if s.uniqueKeys {
			dup := false
			if keys := s.keys[frame:]; seen == nil && !key.escaped && len(keys) < linearKeys {
				// the common case, inline: a few keys that need no decoding
				for _, prev := range keys {
					if string(prev) == string(key.contents) {
						dup = true
						break
					}
				}
				s.keys = append(s.keys, key.contents)
			} else {
				dup = s.repeated(frame, &seen, key)
			}
			if dup {
				return &StrictError{Offset: at, reason: "duplicate key " + strconv.Quote(string(appendUnquoted(nil, key.contents)))}
			}
		}
		if s.Peek() != ':' {
			return s.unexpected(wantColon)
		}
		s.pos++
		switch {
		case member == nil:
			err = s.Skip()
		case s.plain(key):
			err = member(key.contents)
		default:
			err = member(appendUnquoted(nil, key.contents))
		}
		if err != nil {
			return err
		}
		switch s.Peek() {
		case ',':
			s.pos++
			want = wantKey
		case '}':
			s.keys = s.keys[:frame]
			s.leave()
			return nil
		default:
			return s.unexpected(wantMemberEnd)
		}
	}
}

// linearKeys is how many keys of an object repeated compares one by one
// before it moves them to a map: most objects have a few members, and
// comparing a few short keys is cheaper than hashing them.
const linearKeys = 16

// repeated reports whether key was already read in the object whose keys
// start at frame in s.keys (or are in *seen, once there are many), and
// records it otherwise.
func (s *Scanner) repeated(frame int, seen *map[string]struct{}, key rawString) bool {
	k := key.contents
	if key.escaped {
		k = appendUnquoted(nil, k)
	}
	if *seen != nil {
		if _, ok := (*seen)[string(k)]; ok {
			return true
		}
		(*seen)[string(k)] = struct{}{}
		return false
	}
	keys := s.keys[frame:]
	for _, prev := range keys {
		if string(prev) == string(k) {
			return true
		}
	}
	if len(keys) < linearKeys {
		s.keys = append(s.keys, k)
		return false
	}
	*seen = make(map[string]struct{}, 4*linearKeys)
	for _, prev := range keys {
		(*seen)[string(prev)] = struct{}{}
	}
	(*seen)[string(k)] = struct{}{}
	s.keys = s.keys[:frame]
	return false
}

// array reads the array at pos. A nil elem skips every element.
func (s *Scanner) array(elem func(i int) error) error {
	if err := s.enter(); err != nil {
		return err
	}
	if s.Peek() == ']' {
		s.leave()
		return nil
	}
	for i := 0; ; i++ {
		var err error
		switch c := s.Peek(); {
		case elem != nil:
			err = elem(i)
		case c == '-' || isDigit(c):
			err = s.numbers()
		default:
			err = s.Skip()
		}
		if err != nil {
			return err
		}
		switch s.Peek() {
		case ',':
			s.pos++
		case ']':
			s.leave()
			return nil
		default:
			return s.unexpected(wantElemEnd)
		}
	}
}

// enter consumes the '{' or '[' that opens a container.
func (s *Scanner) enter() error {
	if s.depth == maxDepth {
		return s.fail(tooDeep)
	}
	s.depth++
	s.pos++
	return nil
}

// leave consumes the '}' or ']' that closes a container.
func (s *Scanner) leave() {
	s.depth--
	s.pos++
}

// number reads a number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *Scanner) number() error {
	end, p, ok := numberEnd(s.data, s.pos)
	s.pos = end
	if !ok {
		return s.unexpected(p)
	}
	return nil
}

// numberEnd returns the end of the number that starts at offset i of d
// and true, or the offset where it goes wrong and the problem. It works
// on local offsets, which keeps long arrays of numbers (embeddings) fast.
func numberEnd(d []byte, i int) (int, problem, bool) {
	if d[i] == '-' {
		i++
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case i < len(d) && isDigit(d[i]):
		i = skipDigits(d, i)
	default:
		return i, wantDigit, false
	}
	if i < len(d) && d[i] == '.' {
		j := skipDigits(d, i+1)
		if j == i+1 {
			return j, wantFraction, false
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
			return j, wantExponent, false
		}
		i = j
	}
	return i, 0, true
}

// numbers reads elements of an array from pos, the start of one that is
// a number, as long as they are numbers, in a loop of its own: the
// vectors of embeddings are the bulk of their documents. It leaves pos
// just past the last number it read, at the ',' or ']' or white space
// after it, for array to go on from there; a number that is not valid is
// left to number, which says why.
func (s *Scanner) numbers() error {
	d, i := s.data, s.pos
	for {
		end, _, ok := numberEnd(d, i)
		if !ok {
			s.pos = i
			return s.number()
		}
		s.pos = end
		// The next element, after a ',' and any spaces, when it is a number.
		i = end
		for i < len(d) && d[i] == ' ' {
			i++
		}
		if i == len(d) || d[i] != ',' {
			return nil
		}
		i++
		for i < len(d) && d[i] == ' ' {
			i++
		}
		if i == len(d) || d[i] != '-' && !isDigit(d[i]) {
			return nil
		}
	}
}

// skipDigits returns the offset of the first byte at or after i in d that
// is not a decimal digit. It tests eight bytes at a time: the fractions of
// embeddings have eight digits or more.
func skipDigits(d []byte, i int) int {
	for i+8 <= len(d) {
		if m := nonDigits(binary.LittleEndian.Uint64(d[i:])); m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
		i += 8
	}
	for i < len(d) && isDigit(d[i]) {
		i++
	}
	return i
}

// nonDigits flags each byte of x that is not a decimal digit with its high
// bit. With the high bits cleared first, adding 0x80-'0' to a byte sets its
// high bit when it is at least '0', and adding 0x80-'9'-1 when it is above
// '9', with no carry into the next byte.
func nonDigits(x uint64) uint64 {
	const ones = 0x0101010101010101
	y := x &^ highBits
	return (^(y + (0x80-'0')*ones) | (y + (0x80-'9'-1)*ones) | x) & highBits
}

// literal reads the literal lit (true, false or null).
func (s *Scanner) literal(lit string) error {
	for i := range len(lit) {
		if s.pos >= len(s.data) {
			return s.unexpected(wantLiteral)
		}
		if s.data[s.pos] != lit[i] {
			err := s.fail(wantLiteral)
			err.literal, err.expected = lit, lit[i]
			return err
		}
		s.pos++
	}
	return nil
}

func (s *Scanner) skipSpace() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// unexpected reports that the byte at pos is not what the grammar wants
// there, or that the document ended early.
func (s *Scanner) unexpected(p problem) error {
	if s.pos >= len(s.data) {
		return s.endOfInput()
	}
	return s.fail(p)
}

// endOfInput reports that the document ended in the middle of a value.
func (s *Scanner) endOfInput() error {
	return &SyntaxError{Offset: len(s.data), AtEnd: true}
}

// fail reports problem p with the character at pos.
func (s *Scanner) fail(p problem) *SyntaxError {
	_, size := utf8.DecodeRune(s.data[s.pos:])
	return &SyntaxError{Offset: s.pos, problem: p, char: string(s.data[s.pos : s.pos+size])}
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// WrapKey prefixes a member's error with its key ("usage: found string,
// want object"), keeping it for errors.Is and errors.As; nil stays nil.
func WrapKey(key []byte, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", key, err)
}
