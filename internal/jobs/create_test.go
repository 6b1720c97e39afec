package jobs_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/batchctl/batchctl/internal/jobs"
	"github.com/batchctl/batchctl/internal/jsonl"
	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/store"
)

// request is a valid input line for model m1 with custom_id id.
func request(id string) string {
	return `{"custom_id":"` + id + `","method":"POST","url":"/v1/chat/completions","body":{"model":"m1","messages":[]}}`
}

// paddedRequest is request(id) made pad bytes longer.
func paddedRequest(id string, pad int) string {
	return `{"custom_id":"` + id + `","method":"POST","url":"/v1/chat/completions","body":{"model":"m1","messages":[],"pad":"` +
		strings.Repeat("x", pad) + `"}}`
}

// input is the requests of ids, one a line.
func input(ids ...string) string {
	var b strings.Builder
	for _, id := range ids {
		b.WriteString(request(id))
		b.WriteByte('\n')
	}
	return b.String()
}

// lineSize is the uploaded size of one request line, newline included.
var lineSize = int64(len(request("a1")) + 1)

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// create prepares, records and submits a job of the requests of ids, at
// most maxRequests per part (0 takes the profile's).
func (e *testEnv) create(t *testing.T, id string, maxRequests int, ids ...string) *jobs.Job {
	t.Helper()
	spec := jobs.Spec{File: "in.jsonl", Input: strings.NewReader(input(ids...)), Profile: e.profile, MaxRequests: maxRequests}
	plan, err := e.m.Prepare(context.Background(), id, spec)
	if err != nil {
		t.Fatalf("Prepare: %v", err)
	}
	j, err := e.m.Record(context.Background(), plan, spec, "")
	if err != nil {
		t.Fatalf("Record: %v", err)
	}
	if err := e.m.Submit(context.Background(), j, "24h"); err != nil {
		t.Fatalf("Submit: %v", err)
	}
	return j
}

// dirNames lists the names in dir.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestPrepareSplitsIntoParts(t *testing.T) {
	ids := []string{"a1", "a2", "a3", "a4", "a5"}
	tests := []struct {
		name            string
		profileRequests int
		profileBytes    int64
		specRequests    int
		specBytes       int64
		ids             []string
		wantParts       [][]string
	}{
		{
			name: "all in one part", profileRequests: 100, profileBytes: 1 << 20,
			ids: ids, wantParts: [][]string{ids},
		},
		{
			name: "by requests", profileRequests: 2, profileBytes: 1 << 20,
			ids: ids, wantParts: [][]string{{"a1", "a2"}, {"a3", "a4"}, {"a5"}},
		},
		{
			name: "by bytes, a part filled exactly to the limit", profileRequests: 100, profileBytes: 2 * lineSize,
			ids: ids, wantParts: [][]string{{"a1", "a2"}, {"a3", "a4"}, {"a5"}},
		},
		{
			name: "by bytes, one byte short of two lines", profileRequests: 100, profileBytes: 2*lineSize - 1,
			ids: ids[:3], wantParts: [][]string{{"a1"}, {"a2"}, {"a3"}},
		},
		{
			name: "the spec's request limit overrides the profile's", profileRequests: 2, profileBytes: 1 << 20, specRequests: 3,
			ids: ids, wantParts: [][]string{{"a1", "a2", "a3"}, {"a4", "a5"}},
		},
		{
			name: "the spec's byte limit overrides the profile's", profileRequests: 100, profileBytes: lineSize, specBytes: 3 * lineSize,
			ids: ids, wantParts: [][]string{{"a1", "a2", "a3"}, {"a4", "a5"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.profile.MaxRequests, e.profile.MaxBytes = tt.profileRequests, tt.profileBytes
			plan, err := e.m.Prepare(context.Background(), "job1", jobs.Spec{
				File: "in.jsonl", Input: strings.NewReader(input(tt.ids...)), Profile: e.profile,
				MaxRequests: tt.specRequests, MaxBytes: tt.specBytes,
			})
			if err != nil {
				t.Fatalf("Prepare: %v", err)
			}
			want := &jobs.Plan{
				JobID: "job1", Provider: "fake", Model: "m1", Endpoint: "/v1/chat/completions",
				Requests: len(tt.ids), Bytes: int64(len(tt.ids)) * lineSize, SHA256: sha256Hex(input(tt.ids...)),
			}
			var wantFiles []string
			for i, part := range tt.wantParts {
				want.Parts = append(want.Parts, jobs.PlanPart{Requests: len(part), Bytes: int64(len(part)) * lineSize})
				wantFiles = append(wantFiles, "part-"+strconv.Itoa(i+1)+".jsonl")
				got, err := os.ReadFile(e.m.InputPath("job1", i+1))
				if err != nil {
					t.Fatal(err)
				}
				if string(got) != input(part...) {
					t.Errorf("part %d holds\n%s\nwant\n%s", i+1, got, input(part...))
				}
			}
			if !reflect.DeepEqual(plan, want) {
				t.Errorf("plan = %+v\nwant %+v", plan, want)
			}
			if got := dirNames(t, e.m.Config.JobDir("job1")); !reflect.DeepEqual(got, wantFiles) {
				t.Errorf("job directory holds %q, want %q", got, wantFiles)
			}
		})
	}
}

