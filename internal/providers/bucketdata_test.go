package providers

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/batchctl/batchctl/internal/objstore"
)

// keyStore is an objstore.Store of object names only; listErr fails List.
type keyStore struct {
	urls    []string
	listErr error
}

func (s *keyStore) Put(context.Context, objstore.URL, io.Reader, int64) error { return nil }
func (s *keyStore) Get(context.Context, objstore.URL) (io.ReadCloser, error) {
	return nil, objstore.ErrNotFound
}

func (s *keyStore) List(_ context.Context, u objstore.URL, fn func(objstore.Object) error) error {
	if s.listErr != nil {
		return s.listErr
	}
	for _, k := range s.urls {
		if strings.HasPrefix(k, u.String()) {
			o, _ := objstore.ParseURL(k)
			if err := fn(objstore.Object{URL: o}); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *keyStore) Delete(_ context.Context, u objstore.URL) error {
	s.urls = slices.DeleteFunc(s.urls, func(k string) bool { return k == u.String() })
	return nil
}

func TestBucketData(t *testing.T) {
	ctx := context.Background()
	store := &keyStore{urls: []string{
		"gs://b/jobs/batchctl/j1/j1-1.jsonl",
		"gs://b/jobs/batchctl/j1/out/prediction-model-1/predictions.jsonl",
		"gs://b/jobs/batchctl/j10/j10-1.jsonl",
		"gs://b/jobs/mine.txt",
	}}
	bucket, _ := objstore.ParseURL("gs://b/jobs")
	d := BucketData{Store: store, Bucket: bucket, Wrap: func(op string, err error) error { return fmt.Errorf("%s: %w", op, err) }}

	var got []string
	if err := d.JobData(ctx, "j1", func(loc string) error { got = append(got, loc); return nil }); err != nil {
		t.Fatal(err)
	}
	want := []string{"gs://b/jobs/batchctl/j1/j1-1.jsonl", "gs://b/jobs/batchctl/j1/out/prediction-model-1/predictions.jsonl"}
	if !slices.Equal(got, want) {
		t.Fatalf("JobData(j1) = %q, want %q (not j10's, not the bucket's other objects)", got, want)
	}
	for _, loc := range got {
		if err := d.DeleteData(ctx, loc); err != nil {
			t.Fatal(err)
		}
	}
	if left := []string{"gs://b/jobs/batchctl/j10/j10-1.jsonl", "gs://b/jobs/mine.txt"}; !slices.Equal(store.urls, left) {
		t.Errorf("left %q, want %q", store.urls, left)
	}

	err := d.DeleteData(ctx, "s3://b/jobs/batchctl/j10/j10-1.jsonl")
	if want := `bucket location "s3://b/jobs/batchctl/j10/j10-1.jsonl": scheme "s3" is not supported (want gs://bucket/prefix)`; err == nil || err.Error() != want {
		t.Errorf("DeleteData of another scheme = %v, want %s", err, want)
	}

	store.listErr = errors.New("503 backendError")
	err = d.JobData(ctx, "j10", func(string) error { return nil })
	if err == nil || err.Error() != "list job data: 503 backendError" {
		t.Errorf("JobData with a failing store = %v, want the error wrapped by Wrap", err)
	}
}
