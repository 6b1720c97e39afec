package objstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// GCS is a Store on Google Cloud Storage through its JSON API
// (https://cloud.google.com/storage/docs/json_api/v1/objects), over an
// HTTP client that authorizes every request (an oauth2 client: see
// internal/gcpcfg). Uploads are multipart uploads
// (uploadType=multipart: the object's metadata and its bytes in one
// multipart/related request, streamed, never the whole file in memory;
// https://cloud.google.com/storage/docs/uploading-objects#uploading-an-object
// and .../performing-resumable-uploads for the alternative not used here).
type GCS struct {
	http     *http.Client
	endpoint string // https://storage.googleapis.com or an emulator's root
}

// GCSEndpoint is Cloud Storage's JSON API host.
const GCSEndpoint = "https://storage.googleapis.com"

// GCSEmulatorEnv names the variable that points Cloud Storage calls at an
// emulator: host:port or a URL, as Google's storage clients read it
// (cloud.google.com/go/storage, STORAGE_EMULATOR_HOST).
const GCSEmulatorEnv = "STORAGE_EMULATOR_HOST"

// GCSEndpointFrom is the endpoint an emulator variable's value names, or
// GCSEndpoint when it is empty. A bare host:port is reached over http.
func GCSEndpointFrom(emulatorHost string) string {
	switch {
	case emulatorHost == "":
		return GCSEndpoint
	case strings.Contains(emulatorHost, "://"):
		return strings.TrimSuffix(emulatorHost, "/")
	}
	return "http://" + strings.TrimSuffix(emulatorHost, "/")
}

// NewGCS returns a Store on the Cloud Storage JSON API at endpoint, sending
// its requests with hc, which authorizes them.
func NewGCS(hc *http.Client, endpoint string) *GCS {
	return &GCS{http: hc, endpoint: strings.TrimSuffix(endpoint, "/")}
}

// HTTPError is an answer of the storage service that is not a success:
// its status and what its error body says.
type HTTPError struct {
	Op         string
	StatusCode int
	Reason     string // the first error's reason (rateLimitExceeded, notFound...)
	Message    string
	RetryAfter time.Duration
}

func (e *HTTPError) Error() string {
	return fmt.Sprintf("%s: %d %s: %s", e.Op, e.StatusCode, http.StatusText(e.StatusCode), e.Message)
}

// objectPath is the path of an object's resource: its name is one path
// segment, "/" escaped (objects/get: "object: URL-encoded name").
func objectPath(u URL) string {
	return "/storage/v1/b/" + url.PathEscape(u.Bucket) + "/o/" + url.PathEscape(u.Key)
}

