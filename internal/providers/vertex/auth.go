package vertex

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"golang.org/x/oauth2"

	"github.com/batchctl/batchctl/internal/providers"
)

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
		return tokenError(err)
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

// tokenOp names the token request in errors.
const tokenOp = "get a Google access token"

// tokenError makes the token service's refusal a *providers.HTTPError, so
// that its 429s and 5xx are retried like any call's and a 4xx (a revoked
// key, a disabled account) is not. Other failures keep their cause (the
// oauth2 package formats network errors with %v: they are not retried).
func tokenError(err error) error {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.Response == nil {
		return fmt.Errorf("%s: %w", tokenOp, err)
	}
	return &providers.HTTPError{
		Op: tokenOp, StatusCode: re.Response.StatusCode, Code: re.ErrorCode, Type: re.ErrorCode,
		Message: cmp.Or(re.ErrorDescription, strings.TrimSpace(string(re.Body))),
	}
}
