package httpx

import (
	"net/http"
	"slices"
	"testing"
)

func TestCredentials(t *testing.T) {
	tests := []struct {
		name   string
		creds  Credentials
		url    string
		header string
		want   string // the header's value; "" for not set
	}{
		{"bearer", Bearer("k"), "https://api.example.com/v1/x", "Authorization", "Bearer k"},
		{"key", Key("X-Api-Key", "k"), "https://api.example.com/v1/x", "X-Api-Key", "k"},
		{"home", HomeOnly("https://api.example.com", Key("X-Goog-Api-Key", "k")), "https://api.example.com/v1/x", "X-Goog-Api-Key", "k"},
		{"away", HomeOnly("https://api.example.com", Key("X-Goog-Api-Key", "k")), "https://upload.example.com/x", "X-Goog-Api-Key", ""},
		{"no home", HomeOnly("://", Key("X-Goog-Api-Key", "k")), "https://api.example.com/v1/x", "X-Goog-Api-Key", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, tt.url, nil)
			if err := tt.creds.Apply(req); err != nil {
				t.Fatal(err)
			}
			if got := req.Header.Get(tt.header); got != tt.want {
				t.Errorf("%s = %q, want %q", tt.header, got, tt.want)
			}
			if !slices.Equal(tt.creds.Headers(), []string{tt.header}) || !slices.Equal(tt.creds.Secrets(), []string{"k"}) {
				t.Errorf("Headers %q, Secrets %q; want [%s], [k]", tt.creds.Headers(), tt.creds.Secrets(), tt.header)
			}
		})
	}
}

// TestNoKeyNoCredentials checks that an empty key is no credentials, so
// that NewRequest says the key is missing.
func TestNoKeyNoCredentials(t *testing.T) {
	for _, c := range []Credentials{Bearer(""), Key("Api-Key", ""), HomeOnly("https://x", Key("Api-Key", ""))} {
		if c != nil {
			t.Errorf("%#v, want nil", c)
		}
	}
}
