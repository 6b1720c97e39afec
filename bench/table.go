package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/batchctl/batchctl/internal/config"
)

// A row is one measured command.
type row struct {
	what    string // the case, e.g. "results: OpenAI chat output"
	command string // e.g. "batchctl results --from-file", "jq -c"
	bytes   int64  // data the command went through; 0 when throughput means nothing
	m       measurement
	versus  string  // how it compares with its counterpart, e.g. "9.1× jq"
	checks  []check // the budgets it is held to
}

// A check is one budget and whether the row meets it.
type check struct {
	budget string
	ok     bool
}

// throughput is the row's MB/s in d, 0 when it has no size.
func (r *row) throughput(d time.Duration) float64 {
	if r.bytes == 0 || d <= 0 {
		return 0
	}
	return float64(r.bytes) / float64(config.MB) / d.Seconds()
}

// check records a budget the row is held to.
func (r *row) check(budget string, ok bool) { r.checks = append(r.checks, check{budget, ok}) }

// atLeastMBps checks the row's throughput per second of CPU time: the
// budget is per core, and CPU time does not count waiting for a busy
// machine.
func (r *row) atLeastMBps(min float64) {
	r.check(fmt.Sprintf("≥%g MB/s/core", min), r.throughput(r.m.cpu) >= min)
}

// underRSS checks the row's peak RSS.
func (r *row) underRSS(mib int64) {
	r.check(fmt.Sprintf("RSS <%d MiB", mib), r.m.maxRSS > 0 && r.m.maxRSS < mib*config.MiB)
}

// under checks the row's wall time.
func (r *row) under(d time.Duration) {
	r.check("<"+d.String(), r.m.wall < d)
}

// speedup compares the row with a counterpart on its CPU time (both are
// single-threaded), and returns how many times faster the row was.
func (r *row) speedup(other measurement, tool string) float64 {
	ratio := other.cpu.Seconds() / r.m.cpu.Seconds()
	r.versus = fmt.Sprintf("%.1f× faster than %s", ratio, tool)
	return ratio
}

// slowdown compares the row with a counterpart that took other, and
// returns the ratio of their times.
func (r *row) slowdown(other time.Duration, tool string) float64 {
	ratio := r.m.wall.Seconds() / other.Seconds()
	r.versus = fmt.Sprintf("%.2f× %s's time", ratio, tool)
	return ratio
}

// A table collects the rows and notes of a run.
type table struct {
	rows  []row
	notes []string
}

func (t *table) add(r row) { t.rows = append(t.rows, r) }
func (t *table) note(format string, args ...any) {
	t.notes = append(t.notes, fmt.Sprintf(format, args...))
}

// print writes the table, then the notes and the budgets missed.
func (t *table) print(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "case\tcommand\tsize\twall\tCPU\tMB/s\tMB/s/core\tpeak RSS\tvs\tbudget")
	missed := 0
	for _, r := range t.rows {
		mbps, perCore, sz := "-", "-", "-"
		if r.bytes > 0 {
			mbps, sz = fmt.Sprintf("%.0f", r.throughput(r.m.wall)), formatSize(r.bytes)
		}
		if r.bytes > 0 && r.m.cpu > 0 {
			perCore = fmt.Sprintf("%.0f", r.throughput(r.m.cpu))
		}
		var budget []string
		for _, c := range r.checks {
			mark := "ok"
			if !c.ok {
				mark, missed = "MISSED", missed+1
			}
			budget = append(budget, c.budget+" "+mark)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.what, r.command, sz, formatDuration(r.m.wall),
			dash(formatDuration(r.m.cpu)), mbps, perCore, formatRSS(r.m.maxRSS), dash(r.versus), dash(strings.Join(budget, ", ")))
	}
	tw.Flush()
	for _, n := range t.notes {
		fmt.Fprintln(w, "note:", n)
	}
	if missed == 0 {
		fmt.Fprintln(w, "every budget holds")
	} else {
		fmt.Fprintf(w, "%d budgets missed\n", missed)
	}
}

func formatDuration(d time.Duration) string {
	switch {
	case d == 0:
		return ""
	case d >= 10*time.Second:
		return fmt.Sprintf("%.1fs", d.Seconds())
	case d >= time.Second:
		return fmt.Sprintf("%.2fs", d.Seconds())
	}
	return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
}

func formatRSS(n int64) string {
	if n == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/float64(config.MiB))
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
