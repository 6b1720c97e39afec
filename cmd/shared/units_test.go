package shared

import "testing"

func TestSize(t *testing.T) {
	for _, tt := range []struct{ got, want string }{
		{Size(1), "1 byte"},
		{Size(999), "999 bytes"},
		{Size(1000), "1.00 kB"},
		{Size(141_337), "141 kB"},
		{Size(12_345_678), "12.3 MB"},
		{Size(999_999_999), "1.00 GB"},
		{Size(200_000_000), "200 MB"},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}
