package openai

import (
	"cmp"
	"errors"
	"io"
	"io/fs"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/batchctl/batchctl/internal/emulator/core"
)

const (
	maxUploadBytes = 512 << 20
	// defaultFileExpiry is how long batch input and output files live.
	defaultFileExpiry = 30 * 24 * time.Hour
	minFileExpiry     = 3600
	maxFileExpiry     = 2592000
	maxListFiles      = 10000
	purposeBatch      = "batch"
	purposeOutput     = "batch_output"
)

// uploadPurposes are the purposes a file may be uploaded with.
func uploadPurposes() []string {
	return []string{"assistants", "batch", "fine-tune", "vision", "user_data", "evals"}
}

// fileRecord is a file as stored in ID.json; its bytes are in ID.data.
type fileRecord struct {
	ID       string    `json:"id"`
	Purpose  string    `json:"purpose"`
	Filename string    `json:"filename"`
	Bytes    int64     `json:"bytes"`
	Created  time.Time `json:"created"`
	Expires  time.Time `json:"expires,omitzero"`
}

func (f *fileRecord) object() FileObject {
	return FileObject{
		ID:        f.ID,
		Object:    "file",
		Bytes:     f.Bytes,
		CreatedAt: f.Created.Unix(),
		ExpiresAt: unixPtr(f.Expires),
		Filename:  f.Filename,
		Purpose:   f.Purpose,
		Status:    "processed",
	}
}

func (o *API) filePath(id string) string    { return filepath.Join(o.files, id+".json") }
func (o *API) contentPath(id string) string { return filepath.Join(o.files, id+".data") }

// fileNotFound is the error for an unknown file id, given as param.
func fileNotFound(id, param string) error {
	return &httpError{
		status: http.StatusNotFound,
		body:   invalidRequest(param, "", "No such File object: %s", id),
	}
}

// loadFile reads a file record; an unknown id gives a 404 error.
func (o *API) loadFile(id string) (*fileRecord, error) {
	if id == "" {
		return nil, fileNotFound(id, "id")
	}
	var f fileRecord
	if err := core.ReadJSONFile(o.filePath(id), &f); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fileNotFound(id, "id")
		}
		return nil, err
	}
	return &f, nil
}

// upload collects the fields of a multipart file upload.
type upload struct {
	saved           bool
	filename        string
	bytes           int64
	purpose         string
	anchor, seconds string
}

func (o *API) uploadFile(w http.ResponseWriter, r *http.Request) error {
	mr, err := r.MultipartReader()
	if err != nil {
		return badRequest(invalidRequest("", "", "Expected a multipart/form-data body with the fields 'file' and 'purpose'."))
	}
	id := core.NewID("file-")
	f, err := o.receiveUpload(mr, id)
	if err == nil {
		err = core.WriteJSONFile(o.filePath(id), f)
	}
	if err != nil {
		os.Remove(o.contentPath(id))
		return err
	}
	core.WriteJSON(w, http.StatusOK, f.object())
	return nil
}

// receiveUpload reads a multipart upload, storing the file's bytes as the
// content of file id, and returns the record to store for it.
func (o *API) receiveUpload(mr *multipart.Reader, id string) (*fileRecord, error) {
	var up upload
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, badRequest(invalidRequest("", "", "Could not read the multipart body: %v.", err))
		}
		err = o.readUploadPart(id, part, &up)
		part.Close()
		if err != nil {
			return nil, err
		}
	}
	return up.record(id, o.host.Clock())
}

// readUploadPart stores one part of an upload: the file's bytes go straight
// to disk.
func (o *API) readUploadPart(id string, part *multipart.Part, up *upload) error {
	var err error
	switch part.FormName() {
	case "file":
		if up.saved {
			return badRequest(invalidRequest("file", "", "Only one file can be uploaded per request."))
		}
		up.filename = part.FileName()
		up.bytes, err = saveUpload(o.contentPath(id), part)
		up.saved = err == nil
	case "purpose":
		up.purpose, err = formValue(part)
	case "expires_after[anchor]":
		up.anchor, err = formValue(part)
	case "expires_after[seconds]":
		up.seconds, err = formValue(part)
	}
	return err
}

// saveUpload streams an uploaded file to path.
func saveUpload(path string, part io.Reader) (int64, error) {
	var n int64
	err := core.WriteAtomic(path, func(w io.Writer) error {
		var err error
		n, err = io.Copy(w, io.LimitReader(part, maxUploadBytes+1))
		if err != nil {
			return badRequest(invalidRequest("file", "", "Could not read the uploaded file: %v.", err))
		}
		if n > maxUploadBytes {
			return badRequest(invalidRequest("file", "", "File is too large: the maximum size is %d bytes.", maxUploadBytes))
		}
		return nil
	})
	return n, err
}

