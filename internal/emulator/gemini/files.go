package gemini

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"hash"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/batchctl/batchctl/internal/emulator/core"
)

const (
	// maxFileBytes is the largest file the Files API takes.
	maxFileBytes = 2 << 30
	// fileLifetime is how long files are kept (reported only; the
	// emulator never deletes them by itself).
	fileLifetime = 48 * time.Hour
	// maxStartBody bounds the body of an upload's start request.
	maxStartBody = 64 << 10
)

// fileRecord is a file as stored in ID.json; its bytes are in ID.data.
type fileRecord struct {
	ID          string    `json:"id"` // without "files/"
	DisplayName string    `json:"display_name,omitempty"`
	MIMEType    string    `json:"mime_type"`
	Size        int64     `json:"size"`
	SHA256      []byte    `json:"sha256"`
	Source      string    `json:"source"` // UPLOADED or GENERATED
	Created     time.Time `json:"created"`
}

func (g *API) filePath(id string) string    { return filepath.Join(g.files, id+".json") }
func (g *API) contentPath(id string) string { return filepath.Join(g.files, id+".data") }

// loadFile reads a file record; an unknown id gives a 404 error.
func (g *API) loadFile(id string) (*fileRecord, error) {
	notFound := errorf(http.StatusNotFound, "File files/%s was not found.", id)
	if !validID(id) {
		return nil, notFound
	}
	var f fileRecord
	if err := core.ReadJSONFile(g.filePath(id), &f); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, notFound
		}
		return nil, err
	}
	return &f, nil
}

// object returns the File as served at base (the request's scheme and host).
func (f *fileRecord) object(base string) FileObject {
	created := timestamp(f.Created)
	return FileObject{
		Name:           "files/" + f.ID,
		DisplayName:    f.DisplayName,
		MIMEType:       f.MIMEType,
		SizeBytes:      int64String(f.Size),
		CreateTime:     created,
		UpdateTime:     created,
		ExpirationTime: timestamp(f.Created.Add(fileLifetime)),
		SHA256Hash:     f.SHA256,
		URI:            base + apiPrefix + "files/" + f.ID,
		DownloadURI:    base + downloadPrefix + f.ID + ":download?alt=media",
		State:          "ACTIVE",
		Source:         f.Source,
	}
}

// requestBase is the scheme and host the request reached the server at.
func requestBase(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (g *API) getFile(id string) core.Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		f, err := g.loadFile(id)
		if err != nil {
			return err
		}
		core.WriteJSON(w, http.StatusOK, f.object(requestBase(r)))
		return nil
	}
}

func (g *API) deleteFile(id string) core.Handler {
	return func(w http.ResponseWriter, _ *http.Request) error {
		f, err := g.loadFile(id)
		if err != nil {
			return err
		}
		// The record goes first: a file is visible only while both exist.
		for _, path := range []string{g.filePath(f.ID), g.contentPath(f.ID)} {
			if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
		}
		core.WriteJSON(w, http.StatusOK, struct{}{})
		return nil
	}
}

// download serves a file's bytes; it needs alt=media.
func (g *API) download(id string) core.Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		if alt := r.URL.Query().Get("alt"); alt != "media" {
			return errorf(http.StatusBadRequest, "Invalid value at 'alt' (%q): downloads need alt=media.", alt)
		}
		f, err := g.loadFile(id)
		if err != nil {
			return err
		}
		return core.ServeFile(w, r, g.contentPath(f.ID), f.MIMEType)
	}
}

// The resumable upload protocol's headers.
const (
	UploadCommand  = "X-Goog-Upload-Command"
	UploadOffset   = "X-Goog-Upload-Offset"
	UploadStatus   = "X-Goog-Upload-Status"
	UploadReceived = "X-Goog-Upload-Size-Received"
)

// upload is an upload session as stored in ID.json; the bytes
// received so far are in ID.part.
type upload struct {
	ID          string    `json:"id"`
	DisplayName string    `json:"display_name,omitempty"`
	MIMEType    string    `json:"mime_type"`
	Size        int64     `json:"size"` // declared; -1 when not
	Created     time.Time `json:"created"`
	// File is the id of the file the finalized upload made.
	File string `json:"file,omitempty"`
}

func (g *API) uploadPath(id, ext string) string { return filepath.Join(g.uploads, id+ext) }

