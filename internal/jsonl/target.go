package jsonl

import (
	"slices"
	"strings"
)

// Target is the wire protocol a Converter writes, named as in messages: the
// batch input format of one provider family. OpenAI-compatible services are
// TargetOpenAI. The rules of each target are a protocol value; adding a
// target is adding its name, its protocol and its entry in protocols.
type Target string

// The targets.
const (
	TargetOpenAI     Target = "openai"
	TargetAnthropic  Target = "anthropic"
	TargetGemini     Target = "gemini"
	TargetMistral    Target = "mistral"
	TargetOpenRouter Target = "openrouter"
	TargetXAI        Target = "xai"
	TargetBedrock    Target = "bedrock"
)

// protocols lists the targets' rules, in the order messages name them.
var protocols = []*protocol{&openAI, &anthropic, &gemini, &mistral, &openRouter, &xAI, &bedrock}

// protocol is the input rules of one target: the lines that are its own,
// the requests it accepts, and how a converted request is written for it.
type protocol struct {
	name Target
	// native is the shape of the target's own lines. pass checks such a
	// line and returns it as is, or with the required members it lacks
	// inserted from the defaults.
	native shape
	pass   func(c *Converter, b []byte) (out []byte, id string)

	// idOK reports whether a request id is one the target accepts; nil
	// accepts every non-empty string. badID is the reason given otherwise.
	idOK  func(id []byte) bool
	badID string

	// converts maps each kind of request the target serves to the kind it
	// is sent as (Responses API requests become chat requests for the
	// providers that have no Responses API); a kind it lacks is refused.
	// routes gives, for each kind sent, the endpoint and how a request is
	// written. serves lists the kinds served, for messages.
	converts map[Kind]Kind
	routes   map[Kind]route
	serves   string

	maxTokensRequired bool     // a chat request without max_tokens is refused
	mixedModels       bool     // one batch may name several models
	trimModels        bool     // model names drop a "models/" prefix
	maxTemperature    float64  // temperatures go from 0 to this
	maxStops          int      // stop sequences per request; 0 means no limit
	topK              bool     // takes a top-k sampling limit
	encodingFormat    bool     // takes encoding_format; else only "float", which it returns anyway
	taskType          bool     // takes a Gemini embedding task type
	tokenInput        bool     // embeds token ids
	manyInputs        bool     // embeds several inputs in one request
	imageURLs         bool     // fetches images from http(s) URLs
	anyMedia          bool     // takes inline data of any media type, not only images
	imageTypes        []string // the image media types it takes; nil takes any image/*
	textOnly          bool     // takes no images at all
	bodyOnly          bool     // a request is {"custom_id","body"}: the endpoint is the batch's
	noParallel        bool     // can be told to make one tool call at most
	resultErrors      bool     // tool results can be flagged as errors
	// toolNameOK reports whether a tool name suits the target; toolNames
	// says what it wants, for messages.
	toolNameOK func(name []byte) bool
	toolNames  string
	// noTools refuses tools, tool calls and results, and structured
	// outputs in lines converted for the target: its writers carry none.
	noTools bool
	noStop  bool // takes no stop sequences
	// family, when set, gives the rules for the target's model, nil to
	// keep these: a target whose models take bodies of their own
	// (bedrock) has rules per family.
	family func(model string) *protocol
}

// route is where requests of one kind go and how they are written.
type route struct {
	endpoint string                              // the provider's name for the endpoint
	emit     func(c *Converter, o []byte) []byte // appends a converted request to o
}

var openAI = protocol{
	name:   TargetOpenAI,
	native: shapeOpenAI,
	pass:   (*Converter).passOpenAI,
	converts: map[Kind]Kind{
		KindChat: KindChat, KindEmbeddings: KindEmbeddings, KindResponses: KindResponses, KindCompletions: KindCompletions,
	},
	routes: map[Kind]route{
		KindChat:        {"/v1/chat/completions", (*Converter).appendOpenAIChat},
		KindEmbeddings:  {"/v1/embeddings", (*Converter).appendOpenAIEmbeddings},
		KindResponses:   {"/v1/responses", (*Converter).appendOpenAIResponses},
		KindCompletions: {"/v1/completions", (*Converter).appendOpenAICompletions},
	},
	serves:         "chat, embeddings, responses and completions",
	maxTemperature: 2,
	maxStops:       4,
	encodingFormat: true,
	tokenInput:     true,
	manyInputs:     true,
	imageURLs:      true,
	noParallel:     true,
	toolNameOK:     func(n []byte) bool { return isAnthropicID(n) },
	toolNames:      "want 1 to 64 letters, digits, '_' or '-'",
}

var anthropic = protocol{
	name:     TargetAnthropic,
	native:   shapeAnthropic,
	pass:     (*Converter).passAnthropic,
	idOK:     isAnthropicID,
	badID:    "is not a valid anthropic custom_id (want 1 to 64 letters, digits, '_' or '-')",
	converts: map[Kind]Kind{KindChat: KindChat, KindResponses: KindChat},
	routes: map[Kind]route{
		KindChat: {"/v1/messages", (*Converter).appendAnthropic},
	},
	serves:            "chat",
	maxTokensRequired: true,
	mixedModels:       true,
	maxTemperature:    1,
	topK:              true,
	imageURLs:         true,
	imageTypes:        []string{"image/jpeg", "image/png", "image/gif", "image/webp"},
	noParallel:        true,
	resultErrors:      true,
	toolNameOK:        func(n []byte) bool { return isAnthropicID(n) },
	toolNames:         "want 1 to 64 letters, digits, '_' or '-'",
}

