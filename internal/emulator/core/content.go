package core

import "bytes"

// ContentFile is the content of a stored file (a batch's output or error
// file) being written one JSON line at a time, atomically. Bytes and Lines
// count what Add wrote.
type ContentFile struct {
	content *AtomicFile
	Bytes   int64
	Lines   int
}

// CreateContent starts the content file at path.
func CreateContent(path string) (*ContentFile, error) {
	content, err := CreateAtomic(path)
	if err != nil {
		return nil, err
	}
	return &ContentFile{content: content}, nil
}

// Add writes line as one line of JSON.
func (f *ContentFile) Add(line any) error {
	var buf bytes.Buffer
	if err := EncodeJSON(&buf, line); err != nil {
		return err
	}
	f.Bytes += int64(buf.Len())
	f.Lines++
	_, err := f.content.Write(buf.Bytes())
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
