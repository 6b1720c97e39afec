package retry

import (
	"context"
	"testing"
	"time"

	"github.com/batchctl/batchctl/internal/providers"
)

// flaky fails each call kind a set number of times before it succeeds.
type flaky struct {
	providers.Provider // nil: calls not overridden panic
	getFails           int
	gets               int
	lists              int
	listFailsAfter     int // List fails after handing on this many batches (-1: never)
}

func (f *flaky) Get(_ context.Context, id string) (*providers.Batch, error) {
	f.gets++
	if f.gets <= f.getFails {
		return nil, &providers.HTTPError{StatusCode: 503}
	}
	return &providers.Batch{ID: id}, nil
}

func (f *flaky) List(_ context.Context, _ providers.ListOptions, fn func(*providers.Batch) error) error {
	f.lists++
	for i := 0; ; i++ {
		if i == f.listFailsAfter {
			return &providers.HTTPError{StatusCode: 500}
		}
		if i == 3 {
			return nil
		}
		if err := fn(&providers.Batch{ID: "b"}); err != nil {
			return err
		}
	}
}

func TestWrap(t *testing.T) {
	pol := Policy{Sleep: func(context.Context, time.Duration) error { return nil }}
	f := &flaky{getFails: 2}
	b, err := Wrap(f, pol).Get(context.Background(), "b1")
	if err != nil || b.ID != "b1" || f.gets != 3 {
		t.Fatalf("Get = %v, %v after %d calls", b, err, f.gets)
	}

	// a failure before any batch was handed on is retried
	f = &flaky{listFailsAfter: 0}
	seen := 0
	err = Wrap(f, pol).List(context.Background(), providers.ListOptions{}, func(*providers.Batch) error { seen++; return nil })
	if err == nil || f.lists != 5 || seen != 0 {
		t.Errorf("List failing at once: err %v, %d calls, %d seen", err, f.lists, seen)
	}
	// after one was handed on, a repeat would hand it on twice: no retry
	f = &flaky{listFailsAfter: 2}
	seen = 0
	err = Wrap(f, pol).List(context.Background(), providers.ListOptions{}, func(*providers.Batch) error { seen++; return nil })
	if err == nil || f.lists != 1 || seen != 2 {
		t.Errorf("List failing midway: err %v, %d calls, %d seen", err, f.lists, seen)
	}
	if he, ok := err.(*providers.HTTPError); !ok || he.StatusCode != 500 {
		t.Errorf("List error = %#v, want the provider's *HTTPError", err)
	}
}
