package jsonl

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// readBufferSize is the size of the Reader's read buffer. Lines that fit in
// it are returned without copying; longer ones are assembled in a second
// buffer that grows to the longest line.
const readBufferSize = 64 << 10

// utf8BOM is the byte order mark some Windows editors put at the start of a
// UTF-8 file.
const utf8BOM = "\xEF\xBB\xBF"

// Reader reads a JSON Lines stream line by line. Lines may be of any
// length unless Bound limits it. It strips the line terminator ("\n" or
// "\r\n"), a UTF-8 byte order mark at the very start, and skips lines that
// are empty or hold only JSON whitespace (space, tab, carriage return);
// skipped lines still count for line numbers. The last line need not end
// with a newline.
type Reader struct {
	br     *bufio.Reader
	long   []byte // assembles lines longer than br's buffer
	line   int
	offset int64
	err    error // sticky: io.EOF, a read error or a *LineError

	max   int64                     // the longest line with its newline; 0 for any
	check func(prefix []byte) error // tells a line it is growing is invalid already
}

// NewReader returns a Reader that reads from r.
func NewReader(r io.Reader) *Reader {
	return &Reader{br: bufio.NewReaderSize(r, readBufferSize)}
}

// ErrLineTooLong is the error of a *LineError for a line over the bound.
var ErrLineTooLong = errors.New("line too long")

// LineError is a line that Next gave up on before reading it to its end,
// without reading further: it passed the bound, or the check found it
// invalid. Err is ErrLineTooLong or the check's error.
type LineError struct {
	Line  int
	Bound int64
	Err   error
}

func (e *LineError) Error() string {
	if errors.Is(e.Err, ErrLineTooLong) {
		return fmt.Sprintf("line %d is over the %d-byte limit", e.Line, e.Bound)
	}
	return fmt.Sprintf("line %d: %v", e.Line, e.Err)
}

func (e *LineError) Unwrap() error { return e.Err }

// Bound limits the memory a line may take: Next fails with a *LineError as
// soon as a line, counted with its newline, grows past max bytes (0 for no
// limit), or when check returns an error for the part of a line read so
// far. check sees the start of each line longer than the read buffer, at
// sizes that double, so that a line that cannot be valid fails after
// little more than its valid start has been read, at a cost of at most
// one more pass over each long line.
func (r *Reader) Bound(max int64, check func(prefix []byte) error) {
	r.max, r.check = max, check
}

// Next returns the next non-blank line without its terminator. The slice is
// valid until the next call. At the end of the input it returns io.EOF; a
// read error is returned wrapped, with the number of the line being read.
func (r *Reader) Next() ([]byte, error) {
	for {
		b, err := r.readLine()
		if err != nil {
			return nil, err
		}
		r.line++
		if r.line == 1 {
			b = bytes.TrimPrefix(b, []byte(utf8BOM))
		}
		if !isBlank(b) {
			return b, nil
		}
	}
}

// Line returns the 1-based number of the line Next returned last.
func (r *Reader) Line() int { return r.line }

// Offset returns the number of bytes consumed from the input so far: up to
// the end of the line Next returned last, including its terminator.
func (r *Reader) Offset() int64 { return r.offset }

// readLine reads one line, blank or not, and strips its terminator. Once
// the input has ended or failed it keeps returning that error without
// reading again, so a terminal on stdin needs only one end-of-file.
func (r *Reader) readLine() ([]byte, error) {
	if r.err != nil {
		return nil, r.err
	}
	r.long = r.long[:0]
	nextCheck := 0
	for {
		chunk, err := r.br.ReadSlice('\n')
		r.offset += int64(len(chunk))
		if errors.Is(err, bufio.ErrBufferFull) {
			r.long = append(r.long, chunk...)
			if r.max > 0 && int64(len(r.long))+1 > r.max {
				r.err, r.long = &LineError{Line: r.line + 1, Bound: r.max, Err: ErrLineTooLong}, nil
				return nil, r.err
			}
			if r.check != nil && len(r.long) >= nextCheck {
				prefix := r.long
				if r.line == 0 {
					prefix = bytes.TrimPrefix(prefix, []byte(utf8BOM))
				}
				if cerr := r.check(prefix); cerr != nil {
					r.err, r.long = &LineError{Line: r.line + 1, Bound: r.max, Err: cerr}, nil
					return nil, r.err
				}
				nextCheck = 2 * len(r.long)
			}
			continue
		}
		if len(r.long) > 0 {
			r.long = append(r.long, chunk...)
			chunk = r.long
		}
		switch {
		case errors.Is(err, io.EOF):
			r.err = io.EOF
			if len(chunk) == 0 {
				return nil, io.EOF
			}
		case err != nil:
			r.err = fmt.Errorf("read line %d: %w", r.line+1, err)
			return nil, r.err
		}
		return trimEOL(chunk), nil
	}
}

// trimEOL removes a trailing "\n" or "\r\n".
func trimEOL(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
		if n > 1 && b[n-2] == '\r' {
			b = b[:n-2]
		}
	}
	return b
}

// isBlank reports whether b holds only JSON whitespace.
func isBlank(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\r' {
			return false
		}
	}
	return true
}

// CountLines returns how many lines r holds, the last one counted whether
// or not it ends with a newline.
func CountLines(r io.Reader) (int, error) {
	buf := make([]byte, readBufferSize)
	n, last := 0, byte('\n')
	for {
		k, err := r.Read(buf)
		if k > 0 {
			n += bytes.Count(buf[:k], []byte{'\n'})
			last = buf[k-1]
		}
		if errors.Is(err, io.EOF) {
			if last != '\n' {
				n++
			}
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}
