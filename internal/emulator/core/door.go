package core

import "net/http"

// Protocol is one vendor's API: its routes, and what the front door needs
// of it, where it carries the API key and the shape of its errors.
type Protocol interface {
	// Register adds the API's routes to mux, behind its door (Host.Door).
	Register(mux *http.ServeMux)
	// RequestIDHeader names the header carrying a new request id on every
	// answer; "" sends none.
	RequestIDHeader() string
	// Authenticate returns the error answering a call whose credentials
	// the API refuses, or nil. accepted reports whether the server takes a
	// key.
	Authenticate(r *http.Request, accepted func(key string) bool) error
	// WriteError answers err in the vendor's error shape: an error of the
	// protocol's own type with what it says, any other as a 500 naming it
	// (see Failure).
	WriteError(w http.ResponseWriter, err error)
	// WriteFault answers a server fault with its status, 429 or 5xx, in
	// the vendor's shape; a 429 names a wait of one second unless f.Bare.
	WriteFault(w http.ResponseWriter, f Fault)
	// RateHeaders sets the vendor's rate-limit headers saying s on the
	// answer of a synchronous call; a vendor that sends none sets none.
	RateHeaders(h http.Header, s RateState)
	// WriteRefusal answers a synchronous call the server's limits refuse,
	// as the vendor answers a call over its rate limits (a 429 naming the
	// wait) or, for r.Overload, an overloaded server.
	WriteRefusal(w http.ResponseWriter, r Refusal)
}

// Handler answers one call; the error it returns is answered by the
// protocol's WriteError.
type Handler func(http.ResponseWriter, *http.Request) error

// Door is the front door of one protocol: every call gets a request id,
// passes the credential check, suffers the server faults of its operation,
// and has its handler's error answered in the vendor's shape.
type Door struct {
	host *Host
	p    Protocol
}

// Door returns the front door of protocol p.
func (h *Host) Door(p Protocol) *Door { return &Door{host: h, p: p} }

// Handle registers h for pattern on mux behind the door; op is the
// operation the server faults of the call target ("" for none).
func (d *Door) Handle(mux *http.ServeMux, pattern, op string, h Handler) {
	mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) { d.Serve(w, r, op, h) })
}

// Serve answers a call of op with h, for protocols that route calls
// themselves.
func (d *Door) Serve(w http.ResponseWriter, r *http.Request, op string, h Handler) {
	if name := d.p.RequestIDHeader(); name != "" {
		w.Header().Set(name, NewID("req_"))
	}
	if err := d.p.Authenticate(r, d.host.keyAccepted); err != nil {
		d.p.WriteError(w, err)
		return
	}
	serve := func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			d.p.WriteError(w, err)
		}
	}
	if f, ok := d.host.faults.next(op); ok {
		d.host.faults.serveFault(w, r, f, serve, d.p)
		return
	}
	serve(w, r)
	d.host.faults.served(op)
}

// Failure is the message of a 500 answering an error of the emulator
// itself rather than of the call.
func Failure(err error) string { return "The emulator failed: " + err.Error() }
