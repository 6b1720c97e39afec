package jsonscan

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"slices"
	"unicode/utf16"
	"unicode/utf8"
)

// rawString is what the scanner learns of a string while reading it.
type rawString struct {
	contents []byte // the bytes between the quotes, still encoded
	escaped  bool   // the contents have escape sequences
	ascii    bool   // the contents have no byte above 0x7f
}

// stringContents reads a string.
func (s *Scanner) stringContents() (rawString, error) {
	if s.Peek() != '"' {
		return rawString{}, s.TypeError("string")
	}
	return s.scanString()
}

// scanString reads the string at pos.
func (s *Scanner) scanString() (rawString, error) {
	d := s.data
	start := s.pos + 1
	i := start
	escaped := false
	var wordsOr uint64 // all the bytes tested eight at a time, or'ed
	var bytesOr byte   // all the others but escapes, or'ed
	for {
		// Eight bytes at a time up to the first that needs attention,
		// which the lowest flag of specialBytes points at.
		for i+8 <= len(d) {
			x := binary.LittleEndian.Uint64(d[i:])
			if m := specialBytes(x); m != 0 {
				n := bits.TrailingZeros64(m) >> 3
				wordsOr |= x & (1<<(8*n) - 1)
				i += n
				break
			}
			wordsOr |= x
			i += 8
		}
		for i < len(d) && d[i] >= 0x20 && d[i] != '"' && d[i] != '\\' {
			bytesOr |= d[i]
			i++
		}
		if i == len(d) {
			// Read as a prefix (Prefix), the document may be cut off in
			// the middle of a string: its invalid UTF-8 is an error
			// already, unless it is a character cut in half.
			if s.strictUTF8 && (wordsOr|uint64(bytesOr))&highBits != 0 {
				if bad := start + InvalidUTF8(d[start:i]); bad < i && utf8.FullRune(d[bad:i]) {
					s.pos = bad
					return rawString{}, s.fail(invalidUTF8)
				}
			}
			s.pos = i
			return rawString{}, s.endOfInput()
		}
		switch d[i] {
		case '"':
			str := rawString{contents: d[start:i], escaped: escaped, ascii: (wordsOr|uint64(bytesOr))&highBits == 0}
			if s.strictUTF8 && !str.ascii && !utf8.Valid(str.contents) {
				s.pos = start + InvalidUTF8(str.contents)
				return rawString{}, s.fail(invalidUTF8)
			}
			s.pos = i + 1
			return str, nil
		case '\\':
			escaped = true
			// The short escapes and the \u escapes that are not
			// surrogates, inline: prose has one every few words.
			if i+1 < len(d) && shortEscape[d[i+1]] {
				i += 2
				continue
			}
			if i+6 <= len(d) && d[i+1] == 'u' && isHex(d[i+2]) && isHex(d[i+3]) && isHex(d[i+4]) && isHex(d[i+5]) &&
				!(s.noLoneSurrogates && utf16.IsSurrogate(hex4(d[i+2:]))) {
				i += 6
				continue
			}
			n, err := s.escape(i)
			if err != nil {
				return rawString{}, err
			}
			i += n
		default:
			s.pos = i
			return rawString{}, s.fail(controlChar)
		}
	}
}

// shortEscape says which bytes make a two-byte escape sequence after a
// backslash.
var shortEscape = [256]bool{'"': true, '\\': true, '/': true, 'b': true, 'f': true, 'n': true, 'r': true, 't': true}

// escape checks the escape sequence at offset i, a backslash, and returns
// its length.
func (s *Scanner) escape(i int) (int, error) {
	s.pos = i + 1
	if s.pos == len(s.data) {
		return 0, s.unexpected(wantEscape)
	}
	switch s.data[s.pos] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return 2, nil
	case 'u':
		for s.pos = i + 2; s.pos < i+6; s.pos++ {
			if s.pos == len(s.data) || !isHex(s.data[s.pos]) {
				return 0, s.unexpected(wantHex)
			}
		}
		if r := hex4(s.data[i+2:]); s.noLoneSurrogates && utf16.IsSurrogate(r) {
			return s.surrogatePair(i, r)
		}
		return 6, nil
	}
	return 0, s.fail(wantEscape)
}

// surrogatePair checks that the escape of surrogate r at offset i is the
// high half of a pair whose low half follows, and returns the length of
// both escapes.
func (s *Scanner) surrogatePair(i int, r rune) (int, error) {
	d, j := s.data, i+6
	if r < 0xdc00 && len(d)-j >= 2 && d[j] == '\\' && d[j+1] == 'u' {
		for s.pos = j + 2; s.pos < j+6; s.pos++ {
			if s.pos == len(d) || !isHex(d[s.pos]) {
				return 0, s.unexpected(wantHex)
			}
		}
		if low := hex4(d[j+2:]); 0xdc00 <= low && low <= 0xdfff {
			return 12, nil
		}
	} else if r < 0xdc00 && (j == len(d) || j+1 == len(d) && d[j] == '\\') {
		s.pos = len(d) // cut off before the low half could start
		return 0, s.endOfInput()
	}
	s.pos = i
	return 0, &StrictError{Offset: i, reason: "lone surrogate " + string(d[i:i+6]) +
		" in string (write the character itself, or both halves of its surrogate pair)"}
}

// plain reports whether the contents of str decode to themselves.
func (s *Scanner) plain(str rawString) bool {
	return !str.escaped && (str.ascii || s.strictUTF8 || utf8.Valid(str.contents))
}

