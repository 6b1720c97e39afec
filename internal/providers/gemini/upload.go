package gemini

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/providers/httpx"
)

// The resumable upload protocol's headers.
const (
	uploadProtocolHeader = "X-Goog-Upload-Protocol"
	uploadCommandHeader  = "X-Goog-Upload-Command"
	uploadOffsetHeader   = "X-Goog-Upload-Offset"
	uploadURLHeader      = "X-Goog-Upload-Url"
	uploadStatusHeader   = "X-Goog-Upload-Status"
	uploadReceivedHeader = "X-Goog-Upload-Size-Received"
)

// maxUploadAttempts bounds the attempts at an upload that makes no
// progress: after a chunk fails, the upload resumes from the offset the
// server reports, and gives up after this many failures in a row at the
// same offset.
const maxUploadAttempts = 3

// inputMIMEType is the type of a batch input file.
const inputMIMEType = "application/jsonl"

// upload sends req's input to the Files API with the resumable protocol
// and returns the new file's name ("files/...").
func (c *Client) upload(ctx context.Context, batchName string, req providers.SubmitRequest) (string, error) {
	const op = "upload input"
	name := req.Filename
	if name == "" {
		name = batchName
	}
	session, err := c.startUpload(ctx, op, name, req.Size)
	if err != nil {
		return "", err
	}
	up := &resumableUpload{c: c, op: op, url: session, open: req.Open, size: req.Size}
	return up.run(ctx)
}

// startUpload opens an upload session for a file of size bytes and returns
// its URL.
func (c *Client) startUpload(ctx context.Context, op, name string, size int64) (string, error) {
	body, err := json.Marshal(map[string]map[string]string{"file": {"display_name": name}})
	if err != nil {
		return "", fmt.Errorf("%s: %w", op, err)
	}
	req, err := c.api.NewRequest(ctx, http.MethodPost, c.base+"/upload"+apiVersion+"/files", bytes.NewReader(body))
	if err != nil {
		return "", fmt.Errorf("%s: %w", op, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(uploadProtocolHeader, "resumable")
	req.Header.Set(uploadCommandHeader, "start")
	req.Header.Set("X-Goog-Upload-Header-Content-Length", strconv.FormatInt(size, 10))
	req.Header.Set("X-Goog-Upload-Header-Content-Type", inputMIMEType)
	resp, err := c.api.Do(op, req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, httpx.MaxErrorBody))
	session := resp.Header.Get(uploadURLHeader)
	if session == "" {
		return "", fmt.Errorf("%s: the answer to starting the upload has no %s header", op, uploadURLHeader)
	}
	return session, nil
}

// resumableUpload sends a file in chunks to an upload session.
type resumableUpload struct {
	c    *Client
	op   string
	url  string
	open func() (io.ReadCloser, error)
	size int64
}

// run sends the file from offset 0 and returns its name. When a chunk
// fails it asks the server how much it has and resumes from there,
// reopening the input.
func (u *resumableUpload) run(ctx context.Context) (string, error) {
	var offset int64
	stalled := 0
	for {
		name, err := u.sendFrom(ctx, offset)
		if err == nil {
			return name, nil
		}
		if ctx.Err() != nil || !resumable(err) {
			return "", err
		}
		final, name, next, qerr := u.query(ctx, err)
		if qerr != nil || final {
			return name, qerr
		}
		if next > offset {
			stalled = 0
		} else if stalled++; stalled >= maxUploadAttempts {
			return "", err
		}
		offset = next
	}
}

// sendFrom sends the input in chunks starting at offset until the upload
// is finalized, and returns the file's name.
func (u *resumableUpload) sendFrom(ctx context.Context, offset int64) (string, error) {
	in, err := u.openAt(offset)
	if err != nil {
		return "", fmt.Errorf("%s: %w", u.op, err)
	}
	defer in.Close()
	for {
		n := min(u.c.cfg.ChunkSize, u.size-offset)
		final := offset+n == u.size
		command := "upload"
		if final {
			command = "upload, finalize"
		}
		var body io.Reader = http.NoBody
		if n > 0 {
			body = &chunkReader{r: in, left: n, final: final}
		}
		resp, err := u.send(ctx, command, offset, body, n)
		if err != nil {
			return "", err
		}
		if final {
			defer resp.Body.Close()
			return u.fileName(resp)
		}
		resp.Body.Close()
		offset += n
	}
}

// openAt opens the input and skips to offset.
func (u *resumableUpload) openAt(offset int64) (io.ReadCloser, error) {
	in, err := u.open()
	if err != nil {
		return nil, fmt.Errorf("open input: %w", err)
	}
	if offset == 0 {
		return in, nil
	}
	if s, ok := in.(io.Seeker); ok {
		_, err = s.Seek(offset, io.SeekStart)
	} else {
		_, err = io.CopyN(io.Discard, in, offset)
	}
	if err != nil {
		in.Close()
		return nil, fmt.Errorf("skip to offset %d of the input: %w", offset, err)
	}
	return in, nil
}

// send posts one command to the upload session.
func (u *resumableUpload) send(ctx context.Context, command string, offset int64, body io.Reader, n int64) (*http.Response, error) {
	req, err := u.c.api.NewRequest(ctx, http.MethodPost, u.url, body)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", u.op, err)
	}
	req.ContentLength = n
	req.Header.Set(uploadCommandHeader, command)
	if body != nil {
		req.Header.Set(uploadOffsetHeader, strconv.FormatInt(offset, 10))
	}
	return u.c.api.Do(fmt.Sprintf("%s at offset %d", u.op, offset), req)
}

