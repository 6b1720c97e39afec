// Package gemini serves Gemini Batch Mode, and the part of the Files API it
// needs, for the emulator.
//
// Paths follow https://generativelanguage.googleapis.com:
//
//	POST   /v1beta/models/{model}:batchGenerateContent     create (inline requests or a file)
//	POST   /v1beta/models/{model}:asyncBatchEmbedContent   create an embeddings batch
//	POST   /v1beta/models/{model}:countTokens              {"totalTokens":N}, batchctl's own deterministic count
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
// A generateContent request whose generationConfig has responseMimeType
// application/json is answered with JSON: following its responseJsonSchema,
// or its responseSchema (OpenAPI types in capitals), when it has one; a
// schema the emulator cannot answer is a 400 INVALID_ARGUMENT for that
// request. [invalid-json] and [fenced-json] work as for OpenAI.
//
// Server faults apply to create (both endpoints), get, list, cancel, delete
// (batches and files), file (file metadata), content (downloads) and
// upload (the session calls that carry data, not start or query). A 429
// answers RESOURCE_EXHAUSTED with a google.rpc.RetryInfo detail of "1s"
// and no Retry-After header, as users report of the real API.
package gemini
