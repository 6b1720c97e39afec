package xai

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/batchctl/batchctl/internal/providers"
)

// Submit looks for a batch an earlier attempt opened among the
// resumeScan newest batches created within resumeWindow (the list is
// taken to be newest first: UNCONFIRMED). A batch has an expire_time,
// taken to be about a day after it is opened (UNCONFIRMED: xAI says most
// batches finish within 24 hours), so an older one is not added to.
const (
	resumeScan   = 1000
	resumeWindow = 48 * time.Hour
)

// Submit creates a batch from req's input, OpenAI batch lines for
// /v1/chat/completions, in two steps: it opens an empty batch named with
// req.Metadata's job and part and the number of requests, then adds the
// requests in chunks, in input order. Only a batch holding every request
// its name says shows the job's tag (see parseBatch), so a batch found
// half filled is never taken for a finished one.
//
// A lost answer (a broken connection) to the open, or to an add call
// other than the last, is made good at once by looking at the batch.
// Other failures return, and Submit is resumable, so a retry never
// duplicates or loses a request: before opening a batch for a tagged
// input it looks for one of the same name that an earlier attempt opened.
// A full one is returned as it is; a partly filled one gets the rest of
// the requests, from the first the batch does not count (num_requests).
// That relies on an add call taking all its requests or none
// (UNCONFIRMED), and means a request id is never sent twice to a batch.
func (c *Client) Submit(ctx context.Context, req providers.SubmitRequest) (*providers.Batch, error) {
	const op = "create batch"
	switch {
	case req.InputFileID != "":
		return nil, fmt.Errorf("%s: xAI batches made from an uploaded file are not supported (the file's line format is not documented); pass the input with -f", op)
	case req.Endpoint != "" && req.Endpoint != endpoint:
		return nil, fmt.Errorf("%s: xAI batches here take %s requests only, not %s", op, endpoint, req.Endpoint)
	case req.Requests < 1:
		return nil, fmt.Errorf("%s: no requests to send", op)
	}
	if err := c.api.CheckKey(); err != nil {
		return nil, err
	}
	name := batchName(req.Metadata, req.Requests)
	found, err := c.findByName(ctx, req.Metadata, name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	if found != nil && found.Metadata != nil {
		found.Model = req.Model
		return found, nil // an earlier attempt made it whole
	}
	if err := req.BeginCreate(); err != nil {
		return nil, err
	}
	b := found
	if b == nil {
		if b, err = c.open(ctx, req.Metadata, name); err != nil {
			return nil, err
		}
	}
	if err := c.addRequests(ctx, b.ID, req, b.Counts.Total); err != nil {
		return nil, err
	}
	// The add calls answer nothing: the batch is as opened, now holding
	// every request, none of which has run yet as far as batchctl knows
	// (Raw stays the answer to the open or the lookup).
	b.Status, b.ProviderStatus = providers.StatusInProgress, "pending"
	b.Counts = providers.Counts{Total: req.Requests}
	b.Metadata = parseBatchName(name).metadata()
	b.Model = req.Model
	return b, nil
}

// open opens an empty batch named name. When the answer is lost (the
// connection broke: the batch may exist), the batch is looked for by its
// name straight away, so that a half-made create goes on at once instead
// of failing and being waited for.
func (c *Client) open(ctx context.Context, md map[string]string, name string) (*providers.Batch, error) {
	const op = "create batch"
	b, err := c.batchCall(ctx, op, http.MethodPost, c.base+batchesPath, createBody(name))
	if err == nil || !lostAnswer(ctx, err) {
		return b, err
	}
	if found, ferr := c.findByName(ctx, md, name); ferr == nil && found != nil {
		return found, nil
	}
	return nil, err
}

// lostAnswer reports whether err is a call that got no answer (a broken
// connection), while ctx still runs: the call may have taken effect.
func lostAnswer(ctx context.Context, err error) bool {
	var he *providers.HTTPError
	var nokey *providers.MissingKeyError
	return ctx.Err() == nil && !errors.As(err, &he) && !errors.As(err, &nokey)
}

// createBody is the body of POST /v1/batches [proto: CreateBatchRequest].
func createBody(name string) []byte {
	body, _ := json.Marshal(struct {
		Name string `json:"name"`
	}{name})
	return body
}

// findByName returns the newest batch named name that was not cancelled,
// as Get shows it (a list may leave the state out), nil when there is
// none; an input without a job tag has no name of its own, so nothing is
// looked for.
func (c *Client) findByName(ctx context.Context, md map[string]string, name string) (*providers.Batch, error) {
	if md["batchctl_job"] == "" {
		return nil, nil
	}
	var found *providers.Batch
	since := c.now().Add(-resumeWindow)
	err := c.List(ctx, providers.ListOptions{Limit: resumeScan}, func(b *providers.Batch) error {
		if !b.CreatedAt.IsZero() && b.CreatedAt.Before(since) {
			return providers.ErrStop
		}
		var w wireBatch
		if json.Unmarshal(b.Raw, &w) != nil || w.Name != name || w.CancelTime != nil {
			return nil
		}
		found = b
		return providers.ErrStop
	})
	if err != nil || found == nil {
		return nil, err
	}
	b, err := c.Get(ctx, found.ID)
	if err == nil && b.Status == providers.StatusUnknown {
		err = fmt.Errorf("batch %s, opened for these requests, reports no state: not adding to it", b.ID)
	}
	return b, err
}

// addRequests adds the requests of req's input after the first skip to
// batch id, in chunks of at most ChunkRequests requests and about
// maxChunkBytes bytes.
func (c *Client) addRequests(ctx context.Context, id string, req providers.SubmitRequest, skip int) error {
	in, err := req.Open()
	if err != nil {
		return fmt.Errorf("add requests to batch %s: open input: %w", id, err)
	}
	defer in.Close()
	r := bufio.NewReaderSize(in, 64<<10)
	chunk := &requestChunk{}
	line := 0
	for {
		raw, err := r.ReadBytes('\n')
		if errors.Is(err, io.EOF) && len(raw) == 0 {
			break
		}
		line++
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("add requests to batch %s: read input: %w", id, err)
		}
		if line <= skip {
			continue
		}
		if err := chunk.add(raw, line); err != nil {
			return fmt.Errorf("add requests to batch %s: %w", id, err)
		}
		if chunk.n >= c.cfg.ChunkRequests || chunk.body.Len() >= maxChunkBytes {
			if err := c.sendMidChunk(ctx, id, chunk, line, req.Requests); err != nil {
				return err
			}
		}
	}
	if line != req.Requests {
		return fmt.Errorf("add requests to batch %s: the input has %d lines, not its declared %d requests", id, line, req.Requests)
	}
	if chunk.n > 0 {
		return c.sendChunk(ctx, id, chunk, req.Requests)
	}
	return nil
}

