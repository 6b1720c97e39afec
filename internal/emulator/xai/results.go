package xai

import (
	"net/http"
	"strconv"

	"github.com/batchctl/batchctl/internal/emulator/core"
)

const defaultResults = 100

// batchResults serves a page of a batch's results: GET
// /v1/batches/{id}/results?limit=&pagination_token= [proto:
// ListBatchResultsRequest/Response]. The results are those of the
// requests that have run, in the order added, at any time; once a cancel
// or the expiry stopped the others, theirs too (an error, CANCELLED or
// DEADLINE_EXCEEDED). Dropped requests are never listed. The token is the
// index of the next request.
func (a *API) batchResults(w http.ResponseWriter, r *http.Request) error {
	rec, err := a.requestBatch(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	limit, start := defaultResults, 0
	if s := q.Get("limit"); s != "" {
		if limit, err = strconv.Atoi(s); err != nil || limit < 1 {
			return errorf(http.StatusBadRequest, "limit: want a positive integer, not %q", s)
		}
	}
	if s := q.Get("pagination_token"); s != "" {
		if start, err = strconv.Atoi(s); err != nil || start < 0 {
			return errorf(http.StatusBadRequest, "pagination_token: %q is not a token of this list", s)
		}
	}
	reqs, err := a.storedRequests(rec.ID)
	if err != nil {
		return err
	}
	p := rec.Timeline.At(a.host.Clock())
	page := resultList{Results: []batchResult{}}
	i := start
	for ; i < len(reqs) && len(page.Results) < limit; i++ {
		run := execute(reqs[i].BatchRequest.ChatGetCompletion)
		if res, ok := resultOf(rec, i, reqs[i].BatchRequestID, run, fateOf(i, run, p)); ok {
			page.Results = append(page.Results, res)
		}
	}
	if i < len(reqs) {
		page.PaginationToken = core.StrPtr(strconv.Itoa(i))
	}
	core.WriteJSON(w, http.StatusOK, page)
	return nil
}

// resultList is a ListBatchResultsResponse [proto].
type resultList struct {
	Results         []batchResult `json:"results"`
	PaginationToken *string       `json:"pagination_token"`
}

// batchResult is a BatchResult [proto], its oneof in the REST envelope.
type batchResult struct {
	BatchRequestID string     `json:"batch_request_id"`
	BatchResult    resultBody `json:"batch_result"`
}

type resultBody struct {
	Response *resultResponse `json:"response,omitempty"`
	Error    *rpcStatus      `json:"error,omitempty"`
}

type resultResponse struct {
	ChatGetCompletion *chatCompletion `json:"chat_get_completion"`
}

// rpcStatus is a google.rpc.Status.
type rpcStatus struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

// chatCompletion is the body of /v1/chat/completions, OpenAI's shape.
type chatCompletion struct {
	ID      string       `json:"id"`
	Object  string       `json:"object"`
	Created int64        `json:"created"`
	Model   string       `json:"model"`
	Choices []chatChoice `json:"choices"`
	Usage   chatUsage    `json:"usage"`
}

type chatChoice struct {
	Index        int         `json:"index"`
	Message      chatMessage `json:"message"`
	FinishReason string      `json:"finish_reason"`
}

type chatMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

type chatUsage struct {
	PromptTokens     int64 `json:"prompt_tokens"`
	CompletionTokens int64 `json:"completion_tokens"`
	TotalTokens      int64 `json:"total_tokens"`
}

// resultOf is the result of request i, with id, that run says what became
// of and that has fate f; false when it has none (yet).
func resultOf(rec *batchRecord, i int, id string, run execution, f fate) (batchResult, bool) {
	res := batchResult{BatchRequestID: id}
	switch f {
	case fatePending, fateDropped:
		return res, false
	case fateCancelled:
		res.BatchResult.Error = &rpcStatus{Code: 1, Message: "The batch was cancelled before this request ran."}
	case fateExpired:
		res.BatchResult.Error = &rpcStatus{Code: 4, Message: "The batch expired before this request ran."}
	case fateFailed:
		res.BatchResult.Error = &rpcStatus{Code: run.rpcCode, Message: run.message}
	default:
		res.BatchResult.Response = &resultResponse{ChatGetCompletion: &chatCompletion{
			ID:      core.DerivedID("chatcmpl-", rec.ID, i),
			Object:  "chat.completion",
			Created: rec.Timeline.ExecutedAt(i).Unix(),
			Model:   run.model,
			Choices: []chatChoice{{Message: chatMessage{Role: "assistant", Content: run.text}, FinishReason: "stop"}},
			Usage:   chatUsage{run.inputTokens, run.outputTokens, run.inputTokens + run.outputTokens},
		}}
	}
	return res, true
}
