package hostile

import (
	"context"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"time"
)

// The scenarios of this file stall the exchange at one step. Each takes
// ctx, whose end releases the requests it holds (pass t.Context(), so the
// server can close), and an optional channel told, without blocking, when
// a stall begins: a test knows batchctl is stuck there without sleeping.

// Hang never answers requests matching pattern (an http.ServeMux pattern
// such as "GET /v1/batches/{id}"): it holds them until the client gives up
// or ctx ends.
func Hang(ctx context.Context, pattern string, stalled chan<- string) Tamper {
	return OnPath(pattern, func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		notify(stalled, r)
		select {
		case <-r.Context().Done():
		case <-ctx.Done():
		}
	})
}

// Trickle answers requests matching pattern as the emulator does, but
// sends the body chunk bytes at a time, every so often, after the headers.
func Trickle(ctx context.Context, pattern string, chunk int, every time.Duration, stalled chan<- string) Tamper {
	return OnPath(pattern, func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		maps.Copy(w.Header(), rec.Header())
		w.Header().Del("Content-Length")
		w.WriteHeader(rec.Code)
		w.(http.Flusher).Flush()
		notify(stalled, r)
		body := rec.Body.Bytes()
		t := time.NewTicker(every)
		defer t.Stop()
		for len(body) > 0 {
			select {
			case <-r.Context().Done():
				return
			case <-ctx.Done():
				return
			case <-t.C:
			}
			n := min(chunk, len(body))
			if _, err := w.Write(body[:n]); err != nil {
				return
			}
			body = body[n:]
			w.(http.Flusher).Flush()
		}
	})
}

// SlowUpload takes in the body of requests matching pattern at rate bytes
// a second, then passes them on to the emulator.
func SlowUpload(ctx context.Context, pattern string, rate int, stalled chan<- string) Tamper {
	return OnPath(pattern, func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		notify(stalled, r)
		r.Body = &slowReader{ctx: ctx, r: r.Body, chunk: max(rate/10, 1), every: 100 * time.Millisecond}
		next.ServeHTTP(w, r)
	})
}

type slowReader struct {
	ctx   context.Context
	r     io.ReadCloser
	chunk int
	every time.Duration
}

func (s *slowReader) Read(p []byte) (int, error) {
	select {
	case <-s.ctx.Done():
		return 0, s.ctx.Err()
	case <-time.After(s.every):
	}
	return s.r.Read(p[:min(len(p), s.chunk)])
}

func (s *slowReader) Close() error { return s.r.Close() }

func notify(stalled chan<- string, r *http.Request) {
	if stalled == nil {
		return
	}
	select {
	case stalled <- r.Method + " " + r.URL.Path:
	default:
	}
}
