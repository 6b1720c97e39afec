package httpx

import (
	"io"
	"strings"
	"testing"
)

func TestBounded(t *testing.T) {
	tests := []struct {
		name, body, wantErr string
	}{
		{"at the bound", "12345", ""},
		{"under it", "12", ""},
		{"over it", "123456", "download results: response is larger than 5 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &Client{MaxBody: 5}
			got, err := io.ReadAll(c.Bounded("download results", strings.NewReader(tt.body)))
			switch {
			case tt.wantErr == "" && (err != nil || string(got) != tt.body):
				t.Errorf("read %q, %v; want %q", got, err, tt.body)
			case tt.wantErr != "" && (err == nil || err.Error() != tt.wantErr):
				t.Errorf("error %v, want %q", err, tt.wantErr)
			}
		})
	}
}