// query asks the server how many bytes it has, after cause made a chunk
// fail. It returns the offset to resume from, or the file's name when the
// upload turns out to be finalized already.
func (u *resumableUpload) query(ctx context.Context, cause error) (final bool, name string, offset int64, err error) {
	resp, err := u.send(ctx, "query", 0, nil, 0)
	if err != nil {
		return false, "", 0, fmt.Errorf("%w; querying the upload failed too: %w", cause, err)
	}
	defer resp.Body.Close()
	if resp.Header.Get(uploadStatusHeader) == "final" {
		name, err := u.fileName(resp)
		return true, name, u.size, err
	}
	received := resp.Header.Get(uploadReceivedHeader)
	offset, perr := strconv.ParseInt(received, 10, 64)
	if perr != nil || offset < 0 || offset > u.size {
		return false, "", 0, fmt.Errorf("%w; querying the upload gave an invalid %s %q", cause, uploadReceivedHeader, received)
	}
	return false, "", offset, nil
}

// fileName reads the file's name from the answer that finalized the upload,
// {"file":{"name":"files/...",...}}.
func (u *resumableUpload) fileName(resp *http.Response) (string, error) {
	raw, err := u.c.api.ReadBody(u.op, resp.Body)
	if err != nil {
		return "", err
	}
	if status := resp.Header.Get(uploadStatusHeader); status != "" && status != "final" {
		return "", fmt.Errorf("%s: upload status %q after finalizing, want final", u.op, status)
	}
	var answer struct {
		File struct {
			Name string `json:"name"`
		} `json:"file"`
	}
	if err := json.Unmarshal(raw, &answer); err != nil {
		return "", fmt.Errorf("%s: parse response: %w", u.op, err)
	}
	if answer.File.Name == "" {
		return "", fmt.Errorf("%s: response has no file name", u.op)
	}
	return answer.File.Name, nil
}

// resumable reports whether an upload may resume after err: a network
// failure, a timeout, a rate limit or a server error.
func resumable(err error) bool {
	var he *providers.HTTPError
	if !errors.As(err, &he) {
		return true
	}
	return he.StatusCode == http.StatusRequestTimeout || he.StatusCode == http.StatusTooManyRequests || he.StatusCode >= 500
}

// chunkReader reads the next left bytes of r, failing when r ends first;
// on the final chunk it also fails when r has more.
type chunkReader struct {
	r     io.Reader
	left  int64
	final bool
	probe [1]byte
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if c.left == 0 {
		if c.final {
			if n, _ := c.r.Read(c.probe[:]); n > 0 {
				return 0, errors.New("input is longer than its declared size")
			}
		}
		return 0, io.EOF
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	if errors.Is(err, io.EOF) {
		if c.left > 0 {
			return n, errors.New("input is shorter than its declared size")
		}
		err = nil
	}
	return n, err
}
