// Package emulator is the `emulator` provider: the batchctl emulator server
// running in-process on a loopback port for the life of one command, with
// its state on disk so later commands see the same batches. It speaks the
// OpenAI wire protocol, so the client is the openai provider.
package emulator

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	emu "github.com/batchctl/batchctl/internal/emulator"
	"github.com/batchctl/batchctl/internal/providers/openai"
)

// Options configure the embedded emulator.
type Options struct {
	Name     string        // profile name, normally "emulator"
	Dir      string        // state directory
	Duration time.Duration // how long a batch takes
	Faults   string        // server faults to inject (see emulator.ParseFaults)
	Limits   emu.Limits    // limits of the synchronous endpoints
	Client   *http.Client  // the shared client
}

// Provider is the openai client bound to an in-process emulator server.
type Provider struct {
	*openai.Client
	srv *http.Server
}

// Start serves the emulator on 127.0.0.1 on a free port.
func Start(ctx context.Context, opts Options) (*Provider, error) {
	handler, err := emu.New(emu.Options{Dir: opts.Dir, Duration: opts.Duration, Faults: opts.Faults, Limits: opts.Limits})
	if err != nil {
		return nil, err
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listening on loopback: %w", err)
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			ln.Close()
		}
	}()
	client := openai.New(openai.Config{
		Name:       opts.Name,
		BaseURL:    "http://" + ln.Addr().String() + "/v1",
		APIKey:     "emulator",
		HTTPClient: opts.Client,
	})
	return &Provider{Client: client, srv: srv}, nil
}

// Close stops the server.
func (p *Provider) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return p.srv.Shutdown(ctx)
}
