package iostreams

import (
	"io"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// ColorScheme renders the few styles batchctl uses. Every colour means
// something: green finished well, red failed, yellow still running or
// partly failed, grey stopped or secondary. With colour disabled every
// method returns its input unchanged.
type ColorScheme struct {
	enabled bool
	r       *lipgloss.Renderer
}

// ColorScheme returns the styles for standard output.
func (s *IOStreams) ColorScheme() *ColorScheme { return newColorScheme(s.Out, s.colorEnabled) }

// ErrColorScheme returns the styles for standard error (notes, progress, errors).
func (s *IOStreams) ErrColorScheme() *ColorScheme { return newColorScheme(s.ErrOut, s.errColorEnabled) }

func newColorScheme(w io.Writer, enabled bool) *ColorScheme {
	r := lipgloss.NewRenderer(w)
	if enabled {
		r.SetColorProfile(termenv.ANSI256)
	} else {
		r.SetColorProfile(termenv.Ascii)
	}
	return &ColorScheme{enabled: enabled, r: r}
}

func (c *ColorScheme) render(st lipgloss.Style, text string) string {
	if !c.enabled {
		return text
	}
	return st.Render(text)
}

// Bold renders text in bold (table headers, ids in messages).
func (c *ColorScheme) Bold(text string) string {
	return c.render(c.r.NewStyle().Bold(true), text)
}

// Muted renders secondary text in grey.
func (c *ColorScheme) Muted(text string) string {
	return c.render(c.r.NewStyle().Foreground(lipgloss.Color("245")), text)
}

// Success renders text in green.
func (c *ColorScheme) Success(text string) string {
	return c.render(c.r.NewStyle().Foreground(lipgloss.Color("2")), text)
}

// Warning renders text in yellow.
func (c *ColorScheme) Warning(text string) string {
	return c.render(c.r.NewStyle().Foreground(lipgloss.Color("3")), text)
}

// Failure renders text in red.
func (c *ColorScheme) Failure(text string) string {
	return c.render(c.r.NewStyle().Foreground(lipgloss.Color("1")), text)
}

// Status colours a normalized batch or request status by what it means.
func (c *ColorScheme) Status(status string) string {
	switch status {
	case "completed", "succeeded":
		return c.Success(status)
	case "failed", "errored":
		return c.Failure(status)
	case "expired", "cancelled", "canceled", "missing":
		return c.Muted(status)
	default:
		return c.Warning(status)
	}
}
