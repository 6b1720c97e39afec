package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/batchctl/batchctl/internal/emulator"
	"github.com/batchctl/batchctl/internal/hostile"
	"github.com/batchctl/batchctl/internal/providers/httpx"
)

// TestRedirectKeepsKeysHome has the provider redirect every call to a
// server on another port, over plain http or from https down to http, and
// checks that none of the key headers of any protocol arrived there (#6):
// net/http alone keeps Authorization when only the port or the scheme
// changes.
func TestRedirectKeepsKeysHome(t *testing.T) {
	protocols := []struct {
		name     string
		provider string
		batch    string
		config   string // a profile of its own, for Azure's api-key header
		header   string
	}{
		{"openai bearer", "openai", "batch_x", "", "Authorization"},
		{"openai api-key", "gateway", "batch_x", "providers:\n  gateway:\n    type: openai\n    base_url: {{URL}}/v1\n    api_key_env: OPENAI_API_KEY\n    auth_header: api-key\n", "Api-Key"},
		{"anthropic", "anthropic", "msgbatch_x", "", "X-Api-Key"},
		{"gemini", "gemini", "batches/x", "", "X-Goog-Api-Key"},
	}
	hops := []struct {
		name string
		tls  bool
		code int
	}{
		{"cross-port 301", false, http.StatusMovedPermanently},
		{"cross-port 307", false, http.StatusTemporaryRedirect},
		{"https to http 301", true, http.StatusMovedPermanently},
		{"https to http 308", true, http.StatusPermanentRedirect},
	}
	for _, hop := range hops {
		for _, p := range protocols {
			t.Run(hop.name+"/"+p.name, func(t *testing.T) {
				t.Parallel()
				away := hostile.StartElsewhere(t)
				start := hostile.Start
				if hop.tls {
					start = hostile.StartTLS
				}
				srv := start(t, emulator.Options{}, hostile.RedirectTo(away.URL, hop.code))
				env := srv.Env()
				if hop.tls {
					env = append(env, "SSL_CERT_FILE="+srv.CertFile(t))
				}
				if p.config != "" {
					env = append(env, writeHomeConfig(t, t.TempDir(), strings.ReplaceAll(p.config, "{{URL}}", srv.URL)))
				}
				r := runBinary(t, env, "status", p.batch, "--provider", p.provider)
				if r.code != 4 {
					t.Errorf("exit %d, want 4 (the other server wants a key)\nstderr:\n%s", r.code, r.stderr)
				}
				if strings.Contains(r.stderr, srv.Key) {
					t.Errorf("stderr shows the key:\n%s", r.stderr)
				}
				got := away.Headers()
				if len(got) == 0 {
					t.Fatalf("the redirect was not followed; stderr:\n%s", r.stderr)
				}
				for _, h := range got {
					for _, name := range httpx.KeyHeaders {
						if v := h.Get(name); v != "" {
							t.Errorf("%s arrived at the other server (the profile sends its key in %s)", name, p.header)
						}
					}
					for _, v := range h {
						if strings.Contains(strings.Join(v, " "), srv.Key) {
							t.Errorf("the key arrived at the other server in a header: %v", h)
						}
					}
				}
			})
		}
	}
}
