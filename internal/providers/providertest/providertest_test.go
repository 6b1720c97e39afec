package providertest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/batchctl/batchctl/internal/providers"
)

func TestHarnessCheck(t *testing.T) {
	valid := Harness{
		New:       func(*testing.T, string, string) providers.Provider { return nil },
		Lines:     func([]Request) []byte { return nil },
		Model:     "m",
		Lifecycle: []providers.Status{providers.StatusInProgress, providers.StatusCompleted},
	}
	tests := []struct {
		name   string
		change func(*Harness)
		want   string // "" for valid
	}{
		{"valid", func(*Harness) {}, ""},
		{"no New", func(h *Harness) { h.New = nil }, "no New"},
		{"no Lines", func(h *Harness) { h.Lines = nil }, "no Lines"},
		{"no model", func(h *Harness) { h.Model = "" }, "no Model"},
		{"no lifecycle", func(h *Harness) { h.Lifecycle = nil }, "Lifecycle [] does not end in completed"},
		{"lifecycle not ending completed", func(h *Harness) { h.Lifecycle = h.Lifecycle[:1] }, "Lifecycle [in_progress] does not end in completed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := valid
			tt.change(&h)
			err := h.check()
			if got := errString(err); got != tt.want {
				t.Errorf("check() = %q, want %q", got, tt.want)
			}
		})
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestSameWaits(t *testing.T) {
	tests := []struct {
		waits, want []time.Duration
		same        bool
	}{
		{nil, nil, true},
		{[]time.Duration{time.Second}, []time.Duration{time.Second}, true},
		{[]time.Duration{time.Second}, []time.Duration{2 * time.Second}, false},
		{[]time.Duration{3 * time.Millisecond}, []time.Duration{-1}, true},
		{[]time.Duration{0}, []time.Duration{-1}, false},
		{[]time.Duration{time.Second}, []time.Duration{time.Second, time.Second}, false},
	}
	for _, tt := range tests {
		if got := sameWaits(tt.waits, tt.want); got != tt.same {
			t.Errorf("sameWaits(%v, %v) = %v, want %v", tt.waits, tt.want, got, tt.same)
		}
	}
}

func TestFrontendCapsPageSize(t *testing.T) {
	var query string
	f := &frontend{pageParam: "limit", next: http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { query = r.URL.RawQuery })}
	tests := []struct {
		method, target, want string
		pages                int
	}{
		{http.MethodGet, "/v1/batches?after=b_1&limit=100", "after=b_1&limit=2", 1},
		{http.MethodGet, "/v1/batches?limit=1", "limit=1", 1},
		{http.MethodGet, "/v1/batches", "", 0},
		{http.MethodPost, "/v1/batches?limit=100", "limit=100", 0},
	}
	for _, tt := range tests {
		f.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(tt.method, tt.target, strings.NewReader("")))
		if query != tt.want {
			t.Errorf("%s %s reached the emulator as %q, want %q", tt.method, tt.target, query, tt.want)
		}
		if pages := f.listPages(); pages != tt.pages {
			t.Errorf("%s %s counted as %d list pages, want %d", tt.method, tt.target, pages, tt.pages)
		}
	}
}
