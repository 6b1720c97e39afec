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
	Error geminiStatus `json:"error"`
}

// geminiStatus is a google.rpc.Status, with the status name Google's HTTP
// errors (and the emulator's per-request errors) add.
type geminiStatus struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Status  string `json:"status,omitempty"`
	Details []any  `json:"details,omitempty"`
}

// geminiRetryInfo is a google.rpc.RetryInfo error detail.
type geminiRetryInfo struct {
	Type       string `json:"@type"`
	RetryDelay string `json:"retryDelay"`
}

const geminiRetryInfoType = "type.googleapis.com/google.rpc.RetryInfo"

// The @types of a batch operation's metadata and response.
const (
	geminiGenerateBatchType  = "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch"
	geminiGenerateOutputType = "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatchOutput"
	EmbedBatchType           = "type.googleapis.com/google.ai.generativelanguage.v1main.EmbedContentBatch"
	EmbedOutputType          = "type.googleapis.com/google.ai.generativelanguage.v1main.EmbedContentBatchOutput"
)

// geminiOperation is a batch as a long-running operation.
type geminiOperation struct {
	Name     string            `json:"name"`
	Metadata geminiBatchObject `json:"metadata"`
	Done     bool              `json:"done,omitempty"`
	Response *geminiOutput     `json:"response,omitempty"`
	Error    *geminiStatus     `json:"error,omitempty"`
}

// geminiBatchObject is a GenerateContentBatch or EmbedContentBatch.
type geminiBatchObject struct {
	Type        string             `json:"@type"`
	Model       string             `json:"model"`
	DisplayName string             `json:"displayName,omitempty"`
	InputConfig *geminiInputConfig `json:"inputConfig,omitempty"`
	Output      *geminiOutput      `json:"output,omitempty"`
	CreateTime  string             `json:"createTime"`
	EndTime     string             `json:"endTime,omitempty"`
	UpdateTime  string             `json:"updateTime"`
	BatchStats  geminiBatchStats   `json:"batchStats"`
	State       string             `json:"state"`
	Name        string             `json:"name"`
}

type geminiInputConfig struct {
	FileName string `json:"fileName"`
}

// geminiOutput is a batch's output: the operation's response (with its
// @type) and the batch's metadata.output (without) are the same.
type geminiOutput struct {
	Type             string                  `json:"@type,omitempty"`
	ResponsesFile    string                  `json:"responsesFile,omitempty"`
	InlinedResponses *geminiInlinedResponses `json:"inlinedResponses,omitempty"`
}

type geminiInlinedResponses struct {
	InlinedResponses []geminiInlinedResponse `json:"inlinedResponses"`
}

// geminiInlinedResponse is the result of one inline request.
type geminiInlinedResponse struct {
	Response any             `json:"response,omitempty"`
	Error    *geminiStatus   `json:"error,omitempty"`
	Metadata json.RawMessage `json:"metadata,omitempty"`
}

// geminiBatchStats are a batch's request counts.
type geminiBatchStats struct {
	RequestCount           geminiInt64 `json:"requestCount,omitempty"`
	SuccessfulRequestCount geminiInt64 `json:"successfulRequestCount,omitempty"`
	FailedRequestCount     geminiInt64 `json:"failedRequestCount,omitempty"`
	PendingRequestCount    geminiInt64 `json:"pendingRequestCount,omitempty"`
}

// geminiInt64 is an int64 in proto3 JSON: a string.
type geminiInt64 int64

func (n geminiInt64) MarshalJSON() ([]byte, error) {
	return strconv.AppendQuote(nil, strconv.FormatInt(int64(n), 10)), nil
}

func (n *geminiInt64) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := strconv.ParseInt(s, 10, 64)
	*n = geminiInt64(v)
	return err
}

// geminiTime formats t as proto3 JSON does; zero is "".
func geminiTime(t time.Time) string {
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
	SizeBytes      geminiInt64 `json:"sizeBytes"`
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

// geminiResultLine is one line of a responses file.
type geminiResultLine struct {
	Key      string        `json:"key"`
	Response any           `json:"response,omitempty"`
	Error    *geminiStatus `json:"error,omitempty"`
}

// geminiGenerateResponse is a GenerateContentResponse.
type geminiGenerateResponse struct {
	Candidates    []geminiCandidate `json:"candidates"`
	UsageMetadata geminiUsage       `json:"usageMetadata"`
	ModelVersion  string            `json:"modelVersion"`
	ResponseID    string            `json:"responseId"`
}

type geminiCandidate struct {
	Content      geminiContent `json:"content"`
	FinishReason string        `json:"finishReason"`
	Index        int           `json:"index"`
}

type geminiContent struct {
	Parts []geminiPart `json:"parts"`
	Role  string       `json:"role"`
}

type geminiPart struct {
	Text string `json:"text"`
}

type geminiUsage struct {
	PromptTokenCount     int64 `json:"promptTokenCount,omitempty"`
	CandidatesTokenCount int64 `json:"candidatesTokenCount,omitempty"`
	TotalTokenCount      int64 `json:"totalTokenCount,omitempty"`
}

// geminiEmbedResponse is an EmbedContentResponse.
type geminiEmbedResponse struct {
	Embedding     geminiEmbedding      `json:"embedding"`
	UsageMetadata geminiEmbeddingUsage `json:"usageMetadata"`
}

type geminiEmbedding struct {
	Values []float32 `json:"values"`
}

type geminiEmbeddingUsage struct {
	PromptTokenCount int64 `json:"promptTokenCount,omitempty"`
}
