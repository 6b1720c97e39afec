package xai

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/batchctl/batchctl/internal/providers"
)

// resultsPageSize is the page size asked of the results endpoint (its
// largest is not documented: UNCONFIRMED).
const resultsPageSize = 100

// resultsPage is a page of GET /v1/batches/{id}/results [proto:
// ListBatchResultsResponse].
type resultsPage struct {
	Results         []json.RawMessage `json:"results"`
	PaginationToken *string           `json:"pagination_token"`
}

// Download writes the results of batch b to w, one result object
// [proto: BatchResult] per line, reading the pages of the results
// endpoint in turn. xAI lists the results of the requests that have run,
// so a batch that ended early still has those.
func (c *Client) Download(ctx context.Context, b *providers.Batch, w io.Writer) error {
	const op = "download results"
	if b.ID == "" {
		return errors.New(op + ": empty batch id")
	}
	token := ""
	var line bytes.Buffer
	for {
		page, err := c.resultsPage(ctx, op, b.ID, token)
		if err != nil {
			return err
		}
		for _, r := range page.Results {
			line.Reset()
			if err := json.Compact(&line, r); err != nil {
				return fmt.Errorf("%s: %w", op, err)
			}
			line.WriteByte('\n')
			if _, err := w.Write(line.Bytes()); err != nil {
				return fmt.Errorf("%s: %w", op, err)
			}
		}
		// the token is empty on the last page [batch.proto]; one that
		// repeats would never end
		if page.PaginationToken == nil || *page.PaginationToken == "" || *page.PaginationToken == token {
			return nil
		}
		token = *page.PaginationToken
	}
}

// resultsPage fetches the page of results token names ("": the first).
func (c *Client) resultsPage(ctx context.Context, op, id, token string) (*resultsPage, error) {
	q := url.Values{}
	q.Set("limit", strconv.Itoa(resultsPageSize))
	if token != "" {
		q.Set("pagination_token", token)
	}
	raw, err := c.api.Call(ctx, op, http.MethodGet, c.batchURL(id, "/results")+"?"+q.Encode(), nil)
	if err != nil {
		return nil, err
	}
	var page resultsPage
	if err := unmarshal(raw, &page); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return &page, nil
}
