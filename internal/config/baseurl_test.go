package config

import (
	"strings"
	"testing"
)

func TestCheckBaseURL(t *testing.T) {
	tests := []struct {
		url, source, want string // want "" for no error
	}{
		{"https://api.openai.com/v1", "", ""},
		{"http://me:secret@127.0.0.1:8089/v1", "OPENAI_BASE_URL", ""},
		{"", "", `provider "p": no base URL`},
		{"myresource.openai.azure.com/openai/v1", "AZURE_OPENAI_ENDPOINT",
			"AZURE_OPENAI_ENDPOINT: base URL myresource.openai.azure.com/openai/v1: want an http:// or https:// URL"},
		{"ftp://example.com/v1", "providers.p.base_url", "providers.p.base_url: base URL ftp://example.com/v1: want an http:// or https:// URL"},
		{"https:///v1", "OPENAI_BASE_URL", "OPENAI_BASE_URL: base URL https:///v1 has no host"},
		{"https://x.example/v1?key=sk-secret", "GOOGLE_GEMINI_BASE_URL",
			"GOOGLE_GEMINI_BASE_URL: base URL https://x.example/v1?... has a query (?...): batchctl adds the API paths itself; remove it"},
		{"https://x.example/v1?", "OPENAI_BASE_URL",
			"OPENAI_BASE_URL: base URL https://x.example/v1?... has a query (?...): batchctl adds the API paths itself; remove it"},
		{"https://me:sk-secret@x.example/v1#frag", "OPENAI_BASE_URL", "OPENAI_BASE_URL: base URL https://x.example/v1?... has a fragment (#...); remove it"},
		{"https://x.example/%zz?key=sk-secret", "OPENAI_BASE_URL", "OPENAI_BASE_URL: base URL is not a URL"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			p := &Profile{Name: "p", Type: TypeOpenAI, BaseURL: tt.url, BaseURLSource: tt.source}
			err := p.CheckBaseURL()
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tt.want {
				t.Errorf("CheckBaseURL(%q) = %q, want %q", tt.url, got, tt.want)
			}
			if strings.Contains(got, "secret") {
				t.Errorf("the error repeats a secret: %q", got)
			}
		})
	}
}

func TestCheckBaseURLEmulator(t *testing.T) {
	p := &Profile{Name: "emulator", Type: TypeEmulator}
	if err := p.CheckBaseURL(); err != nil {
		t.Errorf("the embedded emulator needs no base URL: %v", err)
	}
}
