// Package openrouter serves OpenRouter's Batch API for the emulator.
//
// Paths follow https://openrouter.ai/api/beta (the Batch API Quickstart,
// https://openrouter.ai/docs/batch-quickstart; the wire facts and their
// sources are listed in internal/providers/openrouter):
//
//	POST   /api/beta/batches              create, from {"endpoint","model","requests":[...]}
//	GET    /api/beta/batches              list, newest first (after; limit 1..100, default 20), without results
//	GET    /api/beta/batches/{id}         retrieve; a completed batch carries its results inline
//	POST   /api/beta/batches/{id}/cancel  cancel (UNCONFIRMED: OpenRouter documents no cancel call)
//	DELETE /api/beta/batches/{id}         delete, once terminal (409 before)
//
// Every request needs "Authorization: Bearer <key>", checked against
// Options.APIKey as for every protocol. Errors have the shape
// {"error":{"code":N,"message":...}}, and every answer has an x-request-id
// header.
//
// A create is read as a stream, as the API does: endpoint and model must
// come before requests (400 otherwise). The endpoint is one of
// /v1/chat/completions, /v1/responses and /v1/embeddings (OpenRouter also
// takes /v1/messages, which the emulator does not answer: 400), the model
// a non-empty string, completion_window "24h" if given, and requests an
// array of 1 or more {"custom_id","body"} objects, each custom_id a unique
// non-empty string and each body an object whose model, if it names one,
// is the batch's (a body without one inherits it). A body over 200 MB is
// answered 413. The first problem is answered 400, naming it
// (requests[3].custom_id: ...), and nothing is stored. A created batch is
// answered 202.
//
// A batch follows the OpenAI side's lifecycle (internal/emulator/core):
// validating, in_progress, finalizing, then completed; expired when a
// request carries [expire]; cancelling then cancelled after a cancel.
// request_counts {total, completed, failed} count the requests that ran;
// usage sums their tokens once the batch completes. Each request is run by
// the OpenAI side (internal/emulator/openai), with the same answers and
// markers ([fail], [fail:NNN], [error], [expire], [drop]); its result is
// the line an OpenAI output file would have for it, but that a chat
// completion always has system_fingerprint (null), as OpenRouter's do, and
// a request failed without an HTTP answer has OpenRouter's error,
// {"message","param","type"}; a dropped one has none. Only a completed batch has results: a failed, expired or cancelled
// one has results null, as the quickstart says.
//
// Server faults apply to create, get, list, cancel and delete. There is no
// content operation: results come with a get, so get=drop on the get
// that fetches a completed batch's results is a dropped download.
package openrouter
