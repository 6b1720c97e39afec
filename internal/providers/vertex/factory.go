package vertex

import (
	"cmp"
	"context"
	"fmt"
	"os"

	"github.com/batchctl/batchctl/internal/config"
	"github.com/batchctl/batchctl/internal/gcpcfg"
	"github.com/batchctl/batchctl/internal/jsonl"
	"github.com/batchctl/batchctl/internal/objstore"
	"github.com/batchctl/batchctl/internal/providers"
)

// Factory makes the clients of vertex-type profiles. Their input is the
// Gemini batch file's (jsonl.TargetGemini), so the same input file runs on
// the Gemini API and on Vertex AI; for a Claude model the target's rules
// are jsonl.TargetVertexClaude's, so it runs on anthropic/ and bedrock/ too.
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
		BaseURL:         cmp.Or(prof.BaseURL, EndpointFor(location)),
		StorageEndpoint: objstore.GCSEndpointFrom(os.Getenv(objstore.GCSEmulatorEnv)),
	}
	if creds != nil { // google's token sources keep a token until it nears its expiry
		cfg.Tokens = creds.TokenSource
	}
	return New(cfg), nil
}
