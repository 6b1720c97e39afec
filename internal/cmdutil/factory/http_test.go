package factory

import (
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/batchctl/batchctl/internal/iostreams"
)

// TestDebugLogTimesTheWholeExchange checks that BATCHCTL_DEBUG=api logs an
// exchange once its answer has been read, with the time to its last byte
// (as curl's time_total), not to its headers.
func TestDebugLogTimesTheWholeExchange(t *testing.T) {
	const bodyDelay = 300 * time.Millisecond
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("first"))
		w.(http.Flusher).Flush()
		time.Sleep(bodyDelay)
		w.Write([]byte(" last"))
	}))
	defer srv.Close()
	ios, _, _, errOut := iostreams.Test()
	hc := newHTTPClient("test", true, ios, time.Minute)
	resp, err := hc.Get(srv.URL + "/v1/files?key=secret")
	if err != nil {
		t.Fatal(err)
	}
	if errOut.Len() != 0 {
		t.Fatalf("logged before the answer was read: %q", errOut.String())
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil || string(body) != "first last" {
		t.Fatalf("body %q, %v", body, err)
	}
	resp.Body.Close()
	resp.Body.Close() // logged once
	m := regexp.MustCompile(`^\* GET http://127\.0\.0\.1:\d+/v1/files\?key=REDACTED -> 200 OK \((\S+)\)\n$`).FindStringSubmatch(errOut.String())
	if m == nil {
		t.Fatalf("log %q", errOut.String())
	}
	if d, err := time.ParseDuration(m[1]); err != nil || d < bodyDelay {
		t.Errorf("logged %s, want at least the %s the body took", m[1], bodyDelay)
	}
	if strings.Contains(errOut.String(), "secret") {
		t.Error("the key is in the log")
	}
}
