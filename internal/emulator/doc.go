// Package emulator is an HTTP server that speaks the OpenAI Files and Batch
// API, the Anthropic Message Batches API, Gemini Batch Mode, the Mistral
// Batch API (under /mistral), OpenRouter's Batch API (under /api/beta) and
// the xAI Batch API (under /xai/v1) wire protocols, keeps its state on disk
// and answers every request
// deterministically. batchctl runs it in-process as the `emulator`
// provider, `batchctl emulator serve` exposes it on a port, and the
// provider tests use it as their fake (DESIGN.md section 9).
//
// This package assembles the server: package core holds what the
// protocols share (the batch timeline, the answers, the server faults, the
// state files and the front door every call goes through), and each
// protocol is a package of its own, documented there: openai, anthropic,
// gemini, mistral, openrouter and xai.
//
// # Synchronous endpoints
//
// Each protocol also serves its synchronous endpoints (OpenAI chat
// completions, completions, embeddings, moderations and responses,
// Anthropic messages, Gemini generateContent, embedContent and
// batchEmbedContents), answering a body with the function that answers
// the same request in a batch. Options.Limits gives them latency,
// concurrency and per-minute request and token limits, answered with the
// vendors' 429s and rate-limit headers, in time scaled by
// Limits.TimeScale; Server.Stats and GET /_emulator/stats report the
// peaks admitted. See docs/emulator.md.
//
// # Batch queue quotas
//
// Limits.Quota caps what unfinished batches hold, as the providers do:
// the input tokens of each model's OpenAI and Gemini batches, the requests
// of all Anthropic batches (core.Quota). Over it, OpenAI creates the batch
// and fails it with token_limit_exceeded, Gemini and Anthropic answer the
// create with their 429s. Each protocol's ledger is a file in the state
// directory, so processes sharing it share the quota; Server.QueueStats
// and GET /_emulator/stats ("queues") report what batches hold and the
// most they held at once.
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
// # Server faults
//
// Options.Faults makes the first calls of an operation fail, for testing
// retries. It is a comma-separated list of OP=KIND or OP=KINDxN rules:
//
//	create=429x2,get=500,content=drop
//
// KIND is 429 (answered with a wait of one second), 429bare (without the
// wait), another HTTP status from 500 to 599, drop (the connection is
// closed in the middle of the response), or lost, hang, slow or late (see
// core.Fault: late keeps a call unanswered and does its work only once a
// later list of batches has been answered, a create that lands after the
// caller's rerun has looked for it; Options.Held tells a test when a late
// or hang call is being held). N (default 1) is how many calls fail; rules
// for one operation apply in order. OP is one of upload, files (list
// files), file (retrieve a file), content, delete, create (create a
// batch; for xAI, add requests to one), get, list, cancel, send (a call to a synchronous endpoint). Fault counters live in the Server's memory.
// Each protocol answers these faults in its own error shape; the counters
// are shared: create=429 fails the first create of any protocol.
package emulator
