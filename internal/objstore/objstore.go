// Package objstore is batchctl's object storage: the few operations batch
// APIs that read their input from a bucket and write their output to one
// need (a streamed upload, a listing by prefix, a streamed download, a
// delete), behind one interface, with a location syntax
// (scheme://bucket/prefix) that names the store: S3 (s3://) and Google
// Cloud Storage (gs://).
package objstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// Store is one bucket service reached with one set of credentials.
type Store interface {
	// Put streams r to the object at u, in parts when it is large; size is
	// its length when known (-1 when not).
	Put(ctx context.Context, u URL, r io.Reader, size int64) error
	// List calls fn for every object whose key starts with u.Key, in key
	// order, until fn returns an error (ErrStop ends it without one).
	List(ctx context.Context, u URL, fn func(Object) error) error
	// Get returns a reader over the object at u; the caller closes it.
	Get(ctx context.Context, u URL) (io.ReadCloser, error)
	// Delete removes the object at u; an object already gone is no error.
	Delete(ctx context.Context, u URL) error
}

// ErrStop ends a List early without error.
var ErrStop = errors.New("stop listing")

// ErrNotFound is returned (wrapped) by Get for an object that does not exist.
var ErrNotFound = errors.New("no such object")

// Object is one listed object.
type Object struct {
	URL      URL
	Size     int64
	Modified time.Time
}

// URL is an object location: scheme://bucket/key. For a prefix the key is
// the prefix (it may be empty or end in "/").
type URL struct {
	Scheme string // "s3" or "gs"
	Bucket string
	Key    string
}

// The schemes batchctl knows.
const (
	SchemeS3  = "s3"
	SchemeGCS = "gs"
)

// ParseURL reads scheme://bucket[/key] of a scheme batchctl knows. The
// bucket must not be empty.
func ParseURL(s string) (URL, error) {
	return parseURL(s, SchemeS3, SchemeGCS)
}

// ParseURLOf reads scheme://bucket[/key] of the one scheme a store takes.
func ParseURLOf(s, scheme string) (URL, error) {
	return parseURL(s, scheme)
}

func parseURL(s string, schemes ...string) (URL, error) {
	want := make([]string, len(schemes))
	for i, sc := range schemes {
		want[i] = sc + "://bucket/prefix"
	}
	wants := strings.Join(want, " or ")
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		return URL{}, fmt.Errorf("bucket location %q: want %s", s, wants)
	}
	if !slices.Contains(schemes, scheme) {
		return URL{}, fmt.Errorf("bucket location %q: scheme %q is not supported (want %s)", s, scheme, wants)
	}
	bucket, key, _ := strings.Cut(rest, "/")
	if bucket == "" {
		return URL{}, fmt.Errorf("bucket location %q: no bucket name", s)
	}
	return URL{Scheme: scheme, Bucket: bucket, Key: key}, nil
}

// String is the URL as scheme://bucket/key.
func (u URL) String() string { return u.Scheme + "://" + u.Bucket + "/" + u.Key }

// Join returns the URL of name under u, taken as a folder: a "/" is put
// between them unless u.Key is empty or already ends in one.
func (u URL) Join(name ...string) URL {
	key := u.Key
	for _, n := range name {
		if key != "" && !strings.HasSuffix(key, "/") {
			key += "/"
		}
		key += n
	}
	u.Key = key
	return u
}

// Dir returns u as a folder prefix: its key ends in "/" (unless empty).
func (u URL) Dir() URL {
	if u.Key != "" && !strings.HasSuffix(u.Key, "/") {
		u.Key += "/"
	}
	return u
}
