package jsonl

import "bytes"

const hexDigits = "0123456789abcdef"

// appendJSONString appends s, valid UTF-8, to dst as a JSON string,
// escaping only what JSON requires: quotes, backslashes and control
// characters.
func appendJSONString(dst, s []byte) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if n := plainPrefix(s[i:]); n > 0 {
			i += n
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

// escapedContents returns the contents of raw, a valid JSON string, with
// its escapes rewritten as appendJSONString writes them, so that parts of
// it can be spliced into other strings and compared with plain text. It
// allocates only when raw has escapes.
func escapedContents(raw []byte) []byte {
	inner := raw[1 : len(raw)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		return inner
	}
	s, err := unquote(raw)
	if err != nil {
		return inner
	}
	out := appendJSONString(nil, s)
	return out[1 : len(out)-1]
}