func TestPrepareConvertsTheInput(t *testing.T) {
	e := newEnv(t)
	in := "\xEF\xBB\xBF" + request("a1") + "\r\n\r\n  \t \n" + request("a2") + "\r\n\n" + request("a3")
	want := input("a1", "a2", "a3")
	plan, err := e.m.Prepare(context.Background(), "job1", jobs.Spec{File: "in.jsonl", Input: strings.NewReader(in), Profile: e.profile, Model: "m1"})
	if err != nil {
		t.Fatalf("Prepare: %v", err)
	}
	got, err := os.ReadFile(e.m.InputPath("job1", 1))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("part 1 holds %q, want %q", got, want)
	}
	if plan.SHA256 != sha256Hex(want) || plan.Bytes != int64(len(want)) || plan.Requests != 3 {
		t.Errorf("plan sha256 %s, %d bytes, %d requests; want %s, %d, 3", plan.SHA256, plan.Bytes, plan.Requests, sha256Hex(want), len(want))
	}
	for path, mode := range map[string]os.FileMode{
		e.m.Config.JobDir("job1"): os.ModeDir | 0o700,
		e.m.InputPath("job1", 1):  0o600,
	} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode() != mode {
			t.Errorf("%s has mode %v, want %v", path, fi.Mode(), mode)
		}
	}
	if err := e.m.Discard(plan); err != nil {
		t.Fatalf("Discard: %v", err)
	}
	if _, err := os.Stat(e.m.Config.JobDir("job1")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("after Discard, the job directory: %v", err)
	}
}

