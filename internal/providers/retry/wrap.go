package retry

import (
	"context"

	"github.com/batchctl/batchctl/internal/providers"
)

// Wrap applies the policy to the provider calls that are safe to repeat:
// Get, Cancel, and List until its first batch was handed on. Submit and
// Download are left to the caller, who knows how to repeat them safely
// (look for the batch before creating it again; restart the file).
func Wrap(p providers.Provider, pol Policy) providers.Provider {
	return &wrapped{Provider: p, pol: pol}
}

type wrapped struct {
	providers.Provider
	pol Policy
}

// Unwrap returns the wrapped provider.
func (w *wrapped) Unwrap() providers.Provider { return w.Provider }

func (w *wrapped) Get(ctx context.Context, id string) (b *providers.Batch, err error) {
	err = w.pol.Do(ctx, "get batch "+id, func() error {
		b, err = w.Provider.Get(ctx, id)
		return err
	})
	return b, err
}

func (w *wrapped) Cancel(ctx context.Context, id string) (b *providers.Batch, err error) {
	err = w.pol.Do(ctx, "cancel batch "+id, func() error {
		b, err = w.Provider.Cancel(ctx, id)
		return err
	})
	return b, err
}

func (w *wrapped) List(ctx context.Context, opts providers.ListOptions, fn func(*providers.Batch) error) error {
	started := false
	return w.pol.Do(ctx, "list batches", func() error {
		err := w.Provider.List(ctx, opts, func(b *providers.Batch) error {
			started = true
			return fn(b)
		})
		if started && err != nil {
			return permanent{err} // fn saw batches already: a repeat would show them twice
		}
		return err
	})
}

// Permanent marks err so that Do returns it at once, whatever its kind:
// for a failure the function itself already retried, or one a repeat
// would make worse.
func Permanent(err error) error { return permanent{err} }

// permanent marks an error Do must return at once, whatever its kind.
type permanent struct{ err error }

func (p permanent) Error() string { return p.err.Error() }
