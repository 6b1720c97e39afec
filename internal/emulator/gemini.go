package emulator

import "net/http"

// geminiAPI serves the Gemini Batch Mode protocol.
type geminiAPI struct {
	s   *Server
	dir string
}

func newGemini(s *Server, dir string) (*geminiAPI, error) {
	return &geminiAPI{s: s, dir: dir}, nil
}

// register adds the Gemini routes to mux.
func (g *geminiAPI) register(mux *http.ServeMux) {}
