package gemini

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/batchctl/batchctl/internal/jsonscan"
)

// inlineBody is the body of a create request that carries the requests
// inline,
//
//	{"batch":{"display_name":NAME,"input_config":{"requests":{"requests":[
//	  {"request":REQUEST,"metadata":{"key":KEY}}, ...]}}}}
//
// rendered from the input file line by line, so it is never held in
// memory; its size is measured by a first pass over the input.
type inlineBody struct {
	head, tail []byte
	openInput  func() (io.ReadCloser, error)
	size       int64
}

// newInlineBody measures the inline create request for the input open
// returns. It returns nil when the request would be larger than limit
// bytes, after reading only as much of the input as it takes to tell.
func newInlineBody(name string, open func() (io.ReadCloser, error), limit int64) (*inlineBody, error) {
	quoted, err := json.Marshal(name)
	if err != nil {
		return nil, err
	}
	b := &inlineBody{
		head:      fmt.Appendf(nil, `{"batch":{"display_name":%s,"input_config":{"requests":{"requests":[`, quoted),
		tail:      []byte(`]}}}}`),
		openInput: open,
	}
	r, err := b.open()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	buf := make([]byte, 64<<10)
	for {
		n, err := r.Read(buf)
		b.size += int64(n)
		if b.size > limit {
			return nil, nil
		}
		if errors.Is(err, io.EOF) {
			return b, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// open returns a fresh reader over the body.
func (b *inlineBody) open() (io.ReadCloser, error) {
	in, err := b.openInput()
	if err != nil {
		return nil, fmt.Errorf("open input: %w", err)
	}
	items := &inlineItems{lines: bufio.NewReaderSize(in, 64<<10)}
	return &readCloser{
		Reader: io.MultiReader(bytes.NewReader(b.head), items, bytes.NewReader(b.tail)),
		Closer: in,
	}, nil
}

// readCloser reads one thing and closes another.
type readCloser struct {
	io.Reader
	io.Closer
}

// inlineItems reads the input's lines as the comma-separated items of the
// inline requests array.
type inlineItems struct {
	lines   *bufio.Reader
	lineNo  int
	line    []byte // the current input line
	item    []byte // the current item, with its leading comma
	pending []byte // what is left of item to read
	done    bool
}

func (it *inlineItems) Read(p []byte) (int, error) {
	for len(it.pending) == 0 {
		if it.done {
			return 0, io.EOF
		}
		if err := it.next(); err != nil {
			return 0, err
		}
	}
	n := copy(p, it.pending)
	it.pending = it.pending[n:]
	return n, nil
}

// next renders the next non-blank input line as pending.
func (it *inlineItems) next() error {
	var err error
	it.line, err = readLine(it.lines, it.line[:0])
	if errors.Is(err, io.EOF) {
		it.done = true
	} else if err != nil {
		return fmt.Errorf("read input: %w", err)
	}
	it.lineNo++
	line := bytes.TrimSpace(it.line)
	if len(line) == 0 {
		return nil
	}
	first := len(it.item) == 0
	it.item = it.item[:0]
	if !first {
		it.item = append(it.item, ',')
	}
	if it.item, err = appendInlineItem(it.item, line); err != nil {
		return fmt.Errorf("input line %d: %w", it.lineNo, err)
	}
	it.pending = it.item
	return nil
}

// readLine appends the next line of r, with its newline, to buf; io.EOF
// comes with the last line when it has no newline (and with an empty one
// at the end).
func readLine(r *bufio.Reader, buf []byte) ([]byte, error) {
	for {
		chunk, err := r.ReadSlice('\n')
		buf = append(buf, chunk...)
		if !errors.Is(err, bufio.ErrBufferFull) {
			return buf, err
		}
	}
}

// appendInlineItem appends the inline request of one input line,
// {"key":KEY,"request":REQUEST}, to dst as
// {"request":REQUEST,"metadata":{"key":KEY}}, both values byte for byte.
func appendInlineItem(dst, line []byte) ([]byte, error) {
	var key, request []byte
	s := jsonscan.New(line)
	err := s.Object(func(k []byte) error {
		var err error
		switch string(k) {
		case "key":
			if s.Peek() != '"' {
				return fmt.Errorf("key: %w", s.TypeError("string"))
			}
			key, err = s.Raw()
		case "request":
			if s.Peek() != '{' {
				return fmt.Errorf("request: %w", s.TypeError("object"))
			}
			request, err = s.Raw()
		default:
			err = s.Skip()
		}
		return err
	})
	if err == nil {
		err = s.End()
	}
	switch {
	case err != nil && errors.As(err, new(*jsonscan.SyntaxError)):
		return dst, fmt.Errorf("not valid JSON: %w", err)
	case err != nil:
		return dst, err
	case key == nil:
		return dst, errors.New(`no "key"`)
	case request == nil:
		return dst, errors.New(`no "request"`)
	}
	dst = append(dst, `{"request":`...)
	dst = append(dst, request...)
	dst = append(dst, `,"metadata":{"key":`...)
	dst = append(dst, key...)
	return append(dst, `}}`...), nil
}

// marshalCreate is the body of a create request for an uploaded file.
func marshalCreate(name, file string) ([]byte, error) {
	type inputConfig struct {
		FileName string `json:"file_name"`
	}
	type batch struct {
		DisplayName string      `json:"display_name"`
		InputConfig inputConfig `json:"input_config"`
	}
	return json.Marshal(struct {
		Batch batch `json:"batch"`
	}{batch{DisplayName: name, InputConfig: inputConfig{FileName: file}}})
}
