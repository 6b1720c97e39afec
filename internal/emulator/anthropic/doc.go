// Package anthropic serves the Anthropic Message Batches API for the
// emulator.
//
// Paths follow https://api.anthropic.com:
//
//	POST   /v1/messages/batches               create, from {"requests":[...]}
//	GET    /v1/messages/batches               list, newest first (after_id or before_id; limit 1..1000, default 20)
//	GET    /v1/messages/batches/{id}          retrieve
//	POST   /v1/messages/batches/{id}/cancel   cancel
//	DELETE /v1/messages/batches/{id}          delete, once ended
//	GET    /v1/messages/batches/{id}/results  results (application/x-jsonl), once ended
//	POST   /v1/messages/count_tokens          {"input_tokens":N}, batchctl's own deterministic count
//
// Every request needs an API key, in an x-api-key header (what batchctl
// and the Go SDK send) or as "Authorization: Bearer <key>" (what the
// TypeScript SDK sends), checked against Options.APIKey as for every protocol, and an anthropic-version header of any
// value (400 without one, as the API answers). Errors have Anthropic's
// shape, {"type":"error","error":{"type":...,"message":...},"request_id":...},
// and every answer has a request-id header. Batches live under
// Dir/anthropic/batches, by the same rules as the OpenAI ones: their state
// is computed from their timestamps, and their results are written once,
// identically by whichever process first sees them ended.
//
// A batch is validated when it is created; the first problem is answered
// 400 invalid_request_error, naming it (requests.3.custom_id: ...), and
// nothing is stored. The body must have only requests, an array of 1 to
// 100,000 objects with only custom_id (matching ^[a-zA-Z0-9_-]{1,64}$ and
// unique in the batch) and params, an object with a string model, an
// integer max_tokens and an array messages; a body over 256 MB is answered
// 413 request_too_large. As in the API, the rest of params is checked only
// when the request runs, and a request failing it is errored with
// invalid_request_error: max_tokens below 1, no messages, a role other than
// user and assistant, content or system that is neither a string nor a
// list of blocks, or stream true.
//
// A batch created at time c with duration d is in_progress, with
// request_counts.processing the number of requests and the other counts 0,
// until c+d, when it is ended, with ended_at, its final counts, and a
// results_url on the host the request was sent to. expires_at is c+24h;
// archived_at stays null. Requests run one after another over
// [c+0.1d, c+0.8d], as on the OpenAI side, which matters for a cancel: it
// makes the batch canceling (cancel_initiated_at set) for 0.1d, then ended;
// the requests that had run keep their results and the others are
// canceled. Cancelling a canceling batch changes nothing; cancelling an
// ended one, or deleting one that has not ended, is answered 400.
//
// A succeeded request is answered with a Message: id msg_..., role
// assistant, the request's model, one text block with the same answer as
// on the OpenAI side (the text of the last user message, a string or its
// text blocks concatenated, or the fixed sentence for model "fixed"),
// stop_reason end_turn, and usage whose input_tokens count the words of the
// system prompt and of every message, and output_tokens those of the
// answer. The markers, in the last user message:
//
//	[fail]       errored, invalid_request_error
//	[fail:NNN]   errored, with the type the API gives status NNN:
//	             authentication_error (401), billing_error (402),
//	             permission_error (403), not_found_error (404),
//	             request_too_large (413), rate_limit_error (429),
//	             timeout_error (504), overloaded_error (529), api_error
//	             (other 5xx), invalid_request_error (other 4xx)
//	[error]      errored, api_error
//	[expire]     never runs; its result is expired (canceled when the
//	             batch was cancelled) and the batch counts it as expired
//	[drop]       never reported; it stays counted as processing, so the
//	             counts still add up to the number of requests
//
// A request with output_config.format (or the beta's output_format) of
// type json_schema is answered with JSON that follows the schema
// (core.StructuredReply); a schema the emulator cannot answer errors the
// request with an invalid_request_error. [invalid-json] and [fenced-json]
// work as for OpenAI.
//
// Results are listed in input order (the API promises no order), one line
// {"custom_id":...,"result":{"type":...}} per reported request; errored
// ones carry an ErrorResponse, {"type":"error","error":{...},"request_id":...}.
// Server faults apply to the Anthropic operations too: create, get, list,
// cancel, delete (a batch) and content (results), answered with Anthropic
// errors (rate_limit_error with Retry-After: 1 for 429, overloaded_error
// for 529, timeout_error for 504, api_error for other 5xx). The counters
// are shared: create=429 fails the first create of either protocol.
package anthropic
