package providertest

import (
	"testing"

	"github.com/batchctl/batchctl/internal/providers"
)

// CheckAliasing checks that a's NormalizeAliasing reads line as a's
// Normalize does: the same error, or a result written as the same bytes.
func CheckAliasing(t *testing.T, p providers.Provider, line []byte) {
	t.Helper()
	a, ok := p.(providers.AliasingNormalizer)
	if !ok {
		t.Fatalf("%T has no NormalizeAliasing", p)
	}
	want, wantErr := p.Normalize(line)
	got, err := a.NormalizeAliasing(line)
	if errText(err) != errText(wantErr) {
		t.Fatalf("NormalizeAliasing(%q): error %v, Normalize's %v", line, err, wantErr)
	}
	if g, w := got.AppendJSON(nil), want.AppendJSON(nil); string(g) != string(w) {
		t.Fatalf("NormalizeAliasing(%q) writes\n%s\nNormalize\n%s", line, g, w)
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
