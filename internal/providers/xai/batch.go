package xai

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/batchctl/batchctl/internal/providers"
)

// jsonRaw is a member kept as it came.
type jsonRaw = json.RawMessage

// unmarshal decodes raw into v.
func unmarshal(raw []byte, v any) error {
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("parse response: %w", err)
	}
	return nil
}

// count is an int64 counter of the proto, which the JSON mapping of
// proto3 may write as a number or a string.
type count int64

func (n *count) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "null" || s == "" {
		*n = 0
		return nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("not an integer: %s", b)
	}
	*n = count(v)
	return nil
}

// wireBatch is the part of a Batch batchctl reads [proto: Batch]. Its
// cost_breakdown {total_cost_usd_ticks, endpoint_costs} is not read: it
// stays in the batch's Raw JSON, as xAI sent it.
type wireBatch struct {
	BatchID            string     `json:"batch_id"`
	Name               string     `json:"name"`
	CreateTime         *time.Time `json:"create_time"`
	ExpireTime         *time.Time `json:"expire_time"`
	CancelTime         *time.Time `json:"cancel_time"`
	CancelByXAIMessage string     `json:"cancel_by_xai_message"`
	State              *wireState `json:"state"`
	InputFileID        string     `json:"input_file_id"`
}

// wireState is a batch's counters [proto: BatchState].
type wireState struct {
	NumRequests  count `json:"num_requests"`
	NumPending   count `json:"num_pending"`
	NumSuccess   count `json:"num_success"`
	NumError     count `json:"num_error"`
	NumCancelled count `json:"num_cancelled"`
}

// parseBatch turns a Batch into its normalized form; provider is the
// profile name it came through. Its name gives back the metadata batchctl
// tagged it with (see batchName), but only once every request it names
// was added: a batch still being filled, or one whose state the answer
// leaves out ("not always populated" [proto]), is no batch of a job yet.
func parseBatch(provider string, raw []byte) (*providers.Batch, error) {
	var w wireBatch
	if err := json.Unmarshal(raw, &w); err != nil {
		return nil, fmt.Errorf("parse batch: %w", err)
	}
	if w.BatchID == "" {
		return nil, errors.New("parse batch: no batch_id")
	}
	tag := parseBatchName(w.Name)
	var st wireState
	if w.State != nil {
		st = *w.State
	}
	b := &providers.Batch{
		ID:             w.BatchID,
		Provider:       provider,
		Status:         w.status(tag),
		ProviderStatus: w.providerStatus(tag),
		Endpoint:       endpoint,
		Counts: providers.Counts{
			Total:     int(st.NumRequests),
			Succeeded: int(st.NumSuccess),
			Failed:    int(st.NumError + st.NumCancelled),
		},
		CreatedAt:   utc(w.CreateTime),
		ExpiresAt:   utc(w.ExpireTime),
		InputFileID: w.InputFileID,
		Raw:         bytes.Clone(raw),
	}
	if w.State != nil && tag.complete(int(st.NumRequests)) {
		b.Metadata = tag.metadata()
	}
	switch b.Status {
	case providers.StatusCancelled, providers.StatusFailed:
		b.CompletedAt = utc(w.CancelTime) // when it was cancelled: xAI gives no end time
	case providers.StatusExpired:
		b.CompletedAt = cmp.Or(utc(w.CancelTime), utc(w.ExpireTime))
	}
	if b.Status == providers.StatusFailed {
		b.Errors = []providers.BatchError{{Code: "cancelled_by_xai", Message: w.CancelByXAIMessage}}
	}
	return b, nil
}

