package openai

import (
	"time"

	"github.com/batchctl/batchctl/internal/emulator/core"
)

// Run is one request body run as the OpenAI side runs it, for the
// protocols whose requests and result lines are OpenAI's (OpenRouter):
// the same markers, answers and usage.
type Run struct{ ex execution }

// RunRequest runs a request body of endpoint ("/v1/chat/completions",
// ...) without rendering its answer.
func RunRequest(endpoint string, body []byte) Run { return Run{execute(endpoint, body)} }

// Outcome returns what becomes of the request, and the token usage of a
// succeeded one.
func (r Run) Outcome() (o core.Outcome, inputTokens, outputTokens int64) {
	return r.ex.outcome, r.ex.inputTokens, r.ex.outputTokens
}

// Result returns the line of an output or error file reporting the request,
// request i of batch batchID, run at executedAt, with id customID; false
// when it is not reported: dropped, or to expire when the batch did not
// (expired false).
func (r Run) Result(batchID string, i int, executedAt time.Time, customID string, expired bool) (any, bool) {
	ol, _, ok := r.ex.resultLine(batchID, i, executedAt, customID, expired)
	return ol, ok
}