func TestPrepareValidationError(t *testing.T) {
	big := paddedRequest("a2", 200)
	bigSize := len(big) + 1
	maxBytes := int64(bigSize - 1)
	tests := []struct {
		name      string
		file      string
		input     string
		model     string
		wantErr   string
		wantTotal int
	}{
		{
			name:  "a line over the byte limit, after a part was written",
			file:  "in.jsonl",
			input: request("a1") + "\n" + big + "\n" + request("a3") + "\n",
			wantErr: "in.jsonl:2: line is " + strconv.Itoa(bigSize) + " bytes, over the " +
				strconv.FormatInt(maxBytes, 10) + "-byte limit of one batch",
			wantTotal: 1,
		},
		{
			name:      "a duplicate custom_id",
			file:      "in.jsonl",
			input:     input("a1", "a2", "a1"),
			wantErr:   `in.jsonl:3: custom_id: "a1" duplicates line 1`,
			wantTotal: 1,
		},
		{
			name:  "the size problem listed with the others, in line order",
			file:  "in.jsonl",
			input: request("a1") + "\n\n" + big + "\n" + request("a1") + "\n",
			wantErr: "in.jsonl:3: line is " + strconv.Itoa(bigSize) + " bytes, over the " +
				strconv.FormatInt(maxBytes, 10) + "-byte limit of one batch\n" +
				`in.jsonl:4: custom_id: "a1" duplicates line 1`,
			wantTotal: 2,
		},
		{
			name:  "the input's model is not the one asked for",
			file:  "in.jsonl",
			input: input("a1", "a2"),
			model: "m2",
			wantErr: `in.jsonl:1: model: the requests use model "m1" but "m2" was asked for ` +
				`(pass --model fake/m1, or --provider fake to take the input's model)`,
			wantTotal: 1,
		},
		{
			name:      "empty stdin",
			file:      "-",
			input:     "\n \n",
			wantErr:   "<stdin>: no requests",
			wantTotal: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.profile.MaxBytes = maxBytes
			plan, err := e.m.Prepare(context.Background(), "job1", jobs.Spec{File: tt.file, Input: strings.NewReader(tt.input), Profile: e.profile, Model: tt.model})
			var verr *jsonl.ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("Prepare = %+v, %v; want a *jsonl.ValidationError", plan, err)
			}
			if err.Error() != tt.wantErr || verr.Total != tt.wantTotal {
				t.Errorf("error (%d problems):\n%s\nwant (%d problems):\n%s", verr.Total, err, tt.wantTotal, tt.wantErr)
			}
			if _, err := os.Stat(e.m.Config.JobDir("job1")); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the job directory was left behind: %v", err)
			}
		})
	}
}

func TestPrepareReadError(t *testing.T) {
	e := newEnv(t)
	boom := errors.New("boom")
	in := io.MultiReader(strings.NewReader(input("a1", "a2")), iotest.ErrReader(boom))
	fds := openFiles(t)
	_, err := e.m.Prepare(context.Background(), "job1", jobs.Spec{File: "in.jsonl", Input: in, Profile: e.profile})
	if got := openFiles(t); got != fds {
		t.Errorf("%d files open after Prepare, %d before", got, fds)
	}
	if !errors.Is(err, boom) || err.Error() != "reading in.jsonl: read line 3: boom" {
		t.Errorf("Prepare error = %v, want reading in.jsonl: read line 3: boom", err)
	}
	if _, err := os.Stat(e.m.Config.JobDir("job1")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the job directory was left behind: %v", err)
	}
}

// openFiles counts the process's open file descriptors, where the system
// lists them in /proc/self/fd.
func openFiles(t *testing.T) int {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("cannot count open files: %v", err)
	}
	return len(entries)
}

func TestRecord(t *testing.T) {
	e := newEnv(t)
	e.profile.MaxRequests = 2
	// The userinfo of a base URL is not recorded, nor is the key.
	e.profile.BaseURL, e.profile.AuthHeader = "https://me:secret@proxy.example/v1", "api-key"
	e.profile.APIKeyEnv, e.profile.APIKey = "FAKE_KEY", "sk-secret"
	// Who creates it, and where.
	e.m.Getenv = func(k string) string { return map[string]string{"BATCHCTL_USER": "alice", "BATCHCTL_HOST": "ci-1"}[k] }
	spec := jobs.Spec{
		File: "in.jsonl", Input: strings.NewReader(input("a1", "a2", "a3")), Profile: e.profile,
		Name: "nightly", Metadata: map[string]string{"team": "search"}, CompletionWindow: "7d",
	}
	plan, err := e.m.Prepare(context.Background(), "job1", spec)
	if err != nil {
		t.Fatalf("Prepare: %v", err)
	}
	j, err := e.m.Record(context.Background(), plan, spec, "")
	if err != nil {
		t.Fatalf("Record: %v", err)
	}
	want := &store.Job{
		ID: "job1", Name: "nightly", Provider: "fake", Model: "m1", Endpoint: "/v1/chat/completions",
		InputPath: "in.jsonl", InputSHA256: sha256Hex(input("a1", "a2", "a3")), Requests: 3,
		Status: "unsubmitted", Metadata: map[string]string{"team": "search"},
		Target: store.Target{ProfileType: "openai", BaseURL: "https://proxy.example/v1", AuthHeader: "api-key",
			APIKeyEnv: "FAKE_KEY", CompletionWindow: "7d"},
		User: "alice", Host: "ci-1",
		CreatedAt: testNow, UpdatedAt: testNow,
		Parts: []store.Part{
			{Index: 1, Requests: 2, Bytes: 2 * lineSize, CreatedAt: testNow, UpdatedAt: testNow},
			{Index: 2, Requests: 1, Bytes: lineSize, CreatedAt: testNow, UpdatedAt: testNow},
		},
	}
	if !j.Registered || !reflect.DeepEqual(j.Job, want) {
		t.Errorf("Record = %+v (registered %t)\nwant %+v", j.Job, j.Registered, want)
	}
	stored, err := e.reg.Get(context.Background(), "job1")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(stored, want) {
		t.Errorf("registry holds %+v\nwant %+v", stored, want)
	}
	if _, err := e.m.Record(context.Background(), plan, spec, ""); !errors.Is(err, store.ErrExists) {
		t.Errorf("second Record: %v, want an error wrapping store.ErrExists", err)
	}
}

