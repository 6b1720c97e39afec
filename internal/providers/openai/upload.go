package openai

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"

	"github.com/batchctl/batchctl/internal/providers"
)

// defaultFilename names an upload whose SubmitRequest names none; the
// Batch API wants a .jsonl file.
const defaultFilename = "input.jsonl"

// upload sends req's input to POST /files and returns the new file's id.
func (c *Client) upload(ctx context.Context, req providers.SubmitRequest) (string, error) {
	const op = "upload input"
	filename := req.Filename
	if filename == "" {
		filename = defaultFilename
	}
	form, err := newMultipartForm(filename)
	if err != nil {
		return "", fmt.Errorf("%s: %w", op, err)
	}
	body, err := form.open(req.Open, req.Size)
	if err != nil {
		return "", fmt.Errorf("%s: %w", op, err)
	}
	hreq, err := c.api.NewRequest(ctx, http.MethodPost, c.base+"/files", body)
	if err != nil {
		body.Close()
		return "", fmt.Errorf("%s: %w", op, err)
	}
	hreq.ContentLength = form.length(req.Size)
	hreq.GetBody = func() (io.ReadCloser, error) { return form.open(req.Open, req.Size) }
	hreq.Header.Set("Content-Type", form.contentType)
	raw, err := c.api.Send(op, hreq)
	if err != nil {
		return "", err
	}
	var file struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		return "", fmt.Errorf("%s: parse response: %w", op, err)
	}
	if file.ID == "" {
		return "", fmt.Errorf("%s: response has no file id", op)
	}
	return file.ID, nil
}

// multipartForm is the multipart/form-data body of POST /files, rendered
// around the input: only its head (the purpose field and the file part's
// header) and tail (the closing boundary) are held in memory, so the input
// itself is streamed and the body's length is known before sending.
type multipartForm struct {
	head, tail  []byte
	contentType string
}

// newMultipartForm renders the form for uploading a file named filename
// with purpose "batch".
func newMultipartForm(filename string) (*multipartForm, error) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if err := mw.WriteField("purpose", "batch"); err != nil {
		return nil, err
	}
	h := make(textproto.MIMEHeader)
	h.Set("Content-Disposition", multipart.FileContentDisposition("file", filename))
	h.Set("Content-Type", "application/jsonl")
	if _, err := mw.CreatePart(h); err != nil {
		return nil, err
	}
	head := bytes.Clone(buf.Bytes())
	buf.Reset()
	if err := mw.Close(); err != nil {
		return nil, err
	}
	return &multipartForm{
		head:        head,
		tail:        bytes.Clone(buf.Bytes()),
		contentType: mw.FormDataContentType(),
	}, nil
}

// length is the body's length for an input of size bytes.
func (f *multipartForm) length(size int64) int64 {
	return int64(len(f.head)) + size + int64(len(f.tail))
}

// open returns a fresh body over the input open returns, which must be
// exactly size bytes long.
func (f *multipartForm) open(open func() (io.ReadCloser, error), size int64) (io.ReadCloser, error) {
	in, err := open()
	if err != nil {
		return nil, fmt.Errorf("open input: %w", err)
	}
	return &formBody{
		Reader: io.MultiReader(bytes.NewReader(f.head), &exactReader{r: in, size: size}, bytes.NewReader(f.tail)),
		Closer: in,
	}, nil
}

// formBody reads the rendered form and closes the input.
type formBody struct {
	io.Reader
	io.Closer
}

// exactReader reads r, failing when it turns out shorter or longer than
// size, so a changed input can never be sent truncated or padded.
type exactReader struct {
	r     io.Reader
	size  int64
	read  int64
	probe [1]byte
}

func (e *exactReader) Read(p []byte) (int, error) {
	if e.read == e.size {
		n, err := e.r.Read(e.probe[:])
		if n > 0 {
			return 0, fmt.Errorf("input is longer than its declared %d bytes", e.size)
		}
		return 0, err
	}
	if left := e.size - e.read; int64(len(p)) > left {
		p = p[:left]
	}
	n, err := e.r.Read(p)
	e.read += int64(n)
	if errors.Is(err, io.EOF) && e.read < e.size {
		return n, fmt.Errorf("input ended after %d of its declared %d bytes", e.read, e.size)
	}
	return n, err
}
