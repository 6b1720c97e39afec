package jsonl

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxProblems is how many problems a ValidationError lists; the rest are
// only counted.
const MaxProblems = 20

// Problem is one validation finding about one input line.
type Problem struct {
	File   string // the input's name as the user gave it
	Line   int    // 1-based; 0 when the problem is about the whole file
	Column int    // 1-based byte offset in the line; 0 when not known
	Field  string // the JSON field at fault ("custom_id", "body.model"); may be empty
	Reason string
}

// Error formats p the way compilers do, so that editors can jump to it:
// "file:line:column: field: reason", leaving out the parts that are unset.
func (p Problem) Error() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(p.Line))
		if p.Column > 0 {
			b.WriteByte(':')
			b.WriteString(strconv.Itoa(p.Column))
		}
	}
	b.WriteString(": ")
	if p.Field != "" {
		b.WriteString(p.Field)
		b.WriteString(": ")
	}
	b.WriteString(p.Reason)
	return b.String()
}

// ValidationError is input that failed validation. It lists the first
// MaxProblems problems in input order and counts them all.
type ValidationError struct {
	Problems []Problem
	Total    int
	// Note, when set, says that the input was not read to its end.
	Note string
}

// Error prints one problem per line, then "... and K more problems" when
// some were left out.
func (e *ValidationError) Error() string {
	var b strings.Builder
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(p.Error())
	}
	if more := e.Total - len(e.Problems); more > 0 {
		b.WriteString("\n... and ")
		b.WriteString(strconv.Itoa(more))
		if more == 1 {
			b.WriteString(" more problem")
		} else {
			b.WriteString(" more problems")
		}
	}
	if e.Note != "" {
		b.WriteByte('\n')
		b.WriteString(e.Note)
	}
	return b.String()
}

// problems collects the problems of one input, keeping the first
// MaxProblems.
type problems struct {
	list  []Problem
	total int
	note  string
}

func (ps *problems) add(p Problem) {
	ps.total++
	if len(ps.list) < MaxProblems {
		ps.list = append(ps.list, p)
	}
}

// err returns a *ValidationError holding the problems, or nil when there are
// none.
func (ps *problems) err() error {
	if ps.total == 0 {
		return nil
	}
	return &ValidationError{Problems: ps.list, Total: ps.total, Note: ps.note}
}

// quote quotes a value from the input for a message, shortening long ones.
func quote(s string) string {
	const limit = 64
	if len(s) <= limit {
		return strconv.Quote(s)
	}
	return strconv.Quote(s[:runeCut(s, limit)]) + "..."
}

// shorten shortens a raw JSON value from the input for a message.
func shorten(raw []byte) string {
	const limit = 24
	if len(raw) <= limit {
		return string(raw)
	}
	return string(raw[:runeCut(string(raw), limit)]) + "..."
}

// runeCut returns the largest index at most limit that does not split a
// UTF-8 sequence of s.
func runeCut(s string, limit int) int {
	cut := limit
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return cut
}
