package xai

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"strconv"
	"strings"

	"github.com/batchctl/batchctl/internal/emulator/core"
)

const defaultResults = 100

// batchResults serves a page of a batch's results: GET
// /v1/batches/{id}/results?limit=&pagination_token= [proto:
// ListBatchResultsRequest/Response]. The results are those of the
// requests that have run, in the order added, at any time; once a cancel
// or the expiry stopped the others, theirs too (an error, CANCELLED or
// DEADLINE_EXCEEDED). Dropped requests are never listed. The token is
// where the next page starts in the stored requests, "index.offset", so a
// page reads only its own requests.
func (a *API) batchResults(w http.ResponseWriter, r *http.Request) error {
	rec, err := a.requestBatch(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	limit := defaultResults
	if s := q.Get("limit"); s != "" {
		if limit, err = strconv.Atoi(s); err != nil || limit < 1 {
			return errorf(http.StatusBadRequest, "limit: want a positive integer, not %q", s)
		}
	}
	at, ok := parseToken(q.Get("pagination_token"))
	if !ok {
		return errorf(http.StatusBadRequest, "pagination_token: %q is not a token of this list", q.Get("pagination_token"))
	}
	f, err := os.Open(a.batchPath(rec.ID, requestsExt))
	if errors.Is(err, fs.ErrNotExist) {
		core.WriteJSON(w, http.StatusOK, resultList{Results: []batchResult{}})
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := f.Seek(at.offset, io.SeekStart); err != nil {
		return err
	}
	p := rec.Timeline.At(a.host.Clock())
	page := resultList{Results: []batchResult{}}
	br := bufio.NewReader(f)
	for len(page.Results) < limit {
		line, err := br.ReadBytes('\n')
		if len(line) == 0 && errors.Is(err, io.EOF) {
			return a.sendPage(w, page, nil)
		}
		if err != nil {
			return fmt.Errorf("batch %s: stored request %d: %w", rec.ID, at.index+1, err)
		}
		var req batchRequest
		if err := json.Unmarshal(line, &req); err != nil {
			return fmt.Errorf("batch %s: stored request %d: %w", rec.ID, at.index+1, err)
		}
		run := execute(req.BatchRequest.ChatGetCompletion)
		if res, ok := resultOf(rec, at.index, req.BatchRequestID, run, fateOf(at.index, run, p)); ok {
			page.Results = append(page.Results, res)
		}
		at.index, at.offset = at.index+1, at.offset+int64(len(line))
	}
	if _, err := br.Peek(1); err != nil {
		return a.sendPage(w, page, nil) // nothing after this page
	}
	return a.sendPage(w, page, &at)
}

// sendPage answers a page of results; next is where the next one starts,
// nil on the last page.
func (a *API) sendPage(w http.ResponseWriter, page resultList, next *position) error {
	if next != nil {
		page.PaginationToken = core.StrPtr(strconv.Itoa(next.index) + "." + strconv.FormatInt(next.offset, 10))
	}
	core.WriteJSON(w, http.StatusOK, page)
	return nil
}

// position is a place in a batch's stored requests: the index of a
// request and the offset of its line.
type position struct {
	index  int
	offset int64
}

// parseToken reads a pagination token; "" is the start.
func parseToken(token string) (position, bool) {
	if token == "" {
		return position{}, true
	}
	i, o, ok := strings.Cut(token, ".")
	index, ierr := strconv.Atoi(i)
	offset, oerr := strconv.ParseInt(o, 10, 64)
	if !ok || ierr != nil || oerr != nil || index < 0 || offset < 0 {
		return position{}, false
	}
	return position{index, offset}, true
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
