package httpx

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/batchctl/batchctl/internal/providers"
)

// Page is one page of a paged list of batches.
type Page struct {
	Batches []*providers.Batch
	// Next is the cursor of the following page; empty on the last page.
	Next string
}

// List passes the batches of a paged list to fn, in the order the pages
// list them. fetch gets the cursor of the page to fetch (opts.After, ""
// for the first) and how many batches to ask for: pageSize, or fewer when
// opts.Limit (0: no limit) is nearer. List returns fetch's and fn's errors
// as they are. It stops without error when fn returns providers.ErrStop,
// when opts.Limit batches were passed to fn, or when a page's Next is
// empty or the cursor it was fetched with (a provider repeating itself).
// Having stopped at opts.Limit, it gives opts.Next the cursor of the rest.
func List(opts providers.ListOptions, pageSize int, fetch func(cursor string, size int) (Page, error), fn func(*providers.Batch) error) error {
	limit := opts.Limit
	cursor, seen := opts.After, 0
	for {
		size := pageSize
		if limit > 0 {
			size = min(size, limit-seen)
		}
		page, err := fetch(cursor, size)
		if err != nil {
			return err
		}
		for i, b := range page.Batches {
			if err := fn(b); err != nil {
				if errors.Is(err, providers.ErrStop) {
					return nil
				}
				return err
			}
			seen++
			if limit > 0 && seen >= limit {
				if opts.Next != nil {
					opts.Next(nextCursor(page, i))
				}
				return nil
			}
		}
		if page.Next == "" || page.Next == cursor {
			return nil
		}
		cursor = page.Next
	}
}

// nextCursor is the cursor of the batches after page.Batches[i]: the
// page's own at its end; in the middle of a page longer than asked for,
// the batch's id, the cursor of the APIs that ignore a page size (OpenAI's
// shape; Gemini's page tokens come with the page size honoured).
func nextCursor(page Page, i int) string {
	if i == len(page.Batches)-1 {
		return page.Next
	}
	return page.Batches[i].ID
}

// DataList is a paged list of batches of OpenAI's shape, which Anthropic's
// and OpenRouter's copy: GET URL?limit=N&<Cursor>=<id> answers a page
// ParseDataPage reads.
type DataList struct {
	// URL is the list's address, without a query.
	URL string
	// PageSize is the largest page the API serves.
	PageSize int
	// Cursor is the query parameter naming the batch to list after:
	// "after" (OpenAI, OpenRouter) or "after_id" (Anthropic).
	Cursor string
	// Parse turns one item of a page's data into a batch.
	Parse func(item []byte) (*providers.Batch, error)
}

// ListData passes the batches of l to fn as List does, fetching each page
// with a GET whose errors start with "list batches".
func (c *Client) ListData(ctx context.Context, opts providers.ListOptions, l DataList, fn func(*providers.Batch) error) error {
	return List(opts, l.PageSize, func(after string, size int) (Page, error) {
		return c.dataPage(ctx, l, after, size)
	}, fn)
}

// dataPage fetches the page of at most size batches of l after the batch
// whose id is after ("": the first page).
func (c *Client) dataPage(ctx context.Context, l DataList, after string, size int) (Page, error) {
	const op = "list batches"
	q := url.Values{}
	q.Set("limit", strconv.Itoa(size))
	if after != "" {
		q.Set(l.Cursor, after)
	}
	raw, err := c.Call(ctx, op, http.MethodGet, l.URL+"?"+q.Encode(), nil)
	if err != nil {
		return Page{}, err
	}
	page, err := ParseDataPage(raw, l.Parse)
	if err != nil {
		return Page{}, fmt.Errorf("%s: %w", op, err)
	}
	return page, nil
}

// dataPage is the list page of OpenAI's API, which Anthropic's copies:
// {"data":[...],"first_id":...,"last_id":...,"has_more":...}.
type dataPage struct {
	Data    []json.RawMessage `json:"data"`
	LastID  string            `json:"last_id"`
	HasMore bool              `json:"has_more"`
}

// ParseDataPage reads a list page of OpenAI's shape, turning each item of
// its data into a batch with parse. The next cursor is the page's last_id,
// or the id of its last item when it has none; it is empty when has_more
// is false.
func ParseDataPage(raw []byte, parse func(item []byte) (*providers.Batch, error)) (Page, error) {
	var page dataPage
	if err := json.Unmarshal(raw, &page); err != nil {
		return Page{}, fmt.Errorf("parse response: %w", err)
	}
	batches := make([]*providers.Batch, 0, len(page.Data))
	for _, item := range page.Data {
		b, err := parse(item)
		if err != nil {
			return Page{}, err
		}
		batches = append(batches, b)
	}
	next := ""
	if page.HasMore {
		next = page.lastID()
	}
	return Page{Batches: batches, Next: next}, nil
}

// lastID is the id of the page's last item: last_id, or the item's own id
// when last_id is missing.
func (p *dataPage) lastID() string {
	if p.LastID != "" || len(p.Data) == 0 {
		return p.LastID
	}
	var last struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(p.Data[len(p.Data)-1], &last) != nil {
		return ""
	}
	return last.ID
}
