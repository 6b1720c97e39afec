package emulator

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strings"
	"time"
)

// Options configure a Server.
type Options struct {
	// Dir is the state directory, created 0700 if missing. State survives
	// restarts and may be shared by several processes at once.
	Dir string
	// Duration is the time from a batch's creation to its end; 0 finishes
	// batches as soon as they are created. Each batch keeps the Duration it
	// was created with.
	Duration time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// APIKey, if set, is the only key accepted; if empty, any non-empty key
	// is.
	APIKey string
	// Faults is a server fault spec (see ParseFaults and the package
	// documentation); empty means none.
	Faults string
	// Held, when set, is called each time a "late" or "hang" fault starts
	// holding a call of op, so a test can act (kill the client) while it
	// is held.
	Held func(op string)
}

// Server is the emulator's HTTP handler.
type Server struct {
	now      func() time.Time
	duration time.Duration
	apiKey   string
	faults   *faultInjector
	mux      *http.ServeMux
}

// New returns a Server keeping its state in opts.Dir.
func New(opts Options) (*Server, error) {
	if opts.Dir == "" {
		return nil, errors.New("emulator: no state directory")
	}
	if opts.Duration < 0 {
		return nil, fmt.Errorf("emulator: negative duration %s", opts.Duration)
	}
	faults, err := ParseFaults(opts.Faults)
	if err != nil {
		return nil, fmt.Errorf("emulator: %w", err)
	}
	s := &Server{
		now:      opts.Now,
		duration: opts.Duration,
		apiKey:   opts.APIKey,
		faults:   newFaultInjector(faults, opts.Held),
		mux:      http.NewServeMux(),
	}
	if s.now == nil {
		s.now = time.Now
	}
	if err := os.MkdirAll(opts.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("emulator: %w", err)
	}
	oa, err := newOpenAI(s, opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("emulator: %w", err)
	}
	oa.register(s.mux)
	an, err := newAnthropic(s, opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("emulator: %w", err)
	}
	an.register(s.mux)
	gm, err := newGemini(s, opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("emulator: %w", err)
	}
	gm.register(s.mux)
	return s, nil
}

// ServeHTTP implements http.Handler. Azure OpenAI's v1 paths
// (/openai/v1/...) are served as OpenAI's (/v1/...).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if rest, ok := strings.CutPrefix(r.URL.Path, "/openai/v1/"); ok {
		r = r.Clone(r.Context())
		r.URL.Path = "/v1/" + rest
		r.URL.RawPath = ""
	}
	s.mux.ServeHTTP(w, r)
}

// clock returns the current time in UTC, without a monotonic reading, so it
// compares like the times read back from disk.
func (s *Server) clock() time.Time { return s.now().UTC() }

// keyAccepted reports whether key may use the server.
func (s *Server) keyAccepted(key string) bool {
	if key == "" {
		return false
	}
	return s.apiKey == "" || subtle.ConstantTimeCompare([]byte(key), []byte(s.apiKey)) == 1
}

// Serve serves the emulator on ln until ctx is done, then shuts down
// gracefully, letting requests in flight finish for up to five seconds.
func Serve(ctx context.Context, ln net.Listener, opts Options) error {
	s, err := New(opts)
	if err != nil {
		ln.Close()
		return err
	}
	hs := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          log.New(io.Discard, "", 0),
	}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("emulator: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("emulator: shut down: %w", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("emulator: %w", err)
	}
	return nil
}

// writeJSON sends v as a JSON response. HTML characters are not escaped, as
// in the real APIs' answers.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	encodeJSON(w, v)
}

// encodeJSON writes v as one line of JSON (with its newline).
func encodeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
