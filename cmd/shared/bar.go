package shared

import (
	"fmt"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/schollz/progressbar/v3"

	"github.com/batchctl/batchctl/internal/cmdutil"
	"github.com/batchctl/batchctl/internal/iostreams"
	"github.com/batchctl/batchctl/internal/jobs"
	"github.com/batchctl/batchctl/internal/providers"
)

// singleBar draws the advance of the one job a wait follows on a terminal
// with progressbar: the job, its status word and the time left, then the
// bar and the requests done of the total; while the total is not known, a
// spinner before the job and its counts. (progressbar draws one line, so
// the lines of several jobs are drawn by progress itself.)
type singleBar struct {
	ios *iostreams.IOStreams
	bar *progressbar.ProgressBar
	max int // the bar's total, -1 for a spinner
}

func newSingleBar(ios *iostreams.IOStreams) *singleBar { return &singleBar{ios: ios} }

// draw shows the job's state, eta being the time left at the recent rate
// (0 when it cannot be told). The bar is drawn once per call.
func (s *singleBar) draw(j *jobs.Job, eta time.Duration) {
	total := knownTotal(j)
	if total <= 0 {
		// a spinner, which turns a step each time it is drawn
		s.redraw(-1, 0, j.ID+" "+j.StatusText()+" "+countsText(j))
		return
	}
	done := min(j.Counts.Succeeded+j.Counts.Failed, total)
	s.redraw(total, done, j.ID+" "+j.StatusText()+etaText(j, eta))
}

func (s *singleBar) redraw(total, done int, desc string) {
	if s.bar == nil || total != s.max {
		s.clear()
		s.bar, s.max = s.newBar(total, desc), total
	}
	if total > 0 && int64(done) != int64(s.bar.State().CurrentNum) {
		// Set draws the bar (its count is shown), with the description
		// given first without a drawing of its own.
		progressbar.OptionSetDescription(desc)(s.bar)
		_ = s.bar.Set(done)
	} else {
		// Describe draws the bar, even one whose total is reached.
		s.bar.Describe(desc)
	}
}

// clear erases the bar's line, so that a message can be printed there; the
// next draw puts the bar back below it.
func (s *singleBar) clear() {
	if s.bar == nil {
		return
	}
	_ = s.bar.Clear()
}

// width is the width of the bar itself, 30 cells when the terminal has
// room for it next to the description, the time left and the counts, less
// (down to 10) when it does not.
func (s *singleBar) width(desc string, total int) int {
	// beside the bar: " (about 59m left) 100% |" ... "| (N/N) "
	counts := len(fmt.Sprintf(" (%d/%d) ", total, total))
	room := s.ios.TerminalWidth() - lipgloss.Width(desc) - len(" (about 59m left) 100% ||") - counts
	return max(10, min(barWidth, room))
}

func (s *singleBar) newBar(total int, desc string) *progressbar.ProgressBar {
	opts := []progressbar.Option{
		progressbar.OptionSetDescription(desc),
		progressbar.OptionSetWriter(s.ios.ErrOut),
		progressbar.OptionSetVisibility(true),
		progressbar.OptionThrottle(0), // batchctl draws at its own pace
		progressbar.OptionSetPredictTime(false),
		progressbar.OptionSetElapsedTime(false),
		progressbar.OptionSpinnerCustom(spinner),
		progressbar.OptionSetSpinnerChangeInterval(0), // no goroutine: a step per draw
		progressbar.OptionEnableColorCodes(false),
	}
	if total > 0 {
		opts = append(opts, progressbar.OptionShowCount(), progressbar.OptionSetWidth(s.width(desc, total)))
	}
	return progressbar.NewOptions(total, opts...)
}

// countsText is how far a job without a known total is: "1 request done
// (1 succeeded, 0 failed)".
func countsText(j *jobs.Job) string {
	return fmt.Sprintf("%s done (%d succeeded, %d failed)",
		cmdutil.Plural(j.Counts.Succeeded+j.Counts.Failed, "request"), j.Counts.Succeeded, j.Counts.Failed)
}

// etaText is the time left of a running job, " (about 2m left)", or "".
func etaText(j *jobs.Job, eta time.Duration) string {
	if eta <= 0 || providers.Status(j.Status) != providers.StatusInProgress {
		return ""
	}
	return " (about " + shortDuration(eta) + " left)"
}
