// Package openai serves the OpenAI Files and Batch API for the emulator,
// with state under Options.Dir/openai.
//
// # Endpoints
//
// Paths follow https://api.openai.com/v1:
//
//	POST   /v1/files                 upload (multipart: file, purpose, expires_after[...])
//	GET    /v1/files                 list (purpose, order, limit, after)
//	GET    /v1/files/{id}            retrieve
//	GET    /v1/files/{id}/content    download
//	DELETE /v1/files/{id}            delete
//	POST   /v1/batches               create
//	GET    /v1/batches               list, newest first (after, limit 1..100)
//	GET    /v1/batches/{id}          retrieve
//	POST   /v1/batches/{id}/cancel   cancel
//
// Every request needs an API key, as `Authorization: Bearer KEY` or (as on
// Azure) `api-key: KEY`. When Options.APIKey is set only that key is
// accepted; otherwise any non-empty key is. Errors have OpenAI's shape:
// {"error":{"message":...,"type":...,"param":...,"code":...}}.
//
// # Lifecycle
//
// A batch created at time c with Options.Duration d (fixed at creation)
// moves through the real status sequence:
//
//	validating   [c, c+0.1d)
//	in_progress  [c+0.1d, c+0.8d)  requests run one after another, evenly spaced
//	finalizing   [c+0.8d, c+d)
//	completed    from c+d ("expired" instead when a request asked for it)
//
// With d = 0 a batch is finished as soon as it is created. The input file is
// read when the batch is created, but what validation finds shows only at
// c+0.1d: the batch is then "failed" with errors.data listing each bad line
// (1-based; at most 100 errors). Validation requires each non-blank line to
// be a JSON object with a non-empty string custom_id unique in the file,
// method "POST", url equal to the batch's endpoint, and a body object with a
// non-empty string model, the same model on every line; a file without
// requests (empty_file) or with more than 50,000 (too_many_tasks) fails too.
// The error codes are invalid_json_line, missing_required_parameter,
// invalid_type, invalid_value, url_mismatch, duplicate_custom_id,
// model_mismatch, empty_file and too_many_tasks.
//
// A cancelled batch is "cancelling" from the cancel call for 0.1d, then
// "cancelled". Its output and error files hold only the requests that had
// run before the cancel call; the others are not reported at all.
// Cancelling a finished batch answers 409.
//
// # Answers
//
// Supported endpoints are /v1/chat/completions, /v1/responses,
// /v1/completions, /v1/embeddings and /v1/moderations. The "prompt" of a request is the text
// of its last user message (a string, or its text parts concatenated), the
// completion prompt, or the embedding input. Model "fixed" always answers
//
//	This is a fixed answer from the batchctl emulator.
//
// and every other model (echo, gpt-4o-mini, ...) answers the prompt itself.
// Token counts are word counts (strings.Fields): input tokens count the
// words of every message (or prompt, or input), output tokens those of the
// answer. Bodies:
//
//   - /v1/chat/completions: a chat.completion with one choice, the answer as
//     the assistant message, finish_reason "stop", and usage.
//   - /v1/responses: a completed response whose output is one assistant
//     message with one output_text part.
//   - /v1/completions: a text_completion with one choice per prompt.
//   - /v1/embeddings: one embedding per input string, of `dimensions`
//     (default 8, at most 3072) numbers derived from SHA-256 of the text and
//     scaled to unit length, so equal texts get equal vectors;
//     encoding_format "base64" gives little-endian float32s in base64.
//   - /v1/moderations: one result per input string (model
//     omni-moderation-latest when none is given), every category of the
//     spec present; an input is flagged only by a marker, [flag] in
//     category violence or [flag:CATEGORY] in that one (score 0.99, every
//     other score 0). An unknown category is a 400 answer.
//
// A body the endpoint cannot use (no messages, a non-string embedding input,
// ...) gets a 400 answer in the error file, as the real service does.
// Successful requests go to the output file, all others to the error file,
// each line shaped {"id","custom_id","response":{"status_code","request_id",
// "body"},"error"}. Ids in answers are derived from the batch id and the
// request's position, so downloading twice gives the same bytes.
//
// # Per-request faults
//
// A marker in a request's prompt changes what becomes of it (the first
// marker wins):
//
//	[fail]       answered with status 400 and an OpenAI error body
//	[fail:NNN]   answered with status NNN (400-599); 429 has a rate-limit
//	             body, 5xx a server_error body
//	[error]      no response; error {"code":"server_error",...}
//	[expire]     never runs; the batch ends "expired" at c+d and the request
//	             is reported with error {"code":"batch_expired",...}
//	[drop]       never reported anywhere (the provider "lost" it)
//
// request_counts.completed counts successful requests and .failed the
// others that were reported; dropped requests count in total only.
//
// A chat request with response_format json_schema (or json_object), and a
// Responses request with text.format, is answered with JSON that follows
// the schema (core.StructuredReply); a schema the emulator cannot answer
// is a 400 invalid_json_schema for that request. [invalid-json] and
// [fenced-json] make such an answer not JSON, or fenced (not for the
// fixed model).
//
// A server fault of status 429 is answered with Retry-After: 1 and a
// rate-limit error, another status from 500 to 599 with a server_error.
package openai
