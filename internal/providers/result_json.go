package providers

import (
	"encoding/binary"
	"math/bits"
	"strconv"
	"unicode/utf8"
	"unsafe"

	"github.com/batchctl/batchctl/internal/jsonscan"
)

// AppendJSON appends r to dst as one JSON object, without a newline, and
// returns the extended buffer. The bytes are those an encoding/json
// Encoder with SetEscapeHTML(false) writes for r (less its newline) when
// its json.RawMessage fields are compact JSON: those raw fields are copied
// as they are, neither checked nor compacted, since they come from the
// provider's own lines, which Normalize has read as JSON (an empty one is
// written as null). Every key is written, null where it does not apply.
// It allocates nothing unless dst must grow.
func (r *Result) AppendJSON(dst []byte) []byte {
	dst = appendJSONString(append(dst, `{"custom_id":`...), r.CustomID)
	dst = appendJSONString(append(dst, `,"status":`...), string(r.Status))
	dst = appendJSONString(append(dst, `,"job":`...), r.Job)
	dst = appendJSONString(append(dst, `,"provider":`...), r.Provider)
	dst = appendJSONString(append(dst, `,"batch_id":`...), r.BatchID)
	dst = appendJSONString(append(dst, `,"model":`...), r.Model)
	dst = append(dst, `,"text":`...)
	switch {
	case r.TextVerbatim:
		dst = append(append(append(dst, '"'), r.TextRaw...), '"')
	case r.Text == nil && r.TextRaw != nil:
		dst = appendRawJSONString(dst, r.TextRaw)
	default:
		dst = appendJSONStringPtr(dst, r.Text)
	}
	dst = appendRaw(append(dst, `,"embedding":`...), r.Embedding)
	dst = appendRaw(append(dst, `,"embeddings":`...), r.Embeddings)
	dst = append(dst, `,"moderation":`...)
	if m := r.Moderation; m == nil {
		dst = append(dst, "null"...)
	} else {
		dst = strconv.AppendBool(append(dst, `{"flagged":`...), m.Flagged)
		dst = append(dst, `,"categories":`...)
		if m.Categories == nil {
			dst = append(dst, "null"...)
		} else {
			dst = append(dst, '[')
			for i, c := range m.Categories {
				if i > 0 {
					dst = append(dst, ',')
				}
				dst = appendJSONString(dst, c)
			}
			dst = append(dst, ']')
		}
		dst = append(dst, '}')
	}
	dst = appendRaw(append(dst, `,"tool_calls":`...), r.ToolCalls)
	dst = appendJSONStringPtr(append(dst, `,"finish_reason":`...), r.FinishReason)
	dst = append(dst, `,"usage":`...)
	if u := r.Usage; u == nil {
		dst = append(dst, "null"...)
	} else {
		dst = strconv.AppendInt(append(dst, `{"input_tokens":`...), u.InputTokens, 10)
		dst = strconv.AppendInt(append(dst, `,"output_tokens":`...), u.OutputTokens, 10)
		dst = appendIntPtr(append(dst, `,"cache_read_input_tokens":`...), u.CacheReadInputTokens)
		dst = appendIntPtr(append(dst, `,"cache_creation_input_tokens":`...), u.CacheCreationInputTokens)
		dst = appendIntPtr(append(dst, `,"reasoning_tokens":`...), u.ReasoningTokens)
		dst = append(dst, '}')
	}
	dst = appendRaw(append(dst, `,"parsed":`...), r.Parsed)
	dst = append(dst, `,"valid":`...)
	if r.Valid == nil {
		dst = append(dst, "null"...)
	} else {
		dst = strconv.AppendBool(dst, *r.Valid)
	}
	dst = appendRaw(append(dst, `,"output_error":`...), r.OutputError)
	dst = append(dst, `,"error":`...)
	if e := r.Error; e == nil {
		dst = append(dst, "null"...)
	} else {
		dst = appendJSONString(append(dst, `{"type":`...), e.Type)
		dst = appendJSONString(append(dst, `,"message":`...), e.Message)
		dst = appendJSONStringPtr(append(dst, `,"code":`...), e.Code)
		dst = append(dst, `,"http_status":`...)
		if e.HTTPStatus == nil {
			dst = append(dst, "null"...)
		} else {
			dst = strconv.AppendInt(dst, int64(*e.HTTPStatus), 10)
		}
		dst = append(dst, '}')
	}
	dst = append(dst, `,"attempts":`...)
	if r.Attempts == nil {
		dst = append(dst, "null"...)
	} else {
		dst = strconv.AppendInt(dst, int64(*r.Attempts), 10)
	}
	dst = appendRaw(append(dst, `,"response":`...), r.Response)
	return append(dst, '}')
}

