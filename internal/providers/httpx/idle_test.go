package httpx

import (
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// zeros is an endless body.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// TestIdleTimeout runs exchanges that stall at each step, and ones that
// are slow but never idle for long, through IdleTimeout.
func TestIdleTimeout(t *testing.T) {
	// idle is ten times the gaps of the slow-but-steady cases, so a loaded
	// machine that runs a gap late does not fail them
	const idle = time.Second
	tests := []struct {
		name string
		// serve answers; stop is closed when the test ends
		serve func(w http.ResponseWriter, r *http.Request, stop <-chan struct{})
		body  io.Reader // the request body, if any
		pause time.Duration
		// wantIdle: the exchange ends with an *IdleTimeoutError
		wantIdle bool
		want     string
	}{
		{
			name: "no answer",
			serve: func(w http.ResponseWriter, r *http.Request, stop <-chan struct{}) {
				<-stop
			},
			wantIdle: true,
		},
		{
			name: "body stops",
			serve: func(w http.ResponseWriter, r *http.Request, stop <-chan struct{}) {
				io.WriteString(w, "partial")
				w.(http.Flusher).Flush()
				<-stop
			},
			wantIdle: true,
		},
		{
			name: "upload not read",
			serve: func(w http.ResponseWriter, r *http.Request, stop <-chan struct{}) {
				<-stop
			},
			body:     io.LimitReader(zeros{}, 1<<30),
			wantIdle: true,
		},
		{
			name: "steady trickle longer than the deadline",
			serve: func(w http.ResponseWriter, r *http.Request, stop <-chan struct{}) {
				for range 25 { // 2.5s, over twice the idle deadline
					io.WriteString(w, "x")
					w.(http.Flusher).Flush()
					time.Sleep(100 * time.Millisecond)
				}
			},
			want: strings.Repeat("x", 25),
		},
		{
			name: "slow upload",
			serve: func(w http.ResponseWriter, r *http.Request, stop <-chan struct{}) {
				b, _ := io.ReadAll(r.Body)
				io.WriteString(w, strings.ToUpper(string(b)))
			},
			body: &trickle{s: strings.Repeat("abcde", 5), every: 100 * time.Millisecond},
			want: strings.Repeat("ABCDE", 5),
		},
		{
			name: "reader pauses between reads",
			serve: func(w http.ResponseWriter, r *http.Request, stop <-chan struct{}) {
				io.WriteString(w, "whole answer")
			},
			pause: 2 * idle,
			want:  "whole answer",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			stop := make(chan struct{})
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				tt.serve(w, r, stop)
			}))
			defer srv.Close()
			defer close(stop)
			hc := &http.Client{Transport: IdleTimeout(srv.Client().Transport, idle)}
			method := http.MethodGet
			if tt.body != nil {
				method = http.MethodPost
			}
			req, _ := http.NewRequestWithContext(t.Context(), method, srv.URL, tt.body)
			start := time.Now()
			got, err := func() (string, error) {
				resp, err := hc.Do(req)
				if err != nil {
					return "", err
				}
				defer resp.Body.Close()
				var b [1]byte
				n, err := resp.Body.Read(b[:])
				if err != nil {
					return "", err
				}
				time.Sleep(tt.pause)
				rest, err := io.ReadAll(resp.Body)
				return string(b[:n]) + string(rest), err
			}()
			took := time.Since(start)
			if !tt.wantIdle {
				if err != nil || got != tt.want {
					t.Fatalf("got %q, %v; want %q", got, err, tt.want)
				}
				return
			}
			var ie *IdleTimeoutError
			if !errors.As(err, &ie) {
				t.Fatalf("got %q, %v; want an idle timeout", got, err)
			}
			if msg := "no data from the server for 1s (http_idle_timeout)"; !strings.HasSuffix(err.Error(), msg) {
				t.Errorf("error %q does not end with %q", err, msg)
			}
			var ne net.Error
			if !errors.As(err, &ne) || !ne.Timeout() {
				t.Errorf("%v is not a net.Error timeout, so it would not be retried", err)
			}
			// generous: a loaded machine may be late, never early
			if took < idle || took > idle+3*time.Second {
				t.Errorf("gave up after %s, want about %s", took, idle)
			}
		})
	}
}

// trickle is a request body that gives one byte of s every so often.
type trickle struct {
	s     string
	every time.Duration
}

func (tr *trickle) Read(p []byte) (int, error) {
	if tr.s == "" {
		return 0, io.EOF
	}
	time.Sleep(tr.every)
	p[0] = tr.s[0]
	tr.s = tr.s[1:]
	return 1, nil
}
