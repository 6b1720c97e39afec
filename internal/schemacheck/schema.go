package schemacheck

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// Schema is a compiled JSON Schema.
type Schema struct {
	compiled *jsonschema.Schema
	fast     *fastNode // nil when the schema uses keywords it does not take
	checkers sync.Pool // of *fastChecker
}

// printer words the library's messages.
var printer = message.NewPrinter(language.English)

// Compile compiles doc, a JSON Schema named name (a file path, or any name
// for one that is not a file; it is where relative $refs resolve). A schema
// without "$schema" is read as draft 2020-12. Only local files are loaded
// for $refs: nothing is fetched from the network. The error says what is
// wrong in one line.
func Compile(name string, doc []byte) (*Schema, error) {
	return compile(name, doc, true)
}

// compileRequest compiles the schema a request carries: its $refs may
// only point inside it, never to a file.
func compileRequest(doc []byte) (*Schema, error) {
	return compile("request-schema.json", doc, false)
}

// noFiles is the URL loader of request schemas: it loads nothing.
type noFiles struct{}

func (noFiles) Load(url string) (any, error) {
	return nil, fmt.Errorf("a request's schema cannot refer to %s", url)
}

func compile(name string, doc []byte, files bool) (*Schema, error) {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return nil, fmt.Errorf("not JSON: %v", err)
	}
	c := jsonschema.NewCompiler()
	if !files {
		c.UseLoader(noFiles{})
	}
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource(name, v); err != nil {
		return nil, err
	}
	s, err := c.Compile(name)
	if err != nil {
		return nil, compileError(err)
	}
	return &Schema{compiled: s, fast: buildFast(s, 0)}, nil
}

// compileError words a compilation error in one line: for a schema the
// metaschema rejects, where and why.
func compileError(err error) error {
	if sv, ok := errors.AsType[*jsonschema.SchemaValidationError](err); ok {
		if ve, ok := errors.AsType[*jsonschema.ValidationError](sv.Err); ok {
			path, msg := firstCause(ve)
			if path == "" {
				path = "/"
			}
			return fmt.Errorf("not a valid JSON Schema: at %s: %s", path, msg)
		}
	}
	return errors.New(strings.ReplaceAll(err.Error(), "\n", " "))
}

// confirm reports whether doc is JSON that s certainly accepts, quickly
// (see fastNode); false says nothing: the library must decide.
func (s *Schema) confirm(doc []byte) bool {
	if s.fast == nil {
		return false
	}
	c, _ := s.checkers.Get().(*fastChecker)
	if c == nil {
		c = &fastChecker{}
	}
	ok := c.confirm(s.fast, doc)
	s.checkers.Put(c)
	return ok
}

// Validate checks v, a value as Decode makes it, against s. It returns the
// JSON pointer of the first place that does not validate ("" for the
// whole value) and why, or ok.
func (s *Schema) Validate(v any) (path, message string, ok bool) {
	err := s.compiled.Validate(v)
	if err == nil {
		return "", "", true
	}
	if ve, isVE := errors.AsType[*jsonschema.ValidationError](err); isVE {
		path, message = firstCause(ve)
		return path, message, false
	}
	return "", err.Error(), false
}

// firstCause follows the first cause of a validation error down to the
// one that says what is wrong, and returns where (a JSON pointer) and why.
func firstCause(ve *jsonschema.ValidationError) (path, msg string) {
	for len(ve.Causes) > 0 {
		ve = ve.Causes[0]
	}
	var b strings.Builder
	for _, tok := range ve.InstanceLocation {
		b.WriteByte('/')
		b.WriteString(strings.ReplaceAll(strings.ReplaceAll(tok, "~", "~0"), "/", "~1"))
	}
	return b.String(), ve.ErrorKind.LocalizedString(printer)
}
