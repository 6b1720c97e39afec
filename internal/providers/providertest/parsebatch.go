package providertest

import (
	"bytes"
	"testing"

	"github.com/batchctl/batchctl/internal/providers"
)

// FuzzParseBatch fuzzes parse, a provider's parser of its batch object,
// starting from seeds: on any input it must not panic, and it must return
// either an error or a batch with an ID, a status and the provider's
// status, coming through provider, whose Raw is a copy of the input.
func FuzzParseBatch(f *testing.F, provider string, parse func(provider string, raw []byte) (*providers.Batch, error), seeds ...string) {
	for _, seed := range seeds {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		b, err := parse(provider, raw)
		switch {
		case err != nil && b != nil:
			t.Fatalf("parse %q: both a batch and error %v", raw, err)
		case err != nil:
			return
		case b == nil:
			t.Fatalf("parse %q: neither a batch nor an error", raw)
		case b.ID == "" || b.Status == "" || b.ProviderStatus == "":
			t.Fatalf("parse %q: ID %q, Status %q, ProviderStatus %q; want all set", raw, b.ID, b.Status, b.ProviderStatus)
		case b.Provider != provider:
			t.Fatalf("parse %q: Provider %q, want %q", raw, b.Provider, provider)
		case !bytes.Equal(b.Raw, raw) || len(raw) > 0 && &b.Raw[0] == &raw[0]:
			t.Fatalf("parse %q: Raw %q is not a copy of the input", raw, b.Raw)
		}
	})
}
