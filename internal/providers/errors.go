package providers

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// HTTPError is a non-2xx answer from a provider, with the fields of its
// error body where it had one.
type HTTPError struct {
	Op         string // what batchctl was doing: "create batch", "upload input", ...
	StatusCode int
	Type       string
	Code       string
	Message    string
	Param      string
	// RetryAfter is the wait the provider asked for (Retry-After,
	// Retry-After-Ms), zero when it did not say.
	RetryAfter time.Duration
}

func (e *HTTPError) Error() string {
	var b strings.Builder
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteString(": ")
	}
	fmt.Fprintf(&b, "%d %s", e.StatusCode, statusText(e.StatusCode))
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.Code != "" && !strings.Contains(e.Message, e.Code) {
		fmt.Fprintf(&b, " (%s)", e.Code)
	}
	return b.String()
}

// IsAuth reports whether the provider rejected the credentials.
func (e *HTTPError) IsAuth() bool {
	return e.StatusCode == http.StatusUnauthorized || e.StatusCode == http.StatusForbidden
}

// IsNotFound reports whether the provider does not know the object.
func (e *HTTPError) IsNotFound() bool { return e.StatusCode == http.StatusNotFound }

// MissingKeyError says no API key was found for a profile.
type MissingKeyError struct {
	Profile string
	Env     string // the variable that would have held it
}

func (e *MissingKeyError) Error() string {
	if e.Env == "" {
		return fmt.Sprintf("no API key for provider %q", e.Profile)
	}
	return fmt.Sprintf("no API key for provider %q: %s is not set", e.Profile, e.Env)
}

// statusText is http.StatusText, plus the codes providers use that Go does
// not name (Anthropic's 529).
func statusText(code int) string {
	if code == 529 {
		return "Overloaded"
	}
	return http.StatusText(code)
}
