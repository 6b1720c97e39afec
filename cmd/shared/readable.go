package shared

import (
	"fmt"
	"io"
	"strings"
	"unicode"

	"github.com/charmbracelet/lipgloss"

	"github.com/batchctl/batchctl/internal/iostreams"
	"github.com/batchctl/batchctl/internal/providers"
)

// resultWriter writes results one at a time: as JSON lines (lineWriter),
// or for a person at a terminal (readableWriter).
type resultWriter interface {
	writeResult(*providers.Result) error
	close() error
}

// readableWriter shows each result as one line on a terminal, written at
// once: its id, its outcome, the first line of its text (of its error
// when it did not succeed) cut to the terminal's width, and its tokens.
type readableWriter struct {
	w     io.Writer
	cs    *iostreams.ColorScheme
	width int
}

func newReadableWriter(ios *iostreams.IOStreams, w io.Writer) *readableWriter {
	return &readableWriter{w: w, cs: ios.ColorScheme(), width: ios.TerminalWidth()}
}

// statusWidth fits the longest outcome, "succeeded".
const statusWidth = len("succeeded")

func (rw *readableWriter) writeResult(r *providers.Result) error {
	status := fmt.Sprintf("%-*s", statusWidth, r.Status)
	switch r.Status {
	case providers.ResultSucceeded:
		status = rw.cs.Success(status)
	case providers.ResultErrored, providers.ResultMissing:
		status = rw.cs.Failure(status)
	default:
		status = rw.cs.Warning(status)
	}
	tokens := ""
	if r.Usage != nil {
		tokens = "  " + Tokens(r.Usage) + " tokens"
	}
	id := printable(r.CustomID)
	room := rw.width - lipgloss.Width(id) - 2 - statusWidth - 2 - lipgloss.Width(tokens)
	line := id + "  " + status + "  " + cut(firstLine(describe(r)), room) + rw.cs.Muted(tokens) + "\n"
	_, err := io.WriteString(rw.w, line)
	return err
}

func (rw *readableWriter) close() error { return nil }

// describe is what a result says: its text, what it embedded, or its error.
func describe(r *providers.Result) string {
	switch {
	case r.Error != nil:
		return r.Error.Type + ": " + r.Error.Message
	case r.Text != nil:
		return *r.Text
	case r.Embedding != nil:
		return "(embedding)"
	case r.Embeddings != nil:
		return "(embeddings)"
	}
	return ""
}

// firstLine is s up to its first line break, with "…" when more follows,
// and its other control characters (tabs, escape sequences a model or a
// provider may send) shown as spaces, so nothing in it drives the terminal.
func firstLine(s string) string {
	s = strings.TrimSpace(s)
	more := ""
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s, more = strings.TrimSpace(s[:i]), " …"
	}
	return printable(s) + more
}

// printable shows the control characters of s as spaces.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}

// cut shortens s to n cells (at least 10), ending in "…".
func cut(s string, n int) string {
	n = max(n, 10)
	if len(s) <= n || lipgloss.Width(s) <= n {
		return s
	}
	r := []rune(s)
	r = r[:min(len(r), n)] // a rune takes at least one cell
	for len(r) > 0 && lipgloss.Width(string(r))+1 > n {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}
