package vertex_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/auth/credentials"
	"cloud.google.com/go/storage"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/google"
	"google.golang.org/api/iterator"
	"google.golang.org/api/option"
	"google.golang.org/genai"

	"github.com/batchctl/batchctl/internal/emulator"
	"github.com/batchctl/batchctl/internal/emulator/vertex"
	"github.com/batchctl/batchctl/internal/gcpcfg"
	"github.com/batchctl/batchctl/internal/objstore"
)

// server is an emulator whose batches take duration, with the limits spec.
func server(t *testing.T, duration time.Duration, limits string) *httptest.Server {
	t.Helper()
	l, err := emulator.ParseLimits(limits)
	if err != nil {
		t.Fatal(err)
	}
	h, err := emulator.New(emulator.Options{Dir: t.TempDir(), Duration: duration, Limits: l})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// keyFile fetches the emulator's service account key file.
func keyFile(t *testing.T, root string) []byte {
	t.Helper()
	resp, err := http.Get(root + vertex.CredentialsPath)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// storageClient is Google's Cloud Storage client (JSON API, JSON reads)
// on the emulator, authorized by its own auth library with the key file.
func storageClient(t *testing.T, root string) *storage.Client {
	t.Helper()
	c, err := storage.NewClient(context.Background(),
		option.WithEndpoint(root+"/storage/v1/"), option.WithAuthCredentialsJSON(option.ServiceAccount, keyFile(t, root)),
		storage.WithJSONReads())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// genaiClient is the Gen AI SDK's Vertex AI backend on the emulator.
func genaiClient(t *testing.T, root string) *genai.Client {
	t.Helper()
	creds, err := credentials.NewCredentialsFromJSON(credentials.ServiceAccount, keyFile(t, root), &credentials.DetectOptions{Scopes: []string{gcpcfg.Scope}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := genai.NewClient(context.Background(), &genai.ClientConfig{
		Backend: genai.BackendVertexAI, Project: vertex.Project, Location: "us-central1", Credentials: creds,
		HTTPOptions: genai.HTTPOptions{BaseURL: root + vertex.Prefix + "/", APIVersion: "v1"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestStorageClient drives the Cloud Storage subset with Google's client:
// a multipart upload, a listing by prefix, a download, a delete.
func TestStorageClient(t *testing.T) {
	srv := server(t, 0, "")
	ctx := context.Background()
	b := storageClient(t, srv.URL).Bucket("b")
	data := []byte(strings.Repeat("line\n", 1000))
	w := b.Object("jobs/in.jsonl").NewWriter(ctx)
	w.ChunkSize = 0 // one multipart request
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("upload: %v", err)
	}
	if got := w.Attrs().Size; got != int64(len(data)) {
		t.Errorf("uploaded size %d, want %d", got, len(data))
	}
	var names []string
	it := b.Objects(ctx, &storage.Query{Prefix: "jobs/"})
	for {
		a, err := it.Next()
		if errors.Is(err, iterator.Done) {
			break
		} else if err != nil {
			t.Fatalf("list: %v", err)
		}
		names = append(names, a.Name)
	}
	if strings.Join(names, ",") != "jobs/in.jsonl" {
		t.Errorf("listed %v", names)
	}
	r, err := b.Object("jobs/in.jsonl").NewReader(ctx)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	got, err := io.ReadAll(r)
	r.Close()
	if err != nil || !bytes.Equal(got, data) {
		t.Errorf("read %d bytes (%v), want %d", len(got), err, len(data))
	}
	if err := b.Object("jobs/in.jsonl").Delete(ctx); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if _, err := b.Object("jobs/in.jsonl").NewReader(ctx); !errors.Is(err, storage.ErrObjectNotExist) {
		t.Errorf("read after delete: %v, want storage.ErrObjectNotExist", err)
	}
}

// TestGenAIBatches drives batchPredictionJobs with the Gen AI SDK's Vertex
// AI backend: create from a JSONL file in the bucket, get until it
// succeeds, list, and read predictions.jsonl under the output directory.
func TestGenAIBatches(t *testing.T) {
	srv := server(t, 0, "")
	ctx := context.Background()
	b := storageClient(t, srv.URL).Bucket("b")
	w := b.Object("in.jsonl").NewWriter(ctx)
	w.ChunkSize = 0
	io.WriteString(w, `{"key":"r1","request":{"contents":[{"role":"user","parts":[{"text":"hello"}]}]}}`+"\n"+
		`{"key":"r2","request":{"contents":[{"role":"user","parts":[{"text":"boom [fail:400]"}]}]}}`+"\n")
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	c := genaiClient(t, srv.URL)
	job, err := c.Batches.Create(ctx, "gemini-2.5-flash", &genai.BatchJobSource{Format: "jsonl", GCSURI: []string{"gs://b/in.jsonl"}},
		&genai.CreateBatchJobConfig{DisplayName: "batchctl-job1-abc123", Dest: &genai.BatchJobDestination{Format: "jsonl", GCSURI: "gs://b/out"}})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if !strings.HasPrefix(job.Name, "projects/"+vertex.Project+"/locations/us-central1/batchPredictionJobs/") || job.Model != "publishers/google/models/gemini-2.5-flash" {
		t.Errorf("created %s of %s", job.Name, job.Model)
	}
	got, err := c.Batches.Get(ctx, job.Name, nil)
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	if got.State != genai.JobStateSucceeded || got.CompletionStats == nil || got.CompletionStats.SuccessfulCount != 1 || got.CompletionStats.FailedCount != 1 {
		t.Fatalf("got %s with stats %+v, want JOB_STATE_SUCCEEDED, 1 succeeded, 1 failed", got.State, got.CompletionStats)
	}
	page, err := c.Batches.List(ctx, nil)
	if err != nil || len(page.Items) != 1 || page.Items[0].DisplayName != "batchctl-job1-abc123" {
		t.Errorf("list: %v, %d jobs", err, len(page.Items))
	}
	dir := strings.TrimPrefix(got.OutputInfo.GCSOutputDirectory, "gs://b/")
	r, err := b.Object(dir + "/predictions.jsonl").NewReader(ctx)
	if err != nil {
		t.Fatalf("read predictions: %v", err)
	}
	defer r.Close()
	var lines []map[string]any
	for dec := json.NewDecoder(r); dec.More(); {
		var l map[string]any
		if err := dec.Decode(&l); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, l)
	}
	if len(lines) != 2 || lines[0]["key"] != "r1" || lines[0]["status"] != "" || lines[0]["response"] == nil ||
		lines[1]["key"] != "r2" || !strings.HasPrefix(lines[1]["status"].(string), "400 INVALID_ARGUMENT: ") {
		t.Errorf("predictions: %v", lines)
	}
}

// TestCancel cancels a running job with the SDK.
func TestCancel(t *testing.T) {
	srv := server(t, time.Hour, "")
	ctx := context.Background()
	b := storageClient(t, srv.URL).Bucket("b")
	w := b.Object("in.jsonl").NewWriter(ctx)
	w.ChunkSize = 0
	io.WriteString(w, `{"request":{"contents":[{"role":"user","parts":[{"text":"hello"}]}]}}`+"\n")
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	c := genaiClient(t, srv.URL)
	job, err := c.Batches.Create(ctx, "gemini-2.5-flash", &genai.BatchJobSource{Format: "jsonl", GCSURI: []string{"gs://b/in.jsonl"}},
		&genai.CreateBatchJobConfig{DisplayName: "x", Dest: &genai.BatchJobDestination{Format: "jsonl", GCSURI: "gs://b/out"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Batches.Cancel(ctx, job.Name, nil); err != nil {
		t.Fatalf("cancel: %v", err)
	}
	got, err := c.Batches.Get(ctx, job.Name, nil)
	if err != nil || got.State != genai.JobStateCancelling {
		t.Errorf("after cancel: %v, %v; want JOB_STATE_CANCELLING", got.State, err)
	}
}

// TestTokens checks the token endpoint's tokens: a call without one is
// refused, one with a token the emulator did not issue too, and a token
// past its lifetime is refused until the client fetches a new one.
func TestTokens(t *testing.T) {
	srv := server(t, 0, "token-lifetime=11s")
	list := func(token string) int {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+vertex.Prefix+"/v1/projects/p/locations/l/batchPredictionJobs", nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := list(""); got != http.StatusUnauthorized {
		t.Errorf("no token: %d, want 401", got)
	}
	if got := list("ya29.forged"); got != http.StatusUnauthorized {
		t.Errorf("forged token: %d, want 401", got)
	}
	creds, err := credentials.NewCredentialsFromJSON(credentials.ServiceAccount, keyFile(t, srv.URL), &credentials.DetectOptions{Scopes: []string{gcpcfg.Scope}})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := creds.Token(context.Background())
	if err != nil {
		t.Fatalf("token: %v", err)
	}
	if got := list(tok.Value); got != http.StatusOK {
		t.Errorf("issued token: %d, want 200", got)
	}
	if left := time.Until(tok.Expiry); left > 11*time.Second || left < 5*time.Second {
		t.Errorf("token expires in %s, want about 11s", left)
	}
}

// TestObjstoreGCS drives batchctl's own Cloud Storage store against the
// emulator the official client was checked on: uploads of a known and an
// unknown length, a listing, a download, deletes.
func TestObjstoreGCS(t *testing.T) {
	srv := server(t, 0, "")
	ctx := context.Background()
	creds, err := google.CredentialsFromJSON(ctx, keyFile(t, srv.URL), gcpcfg.Scope)
	if err != nil {
		t.Fatal(err)
	}
	hc := oauth2.NewClient(ctx, creds.TokenSource)
	s := objstore.NewGCS(hc, objstore.GCSEndpointFrom(strings.TrimPrefix(srv.URL, "http://")))
	data := strings.Repeat("0123456789abcdef\n", 40_000)
	dir := objstore.URL{Scheme: objstore.SchemeGCS, Bucket: "b", Key: "jobs/j1"}
	if err := s.Put(ctx, dir.Join("known.jsonl"), strings.NewReader(data), int64(len(data))); err != nil {
		t.Fatalf("put of a known length: %v", err)
	}
	if err := s.Put(ctx, dir.Join("unknown.jsonl"), io.MultiReader(strings.NewReader(data)), -1); err != nil {
		t.Fatalf("put of an unknown length: %v", err)
	}
	var listed []string
	err = s.List(ctx, dir.Dir(), func(o objstore.Object) error {
		listed = append(listed, fmt.Sprintf("%s %d", o.URL, o.Size))
		return nil
	})
	want := fmt.Sprintf("gs://b/jobs/j1/known.jsonl %d,gs://b/jobs/j1/unknown.jsonl %d", len(data), len(data))
	if err != nil || strings.Join(listed, ",") != want {
		t.Errorf("list: %v, %v; want %s", err, listed, want)
	}
	r, err := s.Get(ctx, dir.Join("unknown.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(r)
	r.Close()
	if err != nil || string(got) != data {
		t.Errorf("get: %d bytes, %v", len(got), err)
	}
	for _, name := range []string{"known.jsonl", "known.jsonl"} { // the second delete finds nothing: no error
		if err := s.Delete(ctx, dir.Join(name)); err != nil {
			t.Errorf("delete: %v", err)
		}
	}
	if _, err := s.Get(ctx, dir.Join("known.jsonl")); !errors.Is(err, objstore.ErrNotFound) {
		t.Errorf("get after delete: %v, want objstore.ErrNotFound", err)
	}
}
