package httpx

import (
	"net/http"
	"net/url"
)

// Credentials authenticate a profile's requests: an API key in a header
// today, a request signature or an OAuth token tomorrow.
type Credentials interface {
	// Apply sets the credentials on req.
	Apply(req *http.Request) error
	// Secrets are the values never to show: they are removed from every
	// error message.
	Secrets() []string
	// Headers name the headers Apply sets: GuardKey drops them from a
	// request redirected to another origin.
	Headers() []string
}

// headerKey is an API key sent in one header, after scheme.
type headerKey struct {
	header string // Authorization, Api-Key, X-Api-Key, X-Goog-Api-Key
	scheme string // "Bearer " or ""
	key    string
}

// Key returns the credentials of an API key sent as header (bare), or nil
// when key is empty: a profile without a key has no credentials.
func Key(header, key string) Credentials {
	return newHeaderKey(header, "", key)
}

// Bearer returns the credentials of an API key sent as a bearer token
// (Authorization: Bearer KEY), or nil when key is empty.
func Bearer(key string) Credentials {
	return newHeaderKey("Authorization", "Bearer ", key)
}

func newHeaderKey(header, scheme, key string) Credentials {
	if key == "" {
		return nil
	}
	return headerKey{header: header, scheme: scheme, key: key}
}

// Apply sets the key's header on req.
func (k headerKey) Apply(req *http.Request) error {
	req.Header.Set(k.header, k.scheme+k.key)
	return nil
}

// Secrets is the key.
func (k headerKey) Secrets() []string { return []string{k.key} }

// Headers is the key's header.
func (k headerKey) Headers() []string { return []string{k.header} }

// HomeOnly returns creds applied only to requests for base's origin:
// a request elsewhere (an upload URL that is a capability of its own) goes
// without them. It is nil when creds is.
func HomeOnly(base string, creds Credentials) Credentials {
	if creds == nil {
		return nil
	}
	u, _ := url.Parse(base) // nil when base does not parse: no one's home
	return homeOnly{Credentials: creds, base: u}
}

type homeOnly struct {
	Credentials
	base *url.URL
}

func (h homeOnly) Apply(req *http.Request) error {
	if h.base == nil || !SameOrigin(req.URL, h.base) {
		return nil
	}
	return h.Credentials.Apply(req)
}
