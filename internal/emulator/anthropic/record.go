package anthropic

import (
	"encoding/json"

	"github.com/batchctl/batchctl/internal/emulator/core"
)

// Record is what becomes of one Anthropic Messages body run outside a
// message batch, as a record of a Bedrock batch inference job: its
// outcome, and the message or the error answering it.
type Record struct {
	Outcome      core.Outcome
	Message      any    // the message of a succeeded body
	Text         string // the text of that message (a tool call's arguments)
	StopReason   string // and its stop_reason
	Status       int    // the HTTP status of a failed body
	ErrorMessage string
	InputTokens  int64
	OutputTokens int64
}

// RunRecord runs body, a Messages body without model, for model; seed and
// i make the ids of its message and tool call.
func RunRecord(body json.RawMessage, model, seed string, i int) Record {
	run := execute(body)
	rec := Record{Outcome: run.outcome, Status: run.status, ErrorMessage: run.errMessage, InputTokens: run.inputTokens, OutputTokens: run.outputTokens}
	if run.outcome == core.OutcomeSucceeded {
		run.model = model
		rec.Text, rec.StopReason = run.text, run.stopReason()
		rec.Message = run.message(core.DerivedID("msg_bdrk_", seed, i), core.DerivedID("toolu_bdrk_", seed, i), "batch")
	}
	return rec
}
