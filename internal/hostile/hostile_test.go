package hostile

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/batchctl/batchctl/internal/emulator"
)

func TestOnPathAnswersOnlyItsPath(t *testing.T) {
	s := Start(t, emulator.Options{}, OnPath("GET /v1/batches/{id}", func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		io.WriteString(w, "tampered "+r.PathValue("id"))
	}))
	get := func(path string) string {
		req, _ := http.NewRequest("GET", s.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+s.Key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	if got := get("/v1/batches/b1"); got != "tampered b1" {
		t.Errorf("tampered path answered %q", got)
	}
	if got := get("/v1/batches"); !strings.Contains(got, `"object":"list"`) {
		t.Errorf("the emulator did not answer the other path: %q", got)
	}
}
