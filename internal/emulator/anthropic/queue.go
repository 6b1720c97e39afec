package anthropic

import (
	"net/http"

	"github.com/batchctl/batchctl/internal/emulator/core"
	"github.com/batchctl/batchctl/internal/numfmt"
)

// queueFull is the answer to a create that would put more requests in the
// processing queue than the limit: a 429 rate_limit_error, the error the
// API answers when a rate limit is exceeded
// (https://docs.claude.com/en/api/errors; the Go SDK's *anthropic.Error
// with StatusCode 429). The limit is the rate limits page's "batch
// requests in processing queue", per organization, all models together
// (https://docs.claude.com/en/api/rate-limits, Message Batches API). The
// message text and whether a retry-after header comes with it are not
// confirmed; none is sent, as the wait depends on batches ending.
func queueFull(r *core.QueueRefusal) error {
	return errorf(http.StatusTooManyRequests,
		"Number of batch requests in the processing queue would exceed your organization's limit of %s (%s queued, %s in this batch). Please try again once some batches have ended.",
		numfmt.Thousands(r.Limit), numfmt.Thousands(r.Held), numfmt.Thousands(r.Asked))
}

// loadTimeline reads the timeline of a stored batch; a missing batch
// gives an error matching fs.ErrNotExist.
func (a *API) loadTimeline(id string) (core.Timeline, error) {
	var rec batchRecord
	err := core.ReadJSONFile(a.batchPath(id, ".json"), &rec)
	return rec.Timeline, err
}
