package vertex

import (
	"fmt"
	"net/http"
	"sync"

	"golang.org/x/oauth2"
)

// authorized is hc sending an access token of ts with every request.
func authorized(hc *http.Client, ts oauth2.TokenSource) *http.Client {
	if hc == nil {
		hc = http.DefaultClient
	}
	c := *hc
	c.Transport = &oauth2.Transport{Source: ts, Base: hc.Transport}
	return &c
}

// bearer is httpx.Credentials of OAuth2 access tokens: each request gets
// the token source's current token, refreshed when it nears its expiry.
type bearer struct {
	ts   oauth2.TokenSource
	mu   sync.Mutex
	last string // the last token sent, kept out of error messages
}

// Apply sets the request's Authorization header.
func (b *bearer) Apply(req *http.Request) error {
	tok, err := b.ts.Token()
	if err != nil {
		return fmt.Errorf("getting a Google access token: %w", err)
	}
	tok.SetAuthHeader(req)
	b.mu.Lock()
	b.last = tok.AccessToken
	b.mu.Unlock()
	return nil
}

// Secrets is the last token sent.
func (b *bearer) Secrets() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return []string{b.last}
}

// Headers names the header Apply sets.
func (b *bearer) Headers() []string { return []string{"Authorization"} }
