package anthropic

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/providers/httpx"
)

// Download streams the results of an ended batch to w, as the API serves
// them: one JSON object per line, whatever its length, in no particular
// order. They come from b.OutputFileID (the batch's results_url) when it
// is on the base URL's origin, and from /v1/messages/batches/{id}/results
// otherwise, so the key is never sent to another host. A last line
// lacking its newline gets one.
func (c *Client) Download(ctx context.Context, b *providers.Batch, w io.Writer) error {
	const op = "download results"
	if b.ID == "" {
		return errors.New(op + ": empty batch id")
	}
	req, err := c.api.NewRequest(ctx, http.MethodGet, c.resultsURL(b), nil)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	req.Header.Set("Accept", "application/x-jsonl")
	return c.api.Download(op, req, w)
}

// resultsURL is where the results of b are fetched from.
func (c *Client) resultsURL(b *providers.Batch) string {
	if b.OutputFileID != "" {
		u, uerr := url.Parse(b.OutputFileID)
		base, berr := url.Parse(c.base)
		if uerr == nil && berr == nil && httpx.SameOrigin(u, base) {
			return b.OutputFileID
		}
	}
	return c.base + batchesPath + "/" + url.PathEscape(b.ID) + "/results"
}
