package openai

import (
	"context"

	"github.com/batchctl/batchctl/internal/emulator/core"
	"github.com/batchctl/batchctl/internal/numfmt"
)

// organization is the organization the quota messages name.
const organization = "org-batchctl-emulator"

// enqueue puts a valid batch in the queue and writes its record with
// write. A batch over its model's enqueued-token limit is still created,
// as the Batch API does, and fails from validating with a
// token_limit_exceeded error: the shape of Azure OpenAI's
// (https://learn.microsoft.com/en-us/answers/questions/2285577, "errors":
// {"object":"list","data":[{"code":"token_limit_exceeded","message":...,
// "param":null,"line":null}]}) with the text OpenAI's answers have
// ("Enqueued request limit reached for text-embedding-3-small in
// organization org-XXXXXX. Limit: 1,000,000 enqueued requests. Please try
// again once some in_progress batches have been completed.",
// https://community.openai.com/t/1002388; the token variant is reported
// in https://community.openai.com/t/1027303). OpenAI's documented limit is
// "enqueued prompt tokens per model" (Batch API guide, Rate limits). The
// code of OpenAI's own failure is not confirmed beyond Azure's.
func (o *API) enqueue(ctx context.Context, rec *batchRecord, p *plan, write func() error) error {
	return o.queue.Admit(ctx, p.queue.Enqueued(rec.ID), func(refusal *core.QueueRefusal) error {
		rec.Timeline.Created = o.host.Clock() // see core.Queue.Admit
		if refusal != nil {
			rec.Errors = []lineError{*newLineError("token_limit_exceeded", "",
				"Enqueued token limit reached for %s in organization %s. Limit: %s enqueued tokens. Please try again once some in_progress batches have been completed.",
				refusal.Model, organization, numfmt.Thousands(refusal.Limit))}
			rec.Timeline.Valid, rec.Total = false, core.Tally{}
		}
		return write()
	})
}

// loadTimeline reads the timeline of a stored batch; a missing batch
// gives an error matching fs.ErrNotExist.
func (o *API) loadTimeline(id string) (core.Timeline, error) {
	var rec struct {
		Timeline core.Timeline `json:"timeline"`
	}
	err := core.ReadJSONFile(o.batchPath(id, ".json"), &rec)
	return rec.Timeline, err
}