// hasSpecialByte reports whether any of the eight bytes of x needs
// attention inside a string: a quote, a backslash or a control character.
// Testing eight bytes at a time makes scanning about 1.5 times faster on
// typical documents, whose bulk is prose in strings.
//
// For a word x, (x - n*ones) &^ x & highBits is non-zero when some byte of x
// is below n (n <= 0x80), and the lowest such byte is always flagged;
// higher flags may be false positives caused by a borrow from a flagged
// byte, which do not change the answer. A byte equal to c is a zero byte,
// that is a byte below 1, of x ^ c*ones. The masks share &^x instead of
// each using its own operand: that only differs for bytes with the high
// bit set in x, which are not ASCII and never special.
func hasSpecialByte(x uint64) bool { return specialBytes(x) != 0 }

// specialBytes flags the bytes of x that hasSpecialByte looks for with
// their high bit: the lowest flag is always right, higher ones may be
// false positives.
func specialBytes(x uint64) uint64 {
	const ones = 0x0101010101010101
	control := x - 0x20*ones
	quote := (x ^ '"'*ones) - ones
	backslash := (x ^ '\\'*ones) - ones
	return (control | quote | backslash) &^ x & highBits
}

// highBits has the high bit of each byte of a word set.
const highBits = 0x8080808080808080

// Unquote returns the contents of quoted, a JSON string (quotes included)
// that a Scanner accepted, decoded as encoding/json decodes it: invalid
// UTF-8 and lone surrogates become U+FFFD. The result aliases quoted when
// nothing needs decoding.
func Unquote(quoted []byte) []byte {
	inner := quoted[1 : len(quoted)-1]
	if bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
		return inner
	}
	return appendUnquoted(nil, inner)
}

// appendUnquoted appends the decoded contents of a string that the
// scanner accepted to dst.
func appendUnquoted(dst, raw []byte) []byte {
	dst = slices.Grow(dst, len(raw)) // enough unless invalid UTF-8 grows into U+FFFD
	for len(raw) > 0 {
		if raw[0] == '\\' {
			// The escapes of one byte, most of a JSON text's, without a call.
			if c := shortEscapes[raw[1]]; c != 0 {
				dst, raw = append(dst, c), raw[2:]
				continue
			}
			var n int
			dst, n = appendEscape(dst, raw)
			raw = raw[n:]
			continue
		}
		n := bytes.IndexByte(raw, '\\')
		if n < 0 {
			n = len(raw)
		}
		dst = appendValidUTF8(dst, raw[:n])
		raw = raw[n:]
	}
	return dst
}

// shortEscapes maps the letter after a backslash to the byte its escape
// stands for (0 for \u, which is longer, and for letters that are not an
// escape: the scanner let none of them through).
var shortEscapes = [256]byte{'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}

// appendValidUTF8 appends b to dst with each byte that is not part of
// valid UTF-8 replaced by U+FFFD, as encoding/json decodes strings.
func appendValidUTF8(dst, b []byte) []byte {
	if utf8.Valid(b) {
		return append(dst, b...)
	}
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r == utf8.RuneError && n == 1 {
			dst = utf8.AppendRune(dst, utf8.RuneError)
		} else {
			dst = append(dst, b[:n]...)
		}
		b = b[n:]
	}
	return dst
}

// appendEscape appends what the valid escape sequence raw starts with
// stands for, returning how many bytes of raw it used.
func appendEscape(dst, raw []byte) ([]byte, int) {
	r, n := DecodeEscape(raw)
	if r < utf8.RuneSelf {
		return append(dst, byte(r)), n
	}
	return utf8.AppendRune(dst, r), n
}

// DecodeEscape returns the character that the escape sequence raw starts
// with stands for, as encoding/json decodes it, and its length: a \u
// escape of a high surrogate takes the low surrogate escape that follows
// it, and a lone surrogate stands for U+FFFD. raw must start with an
// escape sequence that a Scanner accepted (within a string it read).
func DecodeEscape(raw []byte) (rune, int) {
	if c := shortEscapes[raw[1]]; c != 0 {
		return rune(c), 2
	}
	// \u: the string was validated, so it is a complete escape.
	r := hex4(raw[2:])
	if !utf16.IsSurrogate(r) {
		return r, 6
	}
	if len(raw) >= 12 && raw[6] == '\\' && raw[7] == 'u' {
		if pair := utf16.DecodeRune(r, hex4(raw[8:])); pair != utf8.RuneError {
			return pair, 12
		}
	}
	return utf8.RuneError, 6
}

// AppendDecoded appends the decoded contents of a string a Scanner read
// (see RawStr) to dst, as encoding/json decodes them: invalid UTF-8 and
// lone surrogates become U+FFFD.
func AppendDecoded(dst, contents []byte) []byte {
	return appendUnquoted(dst, contents)
}

// hex4 decodes the four hexadecimal digits b starts with, which the
// scanner has checked.
func hex4(b []byte) rune {
	var r rune
	for _, c := range b[:4] {
		switch {
		case isDigit(c):
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		default:
			c = c - 'A' + 10
		}
		r = r<<4 | rune(c)
	}
	return r
}

func isHex(c byte) bool {
	return isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

const hexDigits = "0123456789abcdef"

// AppendQuote appends s to dst as a JSON string, escaping only what JSON
// requires: quotes, backslashes and control characters. Unlike
// encoding/json it leaves <, > and & as they are. s should be valid UTF-8:
// invalid bytes are copied as they are, making a string that
// DisallowInvalidUTF8 rejects.
func AppendQuote(dst, s []byte) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if i+8 <= len(s) && !hasSpecialByte(binary.LittleEndian.Uint64(s[i:])) {
			i += 8
			continue
		}
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			i++
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		i++
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// InvalidUTF8 returns the offset of the first byte of b that is not part
// of a valid UTF-8 sequence, len(b) when there is none.
func InvalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return len(b)
}
