package mistral

import (
	"errors"
	"io"
	"io/fs"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/batchctl/batchctl/internal/emulator/core"
)

const (
	// maxUploadBytes is the most a file may hold (client-python
	// docs/sdks/files/README.md, "upload": 512 MB).
	maxUploadBytes = 512 << 20
	purposeBatch   = "batch"
)

// purposes are the purposes a file may be uploaded with
// (docs/models/filepurpose.md).
var purposes = []string{"fine-tune", "batch", "ocr"}

// fileRecord is a file as stored in ID.json; its bytes are in ID.data.
type fileRecord struct {
	ID         string    `json:"id"`
	Purpose    string    `json:"purpose"`
	Filename   string    `json:"filename"`
	Bytes      int64     `json:"bytes"`
	Lines      int       `json:"lines"`
	SampleType string    `json:"sample_type"`
	Created    time.Time `json:"created"`
}

// fileObject is a file as the API shows it (CreateFileResponse in
// client-ts src/models/components/createfileresponse.ts: the size is
// sent as "bytes").
type fileObject struct {
	ID         string `json:"id"`
	Object     string `json:"object"`
	Bytes      int64  `json:"bytes"`
	CreatedAt  int64  `json:"created_at"`
	Filename   string `json:"filename"`
	Purpose    string `json:"purpose"`
	SampleType string `json:"sample_type"`
	NumLines   int    `json:"num_lines"`
	Mimetype   string `json:"mimetype"`
	Source     string `json:"source"`
}

func (f *fileRecord) object() fileObject {
	return fileObject{
		ID: f.ID, Object: "file", Bytes: f.Bytes, CreatedAt: f.Created.Unix(), Filename: f.Filename,
		Purpose: f.Purpose, SampleType: f.SampleType, NumLines: f.Lines, Mimetype: "application/jsonl", Source: "upload",
	}
}

func (a *API) filePath(id string) string    { return filepath.Join(a.files, id+".json") }
func (a *API) contentPath(id string) string { return filepath.Join(a.files, id+".data") }

// loadFile reads a file record; an unknown id gives a 404 error.
func (a *API) loadFile(id string) (*fileRecord, error) {
	var f fileRecord
	if id == "" {
		return nil, errorf(http.StatusNotFound, "File not found")
	}
	if err := core.ReadJSONFile(a.filePath(id), &f); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, errorf(http.StatusNotFound, "File %s not found", id)
		}
		return nil, err
	}
	return &f, nil
}

// uploadFile stores a multipart upload of the fields file and purpose.
func (a *API) uploadFile(w http.ResponseWriter, r *http.Request) error {
	mr, err := r.MultipartReader()
	if err != nil {
		return errorf(http.StatusBadRequest, "Expected a multipart/form-data body with the field 'file'")
	}
	f := &fileRecord{ID: newUUID(), Created: a.host.Clock(), SampleType: "batch_request"}
	saved, err := a.receiveUpload(mr, f)
	switch {
	case err != nil:
	case !saved:
		err = errorf(http.StatusUnprocessableEntity, "file: Field required")
	case f.Purpose == "":
		f.Purpose = "fine-tune" // the API's default (UNCONFIRMED)
		fallthrough
	default:
		if !slices.Contains(purposes, f.Purpose) {
			err = errorf(http.StatusUnprocessableEntity, "purpose: Input should be '%s'", strings.Join(purposes, "', '"))
		}
	}
	if err == nil {
		err = core.WriteJSONFile(a.filePath(f.ID), f)
	}
	if err != nil {
		os.Remove(a.contentPath(f.ID))
		return err
	}
	core.WriteJSON(w, http.StatusOK, f.object())
	return nil
}

// receiveUpload reads the parts of an upload into f, streaming the file's
// bytes to its content; saved reports whether there was a file.
func (a *API) receiveUpload(mr *multipart.Reader, f *fileRecord) (saved bool, err error) {
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return saved, nil
		}
		if err != nil {
			return saved, errorf(http.StatusBadRequest, "Could not read the multipart body: %v", err)
		}
		switch part.FormName() {
		case "file":
			if saved {
				err = errorf(http.StatusBadRequest, "Only one file can be uploaded per request")
				break
			}
			f.Filename = part.FileName()
			f.Bytes, f.Lines, err = a.saveUpload(f.ID, part)
			saved = err == nil
		case "purpose":
			var b []byte
			b, err = io.ReadAll(io.LimitReader(part, 256))
			f.Purpose = strings.TrimSpace(string(b))
		}
		part.Close()
		if err != nil {
			return saved, err
		}
	}
}

// saveUpload streams an uploaded file to the content of file id,
// counting its bytes and lines.
func (a *API) saveUpload(id string, part io.Reader) (n int64, lines int, err error) {
	err = core.WriteAtomic(a.contentPath(id), func(w io.Writer) error {
		var err error
		n, err = io.Copy(w, &lineCounter{r: io.LimitReader(part, maxUploadBytes+1), lines: &lines})
		switch {
		case err != nil:
			return errorf(http.StatusBadRequest, "Could not read the uploaded file: %v", err)
		case n > maxUploadBytes:
			return errorf(http.StatusRequestEntityTooLarge, "File is too large: the maximum size is %d bytes", maxUploadBytes)
		}
		return nil
	})
	return n, lines, err
}

// lineCounter counts the newlines it reads.
type lineCounter struct {
	r     io.Reader
	lines *int
}

func (c *lineCounter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	for _, b := range p[:n] {
		if b == '\n' {
			*c.lines++
		}
	}
	return n, err
}

// fileContent serves a file's bytes. An output or error file exists once
// its job is seen ended.
func (a *API) fileContent(w http.ResponseWriter, r *http.Request) error {
	f, err := a.loadFile(core.PathID(r))
	if err != nil {
		return err
	}
	return core.ServeFile(w, r, a.contentPath(f.ID), "application/octet-stream")
}
