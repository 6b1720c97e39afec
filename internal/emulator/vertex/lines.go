package vertex

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/batchctl/batchctl/internal/emulator/anthropic"
	"github.com/batchctl/batchctl/internal/emulator/core"
	"github.com/batchctl/batchctl/internal/emulator/gemini"
)

// lineRun is what became of one input line: its outcome and tokens, and
// the response (nil for a failed line) or the status text ("" for a
// succeeded one) its prediction line gets.
type lineRun struct {
	Outcome      core.Outcome
	InputTokens  int64
	OutputTokens int64
	response     any
	status       string
}

// claude reports whether the job's model is Anthropic's
// ([projects/p/locations/l/]publishers/anthropic/models/...): its lines are
// {"custom_id","request":<Messages body>} and are run by the Anthropic
// emulator.
func (rec *jobRecord) claude() bool {
	return strings.Contains(rec.Model, "publishers/anthropic/models/")
}

// run runs input line l, the job's i-th: a GenerateContentRequest by the
// Gemini emulator (gemini.RunRecord), a Claude Messages body by the
// Anthropic emulator (anthropic.RunRecord, as Bedrock's records are run).
func (rec *jobRecord) run(l map[string]json.RawMessage, i int) lineRun {
	if rec.claude() {
		return claudeRun(anthropic.RunRecord(l["request"], rec.modelID(), rec.ID, i))
	}
	return geminiRun(gemini.RunRecord(l["request"], rec.modelID(), rec.ID, i))
}

// geminiRun is the line run of a GenerateContentRequest.
func geminiRun(r gemini.Record) lineRun {
	run := lineRun{Outcome: r.Outcome, InputTokens: r.InputTokens, OutputTokens: r.OutputTokens}
	if r.Outcome == core.OutcomeSucceeded {
		run.response = r.Response
		return run
	}
	code := r.Code
	if code < 100 { // a google.rpc.Code: INTERNAL
		code = http.StatusInternalServerError
	}
	run.status = fmt.Sprintf("%d %s: %s", code, r.Status, r.ErrorMessage)
	return run
}

// claudeRun is the line run of a Claude Messages body: the message as
// response, or the error as status in the same form as a Gemini line's
// (how Vertex AI words a failed Claude line is UNCONFIRMED).
func claudeRun(r anthropic.Record) lineRun {
	run := lineRun{Outcome: r.Outcome, InputTokens: r.InputTokens, OutputTokens: r.OutputTokens}
	if r.Outcome == core.OutcomeSucceeded {
		run.response = r.Message
		return run
	}
	name := statusNames[r.Status]
	if name == "" {
		name = "INTERNAL"
	}
	run.status = fmt.Sprintf("%d %s: %s", r.Status, name, r.ErrorMessage)
	return run
}
