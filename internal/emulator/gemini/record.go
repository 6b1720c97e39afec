package gemini

import (
	"encoding/json"

	"github.com/batchctl/batchctl/internal/emulator/core"
)

// Record is what becomes of one GenerateContentRequest run outside a
// Gemini API batch, as a request of a Vertex AI batch prediction job: its
// outcome, and the response or the error answering it.
type Record struct {
	Outcome      core.Outcome
	Response     any // the GenerateContentResponse of a succeeded request
	Code         int // the google.rpc.Code or HTTP status of a failed one
	Status       string
	ErrorMessage string
	InputTokens  int64
	OutputTokens int64
}

// RunRecord runs request, a GenerateContentRequest, with model; seed and
// i make its response id.
func RunRecord(request json.RawMessage, model, seed string, i int) Record {
	ex := execute(GenerateMethod, model, inputLine{request: request})
	rec := Record{Outcome: ex.outcome, InputTokens: ex.inputTokens, OutputTokens: ex.outputTokens}
	resp, st := ex.answer(model, core.AnswerMeta{Seed: seed, Index: i})
	switch {
	case st != nil:
		rec.Code, rec.Status, rec.ErrorMessage = st.Code, st.Status, st.Message
	case ex.outcome == core.OutcomeSucceeded:
		rec.Response = resp
	}
	return rec
}
