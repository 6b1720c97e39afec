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
	op += " " + fileID
	req, err := c.api.NewRequest(ctx, http.MethodGet, c.base+"/files/"+url.PathEscape(fileID)+"/content", nil)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return c.api.Download(op, req, w)
}
