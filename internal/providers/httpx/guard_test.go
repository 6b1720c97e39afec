package httpx

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestGuardKey follows a redirect to another origin (the same host on
// another port) and checks the key headers were left behind, Authorization
// among them, while a same-origin redirect keeps them.
func TestGuardKey(t *testing.T) {
	var seen []http.Header
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, r.Header.Clone())
	}))
	defer other.Close()
	home := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/away":
			http.Redirect(w, r, other.URL+"/x", http.StatusTemporaryRedirect)
		case "/stay":
			http.Redirect(w, r, "/here", http.StatusTemporaryRedirect)
		default:
			seen = append(seen, r.Header.Clone())
		}
	}))
	defer home.Close()
	hc := GuardKey(home.Client(), "Gateway-Key")
	for _, path := range []string{"/away", "/stay"} {
		req, _ := http.NewRequest(http.MethodGet, home.URL+path, nil)
		req.Header.Set("Api-Key", "k1")
		req.Header.Set("X-Goog-Api-Key", "k2")
		req.Header.Set("X-Api-Key", "k3")
		req.Header.Set("Authorization", "Bearer k4")
		req.Header.Set("Gateway-Key", "k5")
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	if len(seen) != 2 {
		t.Fatalf("%d requests arrived, want 2", len(seen))
	}
	for _, h := range []string{"Api-Key", "X-Goog-Api-Key", "X-Api-Key", "Authorization", "Gateway-Key"} {
		if v := seen[0].Get(h); v != "" {
			t.Errorf("a redirect to another origin carried %s", h)
		}
		if seen[1].Get(h) == "" {
			t.Errorf("a same-origin redirect lost %s", h)
		}
	}
}
