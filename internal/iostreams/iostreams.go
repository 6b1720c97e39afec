// Package iostreams is the only place that touches the process's standard
// streams. Commands write data to Out and everything else (progress, notes,
// errors) to ErrOut, and ask here whether each stream is a terminal.
package iostreams

import (
	"bytes"
	"io"
	"os"
	"strconv"

	"golang.org/x/term"
)

// IOStreams holds the three standard streams and what is known about them.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	stdinTTY, stdoutTTY, stderrTTY bool
	colorEnabled, errColorEnabled  bool
	termWidth                      int
}

// System returns the process's own streams. getenv is consulted for
// NO_COLOR, CLICOLOR_FORCE, BATCHCTL_FORCE_TTY and COLUMNS.
func System(getenv func(string) string) *IOStreams {
	ios := &IOStreams{
		In:        os.Stdin,
		Out:       os.Stdout,
		ErrOut:    os.Stderr,
		stdinTTY:  isTerminal(os.Stdin),
		stdoutTTY: isTerminal(os.Stdout),
		stderrTTY: isTerminal(os.Stderr),
		termWidth: 80,
	}
	if getenv("BATCHCTL_FORCE_TTY") != "" {
		ios.stdoutTTY, ios.stderrTTY = true, true
	}
	if ios.stdoutTTY {
		if w, _, err := term.GetSize(int(os.Stdout.Fd())); err == nil && w > 0 {
			ios.termWidth = w
		}
	}
	if n, err := strconv.Atoi(getenv("COLUMNS")); err == nil && n > 0 {
		ios.termWidth = n
	}
	ios.colorEnabled = colorFor(ios.stdoutTTY, getenv)
	ios.errColorEnabled = colorFor(ios.stderrTTY, getenv)
	return ios
}

// colorFor decides colour for one stream: NO_COLOR wins, then
// CLICOLOR_FORCE, then whether the stream is a capable terminal.
func colorFor(tty bool, getenv func(string) string) bool {
	switch {
	case getenv("NO_COLOR") != "":
		return false
	case getenv("CLICOLOR_FORCE") != "" && getenv("CLICOLOR_FORCE") != "0":
		return true
	}
	return tty && getenv("TERM") != "dumb"
}

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

// Test returns streams backed by buffers: no terminal, no colour, 80 columns.
func Test() (ios *IOStreams, in, out, errOut *bytes.Buffer) {
	in, out, errOut = &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{In: in, Out: out, ErrOut: errOut, termWidth: 80}, in, out, errOut
}

// IsStdinTTY reports whether standard input is a terminal.
func (s *IOStreams) IsStdinTTY() bool { return s.stdinTTY }

// IsStdoutTTY reports whether standard output is a terminal (or forced to be).
func (s *IOStreams) IsStdoutTTY() bool { return s.stdoutTTY }

// IsStderrTTY reports whether standard error is a terminal (or forced to be).
func (s *IOStreams) IsStderrTTY() bool { return s.stderrTTY }

// SetStdinTTY overrides terminal detection for standard input (tests).
func (s *IOStreams) SetStdinTTY(v bool) { s.stdinTTY = v }

// SetStdoutTTY overrides terminal detection for standard output (tests).
func (s *IOStreams) SetStdoutTTY(v bool) { s.stdoutTTY = v }

// SetStderrTTY overrides terminal detection for standard error (tests).
func (s *IOStreams) SetStderrTTY(v bool) { s.stderrTTY = v }

// ColorEnabled reports whether standard output may carry ANSI colours.
func (s *IOStreams) ColorEnabled() bool { return s.colorEnabled }

// SetColorEnabled overrides colour detection on both streams (tests).
func (s *IOStreams) SetColorEnabled(v bool) { s.colorEnabled, s.errColorEnabled = v, v }

// TerminalWidth is the width of the terminal, 80 when unknown.
func (s *IOStreams) TerminalWidth() int { return s.termWidth }

// SetTerminalWidth overrides the terminal's width (tests).
func (s *IOStreams) SetTerminalWidth(w int) { s.termWidth = w }
