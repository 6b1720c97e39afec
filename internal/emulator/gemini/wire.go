package gemini

import (
	"encoding/json"
	"strconv"
	"time"
)

// This file holds the Gemini wire types: objects as the API returns them,
// in proto3 JSON (camelCase, int64s as strings, zero values left out).

// ErrorBody is the body of a Google API error.
type ErrorBody struct {
	Error rpcStatus `json:"error"`
}

// rpcStatus is a google.rpc.Status, with the status name Google's HTTP
// errors (and the emulator's per-request errors) add.
type rpcStatus struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Status  string `json:"status,omitempty"`
	Details []any  `json:"details,omitempty"`
}

// retryInfo is a google.rpc.RetryInfo error detail.
type retryInfo struct {
	Type       string `json:"@type"`
	RetryDelay string `json:"retryDelay"`
}

const retryInfoType = "type.googleapis.com/google.rpc.RetryInfo"

// The @types of a batch operation's metadata and response.
const (
	generateBatchType  = "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch"
	generateOutputType = "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatchOutput"
	EmbedBatchType     = "type.googleapis.com/google.ai.generativelanguage.v1main.EmbedContentBatch"
	EmbedOutputType    = "type.googleapis.com/google.ai.generativelanguage.v1main.EmbedContentBatchOutput"
)

// operation is a batch as a long-running operation.
type operation struct {
	Name     string      `json:"name"`
	Metadata batchObject `json:"metadata"`
	Done     bool        `json:"done,omitempty"`
	Response *output     `json:"response,omitempty"`
	Error    *rpcStatus  `json:"error,omitempty"`
}

// batchObject is a GenerateContentBatch or EmbedContentBatch.
type batchObject struct {
	Type        string       `json:"@type"`
	Model       string       `json:"model"`
	DisplayName string       `json:"displayName,omitempty"`
	InputConfig *inputConfig `json:"inputConfig,omitempty"`
	Output      *output      `json:"output,omitempty"`
	CreateTime  string       `json:"createTime"`
	EndTime     string       `json:"endTime,omitempty"`
	UpdateTime  string       `json:"updateTime"`
	BatchStats  batchStats   `json:"batchStats"`
	State       string       `json:"state"`
	Name        string       `json:"name"`
}

type inputConfig struct {
	FileName string `json:"fileName"`
}

// output is a batch's output: the operation's response (with its
// @type) and the batch's metadata.output (without) are the same.
type output struct {
	Type             string            `json:"@type,omitempty"`
	ResponsesFile    string            `json:"responsesFile,omitempty"`
	InlinedResponses *inlinedResponses `json:"inlinedResponses,omitempty"`
}

type inlinedResponses struct {
	InlinedResponses []inlinedResponse `json:"inlinedResponses"`
}

// inlinedResponse is the result of one inline request.
type inlinedResponse struct {
	Response any             `json:"response,omitempty"`
	Error    *rpcStatus      `json:"error,omitempty"`
	Metadata json.RawMessage `json:"metadata,omitempty"`
}

// batchStats are a batch's request counts.
type batchStats struct {
	RequestCount           int64String `json:"requestCount,omitempty"`
	SuccessfulRequestCount int64String `json:"successfulRequestCount,omitempty"`
	FailedRequestCount     int64String `json:"failedRequestCount,omitempty"`
	PendingRequestCount    int64String `json:"pendingRequestCount,omitempty"`
}

// int64String is an int64 in proto3 JSON: a string.
type int64String int64

func (n int64String) MarshalJSON() ([]byte, error) {
	return strconv.AppendQuote(nil, strconv.FormatInt(int64(n), 10)), nil
}

func (n *int64String) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := strconv.ParseInt(s, 10, 64)
	*n = int64String(v)
	return err
}

// timestamp formats t as proto3 JSON does; zero is "".
func timestamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// FileObject is a Files API File.
type FileObject struct {
	Name           string      `json:"name"`
	DisplayName    string      `json:"displayName,omitempty"`
	MIMEType       string      `json:"mimeType"`
	SizeBytes      int64String `json:"sizeBytes"`
	CreateTime     string      `json:"createTime"`
	UpdateTime     string      `json:"updateTime"`
	ExpirationTime string      `json:"expirationTime"`
	SHA256Hash     []byte      `json:"sha256Hash"`
	URI            string      `json:"uri"`
	DownloadURI    string      `json:"downloadUri"`
	State          string      `json:"state"`
	Source         string      `json:"source"`
}

// FileAnswer wraps a File, as the upload's final answer does.
type FileAnswer struct {
	File FileObject `json:"file"`
}

// resultLine is one line of a responses file.
type resultLine struct {
	Key      string     `json:"key"`
	Response any        `json:"response,omitempty"`
	Error    *rpcStatus `json:"error,omitempty"`
}

// generateResponse is a GenerateContentResponse.
type generateResponse struct {
	Candidates    []candidate   `json:"candidates"`
	UsageMetadata usageMetadata `json:"usageMetadata"`
	ModelVersion  string        `json:"modelVersion"`
	ResponseID    string        `json:"responseId"`
}

type candidate struct {
	Content      content `json:"content"`
	FinishReason string  `json:"finishReason"`
	Index        int     `json:"index"`
}

type content struct {
	Parts []part `json:"parts"`
	Role  string `json:"role"`
}

// part is a part of an answer: text, or a function call.
type part struct {
	Text         *string       `json:"text,omitempty"`
	FunctionCall *functionCall `json:"functionCall,omitempty"`
}

// functionCall is a call of a function declaration, without an id (the
// Gemini API gives none unless asked).
type functionCall struct {
	Name string          `json:"name"`
	Args json.RawMessage `json:"args"`
}

type usageMetadata struct {
	PromptTokenCount     int64 `json:"promptTokenCount,omitempty"`
	CandidatesTokenCount int64 `json:"candidatesTokenCount,omitempty"`
	TotalTokenCount      int64 `json:"totalTokenCount,omitempty"`
}

// embedResponse is an EmbedContentResponse.
type embedResponse struct {
	Embedding     embedding      `json:"embedding"`
	UsageMetadata embeddingUsage `json:"usageMetadata"`
}

type embedding struct {
	Values []float32 `json:"values"`
}

type embeddingUsage struct {
	PromptTokenCount int64 `json:"promptTokenCount,omitempty"`
}
