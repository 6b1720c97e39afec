package gemini

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/batchctl/batchctl/internal/emulator/core"
)

// syncMethods maps the synchronous custom methods of a model to the batch
// endpoint whose requests they take.
var syncMethods = map[string]string{
	"generateContent": GenerateMethod,
	"embedContent":    EmbedMethod,
}

// send answers a synchronous call of model to the method taking the
// requests of batch endpoint, exactly as a batch answers the same request
// (execute, execution.answer; see package core's sync.go for the
// markers).
func (g *API) send(model, endpoint string) core.Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		if model == "" || strings.Contains(model, "/") {
			return errorf(http.StatusNotFound, "Model models/%s was not found.", model)
		}
		body, err := core.ReadSyncBody(w, r)
		switch {
		case errors.Is(err, core.ErrBodyTooLarge):
			return errorf(http.StatusRequestEntityTooLarge, "Request payload size exceeds the limit: %d bytes.", core.MaxSyncBody)
		case err != nil:
			return err
		}
		ex := execute(endpoint, model, inputLine{request: body})
		meta := core.AnswerMeta{Seed: newID()}
		g.host.Send(g, w, r, ex.inputTokens+ex.outputTokens, func() { writeSync(w, model, ex, meta) })
		return nil
	}
}

// sendEmbeds answers models/{model}:batchEmbedContents, the synchronous
// embedding of several requests, which the genai SDK sends for
// Models.EmbedContent on the Gemini API (google.golang.org/genai
// models.go). Each request is answered as a request of an embedding batch;
// the first that does not succeed answers the call.
func (g *API) sendEmbeds(model string) core.Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		if model == "" || strings.Contains(model, "/") {
			return errorf(http.StatusNotFound, "Model models/%s was not found.", model)
		}
		body, err := core.ReadSyncBody(w, r)
		switch {
		case errors.Is(err, core.ErrBodyTooLarge):
			return errorf(http.StatusRequestEntityTooLarge, "Request payload size exceeds the limit: %d bytes.", core.MaxSyncBody)
		case err != nil:
			return err
		}
		var req struct {
			Requests []json.RawMessage `json:"requests"`
		}
		if json.Unmarshal(body, &req) != nil {
			return errorf(http.StatusBadRequest, "Invalid JSON payload received: the request is not a BatchEmbedContentsRequest.")
		}
		if len(req.Requests) == 0 {
			return errorf(http.StatusBadRequest, "* BatchEmbedContentsRequest.requests: requests is not specified")
		}
		meta := core.AnswerMeta{Seed: newID()}
		out := batchEmbedResponse{Embeddings: []embedding{}}
		var failed *execution
		for _, raw := range req.Requests {
			ex := execute(EmbedMethod, model, inputLine{request: raw})
			if ex.outcome != core.OutcomeSucceeded {
				failed = &ex
				break
			}
			answer, _ := ex.answer(model, meta)
			out.Embeddings = append(out.Embeddings, answer.(embedResponse).Embedding)
			out.UsageMetadata.PromptTokenCount += ex.inputTokens
		}
		g.host.Send(g, w, r, out.UsageMetadata.PromptTokenCount, func() {
			if failed != nil {
				writeSync(w, model, *failed, meta)
				return
			}
			core.WriteJSON(w, http.StatusOK, out)
		})
		return nil
	}
}

// batchEmbedResponse is a BatchEmbedContentsResponse.
type batchEmbedResponse struct {
	Embeddings    []embedding    `json:"embeddings"`
	UsageMetadata embeddingUsage `json:"usageMetadata"`
}

// writeSync writes the synchronous answer of a request that ran as ex.
func writeSync(w http.ResponseWriter, model string, ex execution, meta core.AnswerMeta) {
	switch ex.outcome {
	case core.OutcomeDropped:
		core.DropConnection(w)
		return
	case core.OutcomeExpired:
		writeError(w, errorf(http.StatusGatewayTimeout, "Deadline expired before operation could complete. (Emulated by [expire].)"))
		return
	}
	answer, st := ex.answer(model, meta)
	if st == nil {
		core.WriteJSON(w, http.StatusOK, answer)
		return
	}
	e := &apiError{code: st.Code, status: st.Status, message: st.Message, details: st.Details}
	if st.Code == codeInternal {
		// a batch's non-HTTP error ([error]) carries a google.rpc.Code
		e.code = http.StatusInternalServerError
	}
	writeError(w, e)
}

// RateHeaders implements core.Protocol: the Gemini API sends no rate-limit
// headers; a 429 names its wait in a RetryInfo detail (WriteRefusal).
func (g *API) RateHeaders(http.Header, core.RateState) {}

// WriteRefusal implements core.Protocol: a 429 RESOURCE_EXHAUSTED whose
// google.rpc.RetryInfo detail names the wait
// (https://ai.google.dev/gemini-api/docs/troubleshooting, 429
// RESOURCE_EXHAUSTED; google/rpc/error_details.proto, RetryInfo), or a 503
// UNAVAILABLE for an overload.
func (g *API) WriteRefusal(w http.ResponseWriter, r core.Refusal) {
	if r.Overload {
		writeError(w, errorf(http.StatusServiceUnavailable, "The model is overloaded. Please try again later. (Emulated: %s.)", r.Message))
		return
	}
	per := map[string]string{
		core.LimitRequests:    "requests per minute",
		core.LimitTokens:      "tokens per minute",
		core.LimitConcurrency: "concurrent requests",
	}[r.Limit]
	e := errorf(http.StatusTooManyRequests, "You exceeded your current quota of %s of the batchctl emulator (%s). Please retry in %s.", per, r.Message, protoDuration(r.Wait))
	e.details = []any{retryInfo{Type: retryInfoType, RetryDelay: protoDuration(r.Wait)}}
	writeError(w, e)
}

// protoDuration formats d as a google.protobuf.Duration in JSON: seconds
// with up to nine decimals and an "s", rounded to the millisecond.
func protoDuration(d time.Duration) string {
	return strconv.FormatFloat(d.Round(time.Millisecond).Seconds(), 'f', -1, 64) + "s"
}
