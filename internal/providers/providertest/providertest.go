// Package providertest is the conformance suite of providers.Provider. Run
// drives one provider against the batchctl emulator, which speaks the
// OpenAI, Anthropic, Gemini, Mistral and xAI protocols, and checks what a user of
// batchctl would notice: how a batch moves through the normalized statuses,
// which results come back and how they are normalized, cancelling,
// expiring, listing, metadata, errors, retries and context cancellation.
//
// Every provider runs the same subtests. Where providers truly differ (the
// statuses a batch passes through, whether a batch that ended early keeps
// the results of the requests that ran) the difference is stated in the
// Harness, never guessed from the provider's name.
//
// The emulator runs on an httptest server on 127.0.0.1 with its state in
// a temporary directory and a clock the suite moves, so the suite never
// sleeps. Each subtest gets a fresh emulator.
package providertest

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/batchctl/batchctl/internal/providers"
)

// Harness is what the suite needs to know of a provider.
type Harness struct {
	// New returns the provider under test, pointed at baseURL (the
	// emulator's root URL, without a path), with key; an empty key must
	// give a provider whose network calls return a
	// *providers.MissingKeyError.
	New func(t *testing.T, baseURL, key string) providers.Provider
	// Lines renders requests in the provider's native input line format
	// (what Submit reads), one line per Request, in order. Each request is
	// one user message whose text is the prompt, to model Model, with
	// nothing else the emulator counts as tokens (no system prompt).
	Lines func(reqs []Request) []byte
	// Endpoint is SubmitRequest.Endpoint for chat requests.
	Endpoint string
	// Model is the model of every request; the emulator echoes the prompt
	// for any model but "fixed".
	Model string
	// Lifecycle is the sequence of distinct statuses a batch reports, from
	// the batch Submit returns to its completion (which ends it), e.g.
	// validating, in_progress, finalizing, completed.
	Lifecycle []providers.Status
	// PageSizeParam is the query parameter List sends its page size in.
	// The suite makes the emulator serve at most two batches per page
	// whatever was asked, so List must follow the provider's cursor. Empty
	// leaves pages alone (List is then not checked across pages).
	PageSizeParam string
	// NoCompletionTime says the provider does not report when a batch that
	// completed ended (xAI's batches have no such time), so its
	// CompletedAt stays zero; a cancelled or expired batch still has one.
	NoCompletionTime bool
	// Supports lists the optional behaviours the provider has; the suite
	// skips the checks of the others, saying which behaviour is missing.
	Supports []Feature
}

// Request is one request of a batch.
type Request struct{ ID, Prompt string }

// Feature is an optional behaviour of a provider.
type Feature string

// The optional behaviours.
const (
	// Metadata: the Metadata a batch is submitted with, at least the
	// batchctl_job and batchctl_part keys batchctl uses to recognise its
	// batches, comes back from Submit, Get and List.
	Metadata Feature = "metadata"
	// PartialResults: a batch that expired or was cancelled still has the
	// results of the requests that ran before it ended. Without it, such a
	// batch has no results at all.
	PartialResults Feature = "partial results"
)

// describe says what a provider lacking f does not do.
func (f Feature) describe() string {
	switch f {
	case Metadata:
		return "Get and List do not return the metadata a batch was submitted with"
	case PartialResults:
		return "a batch that ended early has no results"
	}
	return string(f)
}

// supports reports whether the provider has feature f.
func (h Harness) supports(f Feature) bool { return slices.Contains(h.Supports, f) }

// require skips t when the provider lacks f.
func (h Harness) require(t *testing.T, name string, f Feature) {
	t.Helper()
	if !h.supports(f) {
		t.Skipf("%s lacks %s: %s", name, f, f.describe())
	}
}

// check reports what is missing from a Harness.
func (h Harness) check() error {
	switch {
	case h.New == nil:
		return errors.New("no New")
	case h.Lines == nil:
		return errors.New("no Lines")
	case h.Model == "":
		return errors.New("no Model")
	case len(h.Lifecycle) == 0 || h.Lifecycle[len(h.Lifecycle)-1] != providers.StatusCompleted:
		return fmt.Errorf("Lifecycle %v does not end in %s", h.Lifecycle, providers.StatusCompleted)
	}
	return nil
}

// Run runs the conformance suite against the provider h describes.
func Run(t *testing.T, h Harness) {
	t.Helper()
	if err := h.check(); err != nil {
		t.Fatalf("providertest: invalid harness: %v", err)
	}
	t.Run("lifecycle", func(t *testing.T) { testLifecycle(t, h) })
	t.Run("results", func(t *testing.T) { testResults(t, h) })
	t.Run("long result", func(t *testing.T) { testLongResult(t, h) })
	t.Run("download interrupted", func(t *testing.T) { testDownloadInterrupted(t, h) })
	t.Run("expire", func(t *testing.T) { testExpire(t, h) })
	t.Run("cancel", func(t *testing.T) { testCancel(t, h) })
	t.Run("list", func(t *testing.T) { testList(t, h) })
	t.Run("metadata", func(t *testing.T) { testMetadata(t, h) })
	t.Run("lost create", func(t *testing.T) { testLostCreate(t, h) })
	t.Run("errors", func(t *testing.T) { testErrors(t, h) })
	t.Run("retry", func(t *testing.T) { testRetry(t, h) })
	t.Run("normalize", func(t *testing.T) { testNormalize(t, h) })
	t.Run("context", func(t *testing.T) { testContext(t, h) })
}
