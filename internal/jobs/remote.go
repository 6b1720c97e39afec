package jobs

import (
	"context"

	"github.com/batchctl/batchctl/internal/providers"
)

// DeleteRemote deletes what batchctl wrote for job j in storage of the
// user's (providers.RemoteData: a bedrock or vertex profile's bucket), calling done
// with the location of each object once it is gone; with dryRun it
// deletes nothing and calls done for each object it would delete. It
// reports false when j's provider keeps nothing there.
func (m *Manager) DeleteRemote(ctx context.Context, j *Job, dryRun bool, done func(location string)) (bool, error) {
	p, err := m.batchProviderOf(j)
	if err != nil {
		return false, err
	}
	rd, ok := providerAs[providers.RemoteData](p)
	if !ok {
		return false, nil
	}
	var locations []string
	if err := rd.JobData(ctx, j.ID, func(loc string) error {
		locations = append(locations, loc)
		return nil
	}); err != nil {
		return true, err
	}
	for _, loc := range locations {
		if !dryRun {
			if err := rd.DeleteData(ctx, loc); err != nil {
				return true, err
			}
		}
		done(loc)
	}
	return true, nil
}

// providerAs finds the T in p, looking through the wrappers (the retry
// policy's) that have an Unwrap method.
func providerAs[T any](p providers.Provider) (T, bool) {
	for {
		if t, ok := p.(T); ok {
			return t, true
		}
		u, ok := p.(interface{ Unwrap() providers.Provider })
		if !ok {
			var zero T
			return zero, false
		}
		p = u.Unwrap()
	}
}