// sent is what a Submit call carried, without its Open function.
type sent struct {
	Filename, Endpoint, Model, Window string
	Size                              int64
	Requests                          int
	Metadata                          map[string]string
	Body                              string
}

func sentOf(calls []submitCall) []sent {
	var s []sent
	for _, c := range calls {
		s = append(s, sent{
			Filename: c.req.Filename, Endpoint: c.req.Endpoint, Model: c.req.Model, Window: c.req.CompletionWindow,
			Size: c.req.Size, Requests: c.req.Requests, Metadata: c.req.Metadata, Body: c.body,
		})
	}
	return s
}

func TestSubmit(t *testing.T) {
	tests := []struct {
		name        string
		maxRequests int
		jobName     string
		metadata    map[string]string
		want        []sent
	}{
		{
			name: "one part with a name and user metadata", maxRequests: 100,
			jobName: "nightly", metadata: map[string]string{"team": "search", "run": "7"},
			want: []sent{{
				Filename: "job1-1.jsonl", Endpoint: "/v1/chat/completions", Model: "m1", Window: "24h",
				Size: 3 * lineSize, Requests: 3, Body: input("a1", "a2", "a3"),
				Metadata: map[string]string{"batchctl_job": "job1", "batchctl_name": "nightly", "team": "search", "run": "7"},
			}},
		},
		{
			name: "two parts without name or metadata", maxRequests: 2,
			want: []sent{
				{
					Filename: "job1-1.jsonl", Endpoint: "/v1/chat/completions", Model: "m1", Window: "24h",
					Size: 2 * lineSize, Requests: 2, Body: input("a1", "a2"),
					Metadata: map[string]string{"batchctl_job": "job1", "batchctl_part": "1/2"},
				},
				{
					Filename: "job1-2.jsonl", Endpoint: "/v1/chat/completions", Model: "m1", Window: "24h",
					Size: lineSize, Requests: 1, Body: input("a3"),
					Metadata: map[string]string{"batchctl_job": "job1", "batchctl_part": "2/2"},
				},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.profile.MaxRequests = tt.maxRequests
			spec := jobs.Spec{
				File: "in.jsonl", Input: strings.NewReader(input("a1", "a2", "a3")), Profile: e.profile,
				Name: tt.jobName, Metadata: tt.metadata,
			}
			plan, err := e.m.Prepare(context.Background(), "job1", spec)
			if err != nil {
				t.Fatalf("Prepare: %v", err)
			}
			j, err := e.m.Record(context.Background(), plan, spec, "")
			if err != nil {
				t.Fatalf("Record: %v", err)
			}
			if err := e.m.Submit(context.Background(), j, "24h"); err != nil {
				t.Fatalf("Submit: %v", err)
			}
			if got := sentOf(e.p.submits); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("submitted\n%+v\nwant\n%+v", got, tt.want)
			}
			stored, err := e.reg.Get(context.Background(), "job1")
			if err != nil {
				t.Fatal(err)
			}
			for _, got := range []*store.Job{j.Job, stored} {
				if got.Status != "validating" || len(got.Parts) != len(tt.want) {
					t.Fatalf("job status %q with %d parts, want validating with %d", got.Status, len(got.Parts), len(tt.want))
				}
				for i, p := range got.Parts {
					wantID := "batch_" + strconv.Itoa(i+1)
					if p.BatchID != wantID || p.Status != "validating" || p.ProviderStatus != "validating" ||
						p.Counts.Total != tt.want[i].Requests || !p.CreatedAt.Equal(testNow) {
						t.Errorf("part %d = %+v, want batch %s validating with %d requests created at %v",
							p.Index, p, wantID, tt.want[i].Requests, testNow)
					}
				}
			}
		})
	}
}

