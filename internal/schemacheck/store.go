package schemacheck

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"github.com/batchctl/batchctl/internal/providers"
)

// The schemas of a job's requests are kept in its directory:
//
//	schemas.json      {"default":N,"variants":[{"schema":{...},"native":true},...]}
//	schema-ids.jsonl  ["custom_id",N] for each request whose variant is not the default
//
// A variant is one distinct schema and whether it went in the provider's
// native terms; N indexes the variants, -1 for a request that asked for no
// schema. The default is the first request's variant, so a job whose
// requests all ask for the same schema (the --schema case) has no
// per-request file at all, and one whose requests differ holds a line for
// each request that differs from its first. Nothing is written for a job
// whose requests ask for no schema.
const (
	schemasFile = "schemas.json"
	idsFile     = "schema-ids.jsonl"
)

type variant struct {
	Schema json.RawMessage `json:"schema"`
	Native bool            `json:"native"`
}

type stored struct {
	Default  int       `json:"default"`
	Variants []variant `json:"variants"`
}

// Recorder records the schema of each request of a job as create converts
// them, with memory in proportion to the distinct schemas only.
type Recorder struct {
	dir      string
	stored   stored
	index    map[string]int // native flag + schema -> variant
	started  bool
	last     int // the variant of the previous request, for a quick compare
	ids      *os.File
	idsW     *bufio.Writer
	compiled map[int]bool
}

// NewRecorder records into dir, the job's directory; with dir "" it only
// checks that each schema compiles, and writes nothing.
func NewRecorder(dir string) *Recorder {
	return &Recorder{dir: dir, index: map[string]int{}, last: -1, stored: stored{Default: -1}}
}

// Add records that request id asked for schema (nil for none), natively
// or not. A schema seen for the first time is compiled: its error, if any,
// is returned (the request cannot be checked).
func (r *Recorder) Add(id string, schema []byte, native bool) error {
	v, err := r.variantOf(schema, native)
	if err != nil {
		return err
	}
	if !r.started {
		r.started, r.stored.Default = true, v
		return nil
	}
	if v == r.stored.Default || r.dir == "" {
		return nil
	}
	if r.ids == nil {
		f, err := os.OpenFile(filepath.Join(r.dir, idsFile), os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
		if err != nil {
			return err
		}
		r.ids, r.idsW = f, bufio.NewWriter(f)
	}
	line, _ := json.Marshal([]any{id, v})
	r.idsW.Write(line)
	return r.idsW.WriteByte('\n')
}

func (r *Recorder) variantOf(schema []byte, native bool) (int, error) {
	if schema == nil {
		return -1, nil
	}
	if r.last >= 0 {
		if lv := r.stored.Variants[r.last]; lv.Native == native && bytes.Equal(lv.Schema, schema) {
			return r.last, nil
		}
	}
	key := string(schema) + "\x00" + fmt.Sprint(native)
	if v, ok := r.index[key]; ok {
		r.last = v
		return v, nil
	}
	if _, err := compileRequest(schema); err != nil {
		return -1, err
	}
	var compacted bytes.Buffer
	if err := json.Compact(&compacted, schema); err != nil {
		return -1, err
	}
	r.stored.Variants = append(r.stored.Variants, variant{Schema: compacted.Bytes(), Native: native})
	v := len(r.stored.Variants) - 1
	r.index[key], r.last = v, v
	return v, nil
}

// Finish writes what was recorded. It writes nothing when no request
// asked for a schema.
func (r *Recorder) Finish() error {
	if r.ids != nil {
		err := r.idsW.Flush()
		if cerr := r.ids.Close(); err == nil {
			err = cerr
		}
		r.ids = nil
		if err != nil {
			return err
		}
	}
	if len(r.stored.Variants) == 0 || r.dir == "" {
		return nil
	}
	b, err := json.Marshal(r.stored)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(r.dir, schemasFile), append(b, '\n'), 0o600)
}

// Abort closes what Add opened; the job's directory is removed by the caller.
func (r *Recorder) Abort() {
	if r.ids != nil {
		r.ids.Close()
		r.ids = nil
	}
}

// Set is the schemas of a job's requests, read back.
type Set struct {
	stored stored
	ids    map[string]int // requests whose variant is not the default
	once   []sync.Once
	comp   []*Schema
	errs   []error
	fixed  bool
	job    *Set // with fixed: the job's own, for whether each was native
}

// Load reads the schemas kept in dir, a job's directory; nil (and no
// error) when its requests asked for none.
func Load(dir string) (*Set, error) {
	b, err := os.ReadFile(filepath.Join(dir, schemasFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	set := &Set{}
	if err := json.Unmarshal(b, &set.stored); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, schemasFile), err)
	}
	if set.ids, err = loadIDs(filepath.Join(dir, idsFile)); err != nil {
		return nil, err
	}
	set.init()
	return set, nil
}

func loadIDs(path string) (map[string]int, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	ids := map[string]int{}
	dec := json.NewDecoder(bufio.NewReader(f))
	for {
		var pair [2]json.RawMessage
		err := dec.Decode(&pair)
		if errors.Is(err, io.EOF) {
			return ids, nil
		}
		var id string
		var v int
		if err == nil {
			err = json.Unmarshal(pair[0], &id)
		}
		if err == nil {
			err = json.Unmarshal(pair[1], &v)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		ids[id] = v
	}
}

// Recheck is a Set where every request asks for s (results --schema).
// An answer is held to JSON alone where the provider applied the job's
// own schema natively (job, nil when unknown), and may be wrapped in a
// code fence or prose elsewhere.
func Recheck(s *Schema, job *Set) *Set {
	set := &Set{stored: stored{Default: 0, Variants: []variant{{Native: false}}}, fixed: true, job: job}
	set.init()
	set.comp[0] = s
	set.once[0].Do(func() {})
	return set
}

func (s *Set) init() {
	n := len(s.stored.Variants)
	s.once, s.comp, s.errs = make([]sync.Once, n), make([]*Schema, n), make([]error, n)
}

// For returns the schema request id asked for and whether it went in the
// provider's native terms; a nil schema when it asked for none.
func (s *Set) For(id string) (schema *Schema, native bool, err error) {
	if s == nil {
		return nil, false, nil
	}
	v, ok := s.ids[id]
	if !ok {
		v = s.stored.Default
	}
	if v < 0 || v >= len(s.stored.Variants) {
		return nil, false, nil
	}
	s.once[v].Do(func() {
		s.comp[v], s.errs[v] = compileRequest(s.stored.Variants[v].Schema)
	})
	native = s.stored.Variants[v].Native
	if s.fixed {
		_, native = s.job.Raw(id)
	}
	return s.comp[v], native, s.errs[v]
}

// Raw returns the schema request id asked for as it was recorded, and
// whether natively; nil when none.
func (s *Set) Raw(id string) ([]byte, bool) {
	if s == nil || s.fixed {
		return nil, false
	}
	v, ok := s.ids[id]
	if !ok {
		v = s.stored.Default
	}
	if v < 0 || v >= len(s.stored.Variants) {
		return nil, false
	}
	return s.stored.Variants[v].Schema, s.stored.Variants[v].Native
}

// CheckResult checks r against the schema its request asked for.
func (s *Set) CheckResult(r *providers.Result) {
	schema, native, err := s.For(r.CustomID)
	if err != nil {
		if r.Status == providers.ResultSucceeded {
			fail(r, "", "the request's schema does not compile: "+err.Error())
		}
		return
	}
	Check(r, schema, native)
}
