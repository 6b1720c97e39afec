package shared

import (
	"testing"

	"github.com/batchctl/batchctl/internal/providers"
)

func TestSizeAndCount(t *testing.T) {
	for _, tt := range []struct{ got, want string }{
		{Size(1), "1 byte"},
		{Size(999), "999 bytes"},
		{Size(1000), "1.00 kB"},
		{Size(141_337), "141 kB"},
		{Size(12_345_678), "12.3 MB"},
		{Size(999_999_999), "1.00 GB"},
		{Size(200_000_000), "200 MB"},
		{Count(9_999), "9999"},
		{Count(12_345), "12.3k (12,345)"},
		{Count(1_234_567), "1.23M (1,234,567)"},
		{Count(999_999), "1.00M (999,999)"},
		{Count(250_000_000), "250M (250,000,000)"},
		{Short(9_999), "9999"},
		{Short(12_345), "12.3k"},
		{Short(1_234_567), "1.23M"},
		{Tokens(&providers.Usage{InputTokens: 12_345, OutputTokens: 456}), "12.3k→456"},
		{Tokens(nil), "unknown"},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}
