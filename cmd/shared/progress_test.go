package shared

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/batchctl/batchctl/internal/iostreams"
	"github.com/batchctl/batchctl/internal/jobs"
	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/store"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func job(id string, status providers.Status, requests, succeeded, failed int) *jobs.Job {
	return &jobs.Job{Job: &store.Job{ID: id, Status: string(status), Requests: requests,
		Counts: providers.Counts{Total: requests, Succeeded: succeeded, Failed: failed}}, Registered: true}
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("%s: got\n%q\nwant\n%q", name, got, want)
	}
}

// The terminal shows one line per job at once, each with its status
// word: a finalizing job keeps its full bar, a batch whose total is not
// known shows a spinner and counts, never 1/0. Each redraw moves back
// over the lines drawn before.
func TestProgressTerminal(t *testing.T) {
	ios, _, _, stderr := iostreams.Test()
	ios.SetStderrTTY(true)
	a := job("ja1111", providers.StatusValidating, 10, 0, 0)
	b := job("jb2222", providers.StatusInProgress, 200, 40, 2)
	c := &jobs.Job{Job: &store.Job{ID: "batch_abc", Status: string(providers.StatusInProgress)}}
	p := newProgress(ios, []*jobs.Job{a, b, c})
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range p.rows {
		p.update(i, t0)
	}
	p.draw()

	a.Status, a.Counts.Succeeded = string(providers.StatusFinalizing), 10
	b.Counts.Succeeded = 80 // 40 more in 10 s: 4 a second, 118 left
	c.Counts.Succeeded = 1
	for i := range p.rows {
		p.update(i, t0.Add(10*time.Second))
	}
	p.draw()

	a.Status = string(providers.StatusCompleted)
	p.finish()
	// The control sequences are spelled out, so that the file reads.
	visible := strings.NewReplacer("\r\x1b[2K", "<cr><erase line>", "\x1b[3A", "<up 3>", "\r\x1b[J", "<cr><erase below>")
	golden(t, "progress_terminal.golden", []byte(visible.Replace(stderr.String())))
}

// Off a terminal each change is one line; an unknown total is not shown
// as 0/0.
func TestProgressLines(t *testing.T) {
	ios, _, _, stderr := iostreams.Test()
	a := job("ja1111", providers.StatusFinalizing, 1, 1, 0)
	c := &jobs.Job{Job: &store.Job{ID: "batch_abc", Status: string(providers.StatusInProgress), Counts: providers.Counts{Succeeded: 1}}}
	p := newProgress(ios, []*jobs.Job{a, c})
	p.update(0, time.Now())
	p.update(1, time.Now())
	p.update(1, time.Now()) // no change, no line
	p.draw()
	want := "ja1111: finalizing, 1/1 requests done (1 succeeded, 0 failed)\n" +
		"batch_abc: in_progress, 1 request done (1 succeeded, 0 failed)\n"
	if got := stderr.String(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// The time left comes from the recent rate: neither the time spent
// validating before the first request was done nor a fast start long ago
// stretch or shrink it.
func TestRateETA(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }

	// 20 s validating, then 10 requests a second for a 1000-request batch.
	var r rate
	r.add(at(0), 0)
	r.add(at(20), 0)
	r.add(at(21), 10)
	r.add(at(23), 30)
	if got, want := r.eta(1000), 97*time.Second; got != want {
		t.Errorf("after a slow start: eta %s, want %s", got, want)
	}

	// 100 a second for 10 s, then 1 a second for 5 minutes: the time left
	// follows the slow recent rate (about 400 s for 400 left), not the
	// average since the start.
	var s rate
	s.add(at(0), 1)
	s.add(at(10), 1001)
	for i := 1; i <= 30; i++ {
		s.add(at(10+10*i), 1001+10*i)
	}
	// (The average since the start, 4.2 a second, would say 95 s.)
	if got := s.eta(1701); got < 350*time.Second || got > 420*time.Second {
		t.Errorf("after a slowdown: eta %s, want about 400s", got)
	}
	if got := (&rate{}).eta(10); got != 0 {
		t.Errorf("no samples: eta %s, want 0", got)
	}
}

func TestShortDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		1500 * time.Millisecond: "2s",
		59 * time.Second:        "59s",
		90 * time.Second:        "2m",
		27 * time.Minute:        "27m",
		125 * time.Minute:       "2h05m",
	} {
		if got := shortDuration(d); got != want {
			t.Errorf("shortDuration(%s) = %q, want %q", d, got, want)
		}
	}
}

// One job on a terminal: progressbar draws its bar on one line, with the
// job, its status word and the time left before it, and keeps it through
// finalizing; a message clears the bar, which comes back below it; the
// end leaves a summary. Piped (TestProgressLines) nothing of it is drawn.
func TestProgressSingleBar(t *testing.T) {
	ios, _, _, stderr := iostreams.Test()
	ios.SetStderrTTY(true)
	j := job("jb2222", providers.StatusValidating, 200, 0, 0)
	p := newProgress(ios, []*jobs.Job{j})
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	step := func(at int, status providers.Status, succeeded int) {
		j.Status, j.Counts.Succeeded = string(status), succeeded
		p.update(0, t0.Add(time.Duration(at)*time.Second))
		p.draw()
	}
	step(0, providers.StatusValidating, 0)
	step(10, providers.StatusInProgress, 40)
	step(20, providers.StatusInProgress, 80) // 4 a second, 120 left: 30s
	p.printf("jb2222: 503 Service Unavailable; trying again in 2s\n")
	step(30, providers.StatusInProgress, 120)
	step(40, providers.StatusFinalizing, 200)
	step(50, providers.StatusCompleted, 200)
	p.finish()
	golden(t, "progress_single.golden", []byte(spelled(stderr.String())))
}

// A job whose total is not known turns a spinner before its counts; a
// narrow terminal gets a shorter bar once the total is known.
func TestProgressSingleSpinnerNarrow(t *testing.T) {
	ios, _, _, stderr := iostreams.Test()
	ios.SetStderrTTY(true)
	ios.SetTerminalWidth(50)
	j := &jobs.Job{Job: &store.Job{ID: "batch_abc", Status: string(providers.StatusInProgress)}, Registered: true}
	p := newProgress(ios, []*jobs.Job{j})
	p.update(0, time.Now())
	p.draw()
	j.Counts.Succeeded = 1
	p.draw()
	j.Counts.Total = 4
	p.draw()
	golden(t, "progress_spinner.golden", []byte(spelled(stderr.String())))
}

// spelled shows what a terminal does with progressbar's output: a line
// blanked with spaces, then each drawing on a line of its own.
func spelled(s string) string {
	s = regexp.MustCompile(`\r +\r`).ReplaceAllString(s, "<clear>")
	return strings.ReplaceAll(s, "\r", "\n<cr>")
}
