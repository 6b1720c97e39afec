package vertex

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"os"
	"sync"

	"golang.org/x/oauth2"

	"github.com/batchctl/batchctl/internal/config"
	"github.com/batchctl/batchctl/internal/gcpcfg"
	"github.com/batchctl/batchctl/internal/jsonl"
	"github.com/batchctl/batchctl/internal/objstore"
	"github.com/batchctl/batchctl/internal/providers"
)

// Factory makes the clients of vertex-type profiles. Their input is the
// Gemini batch file's (jsonl.TargetGemini), so the same input file runs on
// the Gemini API and on Vertex AI.
func Factory() providers.Factory {
	return providers.Factory{
		Type:   config.TypeVertex,
		Target: jsonl.TargetGemini,
		Check:  check,
		CheckParts: func(model string, _ []int) error {
			return CheckModel(model)
		},
		New: newClient,
	}
}

// check finds a profile without a gs:// bucket.
func check(cfg *config.Config, prof *config.Profile) error {
	if prof.Bucket == "" {
		hint := fmt.Sprintf("set providers.%s.bucket: gs://bucket/prefix in %s", prof.Name, cfg.File)
		if prof.Name == "vertex" {
			hint = "set BATCHCTL_VERTEX_BUCKET=gs://bucket/prefix or " + hint
		}
		return fmt.Errorf("provider %q has no bucket: %s", prof.Name, hint)
	}
	if _, err := objstore.ParseURLOf(prof.Bucket, objstore.SchemeGCS); err != nil {
		return fmt.Errorf("provider %q: %w", prof.Name, err)
	}
	return nil
}

// newClient finds the Application Default Credentials and makes the
// client of prof. Without credentials the client is made all the same:
// its calls fail with a *providers.MissingKeyError.
func newClient(ctx context.Context, prof *config.Profile, env providers.Env) (providers.Provider, error) {
	bucket, err := objstore.ParseURLOf(prof.Bucket, objstore.SchemeGCS)
	if err != nil {
		return nil, err
	}
	creds, _ := gcpcfg.Find(ctx, env.HTTP)
	project := gcpcfg.ProjectFrom(prof.Project, creds)
	if project == "" {
		return nil, fmt.Errorf("provider %q has no Google Cloud project: set providers.%s.project or GOOGLE_CLOUD_PROJECT", prof.Name, prof.Name)
	}
	location := gcpcfg.LocationFrom(prof.Location)
	cfg := Config{
		Name: prof.Name, Project: project, Location: location, Bucket: bucket, HTTP: env.HTTP,
		BaseURL: cmp.Or(prof.BaseURL, EndpointFor(location)),
	}
	storeHTTP := env.HTTP
	if creds != nil { // google's token sources keep a token until it nears its expiry
		cfg.Creds = &bearer{ts: creds.TokenSource}
		storeHTTP = authorized(env.HTTP, creds.TokenSource)
	}
	cfg.Store = objstore.NewGCS(storeHTTP, objstore.GCSEndpointFrom(os.Getenv(objstore.GCSEmulatorEnv)))
	return New(cfg), nil
}

// authorized is hc sending an access token of ts with every request.
func authorized(hc *http.Client, ts oauth2.TokenSource) *http.Client {
	if hc == nil {
		hc = http.DefaultClient
	}
	c := *hc
	c.Transport = &oauth2.Transport{Source: ts, Base: hc.Transport}
	return &c
}

// bearer is httpx.Credentials of OAuth2 access tokens: each request gets
// the token source's current token, refreshed when it nears its expiry.
type bearer struct {
	ts   oauth2.TokenSource
	mu   sync.Mutex
	last string // the last token sent, kept out of error messages
}

// Apply sets the request's Authorization header.
func (b *bearer) Apply(req *http.Request) error {
	tok, err := b.ts.Token()
	if err != nil {
		return fmt.Errorf("getting a Google access token: %w", err)
	}
	tok.SetAuthHeader(req)
	b.mu.Lock()
	b.last = tok.AccessToken
	b.mu.Unlock()
	return nil
}

// Secrets is the last token sent.
func (b *bearer) Secrets() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return []string{b.last}
}

// Headers names the header Apply sets.
func (b *bearer) Headers() []string { return []string{"Authorization"} }
