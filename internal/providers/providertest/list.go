package providertest

import (
	"context"
	"errors"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/providers/retry"
)

// testList lists three batches, newest first, across pages of at most two
// when the harness names the page size parameter, with and without a
// limit, and stopped early by the callback.
func testList(t *testing.T, h Harness) {
	e := newEnv(t, h, "")
	var ids []string // newest first
	for range 3 {
		b := e.submit(t, []Request{{"listed", "list me"}}, nil)
		ids = append([]string{b.ID}, ids...)
		e.clock.advance(time.Minute)
	}
	errCallback := errors.New("callback failed")
	tests := []struct {
		name    string
		limit   int
		stopAt  int   // the callback returns stopErr at this batch (1-based); 0: never
		stopErr error // what it returns
		want    []string
		wantErr error
		pages   int // pages fetched, when the emulator serves at most pageCap per page
	}{
		{name: "all", want: ids, pages: 2},
		{name: "limit 1", limit: 1, want: ids[:1], pages: 1},
		{name: "limit 2", limit: 2, want: ids[:2], pages: 1},
		{name: "limit 3", limit: 3, want: ids, pages: 2},
		{name: "limit above the count", limit: 10, want: ids, pages: 2},
		{name: "stopped", stopAt: 2, stopErr: providers.ErrStop, want: ids[:2], pages: 1},
		{name: "stopped on the next page", stopAt: 3, stopErr: providers.ErrStop, want: ids, pages: 2},
		{name: "callback error", stopAt: 1, stopErr: errCallback, want: ids[:1], wantErr: errCallback, pages: 1},
	}
	t.Run("page by page", func(t *testing.T) {
		var got []string
		after := ""
		for range len(ids) + 1 {
			next := ""
			err := e.p.List(context.Background(), providers.ListOptions{Limit: 1, After: after, Next: func(c string) { next = c }},
				func(b *providers.Batch) error {
					got = append(got, b.ID)
					return nil
				})
			if err != nil {
				t.Fatal(err)
			}
			if next == "" {
				break
			}
			after = next
		}
		if !slices.Equal(got, ids) {
			t.Errorf("walked %v with Limit 1 and the Next cursors, want %v", got, ids)
		}
	})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.front.listPages()
			var got []*providers.Batch
			err := e.p.List(context.Background(), providers.ListOptions{Limit: tt.limit}, func(b *providers.Batch) error {
				got = append(got, b)
				if len(got) == tt.stopAt {
					return tt.stopErr
				}
				return nil
			})
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("List: %v, want %v", err, tt.wantErr)
			}
			if gotIDs := batchIDs(got); !slices.Equal(gotIDs, tt.want) {
				t.Errorf("List gave %v, want %v (newest first)", gotIDs, tt.want)
			}
			switch pages := e.front.listPages(); {
			case h.PageSizeParam == "":
			case pages == 0:
				t.Errorf("List sent no %s parameter", h.PageSizeParam)
			case pages != tt.pages:
				t.Errorf("List fetched %d pages of at most %d batches, want %d", pages, pageCap, tt.pages)
			}
			for _, b := range got {
				checkListed(t, e, b)
			}
		})
	}
}

// checkListed checks that a listed batch shows what Get shows of it.
func checkListed(t *testing.T, e *env, listed *providers.Batch) {
	t.Helper()
	b := e.get(t, listed.ID)
	if listed.Provider != e.name() || listed.Status != b.Status || !listed.CreatedAt.Equal(b.CreatedAt) || listed.Counts != b.Counts || len(listed.Raw) == 0 {
		t.Errorf("listed %s: provider %q, status %s, created %v, counts %+v, %d bytes raw; Get: %q, %s, %v, %+v",
			listed.ID, listed.Provider, listed.Status, listed.CreatedAt, listed.Counts, len(listed.Raw), e.name(), b.Status, b.CreatedAt, b.Counts)
	}
}

// batchIDs returns the ids of batches.
func batchIDs(batches []*providers.Batch) []string {
	ids := make([]string, len(batches))
	for i, b := range batches {
		ids[i] = b.ID
	}
	return ids
}

// testMetadata checks that a batch submitted with batchctl's metadata can
// be recognised from Submit, Get and List, and that one submitted without
// shows none.
func testMetadata(t *testing.T, h Harness) {
	e := newEnv(t, h, "")
	h.require(t, e.name(), Metadata)
	md := map[string]string{"batchctl_job": "j1", "batchctl_part": "1/2"}
	reqs := []Request{{"meta-1", "tagged"}}
	tagged := e.submit(t, reqs, md)
	e.clock.advance(time.Minute)
	plain := e.submit(t, reqs, nil)
	want := map[string]map[string]string{tagged.ID: md, plain.ID: nil}
	check := func(what string, b *providers.Batch) {
		t.Helper()
		if !maps.Equal(b.Metadata, want[b.ID]) {
			t.Errorf("%s %s: metadata %v, want %v", what, b.ID, b.Metadata, want[b.ID])
		}
	}
	check("Submit", tagged)
	check("Submit", plain)
	check("Get", e.get(t, tagged.ID))
	check("Get", e.get(t, plain.ID))
	var listed []*providers.Batch
	err := e.p.List(context.Background(), providers.ListOptions{}, func(b *providers.Batch) error {
		listed = append(listed, b)
		return nil
	})
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if ids := batchIDs(listed); !slices.Equal(ids, []string{plain.ID, tagged.ID}) {
		t.Fatalf("List gave %v, want %v", ids, []string{plain.ID, tagged.ID})
	}
	for _, b := range listed {
		check("List", b)
	}
}

// testLostCreate submits a batch whose creation answer is lost on the way
// back: the error must be worth retrying, and the batch, created all the
// same, must be listed, with its metadata where the provider keeps it, so
// batchctl can adopt it rather than create it again.
func testLostCreate(t *testing.T, h Harness) {
	e := newEnv(t, h, "create=lost")
	md := map[string]string{"batchctl_job": "j7", "batchctl_part": "2/3"}
	ctx := context.Background()
	_, err := e.p.Submit(ctx, e.submitRequest([]Request{{"lost-1", "lost on the way"}}, md))
	if again, _ := retry.Classify(ctx, err); err == nil || !again {
		t.Fatalf("Submit whose answer was lost: %v, want an error worth retrying", err)
	}
	var listed []*providers.Batch
	err = e.p.List(ctx, providers.ListOptions{}, func(b *providers.Batch) error {
		listed = append(listed, b)
		return nil
	})
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if len(listed) != 1 {
		t.Fatalf("List gave %d batches (%v), want the one created", len(listed), batchIDs(listed))
	}
	h.require(t, e.name(), Metadata)
	if !maps.Equal(listed[0].Metadata, md) {
		t.Errorf("the batch created has metadata %v, want %v", listed[0].Metadata, md)
	}
}
