package providers

import "context"

// RemoteData is a Provider whose batches read their input from, and write
// their output to, storage of the user's (bedrock, vertex: the profile's
// bucket, BucketData): what batchctl wrote there for a job stays until
// `forget --remote` or `prune --remote` deletes it. Without --remote,
// nothing remote is ever deleted.
type RemoteData interface {
	// JobData calls fn with the location of each object batchctl wrote
	// for job, and of each object the provider wrote beside them (the
	// batches' output).
	JobData(ctx context.Context, job string, fn func(location string) error) error
	// DeleteData deletes the object at location, one JobData gave; an
	// object already gone is no error.
	DeleteData(ctx context.Context, location string) error
}