// status derives a normalized status from the counters (there is no
// status enum): no requests is validating (a batch being opened, or one
// batchctl is still filling: fewer requests than its name says);
// requests pending is in_progress, or cancelling once a cancel was asked
// for; none pending is completed, or cancelled after a cancel. A batch
// xAI cancelled itself (cancel_by_xai_message, "an error message
// explaining why" [proto]) is expired when that happened at its
// expire_time or later, failed otherwise: the proto names no reasons, and
// taking a cancel at the expiry time for the expiry is UNCONFIRMED. An
// answer without the state is unknown.
func (w *wireBatch) status(tag batchTag) providers.Status {
	if w.State == nil {
		return providers.StatusUnknown
	}
	st := w.State
	cancelled := w.CancelTime != nil
	switch {
	case w.CancelByXAIMessage != "" && st.NumPending == 0:
		if w.ExpireTime != nil && (w.CancelTime == nil || !w.CancelTime.Before(*w.ExpireTime)) {
			return providers.StatusExpired
		}
		return providers.StatusFailed
	case cancelled && st.NumPending > 0:
		return providers.StatusCancelling
	case cancelled:
		return providers.StatusCancelled
	case st.NumRequests == 0 || !tag.complete(int(st.NumRequests)):
		return providers.StatusValidating
	case st.NumPending > 0:
		return providers.StatusInProgress
	}
	return providers.StatusCompleted
}

// providerStatus names the state the counters show, for display: xAI has
// no status of its own.
func (w *wireBatch) providerStatus(tag batchTag) string {
	if w.State == nil {
		return "state not reported"
	}
	st := w.State
	switch {
	case w.CancelByXAIMessage != "":
		return "cancelled by xai: " + w.CancelByXAIMessage
	case w.CancelTime != nil && st.NumPending > 0:
		return "cancelling"
	case w.CancelTime != nil:
		return "cancelled"
	case st.NumRequests == 0:
		return "empty"
	case !tag.complete(int(st.NumRequests)):
		return "adding requests"
	case st.NumPending > 0:
		return "pending"
	}
	return "done"
}

// The batch name batchctl gives a batch: "batchctl", the job and part
// when it has them, and the number of requests it is to hold:
// "batchctl j7k2m9 1/2 n=5000", "batchctl n=3".
const namePrefix = "batchctl"

// batchTag is what a batch name says.
type batchTag struct {
	job, part string
	requests  int // -1: not a batchctl name
}

var (
	jobToken  = regexp.MustCompile(`^[0-9A-Za-z_-]+$`)
	partToken = regexp.MustCompile(`^[1-9][0-9]*/[1-9][0-9]*$`)
)

// batchName is the name of a batch of requests requests tagged with
// metadata md (its batchctl_job and batchctl_part; other keys are not
// kept).
func batchName(md map[string]string, requests int) string {
	fields := []string{namePrefix}
	if job := md["batchctl_job"]; job != "" {
		fields = append(fields, job)
		if part := md["batchctl_part"]; part != "" {
			fields = append(fields, part)
		}
	}
	return strings.Join(append(fields, "n="+strconv.Itoa(requests)), " ")
}

// parseBatchName reads a name batchName made; any other name gives a tag
// of no requests (-1).
func parseBatchName(name string) batchTag {
	none := batchTag{requests: -1}
	fields := strings.Split(name, " ")
	if len(fields) < 2 || len(fields) > 4 || fields[0] != namePrefix {
		return none
	}
	n, ok := strings.CutPrefix(fields[len(fields)-1], "n=")
	requests, err := strconv.Atoi(n)
	if !ok || err != nil || requests < 1 {
		return none
	}
	t := batchTag{requests: requests}
	switch rest := fields[1 : len(fields)-1]; len(rest) {
	case 2:
		if !partToken.MatchString(rest[1]) {
			return none
		}
		t.part = rest[1]
		fallthrough
	case 1:
		if !jobToken.MatchString(rest[0]) {
			return none
		}
		t.job = rest[0]
	}
	return t
}

// complete reports whether a batch with this name holding n requests has
// every request its name says (any number, for a name batchctl did not
// give).
func (t batchTag) complete(n int) bool { return t.requests < 0 || n >= t.requests }

// metadata is the metadata the name carries; nil when none.
func (t batchTag) metadata() map[string]string {
	if t.job == "" {
		return nil
	}
	md := map[string]string{"batchctl_job": t.job}
	if t.part != "" {
		md["batchctl_part"] = t.part
	}
	return md
}

// utc returns *t in UTC, the zero time for nil.
func utc(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}
