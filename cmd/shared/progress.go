package shared

import (
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/batchctl/batchctl/internal/iostreams"
	"github.com/batchctl/batchctl/internal/jobs"
	"github.com/batchctl/batchctl/internal/providers"
)

// progress shows the advance of the jobs being waited for on stderr: on a
// terminal a progressbar for one job, or one line per job for several,
// redrawn in place; otherwise one line each time a job's status or counts
// change.
type progress struct {
	ios   *iostreams.IOStreams
	tty   bool
	rows  []*progressRow
	bar   *singleBar // one job on a terminal
	drawn int        // lines on screen, to move back over when redrawing
	frame int        // spinner frame
}

// progressRow is what is known of one job's advance.
type progressRow struct {
	job  *jobs.Job
	rate rate
	last string // the last line printed (not on a terminal)
}

func newProgress(ios *iostreams.IOStreams, js []*jobs.Job) *progress {
	p := &progress{ios: ios, tty: ios.IsStderrTTY()}
	for _, j := range js {
		p.rows = append(p.rows, &progressRow{job: j})
	}
	if p.tty && len(p.rows) == 1 {
		p.bar = newSingleBar(ios)
	}
	return p
}

// update records a job's state after a poll at time now and shows it.
func (p *progress) update(i int, now time.Time) {
	r := p.rows[i]
	j := r.job
	r.rate.add(now, j.Counts.Succeeded+j.Counts.Failed)
	if p.tty {
		return // drawn by the caller, once per round of polls
	}
	line := fmt.Sprintf("%s: %s, %s", j.ID, j.StatusText(), RequestsDone(j))
	if j.Counts.Succeeded+j.Counts.Failed > 0 || knownTotal(j) > 0 {
		line += fmt.Sprintf(" (%d succeeded, %d failed)", j.Counts.Succeeded, j.Counts.Failed)
	}
	if line != r.last {
		fmt.Fprintln(p.ios.ErrOut, line)
		r.last = line
	}
}

// draw redraws every job's line on a terminal; the spinner of jobs with
// no known total moves one step.
func (p *progress) draw() {
	if !p.tty {
		return
	}
	if p.bar != nil {
		r := p.rows[0]
		p.bar.draw(r.job, r.rate.eta(knownTotal(r.job)))
		return
	}
	var b strings.Builder
	if p.drawn > 0 {
		fmt.Fprintf(&b, "\x1b[%dA", p.drawn)
	}
	for _, r := range p.rows {
		b.WriteString("\r\x1b[2K")
		b.WriteString(renderRow(r.job, r.rate.eta(knownTotal(r.job)), p.frame))
		b.WriteByte('\n')
	}
	p.drawn = len(p.rows)
	p.frame++
	_, _ = io.WriteString(p.ios.ErrOut, b.String())
}

// clear removes the lines drawn, so that a message can be printed; the
// next draw puts them back below it.
func (p *progress) clear() {
	if p.bar != nil {
		p.bar.clear()
		return
	}
	if p.drawn == 0 {
		return
	}
	fmt.Fprintf(p.ios.ErrOut, "\x1b[%dA\r\x1b[J", p.drawn)
	p.drawn = 0
}

// printf prints a message above the lines drawn.
func (p *progress) printf(format string, a ...any) {
	p.clear()
	fmt.Fprintf(p.ios.ErrOut, format, a...)
}

const barWidth = 30

var spinner = []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

// renderRow is one job's line on a terminal: its status word, then a bar
// with the requests done of the total and the time left, or, when the
// total is not known, a spinner and the counts.
func renderRow(j *jobs.Job, eta time.Duration, frame int) string {
	done := j.Counts.Succeeded + j.Counts.Failed
	total := knownTotal(j)
	if total <= 0 {
		return fmt.Sprintf("%s %s %s %s", j.ID, j.StatusText(), spinner[frame%len(spinner)], countsText(j))
	}
	done = min(done, total)
	filled := done * barWidth / total
	s := fmt.Sprintf("%s %s %3d%% |%s%s| (%d/%d)", j.ID, j.StatusText(), done*100/total,
		strings.Repeat("█", filled), strings.Repeat(" ", barWidth-filled), done, total)
	if eta > 0 && providers.Status(j.Status) == providers.StatusInProgress {
		s += " about " + shortDuration(eta) + " left"
	}
	return s
}

// knownTotal is the number of requests of a job, 0 when it is not known
// (a batch made elsewhere whose provider does not say).
func knownTotal(j *jobs.Job) int {
	if j.Requests > 0 {
		return j.Requests
	}
	return max(j.Counts.Total, 0)
}

// shortDuration rounds a time left to what is worth reading: seconds
// under a minute, minutes under an hour, then hours and minutes.
func shortDuration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(math.Ceil(d.Seconds())))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(math.Round(d.Minutes())))
	}
	d = d.Round(time.Minute)
	return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}

// rateHalfLife is how fast old samples stop counting in the rate: a
// sample this old weighs half as much as a new one.
const rateHalfLife = 30 * time.Second

// rate estimates requests done per second from recent polls, as an
// exponentially weighted average over time. Time spent before the first
// request was done (validating, waiting in the provider's queue) does not
// count, so it does not stretch the estimate.
type rate struct {
	at     time.Time // the last sample
	done   int
	perSec float64
	known  bool
}

func (r *rate) add(now time.Time, done int) {
	switch {
	case r.at.IsZero() || done < r.done:
		r.at, r.done = now, done
		return
	case r.done == 0:
		// Nothing had been done: the rate starts here.
		if done > 0 {
			r.at, r.done = now, done
		} else {
			r.at = now
		}
		return
	}
	dt := now.Sub(r.at).Seconds()
	if dt <= 0 {
		return
	}
	inst := float64(done-r.done) / dt
	if !r.known {
		r.perSec, r.known = inst, true
	} else {
		w := 1 - math.Exp2(-dt/rateHalfLife.Seconds())
		r.perSec = w*inst + (1-w)*r.perSec
	}
	r.at, r.done = now, done
}

// eta is the time left to reach total at the recent rate, 0 when it
// cannot be told yet.
func (r *rate) eta(total int) time.Duration {
	if !r.known || r.perSec <= 0 || total <= r.done {
		return 0
	}
	return time.Duration(float64(total-r.done) / r.perSec * float64(time.Second))
}
