package hostile

import (
	"bytes"
	"net/http"
	"net/http/httptest"
)

// batchPath is where the OpenAI protocol serves a batch's state.
const batchPath = "GET /v1/batches/{id}"

// BatchStatus serves every OpenAI batch with status in place of its own.
func BatchStatus(status string) Tamper {
	return rewriteBatch(func(v map[string]any) { v["status"] = status })
}

// BatchCounts serves every OpenAI batch with these request counts in
// place of its own.
func BatchCounts(total, completed, failed int64) Tamper {
	return rewriteBatch(func(v map[string]any) {
		v["request_counts"] = map[string]any{"total": total, "completed": completed, "failed": failed}
	})
}

// rewriteBatch serves the emulator's OpenAI batch as f changes it.
func rewriteBatch(f func(map[string]any)) Tamper {
	return OnPath(batchPath, func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		if rec.Code != http.StatusOK {
			copyResponse(w, rec)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(edit(bytes.TrimSpace(rec.Body.Bytes()), f))
	})
}
