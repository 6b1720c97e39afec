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

// Failure is the error of a request that failed without an HTTP answer.
type Failure struct{ Code, Message string }

// Result returns what the line of an output or error file reporting the
// request says, the request being request i of batch batchID, run at
// executedAt: the line's id, and either its response (status_code,
// request_id, body) or its failure. ok is false when the request is not
// reported: dropped, or to expire when the batch did not (expired false).
func (r Run) Result(batchID string, i int, executedAt time.Time, expired bool) (id string, response any, failure *Failure, ok bool) {
	ol, _, ok := r.ex.resultLine(batchID, i, executedAt, "", expired)
	if ol.Response != nil {
		response = ol.Response
	}
	if ol.Error != nil {
		failure = &Failure{Code: ol.Error.Code, Message: ol.Error.Message}
	}
	return ol.ID, response, failure, ok
}