// DecodeText sets Text from TextRaw when only TextRaw is set. A verbatim
// TextRaw is kept, for AppendJSON to copy rather than escape Text again.
func (r *Result) DecodeText() {
	if r.Text == nil && r.TextRaw != nil {
		b := jsonscan.AppendDecoded(make([]byte, 0, len(r.TextRaw)), r.TextRaw)
		text := unsafe.String(unsafe.SliceData(b), len(b)) // b is not used again
		r.Text = &text
	}
	if !r.TextVerbatim {
		r.TextRaw = nil
	}
}

// appendIntPtr appends *n, null when n is nil.
func appendIntPtr(dst []byte, n *int64) []byte {
	if n == nil {
		return append(dst, "null"...)
	}
	return strconv.AppendInt(dst, *n, 10)
}

// appendRaw appends a raw JSON value, null when it is empty.
func appendRaw(dst, raw []byte) []byte {
	if len(raw) == 0 {
		return append(dst, "null"...)
	}
	return append(dst, raw...)
}

// appendJSONStringPtr appends *s as a JSON string, null when s is nil.
func appendJSONStringPtr(dst []byte, s *string) []byte {
	if s == nil {
		return append(dst, "null"...)
	}
	return appendJSONString(dst, *s)
}

// asciiEscape is how each ASCII byte is written inside a JSON string: 0
// as itself, 'u' as \u00XX, any other value v as a backslash and v.
var asciiEscape = [utf8.RuneSelf]byte{
	0x00: 'u', 0x01: 'u', 0x02: 'u', 0x03: 'u', 0x04: 'u', 0x05: 'u', 0x06: 'u', 0x07: 'u',
	'\b': 'b', '\t': 't', '\n': 'n', 0x0B: 'u', '\f': 'f', '\r': 'r', 0x0E: 'u', 0x0F: 'u',
	0x10: 'u', 0x11: 'u', 0x12: 'u', 0x13: 'u', 0x14: 'u', 0x15: 'u', 0x16: 'u', 0x17: 'u',
	0x18: 'u', 0x19: 'u', 0x1A: 'u', 0x1B: 'u', 0x1C: 'u', 0x1D: 'u', 0x1E: 'u', 0x1F: 'u',
	'"': '"', '\\': '\\',
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string the way encoding/json does
// without HTML escaping: control characters, quotes and backslashes are
// escaped (\b \f \n \r \t in short form), invalid UTF-8 becomes \ufffd,
// and U+2028 and U+2029 are escaped, as JavaScript needs; everything else
// is copied. Runs of plain ASCII are skipped eight bytes at a time.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0 // s[start:i] is still to be copied
	for i := 0; i < len(s); {
		if i+8 <= len(s) && plainASCII8(s[i:i+8]) {
			i += 8
			continue
		}
		// Take the bytes of this word one by one.
		for end := min(i+8, len(s)); i < end; {
			c := s[i]
			if c < utf8.RuneSelf {
				i++
				esc := asciiEscape[c]
				if esc == 0 {
					continue
				}
				dst = append(dst, s[start:i-1]...)
				if esc == 'u' {
					dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
				} else {
					dst = append(dst, '\\', esc)
				}
				start = i
				continue
			}
			r, size := utf8.DecodeRuneInString(s[i:])
			switch {
			case r == utf8.RuneError && size == 1:
				dst = append(append(dst, s[start:i]...), `\ufffd`...)
			case r == '\u2028' || r == '\u2029':
				dst = append(append(dst, s[start:i]...), '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			default:
				i += size
				continue
			}
			i += size
			start = i
		}
	}
	return append(append(dst, s[start:]...), '"')
}

// appendRawJSONString appends the string whose contents a Scanner read as
// raw (see jsonscan.RawStr) as appendJSONString appends its decoded value,
// in one pass and without decoding it first: a run of plain ASCII or
// valid UTF-8 is copied as it is, and so is an escape sequence that
// appendJSONString writes the same; any other escape is decoded and
// written anew, as are invalid UTF-8 (U+FFFD) and U+2028 and U+2029.
func appendRawJSONString(dst, raw []byte) []byte {
	dst = append(dst, '"')
	start := 0 // raw[start:i] is still to be copied
	for i := 0; i < len(raw); {
		if i+8 <= len(raw) {
			m := lookAt(raw[i : i+8])
			if m == 0 {
				i += 8 // not i += TrailingZeros: the next load would wait for this one
				continue
			}
			i += bits.TrailingZeros64(m) >> 3 // straight to the byte that needs a look
		}
		c := raw[i]
		switch {
		case c == '\\':
			switch raw[i+1] {
			case '"', '\\', 'b', 'f', 'n', 'r', 't':
				i += 2 // copied with the run it is in
			default: // \/ and \u
				dst = append(dst, raw[start:i]...)
				r, n := jsonscan.DecodeEscape(raw[i:])
				dst = appendJSONRune(dst, r)
				i += n
				start = i
			}
		case c < utf8.RuneSelf:
			i++
		case c <= 0xdf && i+1 < len(raw) && c >= 0xc2 && raw[i+1]&0xc0 == 0x80:
			i += 2 // a valid two-byte character, the usual kind, inline
		default:
			r, size := utf8.DecodeRune(raw[i:])
			if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
				dst = appendJSONRune(append(dst, raw[start:i]...), r)
				start = i + size
			}
			i += size
		}
	}
	return append(append(dst, raw[start:]...), '"')
}

