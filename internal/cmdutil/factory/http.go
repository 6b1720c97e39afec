package factory

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/batchctl/batchctl/internal/iostreams"
	"github.com/batchctl/batchctl/internal/providers/httpx"
)

// newHTTPClient is the one client every provider shares. It sets the
// User-Agent and, with BATCHCTL_DEBUG=api, logs each exchange to stderr
// (method, URL, status, duration to the answer's last byte; never headers,
// so never a key). An
// exchange that moves no data for idle ends (httpx.IdleTimeout): that bounds
// the wait for an answer's headers as well as a stalled body.
func newHTTPClient(version string, debug bool, ios *iostreams.IOStreams, idle time.Duration) *http.Client {
	base := &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		DialContext:         (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout: 15 * time.Second,
		IdleConnTimeout:     90 * time.Second,
		MaxIdleConnsPerHost: 4,
		ForceAttemptHTTP2:   true,
	}
	var rt http.RoundTripper = &userAgent{next: httpx.IdleTimeout(base, idle), ua: "batchctl/" + version}
	if debug {
		rt = &debugLog{next: rt, ios: ios}
	}
	return &http.Client{Transport: rt}
}

type userAgent struct {
	next http.RoundTripper
	ua   string
}

func (t *userAgent) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Header.Get("User-Agent") == "" {
		req = req.Clone(req.Context())
		req.Header.Set("User-Agent", t.ua)
	}
	return t.next.RoundTrip(req)
}

type debugLog struct {
	next http.RoundTripper
	ios  *iostreams.IOStreams
}

func (t *debugLog) RoundTrip(req *http.Request) (*http.Response, error) {
	start := time.Now()
	u := *req.URL
	u.RawQuery = redactQuery(u.Query())
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		elapsed := time.Since(start).Round(time.Millisecond)
		fmt.Fprintf(t.ios.ErrOut, "* %s %s: %v (%s)\n", req.Method, u.String(), err, elapsed)
		return nil, err
	}
	resp.Body = &loggedBody{ReadCloser: resp.Body, log: func() {
		elapsed := time.Since(start).Round(time.Millisecond)
		fmt.Fprintf(t.ios.ErrOut, "* %s %s -> %s (%s)\n", req.Method, u.String(), resp.Status, elapsed)
	}}
	return resp, nil
}

// loggedBody logs its exchange once the answer is read and closed, so that
// the time logged is the whole exchange's: sending the request, and
// receiving the answer to its last byte, as curl's time_total counts it.
type loggedBody struct {
	io.ReadCloser
	log  func()
	once sync.Once
}

func (b *loggedBody) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(b.log)
	return err
}

// redactQuery hides query parameters that carry keys (Gemini's ?key=).
func redactQuery(q url.Values) string {
	for k := range q {
		if k == "key" || k == "api_key" {
			q.Set(k, "REDACTED")
		}
	}
	return q.Encode()
}