var gemini = protocol{
	name:     TargetGemini,
	native:   shapeGemini,
	pass:     (*Converter).passGemini,
	converts: map[Kind]Kind{KindChat: KindChat, KindResponses: KindChat, KindEmbeddings: KindEmbeddings},
	routes: map[Kind]route{
		KindChat:       {"batchGenerateContent", (*Converter).appendGeminiGenerate},
		KindEmbeddings: {"asyncBatchEmbedContent", (*Converter).appendGeminiEmbed},
	},
	serves:         "chat and embeddings",
	trimModels:     true,
	maxTemperature: 2,
	maxStops:       5,
	topK:           true,
	taskType:       true,
	anyMedia:       true,
	resultErrors:   true,
	toolNameOK:     isGeminiToolName,
	toolNames:      "want 1 to 128 letters, digits, '_', '.', ':' or '-', starting with a letter or '_'",
	family:         vertexRules, // Claude on Vertex AI, the other user of these lines
}

// xAI's batch requests are chat completion bodies, sent inline by the
// provider (internal/providers/xai) from OpenAI batch lines, the shape of
// xAI's JSONL batch input: its own lines are OpenAI's, for chat only.
var xAI = protocol{
	name:     TargetXAI,
	native:   shapeOpenAI,
	pass:     (*Converter).passOpenAI,
	converts: map[Kind]Kind{KindChat: KindChat, KindResponses: KindChat},
	routes: map[Kind]route{
		KindChat: {"/v1/chat/completions", (*Converter).appendOpenAIChat},
	},
	serves:         "chat",
	mixedModels:    true,
	maxTemperature: 2,
	imageURLs:      true,
	noParallel:     true,
	toolNameOK:     func(n []byte) bool { return isAnthropicID(n) },
	toolNames:      "want 1 to 64 letters, digits, '_' or '-'",
}

// openRouter is OpenRouter's batch API (internal/providers/openrouter): a
// request is {"custom_id":...,"body":{...}}, the body that of the OpenAI
// endpoint the whole batch targets, so the OpenAI writers write it. Its
// batches are text only, take one model each (a line naming another model
// is refused, as for OpenAI) and serve chat completions, Responses,
// embeddings and Anthropic Messages; batchctl sends the first three
// (Anthropic lines become chat requests). Source:
// https://openrouter.ai/docs/batch-quickstart ("Limitations", "Submit a
// batch", "Embeddings").
var openRouter = protocol{
	name:   TargetOpenRouter,
	native: shapeOpenAI,
	pass:   (*Converter).passOpenRouter,
	converts: map[Kind]Kind{
		KindChat: KindChat, KindEmbeddings: KindEmbeddings, KindResponses: KindResponses,
	},
	routes: map[Kind]route{
		KindChat:       {"/v1/chat/completions", (*Converter).appendOpenAIChat},
		KindEmbeddings: {"/v1/embeddings", (*Converter).appendOpenAIEmbeddings},
		KindResponses:  {"/v1/responses", (*Converter).appendOpenAIResponses},
	},
	serves:         "chat, embeddings and responses",
	maxTemperature: 2,
	encodingFormat: true,
	tokenInput:     true,
	manyInputs:     true,
	textOnly:       true,
	bodyOnly:       true,
	noParallel:     true,
	toolNameOK:     func(n []byte) bool { return isAnthropicID(n) },
	toolNames:      "want 1 to 64 letters, digits, '_' or '-'",
}

// protocolOf is the protocol of target t, or nil when there is none.
func protocolOf(t Target) *protocol {
	for _, p := range protocols {
		if p.name == t {
			return p
		}
	}
	return nil
}

// targetNames lists the targets for messages: "openai, anthropic or gemini".
func targetNames() string {
	names := make([]string, len(protocols))
	for i, p := range protocols {
		names[i] = string(p.name)
	}
	return orList(names)
}

// orList joins words for messages: "a, b or c".
func orList(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

// endpoint is the provider's name for requests of kind k. Kinds without a
// route of their own (other OpenAI endpoints, for instance) go to chat's.
func (p *protocol) endpoint(k Kind) string {
	if r, ok := p.routes[k]; ok {
		return r.endpoint
	}
	return p.routes[KindChat].endpoint
}

// endpointList lists the endpoints of the target's routes, for messages,
// in the order of OpenAI's list.
func (p *protocol) endpointList() string {
	var names []string
	for _, k := range []Kind{KindChat, KindEmbeddings, KindResponses, KindCompletions} {
		if r, ok := p.routes[k]; ok {
			names = append(names, r.endpoint)
		}
	}
	return strings.Join(names, ", ")
}

// takesImage reports whether the target takes inline images of media
// type media (escaped JSON string contents).
func (p *protocol) takesImage(media []byte) bool {
	return p.imageTypes == nil || slices.Contains(p.imageTypes, string(media))
}

// isAnthropicID reports whether id matches ^[a-zA-Z0-9_-]{1,64}$.
func isAnthropicID(id []byte) bool {
	if len(id) == 0 || len(id) > 64 {
		return false
	}
	for _, c := range id {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || isDigit(c) || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// isGeminiToolName reports whether name suits a Gemini function
// declaration: it starts with a letter or an underscore and holds up to
// 128 letters, digits, underscores, dots, colons and dashes (genai
// v1.77.0 types.go, FunctionDeclaration.Name).
func isGeminiToolName(name []byte) bool {
	if len(name) == 0 || len(name) > 128 || isDigit(name[0]) || name[0] == '.' || name[0] == ':' || name[0] == '-' {
		return false
	}
	for _, c := range name {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || isDigit(c) || c == '_' || c == '.' || c == ':' || c == '-') {
			return false
		}
	}
	return true
}
