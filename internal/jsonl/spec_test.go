package jsonl

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/responses"
	"github.com/pb33f/libopenapi"
	"github.com/pb33f/libopenapi-validator/schema_validation"
	"github.com/pb33f/libopenapi/datamodel/high/base"
	"google.golang.org/genai"
)

// specsDir holds the providers' OpenAPI documents (../shared/specs).
const specsDir = "../../../shared/specs"

// specSchema loads the component schema name of the OpenAPI document
// file, skipping the test when the document is absent.
func specSchema(t *testing.T, file, name string) *base.Schema {
	t.Helper()
	path := filepath.Join(specsDir, file)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("%s not found: skipping validation against it", path)
	}
	if err != nil {
		t.Fatal(err)
	}
	doc, err := libopenapi.NewDocument(b)
	if err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	model, err := doc.BuildV3Model()
	if err != nil {
		t.Fatalf("build %s: %v", path, err)
	}
	proxy, ok := model.Model.Components.Schemas.Get(name)
	if !ok {
		t.Fatalf("%s has no schema %s", path, name)
	}
	return proxy.Schema()
}

// openAIProblems checks an OpenAI body with the SDK's request types
// (openai-go v3 ChatCompletionNewParams, responses.ResponseNewParams):
// decoded and encoded again, it must say the same. The OpenAI document's
// request schemas hold OpenAPI 3.0 nullable members that the validator
// refuses to compile, so they are not used.
func openAIProblems(path string, body []byte) []string {
	var again []byte
	var err error
	if path == "/v1/responses" {
		var p responses.ResponseNewParams
		if err = json.Unmarshal(body, &p); err == nil {
			again, err = json.Marshal(p)
		}
	} else {
		var p openai.ChatCompletionNewParams
		if err = json.Unmarshal(body, &p); err == nil {
			again, err = json.Marshal(p)
		}
	}
	if err != nil {
		return []string{err.Error()}
	}
	var want, got map[string]any
	if json.Unmarshal(body, &want) != nil || json.Unmarshal(again, &got) != nil {
		return []string{"not an object"}
	}
	var out []string
	// The SDK decodes a named tool choice as its custom variant: build
	// the function variant with the SDK instead, and compare that.
	if choice, ok := want["tool_choice"].(map[string]any); ok {
		fn, _ := choice["function"].(map[string]any)
		name, _ := fn["name"].(string)
		built, _ := json.Marshal(openai.ToolChoiceOptionFunctionToolChoice(openai.ChatCompletionNamedToolChoiceFunctionParam{Name: name}))
		if path == "/v1/responses" {
			name, _ = choice["name"].(string)
			built, _ = json.Marshal(responses.ToolChoiceFunctionParam{Name: name})
		}
		var sdk any
		if json.Unmarshal(built, &sdk) != nil || !reflect.DeepEqual(sdk, any(choice)) {
			out = append(out, fmt.Sprintf("tool_choice %v is not the SDK's %s", choice, built))
		}
		delete(want, "tool_choice")
		delete(got, "tool_choice")
	}
	if !reflect.DeepEqual(dropNulls(want), dropNulls(got)) {
		out = append(out, "the SDK reads it differently: "+string(again))
	}
	return out
}

// geminiProblems checks a Gemini request with the genai SDK's types
// (google.golang.org/genai Content, Tool, ToolConfig, GenerationConfig):
// each member, decoded and encoded again, must say the same, so a member
// or a value the SDK does not know shows.
func geminiProblems(request []byte) []string {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(request, &members); err != nil {
		return []string{err.Error()}
	}
	var out []string
	for key, raw := range members {
		var v any
		switch key {
		case "contents":
			v = &[]*genai.Content{}
		case "systemInstruction":
			v = &genai.Content{}
		case "tools":
			v = &[]*genai.Tool{}
		case "toolConfig":
			v = &genai.ToolConfig{}
		case "generationConfig":
			v = &genai.GenerationConfig{}
		default:
			out = append(out, key+": not a member batchctl writes")
			continue
		}
		if err := json.Unmarshal(raw, v); err != nil {
			out = append(out, key+": "+err.Error())
			continue
		}
		again, err := json.Marshal(v)
		var want, got any
		if err != nil || json.Unmarshal(raw, &want) != nil || json.Unmarshal(again, &got) != nil ||
			!reflect.DeepEqual(dropNulls(want), dropNulls(got)) {
			out = append(out, fmt.Sprintf("%s: the SDK reads it differently: %s", key, again))
		}
	}
	return out
}

