// Package tableprinter prints rows as an aligned table on a terminal and as
// tab-separated values in a pipe, so scripts see stable, undecorated fields.
package tableprinter

import (
	"fmt"
	"io"
	"strings"

	"github.com/charmbracelet/lipgloss"
)

// Printer collects rows and writes them in one go.
type Printer struct {
	w      io.Writer
	tty    bool
	width  int
	header []string
	bold   func(string) string
	rows   [][]string
}

// New returns a printer writing to w. On a terminal (tty) the table has a
// header rendered by bold and is fitted to width; otherwise it is TSV with
// no header.
func New(w io.Writer, tty bool, width int, bold func(string) string) *Printer {
	return &Printer{w: w, tty: tty, width: width, bold: bold}
}

// Header sets the column titles, shown on a terminal only.
func (p *Printer) Header(cols ...string) { p.header = cols }

// Row adds one row. Cells may carry ANSI styling on a terminal.
func (p *Printer) Row(cells ...string) { p.rows = append(p.rows, cells) }

// Render writes the table.
func (p *Printer) Render() error {
	if !p.tty {
		for _, r := range p.rows {
			if _, err := fmt.Fprintln(p.w, strings.Join(r, "\t")); err != nil {
				return err
			}
		}
		return nil
	}
	all := p.rows
	if len(p.header) > 0 {
		all = append([][]string{p.header}, p.rows...)
	}
	widths := p.columnWidths(all)
	for i, r := range all {
		var b strings.Builder
		for j, cell := range r {
			if j == len(r)-1 {
				cell = truncate(cell, widths[j])
				if i == 0 && len(p.header) > 0 {
					cell = p.bold(cell)
				}
				b.WriteString(cell)
				break
			}
			pad := widths[j] - lipgloss.Width(cell)
			if i == 0 && len(p.header) > 0 {
				cell = p.bold(cell)
			}
			b.WriteString(cell)
			b.WriteString(strings.Repeat(" ", pad+2))
		}
		if _, err := fmt.Fprintln(p.w, strings.TrimRight(b.String(), " ")); err != nil {
			return err
		}
	}
	return nil
}

// columnWidths sizes each column to its widest cell and, when the table is
// wider than the terminal, shrinks the last column to what is left.
func (p *Printer) columnWidths(rows [][]string) []int {
	var widths []int
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
