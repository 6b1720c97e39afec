package openai

import (
	"net/http"
	"time"

	"github.com/batchctl/batchctl/internal/providers/httpx"
)

// The error-answer limits and the Retry-After reading moved to httpx; the
// tests of this package still name them here.
const (
	maxErrorBody    = httpx.MaxErrorBody
	maxPlainMessage = httpx.MaxPlainMessage
)

func retryAfter(h http.Header, now time.Time) time.Duration { return httpx.RetryAfter(h, now) }