// appendJSONRune appends r inside a JSON string as appendJSONString
// writes it.
func appendJSONRune(dst []byte, r rune) []byte {
	switch {
	case r < utf8.RuneSelf:
		switch esc := asciiEscape[r]; esc {
		case 0:
			return append(dst, byte(r))
		case 'u':
			return append(dst, '\\', 'u', '0', '0', hexDigits[r>>4], hexDigits[r&0xF])
		default:
			return append(dst, '\\', esc)
		}
	case r == '\u2028' || r == '\u2029':
		return append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
	}
	return utf8.AppendRune(dst, r)
}

// lookAt flags with their high bit the bytes of the 8 of b, inside a
// string a Scanner read, that are not ASCII to copy as it is: a backslash
// or a byte above 0x7F (control characters and quotes cannot be there
// unescaped). Only the lowest flag can be trusted, and only it is used: a
// byte equal to '\\' borrows from the next one, but no borrow reaches a
// byte below it.
func lookAt(b []byte) uint64 {
	const ones, tops = 0x0101010101010101, 0x8080808080808080
	x := binary.LittleEndian.Uint64(b)
	backslash := x ^ ('\\' * ones)
	return ((backslash-ones)&^x | x) & tops
}

// plainASCII8 reports whether the 8 bytes of s are all ASCII that a JSON
// string holds as is: none is a control character, '"', '\\' or above
// 0x7F. It tests them as one word x: when every byte is ASCII, a byte of
// x - 0x20*ones gets its top bit set if it is below 0x20 (or a borrow
// from a lower byte reaches it), and a byte of (x ^ c*ones) - ones if it
// equals c. A false alarm only sends the word down the byte-by-byte path.
func plainASCII8(s string) bool {
	const ones, tops = 0x0101010101010101, 0x8080808080808080
	_ = s[7]
	x := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
	quote := x ^ ('"' * ones)
	backslash := x ^ ('\\' * ones)
	special := (x - 0x20*ones) | (quote - ones) | (backslash - ones)
	return (special&^x|x)&tops == 0
}
