package emulator

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/batchctl/batchctl/internal/emulator/anthropic"
	"github.com/batchctl/batchctl/internal/emulator/bedrock"
	"github.com/batchctl/batchctl/internal/emulator/core"
	"github.com/batchctl/batchctl/internal/emulator/gemini"
	"github.com/batchctl/batchctl/internal/emulator/mistral"
	"github.com/batchctl/batchctl/internal/emulator/openai"
	"github.com/batchctl/batchctl/internal/emulator/openrouter"
	"github.com/batchctl/batchctl/internal/emulator/vertex"
	"github.com/batchctl/batchctl/internal/emulator/xai"
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
	// Limits are the latency and rate limits of the synchronous endpoints
	// (see Limits); the zero value has none.
	Limits Limits
}

// Limits are the latency, concurrency and rate limits of the synchronous
// endpoints, in time scaled by TimeScale (see core.Limits).
type Limits = core.Limits

// Stats are what the server saw of the calls to its synchronous endpoints
// (see core.Stats).
type Stats = core.Stats

// StatsPath serves the Stats as JSON, without credentials.
const StatsPath = "/_emulator/stats"

// Server is the emulator's HTTP handler.
type Server struct {
	mux  *http.ServeMux
	host *core.Host
}

// protocols are the APIs the server speaks, each opened on the shared host
// and the state directory; a new protocol is a package and a line here.
var protocols = []func(host *core.Host, dir string) (core.Protocol, error){
	openai.New,
	anthropic.New,
	gemini.New,
	mistral.New,
	xai.New,
	openrouter.New,
	bedrock.NewS3,
	bedrock.NewControl,
	vertex.NewTokens,
	vertex.NewGCS,
	vertex.NewControl,
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
	if err := opts.Limits.Validate(); err != nil {
		return nil, fmt.Errorf("emulator: limits: %w", err)
	}
	host := core.NewHost(opts.Now, opts.Duration, opts.APIKey, faults, opts.Held, opts.Limits)
	s := &Server{mux: http.NewServeMux(), host: host}
	s.mux.HandleFunc("GET "+StatsPath, s.serveStats)
	if err := os.MkdirAll(opts.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("emulator: %w", err)
	}
	for _, open := range protocols {
		p, err := open(host, opts.Dir)
		if err != nil {
			return nil, fmt.Errorf("emulator: %w", err)
		}
		p.Register(s.mux)
	}
	return s, nil
}

// Stats returns what the server saw of the calls to its synchronous
// endpoints so far: how many it admitted and refused, and the peak
// concurrency and per-minute rates of the admitted ones.
func (s *Server) Stats() Stats { return s.host.Stats() }

// QueueStats are what a protocol's batch queue held (see core.QueueStats).
type QueueStats = core.QueueStats

// QueueStats returns, for each protocol whose batch queue has a limit
// (Limits.Quota), what its unfinished batches hold now and the most they
// held at once since the state directory was made, over all models and
// per model. The ledger is kept in the state directory, so it covers
// every process sharing it.
func (s *Server) QueueStats(ctx context.Context) (map[string]QueueStats, error) {
	return s.host.QueueStats(ctx)
}

// serveStats answers GET /_emulator/stats: the Stats, and the QueueStats
// under "queues" when a quota is set.
func (s *Server) serveStats(w http.ResponseWriter, r *http.Request) {
	queues, err := s.QueueStats(r.Context())
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	core.WriteJSON(w, http.StatusOK, struct {
		Stats
		Queues map[string]QueueStats `json:"queues,omitempty"`
	}{s.Stats(), queues})
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

// ParseFaults parses a server fault spec such as
// "create=429x2,get=500,content=drop". An empty spec has no rules.
func ParseFaults(spec string) ([]core.Fault, error) { return core.ParseFaults(spec) }
