package jobs

import (
	"context"
	"net/http"

	"github.com/batchctl/batchctl/internal/providers/ratelimit"
)

// NewLimiter is the adaptive limiter of the rate limit package as a
// Limiter: at most l's concurrency in flight (fewer while the endpoint
// answers 429, 503 or 529), RPM requests and TPM estimated tokens a
// minute, and every send held back for the waits the endpoint names
// (Retry-After, the providers' rate limit headers). scale is how many of
// the endpoint's seconds pass in a real second (an emulator's time scale;
// 0 means 1).
func NewLimiter(l RunLimits, scale float64) (Limiter, error) {
	rl, err := ratelimit.New(ratelimit.Config{Concurrency: l.Concurrency, RPM: l.RPM, TPM: int64(l.TPM), TimeScale: scale}, nil)
	if err != nil {
		return nil, err
	}
	return adaptive{rl}, nil
}

type adaptive struct{ l *ratelimit.Limiter }

func (a adaptive) Acquire(ctx context.Context, tokens int) (func(int, http.Header, []byte), error) {
	p, err := a.l.Acquire(ctx, int64(tokens))
	if err != nil {
		return nil, err
	}
	return p.Done, nil
}
