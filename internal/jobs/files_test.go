package jobs_test

import (
	"context"
	"errors"
	"io"
	"maps"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/batchctl/batchctl/internal/jobs"
	"github.com/batchctl/batchctl/internal/objstore"
)

// memStore is an objstore.Store in memory; a body "broken" fails half way
// through its read.
type memStore map[string]string

func (s memStore) Put(_ context.Context, u objstore.URL, r io.Reader, _ int64) error {
	b, err := io.ReadAll(r)
	s[u.String()] = string(b)
	return err
}

func (s memStore) List(_ context.Context, u objstore.URL, fn func(objstore.Object) error) error {
	var keys []string
	for k := range s {
		if strings.HasPrefix(k, u.String()) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		o, _ := objstore.ParseURL(k)
		if err := fn(objstore.Object{URL: o, Size: int64(len(s[k]))}); err != nil {
			return err
		}
	}
	return nil
}

func (s memStore) Get(_ context.Context, u objstore.URL) (io.ReadCloser, error) {
	body, ok := s[u.String()]
	if !ok {
		return nil, objstore.ErrNotFound
	}
	if body == "broken" {
		return io.NopCloser(io.MultiReader(strings.NewReader("half"), errReader{})), nil
	}
	return io.NopCloser(strings.NewReader(body)), nil
}

func (s memStore) Delete(_ context.Context, u objstore.URL) error {
	delete(s, u.String())
	return nil
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

func TestStoreFiles(t *testing.T) {
	store := memStore{}
	prefix, _ := objstore.ParseURL("s3://bucket/shared")
	files := jobs.StoreFiles{Store: store, Prefix: prefix}
	src := filepath.Join(t.TempDir(), "part-1.jsonl.tmp")
	if err := os.WriteFile(src, []byte("input\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := files.Share(t.Context(), "j1", "part-1.jsonl", src); err != nil {
		t.Fatal(err)
	}
	if got := store["s3://bucket/shared/j1/part-1.jsonl"]; got != "input\n" {
		t.Fatalf("shared object = %q, want the file", got)
	}
	store["s3://bucket/shared/j1/part-1.results.jsonl"] = "results\n"
	store["s3://bucket/shared/j10/part-1.jsonl"] = "another job\n"

	dir := filepath.Join(t.TempDir(), "j1")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	// a file the directory has is kept as it is
	if err := os.WriteFile(filepath.Join(dir, "part-1.jsonl"), []byte("local\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := files.FetchMissing(t.Context(), "j1", dir); err != nil {
		t.Fatal(err)
	}
	wantDir(t, dir, map[string]string{"part-1.jsonl": "local\n", "part-1.results.jsonl": "results\n"})

	if err := files.Remove(t.Context(), "j1"); err != nil {
		t.Fatal(err)
	}
	if want := (memStore{"s3://bucket/shared/j10/part-1.jsonl": "another job\n"}); !maps.Equal(store, want) {
		t.Fatalf("after Remove the store holds %q, want %q", store, want)
	}
}

// TestStoreFilesFetchBroken: a fetch that fails leaves no file, so the next
// one (or a download from the provider) starts again.
func TestStoreFilesFetchBroken(t *testing.T) {
	store := memStore{"s3://bucket/shared/j1/part-1.results.jsonl": "broken"}
	prefix, _ := objstore.ParseURL("s3://bucket/shared")
	dir := filepath.Join(t.TempDir(), "j1")
	err := jobs.StoreFiles{Store: store, Prefix: prefix}.FetchMissing(t.Context(), "j1", dir)
	want := "fetching job j1's shared files: reading s3://bucket/shared/j1/part-1.results.jsonl: connection reset"
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %q", err, want)
	}
	wantDir(t, dir, map[string]string{})
}

func wantDir(t *testing.T, dir string, want map[string]string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		got[e.Name()] = string(b)
	}
	if len(got) != len(want) {
		t.Fatalf("%s holds %q, want %q", dir, got, want)
	}
	for name, body := range want {
		if got[name] != body {
			t.Errorf("%s/%s = %q, want %q", dir, name, got[name], body)
		}
	}
}
