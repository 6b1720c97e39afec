package store

import (
	"time"

	"github.com/batchctl/batchctl/internal/providers"
)

// Aggregate derives a job's status, counts and usage from its parts
// (DESIGN.md section 7). Counts and usage are summed over all parts. The
// job is terminal when every part is terminal; its status is then
// completed if every part completed, else failed if any part failed, else
// expired if any expired, else cancelled. While some part is not terminal
// the status is cancelling if any part is cancelling, else the least
// advanced non-terminal status (validating < paused < updating <
// in_progress < finalizing). A part with an empty status has not been
// submitted yet and counts as unsubmitted; it and an unknown status count
// as less advanced than validating and are reported as is. A queued part
// (waiting for room in its provider's budget) makes the job queued only
// while no other part is unfinished. A job without parts has status "" and
// is not terminal.
func Aggregate(parts []Part) (status string, counts providers.Counts, usage providers.Usage, terminal bool) {
	for _, p := range parts {
		counts.Total += p.Counts.Total
		counts.Succeeded += p.Counts.Succeeded
		counts.Failed += p.Counts.Failed
		usage.InputTokens += p.Usage.InputTokens
		usage.OutputTokens += p.Usage.OutputTokens
	}
	if len(parts) == 0 {
		return "", counts, usage, false
	}
	if s, ok := runningStatus(parts); ok {
		return string(s), counts, usage, false
	}
	return string(finalStatus(parts)), counts, usage, true
}

// runningStatus returns the status of a job with at least one non-terminal
// part, and false when every part is terminal.
func runningStatus(parts []Part) (providers.Status, bool) {
	var least providers.Status
	found, queued := false, false
	for _, p := range parts {
		s := partStatus(p)
		switch {
		case s.Terminal():
			continue
		case s == providers.StatusQueued:
			queued = true
		case s == providers.StatusCancelling:
			return s, true
		case !found || progress(s) < progress(least):
			least, found = s, true
		}
	}
	if !found && queued {
		return providers.StatusQueued, true
	}
	return least, found
}

// finalStatus returns the status of a job whose parts are all terminal:
// that of its most severe part.
func finalStatus(parts []Part) providers.Status {
	worst := providers.StatusCompleted
	for _, p := range parts {
		if s := partStatus(p); severity(s) > severity(worst) {
			worst = s
		}
	}
	return worst
}

// progress ranks the non-terminal statuses other than cancelling from least
// to most advanced. A paused or updating part is not moving, so it ranks
// below in_progress; an unknown status ranks lowest.
func progress(s providers.Status) int {
	switch s {
	case providers.StatusValidating:
		return 1
	case providers.StatusPaused:
		return 2
	case providers.StatusUpdating:
		return 3
	case providers.StatusInProgress:
		return 4
	case providers.StatusFinalizing:
		return 5
	}
	return 0
}

// severity ranks the terminal statuses: failed over expired over cancelled
// over completed.
func severity(s providers.Status) int {
	switch s {
	case providers.StatusCancelled:
		return 1
	case providers.StatusExpired:
		return 2
	case providers.StatusFailed:
		return 3
	}
	return 0
}

// partStatus is the status of p, unsubmitted when it was not submitted yet.
func partStatus(p Part) providers.Status {
	if p.Status == "" {
		return providers.StatusUnsubmitted
	}
	return providers.Status(p.Status)
}

// CompletedAt returns a job's completion time: zero unless it is terminal,
// else the latest completion time among its parts, else the one recorded
// before (prev), else now.
func CompletedAt(parts []Part, terminal bool, prev, now time.Time) time.Time {
	if !terminal {
		return time.Time{}
	}
	var latest time.Time
	for _, p := range parts {
		if p.CompletedAt.After(latest) {
			latest = p.CompletedAt
		}
	}
	switch {
	case !latest.IsZero():
		return latest
	case !prev.IsZero():
		return prev
	}
	return now
}
