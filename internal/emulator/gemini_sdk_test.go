package emulator

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"google.golang.org/genai"

	"github.com/batchctl/batchctl/internal/emulator/core"
)

// newGenAIClient returns a Gemini API client of the official SDK that
// talks to env through rec.
func newGenAIClient(t *testing.T, env *testEnv, rec *recorder) *genai.Client {
	t.Helper()
	client, err := genai.NewClient(t.Context(), &genai.ClientConfig{
		APIKey:      geminiTestKey,
		Backend:     genai.BackendGeminiAPI,
		HTTPClient:  &http.Client{Transport: rec},
		HTTPOptions: genai.HTTPOptions{BaseURL: env.http.URL + "/", APIVersion: "v1beta"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return client
}

func TestGeminiSDK(t *testing.T) {
	env := newTestEnv(t, Options{Duration: 100 * time.Second, APIKey: geminiTestKey})
	rec := &recorder{base: env.http.Client().Transport}
	client := newGenAIClient(t, env, rec)
	ctx := t.Context()

	inline, err := client.Batches.Create(ctx, "echo", &genai.BatchJobSource{InlinedRequests: []*genai.InlinedRequest{
		{Contents: genai.Text("Hello <world>"), Metadata: map[string]string{"key": "q1"}},
		{Contents: genai.Text("[fail:429] slow down"), Metadata: map[string]string{"key": "q2"}},
	}}, &genai.CreateBatchJobConfig{DisplayName: "sdk inline"})
	if err != nil {
		t.Fatalf("create inline batch: %v", err)
	}
	if !strings.HasPrefix(inline.Name, "batches/") || inline.State != genai.JobStatePending || inline.DisplayName != "sdk inline" ||
		inline.Model != "models/echo" || !inline.CreateTime.Equal(testEpoch) {
		t.Errorf("created batch = %+v", inline)
	}

	input := `{"key":"f1","request":{"contents":[{"parts":[{"text":"From a file"}]}]}}` + "\n" +
		`{"key":"f2","request":{"contents":[{"parts":[{"text":"[error]"}]}]}}` + "\n"
	uploaded, err := client.Files.Upload(ctx, strings.NewReader(input), &genai.UploadFileConfig{MIMEType: "application/jsonl", DisplayName: "reqs.jsonl"})
	if err != nil {
		t.Fatalf("upload: %v", err)
	}
	if uploaded.SizeBytes == nil || *uploaded.SizeBytes != int64(len(input)) || uploaded.State != genai.FileStateActive || uploaded.DisplayName != "reqs.jsonl" {
		t.Errorf("uploaded file = %+v", uploaded)
	}
	env.clock.set(time.Second)
	fromFile, err := client.Batches.Create(ctx, "echo", &genai.BatchJobSource{FileName: uploaded.Name}, nil)
	if err != nil {
		t.Fatalf("create batch from a file: %v", err)
	}

	env.clock.set(200 * time.Second)
	inline, err = client.Batches.Get(ctx, inline.Name, nil)
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	if inline.State != genai.JobStateSucceeded || !inline.EndTime.Equal(testEpoch.Add(100*time.Second)) || inline.Dest == nil || len(inline.Dest.InlinedResponses) != 2 {
		t.Fatalf("finished inline batch = %+v", inline)
	}
	ok, failed := inline.Dest.InlinedResponses[0], inline.Dest.InlinedResponses[1]
	if ok.Response == nil || ok.Response.Text() != "Hello <world>" || ok.Metadata["key"] != "q1" || ok.Response.UsageMetadata.PromptTokenCount != 2 {
		t.Errorf("first inlined response = %+v", ok)
	}
	if failed.Error == nil || failed.Error.Code == nil || *failed.Error.Code != 429 || failed.Metadata["key"] != "q2" {
		t.Errorf("second inlined response = %+v", failed)
	}

	fromFile, err = client.Batches.Get(ctx, fromFile.Name, nil)
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	if fromFile.State != genai.JobStateSucceeded || fromFile.Dest == nil || fromFile.Dest.FileName == "" {
		t.Fatalf("finished file batch = %+v", fromFile)
	}
	responses, err := client.Files.Get(ctx, fromFile.Dest.FileName, nil)
	if err != nil {
		t.Fatalf("get responses file: %v", err)
	}
	lines, err := client.Files.Download(ctx, genai.NewDownloadURIFromFile(responses), nil)
	if err != nil {
		t.Fatalf("download responses: %v", err)
	}
	want := `{"key":"f1","response":` + geminiAnswer("From a file", 3, 3) + "}\n" +
		`{"key":"f2","error":` + geminiFailErr + "}\n"
	if got := geminiNormalize(lines, fromFile.Name); got != want {
		t.Errorf("responses file:\n%s\nwant:\n%s", got, want)
	}

	embeddings := testGenAIEmbeddings(t, env, client)
	cancelled := testGenAICancel(t, env, client)

	var listed []string
	page, err := client.Batches.List(ctx, &genai.ListBatchJobsConfig{PageSize: 2})
	for ; err == nil; page, err = page.Next(ctx) {
		for _, b := range page.Items {
			listed = append(listed, b.Name)
		}
	}
	if !errors.Is(err, genai.ErrPageDone) {
		t.Fatalf("list: %v", err)
	}
	if want := []string{cancelled, embeddings, fromFile.Name, inline.Name}; !slices.Equal(listed, want) {
		t.Errorf("listed %v, want %v", listed, want)
	}

	if _, err := client.Batches.Delete(ctx, inline.Name, nil); err != nil {
		t.Fatalf("delete: %v", err)
	}
	_, err = client.Batches.Get(ctx, inline.Name, nil)
	var apiErr genai.APIError
	if !errors.As(err, &apiErr) || apiErr.Code != http.StatusNotFound || apiErr.Status != "NOT_FOUND" {
		t.Errorf("get a deleted batch: %v", err)
	}

	t.Run("spec", func(t *testing.T) { geminiSpecOrSkip(t).checkExchanges(t, rec.all()) })
}

// testGenAIEmbeddings runs an embeddings batch and returns its name.
func testGenAIEmbeddings(t *testing.T, env *testEnv, client *genai.Client) string {
	t.Helper()
	env.clock.set(300 * time.Second)
	model := "text-embedding-004"
	dims := int32(4)
	job, err := client.Batches.CreateEmbeddings(t.Context(), &model, &genai.EmbeddingsBatchJobSource{InlinedRequests: &genai.EmbedContentBatch{
		Contents: []*genai.Content{genai.NewContentFromText("hello world", genai.RoleUser)},
		Config:   &genai.EmbedContentConfig{OutputDimensionality: &dims},
	}}, nil)
	if err != nil {
		t.Fatalf("create embeddings batch: %v", err)
	}
	env.clock.set(400 * time.Second)
	job, err = client.Batches.Get(t.Context(), job.Name, nil)
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	if job.State != genai.JobStateSucceeded || job.Dest == nil || len(job.Dest.InlinedEmbedContentResponses) != 1 {
		t.Fatalf("finished embeddings batch = %+v", job)
	}
	got := job.Dest.InlinedEmbedContentResponses[0].Response.Embedding.Values
	if want := core.Embedding("hello world", 4); !slices.Equal(got, want) {
		t.Errorf("embedding %v, want %v", got, want)
	}
	return job.Name
}

// testGenAICancel cancels a running batch and returns its name.
func testGenAICancel(t *testing.T, env *testEnv, client *genai.Client) string {
	t.Helper()
	env.clock.set(500 * time.Second)
	job, err := client.Batches.Create(t.Context(), "echo", &genai.BatchJobSource{InlinedRequests: []*genai.InlinedRequest{
		{Contents: genai.Text("never answered"), Metadata: map[string]string{"key": "c1"}},
	}}, nil)
	if err != nil {
		t.Fatalf("create batch: %v", err)
	}
	env.clock.set(520 * time.Second)
	if job, err = client.Batches.Get(t.Context(), job.Name, nil); err != nil || job.State != genai.JobStateRunning {
		t.Fatalf("running batch = %+v, %v", job, err)
	}
	if err := client.Batches.Cancel(t.Context(), job.Name, nil); err != nil {
		t.Fatalf("cancel: %v", err)
	}
	if job, err = client.Batches.Get(t.Context(), job.Name, nil); err != nil || job.State != genai.JobStateCancelled ||
		!job.EndTime.Equal(testEpoch.Add(520*time.Second)) || job.Dest != nil {
		t.Errorf("cancelled batch = %+v, %v", job, err)
	}
	return job.Name
}
