package jobs

import "io"

// Progress is told how a transfer advances (an upload or a download).
type Progress interface {
	Add(n int)
	Done()
}

// ProgressFunc starts showing a transfer of total bytes (-1 when unknown)
// named by label; it may return nil to show nothing.
type ProgressFunc func(label string, total int64) Progress

// countingReader reports what is read through it.
type countingReader struct {
	io.ReadCloser
	p Progress
}

func (r *countingReader) Read(b []byte) (int, error) {
	n, err := r.ReadCloser.Read(b)
	r.p.Add(n)
	return n, err
}

// countingWriter reports what is written through it.
type countingWriter struct {
	io.Writer
	p Progress
}

func (w *countingWriter) Write(b []byte) (int, error) {
	n, err := w.Writer.Write(b)
	w.p.Add(n)
	return n, err
}

// startProgress starts a transfer display, or returns nil when there is
// none to show.
func (m *Manager) startProgress(label string, total int64) Progress {
	if m.Progress == nil {
		return nil
	}
	return m.Progress(label, total)
}
