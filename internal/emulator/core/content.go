package core

import (
	"bytes"
	"encoding/json"
)

// ContentFile is the content of a stored file (a batch's output or error
// file) being written one JSON line at a time, atomically. Bytes and Lines
// count what Add wrote.
type ContentFile struct {
	content *AtomicFile
	Bytes   int64
	Lines   int
	// buf and enc encode each line, as EncodeJSON does, into memory kept
	// from line to line.
	buf bytes.Buffer
	enc *json.Encoder
}

// CreateContent starts the content file at path.
func CreateContent(path string) (*ContentFile, error) {
	content, err := CreateAtomic(path)
	if err != nil {
		return nil, err
	}
	f := &ContentFile{content: content}
	f.enc = json.NewEncoder(&f.buf)
	f.enc.SetEscapeHTML(false)
	return f, nil
}

// Add writes line as one line of JSON.
func (f *ContentFile) Add(line any) error {
	f.buf.Reset()
	if err := f.enc.Encode(line); err != nil {
		return err
	}
	f.Bytes += int64(f.buf.Len())
	f.Lines++
	_, err := f.content.Write(f.buf.Bytes())
	return err
}

// AddEncoded writes line, one line of JSON already encoded as Add would
// encode it, newline included.
func (f *ContentFile) AddEncoded(line []byte) error {
	f.Bytes += int64(len(line))
	f.Lines++
	_, err := f.content.Write(line)
	return err
}

// Commit puts the content in place, then stores record, the file's JSON
// record, at recordPath, when the file has any line; it drops an empty one
// and stores nothing.
func (f *ContentFile) Commit(recordPath string, record any) error {
	if f.Bytes == 0 {
		f.content.Abort()
		return nil
	}
	if err := f.content.Commit(); err != nil {
		return err
	}
	return WriteJSONFile(recordPath, record)
}

// Abort drops the content; it does nothing after Commit.
func (f *ContentFile) Abort() { f.content.Abort() }
