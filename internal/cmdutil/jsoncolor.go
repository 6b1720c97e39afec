package cmdutil

import (
	"bytes"
	"strings"
)

// ANSI styles of indented JSON on a terminal, close to gh's.
const (
	colorDelim  = "\x1b[1m"
	colorKey    = "\x1b[1;34m"
	colorString = "\x1b[32m"
	colorNumber = "\x1b[36m"
	colorBool   = "\x1b[33m"
	colorNull   = "\x1b[90m"
	colorReset  = "\x1b[0m"
)

// colorJSON colours valid JSON text (as json.Indent writes it): keys,
// strings, numbers, booleans, null and delimiters each in their style.
func colorJSON(b []byte) string {
	var out strings.Builder
	paint := func(style string, text []byte) {
		out.WriteString(style)
		out.Write(text)
		out.WriteString(colorReset)
	}
	for i := 0; i < len(b); {
		c := b[i]
		switch {
		case c == '"':
			end := i + 1
			for end < len(b) && b[end] != '"' {
				if b[end] == '\\' {
					end++
				}
				end++
			}
			end++ // the closing quote
			style := colorString
			if rest := bytes.TrimLeft(b[end:], " \t\n"); len(rest) > 0 && rest[0] == ':' {
				style = colorKey
			}
			paint(style, b[i:end])
			i = end
		case strings.IndexByte("{}[]:,", c) >= 0:
			paint(colorDelim, b[i:i+1])
			i++
		case c == 't' || c == 'f' || c == 'n':
			end := i
			for end < len(b) && b[end] >= 'a' && b[end] <= 'z' {
				end++
			}
			style := colorBool
			if c == 'n' {
				style = colorNull
			}
			paint(style, b[i:end])
			i = end
		case c == '-' || c >= '0' && c <= '9':
			end := i
			for end < len(b) && strings.IndexByte("+-.eE0123456789", b[end]) >= 0 {
				end++
			}
			paint(colorNumber, b[i:end])
			i = end
		default: // white space
			out.WriteByte(c)
			i++
		}
	}
	return out.String()
}
