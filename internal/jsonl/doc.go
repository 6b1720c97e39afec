// Package jsonl reads JSON Lines streams, and validates and converts batch
// input one line at a time, so that files of any size are handled with flat
// memory: a Reader hands out lines of any length with their line numbers,
// and a Converter turns each input line into a line of the target
// provider's batch format, collecting Problems that name the file, line and
// field at fault into a ValidationError. (Result lines are written by
// cmd/shared, which encodes them straight into its output buffer.)
//
// # Input shapes
//
// A Converter tells the shape of each line from its members:
//
//	OpenAI batch line        {"custom_id":"q1","method":"POST","url":"/v1/chat/completions","body":{...}}
//	Anthropic batch request  {"custom_id":"q1","params":{"model":...,"max_tokens":512,"messages":[...]}}
//	Gemini batch line        {"key":"q1","request":{"contents":[...]}}  (or "content" for embeddings)
//	simple line              {"messages":[...]}, {"prompt":"..."} or {"input":"..."} (embeddings), with
//	                         optional custom_id, system, model, max_tokens, temperature, top_p, top_k,
//	                         stop, dimensions, task_type and encoding_format
//
// With ConvertOptions.TextInput, every line is instead one prompt in plain
// text (or one input to embed, with Defaults.Endpoint set to embeddings).
// Simple messages use the chat completions format. Simple and text lines
// without an id get one made from the line number, line-000042.
//
// # Targets
//
// A line in the target's own shape (an OpenAI batch line for TargetOpenAI,
// ...) is checked and passed through byte for byte; only a required member
// it lacks is inserted from the defaults (OpenAI body.model, Anthropic
// params.model and params.max_tokens). Every other line is converted to:
//
//	openai     {"custom_id":...,"method":"POST","url":"/v1/chat/completions","body":{...}}, or
//	           /v1/embeddings, /v1/responses, /v1/completions for simple and text lines that ask for them
//	anthropic  {"custom_id":...,"params":{"model","max_tokens","system","messages",...}}
//	gemini     {"key":...,"request":{"contents","systemInstruction","generationConfig"}}, or
//	           {"key":...,"request":{"content":{"parts":[{"text"}]},"taskType","outputDimensionality"}}
//
// Gemini takes one model per batch, in the URL, so its lines carry none.
//
// # What converts
//
// The common subset of the formats:
//
//   - the system prompt: OpenAI system and developer messages (before the
//     conversation) and Responses instructions, Anthropic system (a string
//     or text blocks), Gemini systemInstruction, simple system;
//   - user and assistant turns (Gemini "model"), with text parts and
//     images: OpenAI image_url with a base64 data: URL becomes an Anthropic
//     base64 image source and Gemini inlineData, and back; an http(s) URL
//     becomes an Anthropic url image source (Gemini cannot fetch URLs);
//   - max tokens: max_tokens, max_completion_tokens and max_output_tokens,
//     Anthropic max_tokens, Gemini maxOutputTokens (OpenAI chat output uses
//     max_completion_tokens);
//   - temperature, top_p (topP), stop (a string or list) as
//     stop_sequences and stopSequences, and top_k (topK) between Anthropic
//     and Gemini;
//   - embeddings: OpenAI /v1/embeddings input (a string, or a list of one
//     string for Gemini) and dimensions, Gemini content, outputDimensionality
//     and taskType;
//   - Responses API requests whose input is a string or messages of text
//     and images, which become chat requests for Anthropic and Gemini;
//   - n, stream, logprobs and candidateCount at their defaults (1 or false),
//     which need no member;
//   - function tools: OpenAI chat tools[].function and Responses tools
//     {type:"function"}, Anthropic tools (input_schema), Gemini
//     tools[].functionDeclarations (parametersJsonSchema, or parameters, an
//     OpenAPI subset translated to JSON Schema), with strict where the
//     target has it;
//   - tool choices: OpenAI auto, none, required and a named function,
//     Anthropic auto, none, any and tool, Gemini functionCallingConfig
//     AUTO, NONE, ANY, and ANY with one allowedFunctionNames; OpenAI
//     parallel_tool_calls false as Anthropic disable_parallel_tool_use;
//   - earlier tool calls and results in the conversation: OpenAI assistant
//     tool_calls (arguments, a JSON string, become an object and back) and
//     role "tool" messages, Responses function_call and function_call_output
//     items, Anthropic tool_use and tool_result blocks, Gemini functionCall
//     and functionResponse parts. Gemini names the function where the
//     others give the call's id: its calls get the ids call_1, call_2, ...
//     and a result answers the earliest call of its function not yet
//     answered; going to Gemini, a result takes the name of the call its id
//     names. A text result becomes a Gemini response {"output": text} (or
//     {"error": text} for an Anthropic is_error result), and a Gemini
//     response becomes text: the string of {"output": "..."}, else the
//     object's JSON;
//   - structured outputs: OpenAI response_format (json_schema with name,
//     description, schema and strict; json_object), Responses text.format,
//     Anthropic output_config.format (and the deprecated beta
//     output_format), Gemini responseMimeType application/json with
//     responseJsonSchema or responseSchema (translated to JSON Schema:
//     lower-case types, nullable as a "null" type, example as examples,
//     propertyOrdering dropped). OpenAI gets strict true when the schema
//     keeps the rules of strict mode and the request did not say, a name
//     of batchctl_output when it has none. For an Anthropic model without
//     structured outputs (Claude 3, Claude 4.0 and 4.1) the schema is the
//     input_schema of a tool named batchctl_output that tool_choice forces,
//     whose input the result line unwraps into its text;
//   - ConvertOptions.Schema (--schema), applied to every chat request that
//     asks for no structured output, in the target's terms; it is inserted
//     into lines in the target's own shape too.
//
// OutputSchema reports the schema each line asks its answer to follow, and
// OutputNative whether the target carries it natively.
//
// Gemini members may be spelled in camelCase or snake_case.
//
// # What is refused
//
// Anything that cannot be carried over is a problem naming the line and the
// member, never dropped in silence: any member not listed above (functions,
// logprobs, seed, metadata, safetySettings, thinking, cache_control, built-in
// and custom tools such as web_search or googleSearch, ...), n above 1,
// streaming, function messages, system messages after the conversation started,
// images in system text, parts other than text and images (audio, files,
// documents), image detail other than "auto", media types the target does
// not accept, embeddings for Anthropic, token-id inputs and several inputs
// per request for Gemini, encoding_format base64 for Gemini, task types for
// OpenAI, top_k for OpenAI, stop for /v1/responses, and OpenAI endpoints
// other than chat completions, embeddings and responses for other targets.
//
// Of tools and schemas: tool names a target does not take (OpenAI and
// Anthropic ^[a-zA-Z0-9_-]{1,64}$, Gemini up to 128 letters, digits and
// _.:- starting with a letter or _), strict tools and parallel_tool_calls
// false for Gemini, Gemini modes other than AUTO, ANY and NONE and
// allowedFunctionNames of several names, JSON mode without a schema for
// Anthropic, Anthropic is_error results for OpenAI, tool results that
// answer no earlier call, tool results of several parts or of images,
// tool call arguments that are not a JSON object, and the schema keywords
// a target cannot carry (see schema.go and docs/schemas.md): for Gemini
// any keyword but $id, $defs, $ref, $anchor, type, format, title,
// description, enum, items, prefixItems, minItems, maxItems, minimum,
// maximum, anyOf, oneOf, properties, additionalProperties, required and
// propertyOrdering (annotations such as default and examples pass); for
// Anthropic structured outputs and strict tools minimum, maximum,
// exclusiveMinimum, exclusiveMaximum, multipleOf, minLength, maxLength,
// maxItems, minItems above 1, additionalProperties other than false and
// recursive $refs; for OpenAI strict mode, asked for explicitly, a root
// that is not an object, an object without additionalProperties false or
// with a property not required, and allOf, not, if/then/else,
// dependentRequired, dependentSchemas and patternProperties. A schema that
// is not of an object cannot be a forced tool's input.
//
// # Validation
//
// The whole input is checked before anything is sent: invalid JSON, lines
// whose shape cannot be told, missing or mistyped members, duplicate ids
// (naming the first line), ids the target rejects (Anthropic's
// ^[a-zA-Z0-9_-]{1,64}$), endpoints or kinds that differ between lines,
// models that differ where the target takes one model per batch (OpenAI,
// Gemini), missing models (pass --model) and Anthropic max tokens, values
// out of the target's range, and converted lines over
// ConvertOptions.MaxLineBytes. A line's first pass validates it completely
// with a fast scanner; conversion then walks only the members it needs.
// Valid JSON that parsers read differently is refused too, naming the
// field: a key repeated in any object, and a \u escape of a lone
// surrogate ("\ud800"; a pair such as "\ud83d\ude00" is fine).
//
// # Bounded input
//
// A line takes memory in proportion to its length, so Reader.Bound caps
// it (callers pass the byte limit of one batch) and gives up on a long
// line as soon as Converter.CheckPrefix sees that its start cannot be
// valid: NUL bytes, binary data and garbage end at the first bad byte
// instead of being read to the next newline, which may never come. The
// converter then reports the line and stops (Converter.Abandon), as it
// does after MaxProblems lines that are not JSON, so an endless input of
// garbage ends too.
package jsonl
