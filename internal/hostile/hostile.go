// Package hostile is a batch provider that misbehaves on purpose, for tests:
// the emulator behind a middleware that tampers with what crosses the wire
// (redirects elsewhere, trickled or endless bodies, giant or repeated result
// lines, absurd counts, unknown statuses). Each scenario is a Tamper; a test
// starts one server per scenario on loopback. Test-only: nothing in the
// binary imports it.
package hostile

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/batchctl/batchctl/internal/emulator"
	"github.com/batchctl/batchctl/internal/emulator/mistral"
)

// Tamper wraps the emulator's handler: it may answer a request itself,
// rewrite it, or pass it on to next.
type Tamper func(next http.Handler) http.Handler

// Server is a running hostile provider.
type Server struct {
	*httptest.Server
	// Key is the one API key the emulator behind it accepts.
	Key string
	// Dir is the emulator's state directory.
	Dir string
}

// Start serves the emulator (opts.Dir and opts.APIKey default to a temp
// directory and "sk-hostile") behind tamper on 127.0.0.1 until the test
// ends. A nil tamper serves the emulator untouched.
func Start(t testing.TB, opts emulator.Options, tamper Tamper) *Server {
	t.Helper()
	if opts.Dir == "" {
		opts.Dir = filepath.Join(t.TempDir(), "emulator")
	}
	if opts.APIKey == "" {
		opts.APIKey = "sk-hostile"
	}
	emu, err := emulator.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	var h http.Handler = emu
	if tamper != nil {
		h = tamper(emu)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &Server{Server: srv, Key: opts.APIKey, Dir: opts.Dir}
}

// Env is the environment that points batchctl's protocols at the
// server, with its key.
func (s *Server) Env() []string {
	return []string{
		"OPENAI_BASE_URL=" + s.URL + "/v1", "OPENAI_API_KEY=" + s.Key,
		"ANTHROPIC_BASE_URL=" + s.URL, "ANTHROPIC_API_KEY=" + s.Key,
		"GOOGLE_GEMINI_BASE_URL=" + s.URL, "GEMINI_API_KEY=" + s.Key,
		"MISTRAL_BASE_URL=" + s.URL + mistral.PathPrefix, "MISTRAL_API_KEY=" + s.Key,
	}
}

// OnPath answers requests whose path matches pattern (an http.ServeMux
// pattern such as "GET /v1/batches/{id}") with h, and passes the rest on.
func OnPath(pattern string, h func(w http.ResponseWriter, r *http.Request, next http.Handler)) Tamper {
	return func(next http.Handler) http.Handler {
		mux := http.NewServeMux()
		mux.Handle("/", next)
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) { h(w, r, next) })
		return mux
	}
}
