package anthropic

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/batchctl/batchctl/internal/emulator/core"
)

// sendMessage answers POST /v1/messages exactly as a message batch answers
// the same params (execute, execution.message and errorResponse; see
// package core's sync.go for the markers). The emulator does not stream:
// a body asking for it is refused.
func (a *API) sendMessage(w http.ResponseWriter, r *http.Request) error {
	body, err := core.ReadSyncBody(w, r)
	switch {
	case errors.Is(err, core.ErrBodyTooLarge):
		return errorf(http.StatusRequestEntityTooLarge, "Request exceeds the maximum allowed number of bytes.")
	case err != nil:
		return err
	}
	var members map[string]json.RawMessage
	if json.Unmarshal(body, &members) != nil || members == nil {
		return errorf(http.StatusBadRequest, "There was an error parsing the body: the body is not a JSON object")
	}
	if err := checkParams(members, ""); err != nil {
		return err
	}
	var stream bool
	if json.Unmarshal(members["stream"], &stream) == nil && stream {
		return errorf(http.StatusBadRequest, "stream: the batchctl emulator does not stream answers; send stream: false")
	}
	run := execute(body)
	requestID := w.Header().Get(requestIDHeader)
	a.host.Send(a, w, r, run.inputTokens+run.outputTokens, func() { a.writeSync(w, run, requestID) })
	return nil
}

// writeSync writes the synchronous answer of a request that ran as run.
func (a *API) writeSync(w http.ResponseWriter, run execution, requestID string) {
	switch run.outcome {
	case core.OutcomeDropped:
		core.DropConnection(w)
	case core.OutcomeExpired:
		writeError(w, http.StatusGatewayTimeout, ErrorBody{Type: errTimeout, Message: defaultMessage(errTimeout) + " (emulated by [expire])"})
	case core.OutcomeFailed:
		core.WriteJSON(w, run.status, run.errorResponse(requestID))
	default:
		core.WriteJSON(w, http.StatusOK, run.message(core.DerivedID("msg_", requestID, 0), "standard"))
	}
}
