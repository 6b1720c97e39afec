package httpx

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// IdleTimeoutError says the network moved no data for Idle: the server
// did not read the request body, did not answer, or stopped sending its
// answer. It is a timeout (net.Error), so it is retried like a dropped
// connection where repeating the call is safe.
type IdleTimeoutError struct {
	Idle time.Duration
}

func (e *IdleTimeoutError) Error() string {
	return fmt.Sprintf("no data from the server for %s (http_idle_timeout)", e.Idle)
}

// Timeout reports true: the error is a timeout.
func (e *IdleTimeoutError) Timeout() bool { return true }

// Temporary reports true: another attempt may succeed.
func (e *IdleTimeoutError) Temporary() bool { return true }

// IdleTimeout returns a RoundTripper that ends an exchange when it makes no
// progress for idle: while a request waits for its answer, from its start
// or the last read of its body, and while a read of the answer's body
// blocks. A steady trickle never trips it, however long the whole
// exchange; a reader that pauses between reads is not blamed for it.
func IdleTimeout(next http.RoundTripper, idle time.Duration) http.RoundTripper {
	return &idleTransport{next: next, idle: idle}
}

type idleTransport struct {
	next http.RoundTripper
	idle time.Duration
}

func (t *idleTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithCancel(req.Context())
	w := &watchdog{idle: t.idle, cancel: cancel}
	w.timer = time.AfterFunc(t.idle, w.fire)
	w.arm()
	req = req.WithContext(ctx)
	if req.Body != nil && req.Body != http.NoBody {
		req.Body = &progressBody{ReadCloser: req.Body, w: w}
	}
	if req.GetBody != nil {
		getBody := req.GetBody
		req.GetBody = func() (io.ReadCloser, error) {
			b, err := getBody()
			if err != nil || b == nil || b == http.NoBody {
				return b, err
			}
			return &progressBody{ReadCloser: b, w: w}, nil
		}
	}
	resp, err := t.next.RoundTrip(req)
	fired := w.disarm()
	if err != nil {
		cancel()
		return nil, w.explain(fired, err)
	}
	resp.Body = &watchedBody{ReadCloser: resp.Body, w: w}
	return resp, nil
}

// watchdog cancels an exchange's context when it stays armed for idle.
type watchdog struct {
	idle   time.Duration
	cancel context.CancelFunc
	timer  *time.Timer

	mu    sync.Mutex
	armed bool
	since time.Time
	fired bool
}

// arm starts (or restarts) the idle clock.
func (w *watchdog) arm() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.armed, w.since = true, time.Now()
	w.timer.Reset(w.idle)
}

// disarm stops the clock and reports whether it already ran out.
func (w *watchdog) disarm() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.armed = false
	w.timer.Stop()
	return w.fired
}

func (w *watchdog) fire() {
	w.mu.Lock()
	defer w.mu.Unlock()
	// A timer restarted just as it ran out calls fire for the old time.
	if !w.armed || time.Since(w.since) < w.idle {
		return
	}
	w.fired = true
	w.cancel()
}

// explain turns the cancellation the watchdog caused into what happened.
func (w *watchdog) explain(fired bool, err error) error {
	if fired {
		return &IdleTimeoutError{Idle: w.idle}
	}
	return err
}

// progressBody restarts the idle clock on every read of a request body:
// the transport reads it as the server takes it in.
type progressBody struct {
	io.ReadCloser
	w *watchdog
}

func (b *progressBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if n > 0 {
		b.w.mu.Lock()
		if b.w.armed {
			b.w.since = time.Now()
			b.w.timer.Reset(b.w.idle)
		}
		b.w.mu.Unlock()
	}
	return n, err
}

// watchedBody runs the idle clock while a read of the answer blocks.
type watchedBody struct {
	io.ReadCloser
	w *watchdog
}

func (b *watchedBody) Read(p []byte) (int, error) {
	b.w.arm()
	n, err := b.ReadCloser.Read(p)
	if fired := b.w.disarm(); err != nil && err != io.EOF {
		err = b.w.explain(fired, err)
	}
	return n, err
}

func (b *watchedBody) Close() error {
	err := b.ReadCloser.Close()
	b.w.cancel()
	return err
}