// sendMidChunk sends a chunk other than the last (ending at input line
// last of requests). When its answer is lost, the batch's num_requests
// tells whether it was added, and the chunk is sent again only if it was
// not, so that the create goes on. The last chunk's lost answer is
// returned as it is: the batch is then whole, and is found by its name.
func (c *Client) sendMidChunk(ctx context.Context, id string, chunk *requestChunk, last, requests int) error {
	body, first := chunk.finish(), last-chunk.n+1
	chunk.reset()
	err := c.add(ctx, id, body, first, last)
	if err == nil || last >= requests || !lostAnswer(ctx, err) {
		return err
	}
	b, gerr := c.Get(ctx, id)
	switch {
	case gerr != nil:
		return err
	case b.Counts.Total == last:
		return nil // it was added
	case b.Counts.Total == first-1:
		return c.add(ctx, id, body, first, last)
	}
	return err
}

// sendChunk sends the chunk, which ends at input line last, and empties
// it.
func (c *Client) sendChunk(ctx context.Context, id string, chunk *requestChunk, last int) error {
	body, first := chunk.finish(), last-chunk.n+1
	chunk.reset()
	return c.add(ctx, id, body, first, last)
}

// add sends one add call, of input lines first to last. A batch the API
// refuses requests for (a 4xx answer other than 408 and 429) is
// cancelled, so that no half-filled batch is left running.
func (c *Client) add(ctx context.Context, id string, body []byte, first, last int) error {
	op := fmt.Sprintf("add requests %d-%d to batch %s", first, last, id)
	_, err := c.api.Call(ctx, op, http.MethodPost, c.batchURL(id, "/requests"), body)
	var he *providers.HTTPError
	if errors.As(err, &he) && he.StatusCode >= 400 && he.StatusCode < 500 &&
		he.StatusCode != http.StatusTooManyRequests && he.StatusCode != http.StatusRequestTimeout {
		if _, cerr := c.Cancel(context.WithoutCancel(ctx), id); cerr != nil {
			return fmt.Errorf("%w (and cancelling the half-filled batch failed: %v)", err, cerr)
		}
	}
	return err
}

// requestChunk is the body of one add call being built [proto:
// AddBatchRequestsRequest.batch_requests]:
// {"batch_requests":[{"batch_request_id":...,"batch_request":{"chat_get_completion":{...}}},...]}.
type requestChunk struct {
	body bytes.Buffer
	n    int
}

// inputLine is what an input line (an OpenAI batch line) gives a batch
// request.
type inputLine struct {
	CustomID string          `json:"custom_id"`
	Body     json.RawMessage `json:"body"`
}

// add appends the batch request of input line number line.
func (ch *requestChunk) add(raw []byte, line int) error {
	var in inputLine
	if err := json.Unmarshal(raw, &in); err != nil {
		return fmt.Errorf("input line %d: %w", line, err)
	}
	if in.CustomID == "" || len(in.Body) == 0 || in.Body[0] != '{' {
		return fmt.Errorf("input line %d: want a custom_id and a body object", line)
	}
	if ch.n == 0 {
		ch.body.WriteString(`{"batch_requests":[`)
	} else {
		ch.body.WriteByte(',')
	}
	id, _ := json.Marshal(in.CustomID)
	ch.body.WriteString(`{"batch_request_id":`)
	ch.body.Write(id)
	ch.body.WriteString(`,"batch_request":{"chat_get_completion":`)
	ch.body.Write(in.Body)
	ch.body.WriteString(`}}`)
	ch.n++
	return nil
}

// finish returns the body, closed.
func (ch *requestChunk) finish() []byte {
	return append(bytes.Clone(ch.body.Bytes()), `]}`...)
}

// reset empties the chunk.
func (ch *requestChunk) reset() {
	ch.body.Reset()
	ch.n = 0
}
