package gemini

import (
	"net/http"

	"github.com/batchctl/batchctl/internal/emulator/core"
)

// rateLimitsDoc is the page the quota errors link to.
const rateLimitsDoc = "https://ai.google.dev/gemini-api/docs/rate-limits"

// helpDetail is a google.rpc.Help error detail
// (google/rpc/error_details.proto).
type helpDetail struct {
	Type  string     `json:"@type"`
	Links []helpLink `json:"links"`
}

type helpLink struct {
	Description string `json:"description"`
	URL         string `json:"url"`
}

// queueFull is the answer to a batch create that would put more tokens of
// its model in the queue than the limit (Batch Mode's "enqueued tokens"
// per model, https://ai.google.dev/gemini-api/docs/rate-limits#batch-api):
// a 429 RESOURCE_EXHAUSTED whose message and google.rpc.Help detail are
// those the API answered a batch call over quota with (reported in
// https://github.com/langchain4j/langchain4j/pull/3942 and
// googleapis/js-genai#1264), followed by what the emulator counted. The
// genai SDK surfaces it as genai.APIError{Code: 429, Status:
// "RESOURCE_EXHAUSTED"}.
func queueFull(r *core.QueueRefusal) *apiError {
	e := errorf(http.StatusTooManyRequests,
		"You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: %s. To monitor your current usage, head to: https://ai.dev/rate-limit. (Emulated: enqueued tokens of models/%s, limit %d, enqueued %d, this batch %d.)",
		rateLimitsDoc, r.Model, r.Limit, r.Held, r.Asked)
	e.details = []any{helpDetail{
		Type:  "type.googleapis.com/google.rpc.Help",
		Links: []helpLink{{Description: "Learn more about Gemini API quotas", URL: rateLimitsDoc}},
	}}
	return e
}

// loadTimeline reads the timeline of a stored batch; a missing batch
// gives an error matching fs.ErrNotExist.
func (g *API) loadTimeline(id string) (core.Timeline, error) {
	var rec batchRecord
	err := core.ReadJSONFile(g.batchPath(id, ".json"), &rec)
	return rec.Timeline, err
}
