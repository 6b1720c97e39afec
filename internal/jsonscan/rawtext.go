package jsonscan

import (
	"encoding/binary"
	"math/bits"
	"sync/atomic"
	"unicode/utf8"
	"unsafe"
)

// RawText reads a string as RawStr does, and reports too whether its
// contents are verbatim: valid UTF-8 without U+2028 or U+2029 whose only
// escapes are \" \\ \b \f \n \r and \t, which a writer that escapes as
// encoding/json does (without HTML escaping) would write as they are. It
// is the string reader of the long texts of results, which it reads in
// one pass, sixteen bytes at a time while they need no attention, so
// that they can be copied out again without a second look. Any string a
// scanner with strict options reads, and any that is not valid JSON, is
// left to the ordinary reader, with its errors.
func (s *Scanner) RawText() (contents []byte, verbatim bool, err error) {
	if s.Peek() != '"' || s.strictUTF8 || s.noLoneSurrogates {
		str, err := s.stringContents()
		return str.contents, false, err
	}
	d := s.data
	start := s.pos + 1
	verbatim = true
	for i := start; ; {
		if i = skipPlain(d, i); i+16 <= len(d) {
			goto look
		}
		for i < len(d) && d[i] >= 0x20 && d[i] < utf8.RuneSelf && d[i] != '"' && d[i] != '\\' {
			i++
		}
		if i == len(d) {
			break // the document ends inside the string
		}
	look:
		switch c := d[i]; {
		case c == '"':
			s.pos = i + 1
			return d[start:i], verbatim, nil
		case c == '\\':
			if i+1 == len(d) {
				goto slow
			}
			switch d[i+1] {
			case '"', '\\', 'b', 'f', 'n', 'r', 't':
				i += 2
			case '/':
				i, verbatim = i+2, false
			case 'u':
				n, err := s.escape(i)
				if err != nil {
					goto slow
				}
				i, verbatim = i+n, false
			default:
				goto slow
			}
		case c < 0x20:
			goto slow // a control character, for scanString to report
		default:
			i += utf8Char(d[i:], &verbatim)
		}
	}
slow:
	// Not valid JSON: scanString says why, as it does for Str.
	s.pos = start - 1
	str, err := s.scanString()
	return str.contents, false, err
}

// skipPlain returns the offset of the first byte at or after i in d that
// attention marks, or where fewer than sixteen bytes are left to test.
// It is a function of its own to keep the loop's few values in registers.
func skipPlain(d []byte, i int) int {
	for b := d[i:]; len(b) >= 16; b, i = b[16:], i+16 {
		m, n := attention(binary.LittleEndian.Uint64(b[:8])), attention(binary.LittleEndian.Uint64(b[8:16]))
		if m|n != 0 {
			if m != 0 {
				return i + bits.TrailingZeros64(m)>>3
			}
			return i + 8 + bits.TrailingZeros64(n)>>3
		}
	}
	return i
}

// attention marks the high bit of each byte of x, eight bytes of a string,
// that a reader of RawText must look at: a quote, a backslash, a control
// character or a byte above 0x7f. The lowest mark is always a byte that
// needs it (see hasSpecialByte; a byte above 0x7f is marked by x itself);
// higher ones may not be.
func attention(x uint64) uint64 { return specialBytes(x) | x&highBits }

// utf8Char returns the length of the character b starts with, a byte
// above 0x7f, and clears *verbatim when it is not valid UTF-8 (a byte
// then) or is U+2028 or U+2029. The two- and three-byte characters of
// most texts are taken without a call.
func utf8Char(b []byte, verbatim *bool) int {
	c := b[0]
	switch {
	case 0xc2 <= c && c <= 0xdf && len(b) >= 2 && b[1]&0xc0 == 0x80:
		return 2
	case 0xe1 <= c && c <= 0xef && c != 0xed && len(b) >= 3 && b[1]&0xc0 == 0x80 && b[2]&0xc0 == 0x80:
		if c == 0xe2 && b[1] == 0x80 && (b[2] == 0xa8 || b[2] == 0xa9) {
			*verbatim = false
		}
		return 3
	}
	r, size := utf8.DecodeRune(b)
	if r == utf8.RuneError && size == 1 {
		*verbatim = false
	}
	return size
}

// StrOf reads a string as Str does, and when it is one of known, returns
// that one: the values that repeat line after line (types, stop reasons)
// are then read without allocating a copy.
func (s *Scanner) StrOf(known []string) (string, error) {
	if s.Null() {
		return "", nil
	}
	str, err := s.stringContents()
	if err != nil {
		return "", err
	}
	if !str.escaped {
		for _, k := range known {
			if string(str.contents) == k {
				return k, nil
			}
		}
	}
	return s.decoded(str), nil
}

// OptionalStrOf is StrOf that reads null as nil, as OptionalStr does. A
// string of known is returned as a pointer to it, shared by every call:
// what it points to must not be changed.
func (s *Scanner) OptionalStrOf(known []string) (*string, error) {
	if s.Null() {
		return nil, nil
	}
	str, err := s.stringContents()
	if err != nil {
		return nil, err
	}
	if !str.escaped {
		for i, k := range known {
			if string(str.contents) == k {
				return &known[i], nil
			}
		}
	}
	v := s.decoded(str)
	return &v, nil
}

// A StrCache holds the string last read with StrCached. It may be used by
// several goroutines at once.
type StrCache struct{ last atomic.Pointer[string] }

// StrCached reads a string as Str does, returning the one c holds when it
// is the same and holding it otherwise: a value that most lines repeat,
// such as the model, is then read without allocating a copy.
func (s *Scanner) StrCached(c *StrCache) (string, error) {
	if s.Null() {
		return "", nil
	}
	str, err := s.stringContents()
	if err != nil {
		return "", err
	}
	if last := c.last.Load(); last != nil && !str.escaped && string(str.contents) == *last {
		return *last, nil
	}
	v := s.decoded(str)
	c.last.Store(&v)
	return v, nil
}

// decoded is the value of a string read, as Str returns it.
func (s *Scanner) decoded(str rawString) string {
	if s.plain(str) {
		return string(str.contents)
	}
	b := appendUnquoted(make([]byte, 0, len(str.contents)), str.contents)
	return unsafe.String(unsafe.SliceData(b), len(b)) // b is not used again
}
