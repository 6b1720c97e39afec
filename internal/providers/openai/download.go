package openai

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/batchctl/batchctl/internal/providers"
)

// Download streams b's output file, then its error file, to w. Files the
// batch does not have are skipped; a file whose last line lacks its
// newline gets one.
func (c *Client) Download(ctx context.Context, b *providers.Batch, w io.Writer) error {
	files := []struct{ op, id string }{
		{"download output file", b.OutputFileID},
		{"download error file", b.ErrorFileID},
	}
	for _, f := range files {
		if f.id == "" {
			continue
		}
		if err := c.downloadFile(ctx, f.op, f.id, w); err != nil {
			return err
		}
	}
	return nil
}

// downloadFile streams one file's content to w, ending it with '\n'.
func (c *Client) downloadFile(ctx context.Context, op, fileID string, w io.Writer) error {
	req, err := c.newRequest(ctx, http.MethodGet, "/files/"+url.PathEscape(fileID)+"/content", nil)
	if err != nil {
		return fmt.Errorf("%s %s: %w", op, fileID, err)
	}
	resp, err := c.do(op+" "+fileID, req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	lw := &lastByteWriter{w: w}
	if _, err := io.Copy(lw, resp.Body); err != nil {
		return fmt.Errorf("%s %s: %w", op, fileID, err)
	}
	if lw.n > 0 && lw.last != '\n' {
		if _, err := w.Write([]byte{'\n'}); err != nil {
			return fmt.Errorf("%s %s: %w", op, fileID, err)
		}
	}
	return nil
}

// lastByteWriter passes writes through and remembers the last byte written.
type lastByteWriter struct {
	w    io.Writer
	n    int64
	last byte
}

func (lw *lastByteWriter) Write(p []byte) (int, error) {
	n, err := lw.w.Write(p)
	if n > 0 {
		lw.n += int64(n)
		lw.last = p[n-1]
	}
	return n, err
}
