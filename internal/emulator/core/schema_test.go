package core

import "testing"

func TestMinimalInstance(t *testing.T) {
	for _, tc := range []struct{ schema, fill, want string }{
		{`{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"integer"}},"required":["b","a"]}`, "hi", `{"b":0,"a":"hi"}`},
		{`{"type":"object","properties":{"a":{"type":"string"}}}`, "hi", `{}`},
		{`{"type":["integer","null"],"minimum":3}`, "", `3`},
		{`{"type":"number","exclusiveMinimum":0}`, "", `1e-09`},
		{`{"type":"integer","exclusiveMinimum":0}`, "", `1`},
		{`{"type":"integer","maximum":-2}`, "", `-2`},
		{`{"type":"integer","minimum":5,"multipleOf":4}`, "", `8`},
		{`{"type":"string","minLength":4}`, "ab", `"abxx"`},
		{`{"type":"string","maxLength":2}`, "abc", `"ab"`},
		{`{"enum":["red","green"]}`, "", `"red"`},
		{`{"const":{"k":[1]}}`, "", `{"k":[1]}`},
		{`{"type":"array","items":{"type":"boolean"},"minItems":2}`, "", `[false,false]`},
		{`{"type":"array","prefixItems":[{"type":"string"},{"type":"null"}]}`, "p", `["p",null]`},
		{`{"anyOf":[{"type":"boolean"},{"type":"string"}]}`, "", `false`},
		{`{"$defs":{"n":{"type":"integer","minimum":1}},"type":"object","properties":{"x":{"$ref":"#/$defs/n"}},"required":["x"]}`, "", `{"x":1}`},
		{`{"allOf":[{"properties":{"a":{"type":"boolean"}},"required":["a"]},{"required":["b"]}]}`, "", `{"a":false,"b":null}`},
		{`true`, "", `null`},
		{`{"type":"object","required":["q"]}`, "", `{"q":null}`},
	} {
		got, err := MinimalInstance([]byte(tc.schema), tc.fill)
		if err != nil || string(got) != tc.want {
			t.Errorf("MinimalInstance(%s, %q) = %s, %v; want %s", tc.schema, tc.fill, got, err, tc.want)
		}
	}
}

func TestMinimalInstanceRefuses(t *testing.T) {
	for _, tc := range []struct{ schema, want string }{
		{`{"type":"string","pattern":"^a"}`, `schema #: "pattern" is not supported by the emulator`},
		{`{"type":"object","properties":{"a":{"not":{}}},"required":["a"]}`, `schema #/properties/a: "not" is not supported by the emulator`},
		{`{"if":{},"then":{}}`, `schema #: "if" is not supported by the emulator`},
		{`{"$ref":"https://example.com/s.json"}`, `schema #: $ref "https://example.com/s.json" is not supported by the emulator (only refs within the schema)`},
		{`{"$ref":"#/$defs/none"}`, `schema #: $ref "#/$defs/none" names nothing`},
		{`{"$ref":"#"}`, `schema #: nested too deep (a recursive $ref?)`},
		{`{"type":"integer","minimum":2,"maximum":1}`, `schema #: no number fits its bounds`},
		{`false`, `schema #: false accepts nothing`},
		{`[1]`, `schema #: must be an object or a boolean`},
	} {
		_, err := MinimalInstance([]byte(tc.schema), "")
		if err == nil || err.Error() != tc.want {
			t.Errorf("MinimalInstance(%s) error = %v; want %s", tc.schema, err, tc.want)
		}
	}
}

func TestChooseToolCall(t *testing.T) {
	weather := Tool{Name: "get_weather", Params: []byte(`{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}`)}
	now := Tool{Name: "now"}
	for _, tc := range []struct {
		name string
		use  ToolUse
		want string // the call as name(arguments), "" for a text answer, or the error
	}{
		{"no tools", ToolUse{}, ""},
		{"the first tool", ToolUse{Tools: []Tool{weather, now}}, `get_weather({"city":"Paris?"})`},
		{"forced", ToolUse{Tools: []Tool{weather, now}, Forced: "now"}, `now({})`},
		{"none", ToolUse{Tools: []Tool{weather}, None: true}, ""},
		{"after results", ToolUse{Tools: []Tool{weather}, Answered: true}, ""},
		{"after results, a call required", ToolUse{Tools: []Tool{weather}, Answered: true, Must: true}, `get_weather({"city":"Paris?"})`},
		{"forced, not offered", ToolUse{Tools: []Tool{weather}, Forced: "now"}, `error: the tool "now" to call is not among the tools`},
		{"parameters it cannot fill", ToolUse{Tools: []Tool{{Name: "p", Params: []byte(`{"type":"string","pattern":"x"}`)}}},
			`error: tool "p": schema #: "pattern" is not supported by the emulator`},
	} {
		call, ok, err := ChooseToolCall(tc.use, "Paris?")
		got := ""
		switch {
		case err != nil:
			got = "error: " + err.Error()
		case ok:
			got = call.Name + "(" + string(call.Arguments) + ")"
		}
		if got != tc.want {
			t.Errorf("%s: got %s, want %s", tc.name, got, tc.want)
		}
	}
}