// startUpload answers POST /upload/v1beta/files with X-Goog-Upload-Protocol:
// resumable and X-Goog-Upload-Command: start: it opens a session and
// returns its URL in X-Goog-Upload-URL. The file's MIME type is
// X-Goog-Upload-Header-Content-Type, else the body's file.mimeType.
func (g *API) startUpload(w http.ResponseWriter, r *http.Request) error {
	if p := r.Header.Get("X-Goog-Upload-Protocol"); p != "resumable" {
		return errorf(http.StatusBadRequest, "Unsupported upload protocol %q: the emulator supports X-Goog-Upload-Protocol: resumable.", p)
	}
	if c := r.Header.Get(UploadCommand); c != "start" {
		return errorf(http.StatusBadRequest, "Invalid X-Goog-Upload-Command %q: a new upload needs start.", c)
	}
	up := &upload{ID: newID(), MIMEType: r.Header.Get("X-Goog-Upload-Header-Content-Type"), Size: -1, Created: g.host.Clock()}
	if s := r.Header.Get("X-Goog-Upload-Header-Content-Length"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 || n > maxFileBytes {
			return errorf(http.StatusBadRequest, "Invalid X-Goog-Upload-Header-Content-Length %q: expected a size up to %d bytes.", s, int64(maxFileBytes))
		}
		up.Size = n
	}
	var body struct {
		File map[string]json.RawMessage `json:"file"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxStartBody)).Decode(&body); err != nil && !errors.Is(err, io.EOF) {
		return errorf(http.StatusBadRequest, "Invalid JSON payload received. %v", err)
	}
	if raw := field(body.File, "displayName"); raw != nil && json.Unmarshal(raw, &up.DisplayName) != nil {
		return errorf(http.StatusBadRequest, "Invalid value at 'file.display_name': expected a string.")
	}
	if raw := field(body.File, "mimeType"); up.MIMEType == "" && raw != nil {
		json.Unmarshal(raw, &up.MIMEType)
	}
	if up.MIMEType == "" {
		up.MIMEType = "application/octet-stream"
	}
	if err := core.WriteAtomic(g.uploadPath(up.ID, ".part"), func(io.Writer) error { return nil }); err != nil {
		return err
	}
	if err := core.WriteJSONFile(g.uploadPath(up.ID, ".json"), up); err != nil {
		return err
	}
	q := url.Values{"upload_id": {up.ID}, "upload_protocol": {"resumable"}}
	w.Header().Set("X-Goog-Upload-URL", requestBase(r)+UploadPath+"?"+q.Encode())
	w.Header().Set(UploadStatus, "active")
	w.WriteHeader(http.StatusOK)
	return nil
}

// sessionOp is the server-fault operation of a request to an upload
// session: "upload" for the requests that carry data, none for queries.
func (g *API) sessionOp(r *http.Request) string {
	if strings.Contains(r.Header.Get(UploadCommand), "upload") {
		return core.OpUpload
	}
	return ""
}

// uploadSession answers a request to an upload session. Its
// X-Goog-Upload-Command is "upload" (with X-Goog-Upload-Offset, which must
// be the number of bytes received so far), "finalize", both ("upload,
// finalize"), or "query".
func (g *API) uploadSession(w http.ResponseWriter, r *http.Request) error {
	id := r.URL.Query().Get("upload_id")
	notFound := errorf(http.StatusNotFound, "No upload session %q.", id)
	if !validID(id) {
		return notFound
	}
	var up upload
	if err := core.ReadJSONFile(g.uploadPath(id, ".json"), &up); errors.Is(err, fs.ErrNotExist) {
		return notFound
	} else if err != nil {
		return err
	}
	commands := map[string]bool{}
	for c := range strings.SplitSeq(r.Header.Get(UploadCommand), ",") {
		commands[strings.TrimSpace(c)] = true
	}
	switch {
	case commands["query"]:
		return g.answerSession(w, r, &up)
	case up.File != "":
		return g.sessionError(w, &up, errorf(http.StatusBadRequest, "The upload was finalized already."))
	case !commands["upload"] && !commands["finalize"]:
		return g.sessionError(w, &up, errorf(http.StatusBadRequest, "Invalid X-Goog-Upload-Command %q.", r.Header.Get(UploadCommand)))
	}
	if commands["upload"] {
		if err := g.receiveChunk(r, &up); err != nil {
			return g.sessionError(w, &up, err)
		}
	}
	if commands["finalize"] {
		if err := g.finalizeUpload(&up); err != nil {
			return g.sessionError(w, &up, err)
		}
	}
	return g.answerSession(w, r, &up)
}

// received returns how many bytes an upload session has.
func (g *API) received(up *upload) (int64, error) {
	if up.File != "" {
		f, err := g.loadFile(up.File)
		if err != nil {
			return 0, err
		}
		return f.Size, nil
	}
	fi, err := os.Stat(g.uploadPath(up.ID, ".part"))
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}

// answerSession reports a session's state: active with the bytes received,
// or final with the file it made.
func (g *API) answerSession(w http.ResponseWriter, r *http.Request, up *upload) error {
	n, err := g.received(up)
	if err != nil {
		return err
	}
	w.Header().Set(UploadReceived, strconv.FormatInt(n, 10))
	if up.File == "" {
		w.Header().Set(UploadStatus, "active")
		w.WriteHeader(http.StatusOK)
		return nil
	}
	f, err := g.loadFile(up.File)
	if err != nil {
		return err
	}
	w.Header().Set(UploadStatus, "final")
	core.WriteJSON(w, http.StatusOK, FileAnswer{File: f.object(requestBase(r))})
	return nil
}

// sessionError sends err with the session's state in the headers, so the
// client can resume.
func (g *API) sessionError(w http.ResponseWriter, up *upload, err error) error {
	if n, rerr := g.received(up); rerr == nil {
		w.Header().Set(UploadReceived, strconv.FormatInt(n, 10))
		w.Header().Set(UploadStatus, "active")
	}
	return err
}

// receiveChunk appends a request's body to the session's bytes. Bytes that
// arrive before the client goes away are kept, as the protocol allows: a
// query tells the client where to resume.
func (g *API) receiveChunk(r *http.Request, up *upload) error {
	have, err := g.received(up)
	if err != nil {
		return err
	}
	offset, err := strconv.ParseInt(r.Header.Get(UploadOffset), 10, 64)
	if err != nil || offset != have {
		return errorf(http.StatusBadRequest, "Invalid X-Goog-Upload-Offset %q: the upload has %d bytes.", r.Header.Get(UploadOffset), have)
	}
	part, err := os.OpenFile(g.uploadPath(up.ID, ".part"), os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	n, err := io.Copy(part, io.LimitReader(r.Body, maxFileBytes-have+1))
	if cerr := part.Close(); err == nil {
		err = cerr
	}
	switch {
	case err != nil:
		return errorf(http.StatusBadRequest, "Could not read the upload chunk: %v.", err)
	case have+n > maxFileBytes:
		return errorf(http.StatusBadRequest, "The file is too large: the maximum size is %d bytes.", int64(maxFileBytes))
	}
	return nil
}

// finalizeUpload turns the session's bytes into a file.
func (g *API) finalizeUpload(up *upload) error {
	partPath := g.uploadPath(up.ID, ".part")
	in, err := os.Open(partPath)
	if err != nil {
		return err
	}
	defer in.Close()
	h := newHashCounter(io.Discard)
	if _, err := io.Copy(h, in); err != nil {
		return err
	}
	if up.Size >= 0 && h.n != up.Size {
		return errorf(http.StatusBadRequest, "The upload has %d bytes; its start declared %d.", h.n, up.Size)
	}
	f := &fileRecord{
		ID:          newID(),
		DisplayName: up.DisplayName,
		MIMEType:    up.MIMEType,
		Size:        h.n,
		SHA256:      h.sum(),
		Source:      "UPLOADED",
		Created:     g.host.Clock(),
	}
	if err := os.Rename(partPath, g.contentPath(f.ID)); err != nil {
		return err
	}
	if err := core.WriteJSONFile(g.filePath(f.ID), f); err != nil {
		return err
	}
	up.File = f.ID
	return core.WriteJSONFile(g.uploadPath(up.ID, ".json"), up)
}

// hashCounter writes through to w, counting the bytes and hashing them
// with SHA-256.
type hashCounter struct {
	w io.Writer
	h hash.Hash
	n int64
}

func newHashCounter(w io.Writer) *hashCounter { return &hashCounter{w: w, h: sha256.New()} }

func (hc *hashCounter) Write(p []byte) (int, error) {
	n, err := hc.w.Write(p)
	hc.h.Write(p[:n])
	hc.n += int64(n)
	return n, err
}

func (hc *hashCounter) sum() []byte { return hc.h.Sum(nil) }
