package hostile

import (
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/batchctl/batchctl/internal/emulator"
)

// StartTLS is Start on https: the same emulator and tamper behind a TLS
// listener whose certificate CertFile writes out.
func StartTLS(t testing.TB, opts emulator.Options, tamper Tamper) *Server {
	t.Helper()
	s := Start(t, opts, tamper)
	h := s.Config.Handler
	s.Close()
	s.Server = httptest.NewTLSServer(h)
	t.Cleanup(s.Server.Close)
	return s
}

// CertFile writes the certificate of a StartTLS server to a PEM file and
// returns its path, for SSL_CERT_FILE: the binary then trusts the server.
func (s *Server) CertFile(t testing.TB) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "hostile.pem")
	block := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.Certificate().Raw})
	if err := os.WriteFile(path, block, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// RedirectTo answers every request with a redirect (code: 301, 302, 307,
// 308) to the same path and query on target, a URL such as
// "http://127.0.0.1:4242".
func RedirectTo(target string, code int) Tamper {
	return func(http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, target+r.URL.RequestURI(), code)
		})
	}
}

// Elsewhere is a server that is not the provider: it records the headers
// of every request that reaches it and answers 401, as a stranger that
// wants a key would.
type Elsewhere struct {
	*httptest.Server
	mu      sync.Mutex
	headers []http.Header
}

// StartElsewhere serves an Elsewhere on 127.0.0.1 until the test ends.
func StartElsewhere(t testing.TB) *Elsewhere {
	t.Helper()
	e := &Elsewhere{}
	e.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.mu.Lock()
		e.headers = append(e.headers, r.Header.Clone())
		e.mu.Unlock()
		http.Error(w, `{"error":{"message":"who are you?","type":"invalid_request_error"}}`, http.StatusUnauthorized)
	}))
	t.Cleanup(e.Close)
	return e
}

// Headers returns the headers of the requests that reached e, in order.
func (e *Elsewhere) Headers() []http.Header {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]http.Header(nil), e.headers...)
}
