// Package tableprinter prints rows as an aligned table on a terminal and as
// tab-separated values in a pipe, so scripts see stable, undecorated fields.
package tableprinter

import (
	"bufio"
	"io"
	"math"
	"strings"

	"github.com/charmbracelet/lipgloss"
)

// Printer collects rows and writes them in one go, or, streaming, as they
// come.
type Printer struct {
	w      *bufio.Writer
	tty    bool
	width  int
	header []string
	bold   func(string) string
	rows   [][]string
	// stream is the most rows held before writing (0: all of them).
	stream int
	// widths, once set, are the columns' widths for every row still to
	// come: the table's first rows were written.
	widths []int
	err    error // the first write error
}

// New returns a printer writing to w. On a terminal (tty) the table has a
// header rendered by bold and is fitted to width; otherwise it is TSV with
// no header.
func New(w io.Writer, tty bool, width int, bold func(string) string) *Printer {
	return &Printer{w: bufio.NewWriter(w), tty: tty, width: width, bold: bold}
}

// Stream makes the printer hold at most limit rows, so that its memory
// does not grow with the table. In a pipe every row is written as it
// comes. On a terminal, a table of up to limit rows is written as without
// Stream; a longer one takes its columns' widths from its first limit
// rows, and a later cell wider than its column pushes the rest of its row
// to the right (the last column takes what the terminal leaves it).
func (p *Printer) Stream(limit int) { p.stream = max(limit, 1) }

// Header sets the column titles, shown on a terminal only.
func (p *Printer) Header(cols ...string) { p.header = cols }

// Row adds one row. Cells may carry ANSI styling on a terminal.
func (p *Printer) Row(cells ...string) {
	switch {
	case p.stream > 0 && !p.tty:
		p.writeTSV(cells)
	case p.widths != nil:
		p.writeRow(cells, false)
	default:
		p.rows = append(p.rows, cells)
		if p.stream > 0 && len(p.rows) >= p.stream {
			p.writeHeld()
			if len(p.widths) > 0 {
				p.widths[len(p.widths)-1] = p.lastWidth()
			}
		}
	}
}

// Render writes the table, or what is left of it.
func (p *Printer) Render() error {
	if !p.tty {
		for _, r := range p.rows {
			p.writeTSV(r)
		}
	} else if len(p.rows) > 0 || p.widths == nil {
		p.writeHeld()
	}
	p.rows = nil
	if err := p.w.Flush(); p.err == nil {
		p.err = err
	}
	return p.err
}

// writeHeld sets the columns' widths from the header and the rows held,
// unless they were set, and writes the header, unless written, and the rows.
func (p *Printer) writeHeld() {
	header := p.widths == nil && len(p.header) > 0
	if p.widths == nil {
		all := p.rows
		if header {
			all = append([][]string{p.header}, p.rows...)
		}
		p.widths = p.columnWidths(all)
	}
	if header {
		p.writeRow(p.header, true)
	}
	for _, r := range p.rows {
		p.writeRow(r, false)
	}
	p.rows = p.rows[:0]
}

// lastWidth is the width of the last column of a table whose later rows
// are not seen yet: what the terminal leaves it (no limit when its width
// is not known).
func (p *Printer) lastWidth() int {
	if p.width <= 0 {
		return math.MaxInt
	}
	used := 0
	for _, w := range p.widths[:len(p.widths)-1] {
		used += w + 2
	}
	return max(p.width-used, 8)
}

// writeTSV writes a row as tab-separated values.
func (p *Printer) writeTSV(r []string) {
	p.write(strings.Join(r, "\t"))
}

// writeRow writes a row of the terminal table, in bold for the header.
func (p *Printer) writeRow(r []string, header bool) {
	var b strings.Builder
	for j, cell := range r {
		width := 0
		if j < len(p.widths) {
			width = p.widths[j]
		}
		if j == len(r)-1 {
			cell = truncate(cell, width)
			if header {
				cell = p.bold(cell)
			}
			b.WriteString(cell)
			break
		}
		pad := max(width-lipgloss.Width(cell), 0)
		if header {
			cell = p.bold(cell)
		}
		b.WriteString(cell)
		b.WriteString(strings.Repeat(" ", pad+2))
	}
	p.write(strings.TrimRight(b.String(), " "))
}

// write writes a line, keeping the first error.
func (p *Printer) write(line string) {
	if p.err != nil {
		return
	}
	if _, err := p.w.WriteString(line); err != nil {
		p.err = err
		return
	}
	p.err = p.w.WriteByte('\n')
}

// columnWidths sizes each column to its widest cell and, when the table is
// wider than the terminal, shrinks the last column to what is left.
func (p *Printer) columnWidths(rows [][]string) []int {
	widths := []int{}
	for _, r := range rows {
		for j, cell := range r {
			if j >= len(widths) {
				widths = append(widths, 0)
			}
			widths[j] = max(widths[j], lipgloss.Width(cell))
		}
	}
	if len(widths) == 0 || p.width <= 0 {
		return widths
	}
	used := 0
	for _, w := range widths[:len(widths)-1] {
		used += w + 2
	}
	last := len(widths) - 1
	widths[last] = max(min(widths[last], p.width-used), 8)
	return widths
}

// truncate shortens plain text to n cells, ending in "…"; styled text is
// left alone rather than cut inside an escape sequence.
func truncate(s string, n int) string {
	if lipgloss.Width(s) <= n || strings.Contains(s, "\x1b") {
		return s
	}
	r := []rune(s)
	if n < 1 || len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
