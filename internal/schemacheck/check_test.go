package schemacheck

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/batchctl/batchctl/internal/providers"
)

const personSchema = `{"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer","minimum":0}},"required":["name","age"],"additionalProperties":false}`

func mustCompile(t *testing.T, doc string) *Schema {
	t.Helper()
	s, err := Compile("test.json", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func strp(s string) *string { return &s }

// show is the three keys Check fills, as they are written.
func show(r *providers.Result) string {
	valid := "null"
	if r.Valid != nil {
		valid = map[bool]string{true: "true", false: "false"}[*r.Valid]
	}
	parsed, oe := "null", "null"
	if r.Parsed != nil {
		parsed = string(r.Parsed)
	}
	if r.OutputError != nil {
		oe = string(r.OutputError)
	}
	return "parsed=" + parsed + " valid=" + valid + " output_error=" + oe
}

func TestCheck(t *testing.T) {
	s := mustCompile(t, personSchema)
	tests := []struct {
		name   string
		text   *string
		status providers.ResultStatus
		native bool
		tools  string
		want   string
	}{
		{name: "valid", text: strp(`{"name":"Ada","age":36}`), native: true,
			want: `parsed={"name":"Ada","age":36} valid=true output_error=null`},
		{name: "compacted", text: strp("\n{ \"name\": \"A d a\",\n  \"age\": 36 }\n"), native: true,
			want: `parsed={"name":"A d a","age":36} valid=true output_error=null`},
		{name: "missing property", text: strp(`{"name":"Ada"}`), native: true,
			want: `parsed={"name":"Ada"} valid=false output_error={"path":"","message":"missing property 'age'"}`},
		{name: "wrong type deep", text: strp(`{"name":"Ada","age":-1}`), native: true,
			want: `parsed={"name":"Ada","age":-1} valid=false output_error={"path":"/age","message":"minimum: got -1, want 0"}`},
		{name: "fenced, native: not tolerated", text: strp("```json\n{\"name\":\"Ada\",\"age\":36}\n```"), native: true,
			want: `parsed=null valid=false output_error={"path":"","message":"the answer is not JSON: invalid character '` + "`" + `' looking for beginning of value at offset 0"}`},
		{name: "fenced, not native: tolerated", text: strp("Here you are:\n```json\n{\"name\":\"Ada\",\"age\":36}\n```\nAnything else?"),
			want: `parsed={"name":"Ada","age":36} valid=true output_error=null`},
		{name: "prose, not native: tolerated", text: strp(`Sure! {"name":"Ada","age":36} Hope it helps.`),
			want: `parsed={"name":"Ada","age":36} valid=true output_error=null`},
		{name: "no JSON at all", text: strp(`I cannot do that.`),
			want: `parsed=null valid=false output_error={"path":"","message":"the answer is not JSON: invalid character 'I' looking for beginning of value at offset 0"}`},
		{name: "no text", native: true,
			want: `parsed=null valid=false output_error={"path":"","message":"the answer has no text to check against the schema"}`},
		{name: "errored line untouched", status: providers.ResultErrored, text: strp(`x`),
			want: `parsed=null valid=null output_error=null`},
		{name: "tool arguments not JSON", tools: `[{"id":"c1","name":"f","arguments":{"a":1}},{"id":"c2","name":"g","arguments":"{oops"}]`,
			want: `parsed=null valid=false output_error={"path":"/tool_calls/1/arguments","message":"the tool call's arguments are not valid JSON"}`},
		{name: "tool call instead of an answer", tools: `[{"id":"c1","name":"f","arguments":{"a":1}}]`,
			want: `parsed=null valid=null output_error=null`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status := tt.status
			if status == "" {
				status = providers.ResultSucceeded
			}
			r := providers.Result{Status: status, Text: tt.text}
			if tt.tools != "" {
				r.ToolCalls = []byte(tt.tools)
			}
			Check(&r, s, tt.native)
			if got := show(&r); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

// TestCheckWithoutSchema: a job without a schema keeps all three null.
func TestCheckWithoutSchema(t *testing.T) {
	r := providers.Result{Status: providers.ResultSucceeded, Text: strp(`not json`)}
	Check(&r, nil, false)
	if got, want := show(&r), `parsed=null valid=null output_error=null`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestCompileErrors(t *testing.T) {
	tests := []struct{ doc, want string }{
		{`{"type":"objekt"}`, "not a valid JSON Schema: at /type: "},
		{`{"type":`, "not JSON: "},
		{`{"minimum":"3"}`, "not a valid JSON Schema: at /minimum: "},
	}
	for _, tt := range tests {
		_, err := Compile("s.json", []byte(tt.doc))
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("Compile(%s) = %v, want one line starting %q", tt.doc, err, tt.want)
		}
	}
}

// TestStore: a job whose requests share one schema keeps one copy and no
// per-request file; one whose requests differ keeps a line for each that
// differs from the first, and reads back the right schema for every id.
func TestStore(t *testing.T) {
	a := []byte(`{"type":"object","required":["a"]}`)
	b := []byte(`{"type":"array"}`)
	t.Run("uniform", func(t *testing.T) {
		dir := t.TempDir()
		rec := NewRecorder(dir)
		for _, id := range []string{"q1", "q2", "q3"} {
			if err := rec.Add(id, a, true); err != nil {
				t.Fatal(err)
			}
		}
		if err := rec.Finish(); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(dir, idsFile)); !os.IsNotExist(err) {
			t.Errorf("%s written for a uniform job (%v)", idsFile, err)
		}
		got, _ := os.ReadFile(filepath.Join(dir, schemasFile))
		if want := `{"default":0,"variants":[{"schema":{"type":"object","required":["a"]},"native":true}]}` + "\n"; string(got) != want {
			t.Errorf("%s = %s, want %s", schemasFile, got, want)
		}
	})
	t.Run("mixed", func(t *testing.T) {
		dir := t.TempDir()
		rec := NewRecorder(dir)
		adds := []struct {
			id     string
			schema []byte
			native bool
		}{{"q1", a, true}, {"q2", nil, false}, {"q3", b, true}, {"q4", a, true}, {"q5", a, false}}
		for _, x := range adds {
			if err := rec.Add(x.id, x.schema, x.native); err != nil {
				t.Fatal(err)
			}
		}
		if err := rec.Finish(); err != nil {
			t.Fatal(err)
		}
		ids, _ := os.ReadFile(filepath.Join(dir, idsFile))
		if want := "[\"q2\",-1]\n[\"q3\",1]\n[\"q5\",2]\n"; string(ids) != want {
			t.Errorf("%s = %q, want %q", idsFile, ids, want)
		}
		set, err := Load(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range adds {
			raw, native := set.Raw(x.id)
			if string(raw) != string(x.schema) || native != x.native {
				t.Errorf("Raw(%s) = %s %v, want %s %v", x.id, raw, native, x.schema, x.native)
			}
		}
	})
	t.Run("none", func(t *testing.T) {
		dir := t.TempDir()
		rec := NewRecorder(dir)
		rec.Add("q1", nil, false)
		if err := rec.Finish(); err != nil {
			t.Fatal(err)
		}
		if set, err := Load(dir); set != nil || err != nil {
			t.Errorf("Load = %v, %v; want nothing for a job without schemas", set, err)
		}
	})
	t.Run("bad schema", func(t *testing.T) {
		rec := NewRecorder(t.TempDir())
		defer rec.Abort()
		if err := rec.Add("q1", []byte(`{"type":5}`), true); err == nil {
			t.Error("a schema that does not compile was recorded")
		}
	})
}

func TestIsCompact(t *testing.T) {
	for doc, want := range map[string]bool{
		`{"a":"b c","d":[1,2]}`: true,
		`{"a": 1}`:              false,
		`{"a":"\" x"}`:          true,
		`{"a":"\\" , "b":1}`:    false,
		"[1,\n2]":               false,
		`"x\\"`:                 true,
	} {
		if got := isCompact([]byte(doc)); got != want {
			t.Errorf("isCompact(%s) = %v, want %v", doc, got, want)
		}
	}
}

// TestQuickParsed: a confirmed answer comes back compact, white space
// inside its strings kept; one it cannot vouch for is left to the library.
func TestQuickParsed(t *testing.T) {
	s := mustCompile(t, personSchema)
	for text, want := range map[string]string{
		` {"name":"A b","age":3} `:        `{"name":"A b","age":3}`,
		"{\"name\": \"A b\",\n\"age\":3}": `{"name":"A b","age":3}`,
		`{"name":"A\"  b","age":3}`:       `{"name":"A\"  b","age":3}`,
	} {
		doc, ok := quick(text, s)
		if !ok || string(doc) != want {
			t.Errorf("quick(%q) = %s, %v; want %s", text, doc, ok, want)
		}
	}
	if _, ok := quick(`{"name":"A","age":-1}`, s); ok {
		t.Error("quick confirmed an age below the minimum")
	}
}

// TestRequestSchemaRefs: a request's schema may refer inside itself, never
// to a file.
func TestRequestSchemaRefs(t *testing.T) {
	if _, err := compileRequest([]byte(`{"$defs":{"a":{"type":"string"}},"$ref":"#/$defs/a"}`)); err != nil {
		t.Errorf("a local $ref: %v", err)
	}
	_, err := compileRequest([]byte(`{"$ref":"file:///etc/hostname"}`))
	if err == nil || !strings.Contains(err.Error(), "cannot refer to file:///etc/hostname") {
		t.Errorf("a $ref to a file: %v", err)
	}
}