// dropNulls removes the members that are null or empty objects, which the
// SDKs leave out (Gemini's functionCall args {}, for one).
func dropNulls(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			if m, ok := e.(map[string]any); e == nil || ok && len(m) == 0 {
				delete(v, k)
			} else {
				v[k] = dropNulls(e)
			}
		}
	case []any:
		for i, e := range v {
			v[i] = dropNulls(e)
		}
	}
	return v
}

// schemaProblems validates body against schema. A schema that refers to
// itself (Gemini's Schema, through Tool) cannot be rendered by the
// validator; it is checked member by member instead, down to the parts
// that render.
func schemaProblems(schema *base.Schema, at string, body []byte) []string {
	_, errs := schema_validation.NewSchemaValidator().ValidateSchemaBytes(schema, body)
	var out []string
	for _, e := range errs {
		if strings.Contains(e.Reason, "circular reference") {
			return memberProblems(schema, at, body)
		}
		if len(e.SchemaValidationErrors) == 0 {
			out = append(out, at+": "+e.Message+": "+e.Reason)
		}
		for _, f := range e.SchemaValidationErrors {
			out = append(out, fmt.Sprintf("%s: %s at %s", at, f.Reason, f.FieldPath))
		}
	}
	return out
}

func memberProblems(schema *base.Schema, at string, body []byte) []string {
	var out []string
	var members map[string]json.RawMessage
	var elems []json.RawMessage
	switch {
	case json.Unmarshal(body, &members) == nil && schema.Properties != nil:
		for key, raw := range members {
			prop, ok := schema.Properties.Get(key)
			if !ok {
				out = append(out, fmt.Sprintf("%s: %s is not a member the schema names", at, key))
				continue
			}
			out = append(out, schemaProblems(prop.Schema(), at+"."+key, raw)...)
		}
	case json.Unmarshal(body, &elems) == nil && schema.Items != nil && schema.Items.IsA():
		for i, raw := range elems {
			out = append(out, schemaProblems(schema.Items.A.Schema(), fmt.Sprintf("%s[%d]", at, i), raw)...)
		}
	case len(schema.AllOf) == 1:
		out = append(out, schemaProblems(schema.AllOf[0].Schema(), at, body)...)
	}
	return out
}

// TestConvertedToolsMatchSpecs checks every line TestToolsGolden converts
// against something not written here: OpenAI bodies against the SDK's
// request types (openAIProblems), Anthropic lines against
// MessageBatchIndividualRequestParams, Gemini requests against
// GenerateContentRequest (whose model the batch gives, not the line) and
// the genai SDK's types (geminiProblems).
func TestConvertedToolsMatchSpecs(t *testing.T) {
	if testing.Short() {
		t.Skip("parsing the OpenAPI documents takes seconds")
	}
	anthropicLine := specSchema(t, "anthropic-openapi.json", "MessageBatchIndividualRequestParams")
	geminiRequest := specSchema(t, "gemini-openapi.json", "GenerateContentRequest")
	schema, err := os.ReadFile("testdata/tools/schema.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range toolInputs {
		lines := readLines(t, filepath.Join("testdata/tools", in.name+".jsonl"))
		for _, target := range []Target{TargetOpenAI, TargetAnthropic, TargetGemini} {
			opts := ConvertOptions{Target: target, Defaults: Defaults{Model: "claude-sonnet-4-5", MaxTokens: intp(100)}}
			if in.schema {
				opts.Schema = bytes.TrimSpace(schema)
			}
			for _, line := range lines {
				c := NewConverter("in.jsonl", opts)
				out, id, ok := c.Convert(1, []byte(line))
				if !ok || !c.converted {
					continue // a line in the target's own shape is the provider's to check
				}
				var problems []string
				switch target {
				case TargetOpenAI:
					var l struct {
						URL  string          `json:"url"`
						Body json.RawMessage `json:"body"`
					}
					if err := json.Unmarshal(out, &l); err != nil {
						t.Fatal(err)
					}
					problems = openAIProblems(l.URL, l.Body)
				case TargetAnthropic:
					problems = schemaProblems(anthropicLine, "$", out)
				case TargetGemini:
					var l struct {
						Request json.RawMessage `json:"request"`
					}
					if err := json.Unmarshal(out, &l); err != nil {
						t.Fatal(err)
					}
					problems = append(schemaProblems(geminiRequest, "request", l.Request), geminiProblems(l.Request)...)
				}
				for _, p := range problems {
					t.Errorf("%s to %s: %s\nline: %s", id, target, p, out)
				}
			}
		}
	}
}
