package openai

import (
	"context"

	"github.com/batchctl/batchctl/internal/providers"
)

// UploadInput uploads req's input to POST /files with purpose "batch" and
// returns the new file's id, for the APIs that take their batch input
// through an OpenAI-shaped Files API but create batches their own way
// (Mistral).
func (c *Client) UploadInput(ctx context.Context, req providers.SubmitRequest) (string, error) {
	if err := c.api.CheckKey(); err != nil {
		return "", err
	}
	return c.upload(ctx, req)
}
