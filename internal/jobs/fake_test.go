package jobs_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/batchctl/batchctl/internal/config"
	"github.com/batchctl/batchctl/internal/jobs"
	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/providers/retry"
	"github.com/batchctl/batchctl/internal/store/sqlite"
)

// fakeProvider is an in-memory providers.Provider. Batches are created by
// Submit as "batch_1", "batch_2", ... in state validating; a test moves
// them on with set. Download writes the lines scripted in raw, then
// returns the error scripted in downloadErr. Its raw result lines are
// normalized results without job, provider and batch, decoded as JSON.
type fakeProvider struct {
	batches     map[string]*providers.Batch
	raw         map[string]string // batch id -> the lines Download writes
	downloadErr map[string]error  // batch id -> the error Download returns
	submitErr   map[int]error     // Submit call number (1-based) -> its error
	// submitLost: Submit call numbers that create the batch and then fail
	// anyway, as when the connection drops before the answer arrives.
	submitLost map[int]error
	noMetadata bool // batches keep no metadata (like Anthropic's)

	submits   []submitCall // every Submit call, failed ones included
	gets      []string     // batch ids passed to Get
	cancels   []string     // batch ids passed to Cancel
	downloads []string     // batch ids passed to Download
	lists     int          // List calls
}

// submitCall is one Submit: the request and the bytes its Open returned.
type submitCall struct {
	req  providers.SubmitRequest
	body string
}

func newFakeProvider() *fakeProvider {
	return &fakeProvider{
		batches:     map[string]*providers.Batch{},
		raw:         map[string]string{},
		downloadErr: map[string]error{},
		submitErr:   map[int]error{},
		submitLost:  map[int]error{},
	}
}

func (p *fakeProvider) Name() string { return "fake" }

func (p *fakeProvider) Submit(_ context.Context, req providers.SubmitRequest) (*providers.Batch, error) {
	rc, err := req.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	body, err := io.ReadAll(rc)
	if err != nil {
		return nil, err
	}
	if err := req.BeginCreate(); err != nil {
		return nil, err
	}
	p.submits = append(p.submits, submitCall{req: req, body: string(body)})
	if err := p.submitErr[len(p.submits)]; err != nil {
		return nil, err
	}
	b := &providers.Batch{
		ID: "batch_" + strconv.Itoa(len(p.batches)+1), Provider: "fake", Status: providers.StatusValidating,
		ProviderStatus: "validating", Endpoint: req.Endpoint, Model: req.Model,
		Counts: providers.Counts{Total: req.Requests}, CreatedAt: batchCreated, Metadata: req.Metadata,
	}
	if p.noMetadata {
		b.Metadata = nil
	}
	p.batches[b.ID] = b
	if err := p.submitLost[len(p.submits)]; err != nil {
		return nil, err
	}
	return copyBatch(b), nil
}

func (p *fakeProvider) Get(_ context.Context, id string) (*providers.Batch, error) {
	p.gets = append(p.gets, id)
	b, ok := p.batches[id]
	if !ok {
		return nil, &providers.HTTPError{Op: "get batch", StatusCode: http.StatusNotFound, Message: "no such batch"}
	}
	return copyBatch(b), nil
}

func (p *fakeProvider) Cancel(_ context.Context, id string) (*providers.Batch, error) {
	p.cancels = append(p.cancels, id)
	b, ok := p.batches[id]
	if !ok {
		return nil, &providers.HTTPError{Op: "cancel batch", StatusCode: http.StatusNotFound, Message: "no such batch"}
	}
	b.Status, b.ProviderStatus = providers.StatusCancelling, "cancelling"
	return copyBatch(b), nil
}

// List hands on the batches newest first.
func (p *fakeProvider) List(_ context.Context, _ providers.ListOptions, fn func(*providers.Batch) error) error {
	p.lists++
	for n := len(p.batches); n >= 1; n-- {
		err := fn(copyBatch(p.batches["batch_"+strconv.Itoa(n)]))
		if errors.Is(err, providers.ErrStop) {
			return nil
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (p *fakeProvider) Download(_ context.Context, b *providers.Batch, w io.Writer) error {
	p.downloads = append(p.downloads, b.ID)
	if _, err := io.WriteString(w, p.raw[b.ID]); err != nil {
		return err
	}
	return p.downloadErr[b.ID]
}

func (p *fakeProvider) Normalize(line []byte) (providers.Result, error) {
	var r providers.Result
	if err := json.Unmarshal(line, &r); err != nil {
		return providers.Result{}, fmt.Errorf("fake: %w", err)
	}
	if r.CustomID == "" {
		return providers.Result{}, errors.New("fake: no custom_id")
	}
	return r, nil
}

// set moves a batch to status s, completing it at batchDone when s is
// terminal, and applies edit to it when edit is not nil.
func (p *fakeProvider) set(t *testing.T, id string, s providers.Status, edit func(*providers.Batch)) {
	t.Helper()
	b, ok := p.batches[id]
	if !ok {
		t.Fatalf("fake: no batch %s", id)
	}
	b.Status, b.ProviderStatus = s, "fake_"+string(s)
	if s.Terminal() {
		b.CompletedAt = batchDone
	}
	if edit != nil {
		edit(b)
	}
}

func copyBatch(b *providers.Batch) *providers.Batch {
	c := *b
	return &c
}

// The fixed times of the tests: the manager's clock, and when the fake's
// batches are created and finish.
var (
	testNow      = time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	batchCreated = time.Date(2025, 3, 4, 5, 6, 8, 0, time.UTC) // just after the job: providers create batches after batchctl records them
	batchDone    = time.Date(2025, 3, 4, 6, 0, 0, 0, time.UTC)
)

// testEnv is a manager on a fresh BATCHCTL_HOME with a real registry and
// one provider profile, "fake".
type testEnv struct {
	m       *jobs.Manager
	reg     jobs.Registry
	p       *fakeProvider
	profile *config.Profile
}

func newEnv(t testing.TB) *testEnv {
	t.Helper()
	home := t.TempDir()
	profile := &config.Profile{
		Name: "fake", Type: config.TypeOpenAI, MaxRequests: 100, MaxBytes: 1 << 20, CompletionWindow: "24h",
	}
	cfg := &config.Config{Home: home, Providers: map[string]*config.Profile{"fake": profile}}
	s, err := sqlite.Open(context.Background(), filepath.Join(home, "batchctl.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	e := &testEnv{p: newFakeProvider(), profile: profile, reg: s}
	e.m = jobs.NewManager(cfg, s)
	e.m.Provider = func(name string) (providers.Provider, error) {
		if name != "fake" {
			return nil, fmt.Errorf("unknown provider %q", name)
		}
		return e.p, nil
	}
	e.m.Now = func() time.Time { return testNow }
	e.m.Retry = retry.Policy{Attempts: 3, Sleep: func(context.Context, time.Duration) error { return nil }}
	return e
}