// Put uploads r to u in one multipart/related request: a JSON part naming
// the object, then its bytes. With size known the request has a length;
// otherwise it is sent chunked.
func (g *GCS) Put(ctx context.Context, u URL, r io.Reader, size int64) error {
	op := "upload to " + u.String()
	meta, err := json.Marshal(map[string]string{"name": u.Key, "contentType": "application/jsonl"})
	if err != nil {
		return err
	}
	body, contentType, length := multipartBody(meta, r, size)
	target := g.endpoint + "/upload/storage/v1/b/" + url.PathEscape(u.Bucket) + "/o?uploadType=multipart"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", contentType)
	req.ContentLength = length
	resp, err := g.do(op, req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// multipartBody streams the multipart/related body of an upload through a
// pipe; its length is -1 unless size is known.
func multipartBody(meta []byte, r io.Reader, size int64) (io.Reader, string, int64) {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	contentType := "multipart/related; boundary=" + mw.Boundary()
	length := int64(-1)
	if size >= 0 {
		length = multipartOverhead(mw.Boundary(), meta) + size
	}
	go func() {
		pw.CloseWithError(writeParts(mw, meta, r))
	}()
	return pr, contentType, length
}

// writeParts writes the metadata part, then the data part, then the
// closing boundary.
func writeParts(mw *multipart.Writer, meta []byte, r io.Reader) error {
	w, err := mw.CreatePart(textproto.MIMEHeader{"Content-Type": {"application/json; charset=UTF-8"}})
	if err != nil {
		return err
	}
	if _, err := w.Write(meta); err != nil {
		return err
	}
	if w, err = mw.CreatePart(textproto.MIMEHeader{"Content-Type": {"application/jsonl"}}); err != nil {
		return err
	}
	if _, err := io.Copy(w, r); err != nil {
		return err
	}
	return mw.Close()
}

// multipartOverhead is the length of what writeParts writes around the
// data: it writes the same parts over an empty data part and counts.
func multipartOverhead(boundary string, meta []byte) int64 {
	var n countWriter
	mw := multipart.NewWriter(&n)
	mw.SetBoundary(boundary)
	writeParts(mw, meta, strings.NewReader(""))
	return int64(n)
}

type countWriter int64

func (c *countWriter) Write(p []byte) (int, error) { *c += countWriter(len(p)); return len(p), nil }

// gcsObject is what List reads of an object resource
// (https://cloud.google.com/storage/docs/json_api/v1/objects#resource:
// size is a uint64 sent as a string, updated an RFC 3339 time).
type gcsObject struct {
	Name    string    `json:"name"`
	Size    string    `json:"size"`
	Updated time.Time `json:"updated"`
}

// List lists the objects whose names start with u.Key, a page at a time
// (objects/list: items, nextPageToken).
func (g *GCS) List(ctx context.Context, u URL, fn func(Object) error) error {
	op := "list " + u.String()
	token := ""
	for {
		q := url.Values{"prefix": {u.Key}, "fields": {"items(name,size,updated),nextPageToken"}}
		if token != "" {
			q.Set("pageToken", token)
		}
		var page struct {
			Items         []gcsObject `json:"items"`
			NextPageToken string      `json:"nextPageToken"`
		}
		if err := g.getJSON(ctx, op, "/storage/v1/b/"+url.PathEscape(u.Bucket)+"/o?"+q.Encode(), &page); err != nil {
			return err
		}
		for _, o := range page.Items {
			size, _ := strconv.ParseInt(o.Size, 10, 64)
			obj := Object{URL: URL{Scheme: u.Scheme, Bucket: u.Bucket, Key: o.Name}, Size: size, Modified: o.Updated}
			if err := fn(obj); errors.Is(err, ErrStop) {
				return nil
			} else if err != nil {
				return err
			}
		}
		if page.NextPageToken == "" {
			return nil
		}
		token = page.NextPageToken
	}
}

// getJSON decodes the answer to a GET of path.
func (g *GCS) getJSON(ctx context.Context, op, path string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, g.endpoint+path, nil)
	if err != nil {
		return err
	}
	resp, err := g.do(op, req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		return fmt.Errorf("%s: reading the answer: %w", op, err)
	}
	return nil
}

// Get opens the object's bytes (objects/get with alt=media).
func (g *GCS) Get(ctx context.Context, u URL) (io.ReadCloser, error) {
	op := "get " + u.String()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, g.endpoint+objectPath(u)+"?alt=media", nil)
	if err != nil {
		return nil, err
	}
	resp, err := g.do(op, req)
	var he *HTTPError
	if errors.As(err, &he) && he.StatusCode == http.StatusNotFound {
		return nil, fmt.Errorf("%s: %w", op, ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	return resp.Body, nil
}

// Delete removes the object; a 404 means it is gone already.
func (g *GCS) Delete(ctx context.Context, u URL) error {
	op := "delete " + u.String()
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, g.endpoint+objectPath(u), nil)
	if err != nil {
		return err
	}
	resp, err := g.do(op, req)
	var he *HTTPError
	if errors.As(err, &he) && he.StatusCode == http.StatusNotFound {
		return nil
	}
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// do sends req and returns its 2xx answer; any other is an *HTTPError.
func (g *GCS) do(op string, req *http.Request) (*http.Response, error) {
	resp, err := g.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		return resp, nil
	}
	defer resp.Body.Close()
	return nil, gcsError(op, resp)
}

// maxErrorBody bounds how much of an error answer is read.
const maxErrorBody = 1 << 20

// gcsError reads a JSON API error body,
// {"error":{"code":...,"message":...,"errors":[{"reason":...,...}]}}
// (https://cloud.google.com/storage/docs/json_api/v1/status-codes).
func gcsError(op string, resp *http.Response) *HTTPError {
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	e := &HTTPError{Op: op, StatusCode: resp.StatusCode, Message: strings.TrimSpace(string(raw))}
	if secs, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && secs > 0 {
		e.RetryAfter = time.Duration(secs) * time.Second
	}
	var body struct {
		Error *struct {
			Message string `json:"message"`
			Errors  []struct {
				Reason string `json:"reason"`
			} `json:"errors"`
		} `json:"error"`
	}
	if json.Unmarshal(raw, &body) == nil && body.Error != nil {
		e.Message = body.Error.Message
		if len(body.Error.Errors) > 0 {
			e.Reason = body.Error.Errors[0].Reason
		}
	}
	return e
}
