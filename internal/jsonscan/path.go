package jsonscan

import (
	"slices"
	"strconv"
)

// PathTo returns the path of the innermost member or element of doc that
// the byte at offset is in, such as body.messages[0].content, or "" at the
// top level. An offset at a key is in the object that has the key. It
// reads doc only up to offset, so the rest may be invalid: it serves to
// say where an error is.
func PathTo(doc []byte, offset int) string {
	s := New(doc[:offset])
	var path, found []byte
	done := false
	// inner reads a member or element named by seg and records the path to
	// it when the document ends inside it, before the callers do.
	inner := func(seg func([]byte) []byte, read func() error) error {
		n := len(path)
		path = seg(path)
		err := read()
		if err != nil && !done {
			found, done = slices.Clone(path), true
		}
		path = path[:n]
		return err
	}
	var value func() error
	value = func() error {
		switch s.Peek() {
		case '{':
			return s.Object(func(key []byte) error {
				return inner(func(p []byte) []byte {
					if len(p) > 0 {
						p = append(p, '.')
					}
					return append(p, key...)
				}, value)
			})
		case '[':
			return s.Array(func(i int) error {
				return inner(func(p []byte) []byte {
					return append(strconv.AppendInt(append(p, '['), int64(i), 10), ']')
				}, value)
			})
		}
		return s.Skip()
	}
	value()
	return string(found)
}
