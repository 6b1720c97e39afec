package emulator

import "net/http"

// anthropicAPI serves the Anthropic Message Batches protocol.
type anthropicAPI struct {
	s   *Server
	dir string
}

func newAnthropic(s *Server, dir string) (*anthropicAPI, error) {
	return &anthropicAPI{s: s, dir: dir}, nil
}

// register adds the Anthropic routes to mux.
func (a *anthropicAPI) register(mux *http.ServeMux) {}
