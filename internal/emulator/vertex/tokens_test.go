package vertex

import (
	"errors"
	"net/http"
	"testing"
	"time"
)

// TestCheckBearer checks the tokens a call may carry: one the emulator
// issued that has not expired, and no other.
func TestCheckBearer(t *testing.T) {
	k, err := openKeys(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	other, err := openKeys(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, header string
		want         error
	}{
		{"valid", "Bearer " + k.token(time.Now().Add(time.Minute)), nil},
		{"expired", "Bearer " + k.token(time.Now().Add(-time.Second)), errBadToken},
		{"another emulator's", "Bearer " + other.token(time.Now().Add(time.Minute)), errBadToken},
		{"forged", "Bearer ya29.emulator.99999999999999999999.AAAA", errBadToken},
		{"not bearer", "Basic dXNlcjpwYXNz", errNoToken},
		{"none", "", errNoToken},
	}
	for _, tt := range tests {
		r, _ := http.NewRequest(http.MethodGet, "/", nil)
		if tt.header != "" {
			r.Header.Set("Authorization", tt.header)
		}
		if err := k.checkBearer(r); !errors.Is(err, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
	}
}