func TestSubmitFailureKeepsEarlierParts(t *testing.T) {
	e := newEnv(t)
	e.profile.MaxRequests = 1
	spec := jobs.Spec{File: "in.jsonl", Input: strings.NewReader(input("a1", "a2", "a3")), Profile: e.profile}
	plan, err := e.m.Prepare(context.Background(), "job1", spec)
	if err != nil {
		t.Fatalf("Prepare: %v", err)
	}
	j, err := e.m.Record(context.Background(), plan, spec, "")
	if err != nil {
		t.Fatalf("Record: %v", err)
	}
	e.p.submitErr[2] = &providers.HTTPError{Op: "create batch", StatusCode: http.StatusBadRequest, Message: "boom"}

	err = e.m.Submit(context.Background(), j, "24h")
	var serr *jobs.SubmitError
	var herr *providers.HTTPError
	if !errors.As(err, &serr) || !errors.As(err, &herr) ||
		serr.Job != "job1" || serr.Part != 2 || serr.Parts != 3 ||
		err.Error() != "submitting part 2 of 3 of job job1: create batch: 400 Bad Request: boom" {
		t.Fatalf("Submit error = %#v (%v), want a *jobs.SubmitError of part 2 of 3 wrapping the HTTPError", err, err)
	}
	assertBatchIDs(t, e, j, "batch_1", "", "")

	// Submitting again creates only the parts that are missing.
	delete(e.p.submitErr, 2)
	if err := e.m.Submit(context.Background(), j, "24h"); err != nil {
		t.Fatalf("second Submit: %v", err)
	}
	var files []string
	for _, s := range sentOf(e.p.submits) {
		files = append(files, s.Filename)
	}
	if want := []string{"job1-1.jsonl", "job1-2.jsonl", "job1-2.jsonl", "job1-3.jsonl"}; !reflect.DeepEqual(files, want) {
		t.Errorf("uploads %q, want %q", files, want)
	}
	assertBatchIDs(t, e, j, "batch_1", "batch_2", "batch_3")
}

// assertBatchIDs checks the batch ids of the parts of j, in memory and in
// the registry.
func assertBatchIDs(t *testing.T, e *testEnv, j *jobs.Job, want ...string) {
	t.Helper()
	stored, err := e.reg.Get(context.Background(), j.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, sj := range []*store.Job{j.Job, stored} {
		var got []string
		for _, p := range sj.Parts {
			got = append(got, p.BatchID)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("batch ids %q, want %q", got, want)
		}
	}
}

func TestSubmitErrorMessage(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		err  *jobs.SubmitError
		want string
	}{
		{&jobs.SubmitError{Job: "job1", Part: 1, Parts: 1, Err: boom}, "submitting job job1: boom"},
		{&jobs.SubmitError{Job: "job1", Part: 2, Parts: 3, Err: boom}, "submitting part 2 of 3 of job job1: boom"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
		if !errors.Is(tt.err, boom) {
			t.Errorf("%v does not wrap its cause", tt.err)
		}
	}
}
