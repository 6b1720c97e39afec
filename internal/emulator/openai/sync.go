package openai

import (
	"errors"
	"net/http"

	"github.com/batchctl/batchctl/internal/emulator/core"
)

// syncEndpoints are the endpoints also served synchronously: every
// endpoint a batch takes.
func syncEndpoints() []string { return endpoints() }

// send answers a synchronous call to endpoint exactly as a batch answers
// the same body (see execution.answer and package core's sync.go).
func (o *API) send(endpoint string) core.Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		body, err := core.ReadSyncBody(w, r)
		switch {
		case errors.Is(err, core.ErrBodyTooLarge):
			return &httpError{status: http.StatusRequestEntityTooLarge, body: invalidRequest("", "", "The request body is too large.")}
		case err != nil:
			return err
		}
		ex := execute(endpoint, body)
		meta := core.AnswerMeta{Seed: w.Header().Get(o.RequestIDHeader()), Created: o.host.Clock().Unix()}
		o.host.Send(o, w, r, ex.inputTokens+ex.outputTokens, func() { o.writeSync(w, ex, meta) })
		return nil
	}
}

// writeSync writes the synchronous answer of a request that ran as ex.
func (o *API) writeSync(w http.ResponseWriter, ex execution, meta core.AnswerMeta) {
	switch {
	case ex.outcome == core.OutcomeDropped:
		core.DropConnection(w)
	case ex.outcome == core.OutcomeExpired:
		writeAPIError(w, http.StatusGatewayTimeout, &apiError{
			Message: "The request timed out (emulated by [expire]).",
			Type:    errServer,
			Code:    core.StrPtr("timeout"),
		})
	case ex.failure != nil:
		writeAPIError(w, http.StatusInternalServerError, &apiError{Message: ex.failure.Message, Type: errServer, Code: &ex.failure.Code})
	default:
		status, body := ex.answer(meta)
		core.WriteJSON(w, status, body)
	}
}
