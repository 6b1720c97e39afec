// Package mistral is the emulator's Mistral Batch API: the Files API
// (upload and content) and batch jobs (create, get, list page by page,
// cancel), answering chat completions, embeddings and moderations. Its
// routes hang off PathPrefix, as Mistral's and OpenAI's share the path
// /v1/files: a client's base URL is the server's URL plus "/mistral".
//
// The wire shapes are those of github.com/mistralai/client-ts (the
// @mistralai/mistralai npm package, which jscheck drives against this
// package) and client-python: see internal/providers/mistral for the
// facts and their sources. What no primary source shows is marked
// UNCONFIRMED there and here: the exact shape of an error answer, of a
// failed request's result line, and what becomes of the requests of a
// cancelled or timed-out job (the emulator reports them as OpenAI's batch
// API does).
package mistral
