package core

import (
	"net/http"
	"os"
	"time"
)

// ServeFile answers r with the bytes of the file at path (a stored file's
// content), sent as contentType; http.ServeContent handles Range requests.
func ServeFile(w http.ResponseWriter, r *http.Request, path, contentType string) error {
	content, err := os.Open(path)
	if err != nil {
		return err
	}
	defer content.Close()
	w.Header().Set("Content-Type", contentType)
	http.ServeContent(w, r, "", time.Time{}, content)
	return nil
}