// formValue reads a short multipart form field.
func formValue(part io.Reader) (string, error) {
	b, err := io.ReadAll(io.LimitReader(part, 1024))
	if err != nil {
		return "", badRequest(invalidRequest("", "", "Could not read the multipart body: %v.", err))
	}
	return strings.TrimSpace(string(b)), nil
}

// record checks the upload's fields and returns the file record to store.
func (up *upload) record(id string, now time.Time) (*fileRecord, error) {
	switch {
	case !up.saved:
		return nil, badRequest(missingParam("file"))
	case up.purpose == "":
		return nil, badRequest(missingParam("purpose"))
	case !slices.Contains(uploadPurposes(), up.purpose):
		return nil, badRequest(invalidRequest("purpose", "invalid_value",
			"Invalid value for 'purpose': '%s'. Supported values are: '%s'.", up.purpose, strings.Join(uploadPurposes(), "', '")))
	}
	f := &fileRecord{ID: id, Purpose: up.purpose, Filename: up.filename, Bytes: up.bytes, Created: now}
	if up.purpose == purposeBatch {
		f.Expires = now.Add(defaultFileExpiry)
	}
	if up.anchor == "" && up.seconds == "" {
		return f, nil
	}
	if up.anchor != "created_at" {
		return nil, badRequest(invalidRequest("expires_after[anchor]", "invalid_value",
			"Invalid value for 'expires_after[anchor]': '%s'. Supported values are: 'created_at'.", up.anchor))
	}
	secs, err := strconv.ParseInt(up.seconds, 10, 64)
	if err != nil || secs < minFileExpiry || secs > maxFileExpiry {
		return nil, badRequest(invalidRequest("expires_after[seconds]", "invalid_value",
			"Invalid value for 'expires_after[seconds]': '%s'. Expected an integer from %d to %d.", up.seconds, minFileExpiry, maxFileExpiry))
	}
	f.Expires = now.Add(time.Duration(secs) * time.Second)
	return f, nil
}

func (o *API) getFile(w http.ResponseWriter, r *http.Request) error {
	f, err := o.loadFile(core.PathID(r))
	if err != nil {
		return err
	}
	core.WriteJSON(w, http.StatusOK, f.object())
	return nil
}

func (o *API) fileContent(w http.ResponseWriter, r *http.Request) error {
	f, err := o.loadFile(core.PathID(r))
	if err != nil {
		return err
	}
	return core.ServeFile(w, r, o.contentPath(f.ID), "application/octet-stream")
}

func (o *API) deleteFile(w http.ResponseWriter, r *http.Request) error {
	f, err := o.loadFile(core.PathID(r))
	if err != nil {
		return err
	}
	// The record goes first: a file is visible only while both exist.
	if err := os.Remove(o.filePath(f.ID)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := os.Remove(o.contentPath(f.ID)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	core.WriteJSON(w, http.StatusOK, fileDeleted{ID: f.ID, Object: "file", Deleted: true})
	return nil
}

func (o *API) listFiles(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	limit, err := queryLimit(r, maxListFiles, maxListFiles)
	if err != nil {
		return err
	}
	order := cmp.Or(q.Get("order"), "desc")
	if order != "asc" && order != "desc" {
		return badRequest(invalidRequest("order", "invalid_value",
			"Invalid value for 'order': '%s'. Supported values are: 'asc', 'desc'.", order))
	}
	// Output files appear once their batch is seen finished.
	if err := o.settleBatches(r.Context()); err != nil {
		return err
	}
	files, err := o.allFiles(q.Get("purpose"))
	if err != nil {
		return err
	}
	if order == "asc" {
		slices.Reverse(files)
	}
	page, more := core.Paginate(files, func(f *fileRecord) string { return f.ID }, q.Get("after"), limit)
	objects := make([]FileObject, len(page))
	for i, f := range page {
		objects[i] = f.object()
	}
	core.WriteJSON(w, http.StatusOK, newListPage(objects, func(f FileObject) string { return f.ID }, more))
	return nil
}

// allFiles returns the stored files with the given purpose (any if empty),
// newest first.
func (o *API) allFiles(purpose string) ([]*fileRecord, error) {
	ids, err := core.ListIDs(o.files, ".json")
	if err != nil {
		return nil, err
	}
	var files []*fileRecord
	for _, id := range ids {
		var f fileRecord
		if err := core.ReadJSONFile(o.filePath(id), &f); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue // deleted meanwhile
			}
			return nil, err
		}
		if purpose == "" || f.Purpose == purpose {
			files = append(files, &f)
		}
	}
	slices.SortFunc(files, func(a, b *fileRecord) int {
		return cmp.Or(b.Created.Compare(a.Created), strings.Compare(b.ID, a.ID))
	})
	return files, nil
}
