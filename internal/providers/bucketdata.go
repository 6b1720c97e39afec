package providers

import (
	"context"

	"github.com/batchctl/batchctl/internal/objstore"
)

// BucketData is the RemoteData of a provider whose batches read and write
// a bucket of the user's (bedrock, vertex): what batchctl writes for a
// job, and the output the provider writes beside it, is under the job's
// folder JobDir.
type BucketData struct {
	Store  objstore.Store
	Bucket objstore.URL // the profile's bucket location
	// Wrap turns a Store error into the provider's (its typed HTTP
	// errors, for the retry policy and the messages).
	Wrap func(op string, err error) error
}

var _ RemoteData = BucketData{}

// JobDir is the folder under bucket that holds what batchctl writes for
// its job: <bucket>/batchctl/<job>/, the input files and the output
// prefix out/.
func JobDir(bucket objstore.URL, job string) objstore.URL {
	return bucket.Join("batchctl", job).Dir()
}

// JobData lists the objects under the job's folder. Objects batchctl did
// not write there are not under it.
func (d BucketData) JobData(ctx context.Context, job string, fn func(string) error) error {
	err := d.Store.List(ctx, JobDir(d.Bucket, job), func(o objstore.Object) error {
		return fn(o.URL.String())
	})
	if err != nil {
		return d.Wrap("list job data", err)
	}
	return nil
}

// DeleteData deletes one object JobData listed (of the bucket's scheme).
func (d BucketData) DeleteData(ctx context.Context, location string) error {
	u, err := objstore.ParseURLOf(location, d.Bucket.Scheme)
	if err != nil {
		return err
	}
	if err := d.Store.Delete(ctx, u); err != nil {
		return d.Wrap("delete job data", err)
	}
	return nil
}
