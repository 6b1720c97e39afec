// Package emulator is an HTTP server that speaks the OpenAI Files and Batch
// API wire protocol, keeps its state on disk and answers every request
// deterministically. batchctl runs it in-process as the `emulator`
// provider, `batchctl emulator serve` exposes it on a port, and the
// provider tests use it as their fake (DESIGN.md section 9).
//
// # State
//
// All state lives under Options.Dir (directories 0700, files 0600), written
// through a temporary file and a rename, so several processes may share one
// directory: a batch created by one process can be polled, cancelled and
// downloaded by another one later. Nothing runs in the background. A batch's
// status is computed from its stored timestamps and the clock each time it
// is read, and its output and error files are written by whichever request
// first sees it finished (identically, whichever process that is).
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
// /v1/completions and /v1/embeddings. The "prompt" of a request is the text
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
// # Server faults
//
// Options.Faults makes the first calls of an operation fail, for testing
// retries. It is a comma-separated list of OP=KIND or OP=KINDxN rules:
//
//	create=429x2,get=500,content=drop
//
// KIND is 429 (answered with Retry-After: 1 and a rate-limit error; 429bare
// without it), another HTTP status from 500 to 599 (a server_error), drop
// (the connection is closed in the middle of the response), lost (the work
// is done, then the connection is closed), hang (the work is done, then no
// answer ever), slow (answered after SlowDelay) or late (the request is kept
// and never answered, and its work is done only once a later list of
// batches has been answered: a create that lands after the caller's rerun
// has looked for it; Options.Held tells a test when a late or hang call is
// being held). N (default 1) is how many calls
// fail; rules for one operation apply in order. OP is one of upload, files
// (list files), file (retrieve a file), content, delete, create (create a
// batch), get, list, cancel. Fault counters live in the Server's memory.
//
// # Anthropic Message Batches
//
// The same server speaks the Anthropic Message Batches API, with the paths
// of https://api.anthropic.com:
//
//	POST   /v1/messages/batches               create, from {"requests":[...]}
//	GET    /v1/messages/batches               list, newest first (after_id or before_id; limit 1..1000, default 20)
//	GET    /v1/messages/batches/{id}          retrieve
//	POST   /v1/messages/batches/{id}/cancel   cancel
//	DELETE /v1/messages/batches/{id}          delete, once ended
//	GET    /v1/messages/batches/{id}/results  results (application/x-jsonl), once ended
//
// Every request needs an x-api-key header (a bearer token is not taken),
// checked as the OpenAI key is, and an anthropic-version header of any
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
// Results are listed in input order (the API promises no order), one line
// {"custom_id":...,"result":{"type":...}} per reported request; errored
// ones carry an ErrorResponse, {"type":"error","error":{...},"request_id":...}.
// Server faults apply to the Anthropic operations too: create, get, list,
// cancel, delete (a batch) and content (results), answered with Anthropic
// errors (rate_limit_error with Retry-After: 1 for 429, overloaded_error
// for 529, timeout_error for 504, api_error for other 5xx). The counters
// are shared: create=429 fails the first create of either protocol.
//
// # Gemini Batch Mode
//
// Paths follow https://generativelanguage.googleapis.com:
//
//	POST   /v1beta/models/{model}:batchGenerateContent     create (inline requests or a file)
//	POST   /v1beta/models/{model}:asyncBatchEmbedContent   create an embeddings batch
//	GET    /v1beta/batches                                 list, newest first (pageSize: default 50, at most 1000; pageToken)
//	GET    /v1beta/batches/{id}                            retrieve (a long-running operation)
//	POST   /v1beta/batches/{id}:cancel                     cancel
//	DELETE /v1beta/batches/{id}                            delete (POST .../{id}:delete too)
//	POST   /upload/v1beta/files                            resumable upload: start, then the session's commands
//	GET    /v1beta/files/{id}                              file metadata
//	DELETE /v1beta/files/{id}                              delete a file
//	GET    /download/v1beta/files/{id}:download?alt=media  file content (/v1beta/files/{id}:download too)
//
// The key goes in an x-goog-api-key header or a key query parameter, with
// the same Options.APIKey rule; a missing key answers 403
// PERMISSION_DENIED, a rejected one 401 UNAUTHENTICATED. Upload session
// URLs are credentials of their own and need no key. Errors have Google's
// shape, {"error":{"code":HTTP status,"message":...,"status":"NOT_FOUND"}}.
// Request bodies may spell fields in camelCase or snake_case; answers are
// proto3 JSON (camelCase, int64s as strings, zero values left out). State
// lives under Options.Dir/gemini with the same rules as the OpenAI state.
//
// An upload starts with X-Goog-Upload-Protocol: resumable and
// X-Goog-Upload-Command: start (X-Goog-Upload-Header-Content-Length, if
// given, is checked when the upload is finalized; X-Goog-Upload-Header-
// Content-Type becomes the file's MIME type); X-Goog-Upload-URL in the
// answer is the session, on the same server. A session takes the commands
// "upload" (X-Goog-Upload-Offset must equal the bytes received so far),
// "finalize", "upload, finalize" and "query"; every answer carries
// X-Goog-Upload-Status (active or final) and X-Goog-Upload-Size-Received.
// The bytes of a chunk whose client went away are kept, so a query tells
// it where to resume. Finalizing answers {"file":{...}}.
//
// A batch follows the timeline of an OpenAI batch, with Gemini's states:
// BATCH_STATE_PENDING until c+0.1d, BATCH_STATE_RUNNING (batchStats
// growing as the requests run) until c+d, then BATCH_STATE_SUCCEEDED: the
// operation is done and its response (and metadata.output) holds either
// inlinedResponses, for inline requests, in input order, each with its
// request's metadata, or the responsesFile files/batch<id>, one line per
// request, {"key":...,"response":{...}} or {"key":...,"error":{...}},
// written by whichever call first sees the batch finished. A cancel takes
// effect at once (BATCH_STATE_CANCELLED, done, no results); cancelling it
// again changes nothing, cancelling a finished batch answers 400
// FAILED_PRECONDITION. A batch with an [expire] request ends
// BATCH_STATE_EXPIRED at c+d, without results. An input line that is not
// an object with a "request" object, or an empty input file, makes the
// batch BATCH_STATE_FAILED at c+0.1d with an error naming the line.
//
// The prompt of a generate request is the text of its last user content.
// The answer is a GenerateContentResponse with one candidate (the reply as
// a model content, finishReason STOP), usageMetadata counting the words of
// every content and the system instruction, and modelVersion, the model.
// An embed request answers an EmbedContentResponse whose embedding.values
// has outputDimensionality numbers (also read from embedContentConfig;
// default 8, at most 3072). A request without contents (or content) gets a
// 400 INVALID_ARGUMENT error of its own. The markers work as above:
// [fail] and [fail:NNN] give the request the error {"code":NNN,
// "message":...,"status":...} with the HTTP status as code, [error] gives
// {"code":13,...,"status":"INTERNAL"} (a google.rpc.Code), and [drop]
// leaves the request out of the results; batchStats counts successful and
// failed requests, and dropped ones in requestCount only.
//
// Server faults apply to create (both endpoints), get, list, cancel, delete
// (batches and files), file (file metadata), content (downloads) and
// upload (the session calls that carry data, not start or query). A 429
// answers RESOURCE_EXHAUSTED with a google.rpc.RetryInfo detail of "1s"
// and no Retry-After header, as users report of the real API.
package emulator
