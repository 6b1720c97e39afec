package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	bedrockemu "github.com/batchctl/batchctl/internal/emulator/bedrock"
	vertexemu "github.com/batchctl/batchctl/internal/emulator/vertex"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/batchctl/batchctl/cmd/root"
	"github.com/batchctl/batchctl/internal/emulator"
	"github.com/batchctl/batchctl/internal/emulator/mistral"
	"github.com/batchctl/batchctl/internal/jobs"
	"github.com/batchctl/batchctl/internal/store/postgres/pgtest"
)

func TestMain(m *testing.M) {
	testscript.Main(pgtest.M{Tests: m}, map[string]func(){
		"batchctl": func() {
			jobs.TestOnlyKillAt = os.Getenv("BATCHCTL_TEST_KILL_AT")
			os.Exit(int(root.Main()))
		},
	})
}

// TestScripts runs the end-to-end scripts in testdata/script: the real
// binary against the emulator. Each script gets its own BATCHCTL_HOME and
// an emulator server on loopback reached through OPENAI_BASE_URL, so the
// "openai" provider and the embedded "emulator" provider are both live.
// BATCHCTL_UPDATE=1 rewrites the scripts' expected files.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		UpdateScripts:       os.Getenv("BATCHCTL_UPDATE") != "",
		Cmds: map[string]func(*testscript.TestScript, bool, []string){
			"exitcode":    cmdExitCode,
			"stdout2env":  cmdStdoutToEnv,
			"waitlisten":  cmdWaitListen,
			"rawbatch":    cmdRawBatch,
			"rawupload":   cmdRawUpload,
			"sameresults": cmdSameResults,
			"emuquota":    cmdEmuQuota,
			"pgregistry":  cmdPostgresRegistry,
		},
		Condition: scriptCondition,
		Setup: func(env *testscript.Env) error {
			// a script may inject server faults with a .faults file (see
			// `batchctl emulator serve --help`)
			faults, err := os.ReadFile(filepath.Join(env.WorkDir, ".faults"))
			if err != nil && !errors.Is(err, os.ErrNotExist) {
				return err
			}
			// and make batches take time with a .duration file ("2s")
			var duration time.Duration
			if d, err := os.ReadFile(filepath.Join(env.WorkDir, ".duration")); err == nil {
				if duration, err = time.ParseDuration(strings.TrimSpace(string(d))); err != nil {
					return err
				}
			}
			// and set its limits and batch queue quota with a .limits file
			// ("enqueued-token-limit=500"; see emulator.ParseLimits)
			var limits emulator.Limits
			if spec, err := os.ReadFile(filepath.Join(env.WorkDir, ".limits")); err == nil {
				if limits, err = emulator.ParseLimits(strings.TrimSpace(string(spec))); err != nil {
					return err
				}
			}
			h, err := emulator.New(emulator.Options{
				Dir: filepath.Join(env.WorkDir, ".emulator"), APIKey: "sk-test",
				Faults: strings.TrimSpace(string(faults)), Duration: duration, Limits: limits,
			})
			if err != nil {
				return err
			}
			srv := httptest.NewServer(h)
			env.Defer(srv.Close)
			env.Setenv("EMULATOR_ROOT", srv.URL)
			env.Setenv("EMULATOR_URL", srv.URL+"/v1")
			env.Setenv("OPENAI_BASE_URL", srv.URL+"/v1")
			env.Setenv("OPENAI_API_KEY", "sk-test")
			env.Setenv("ANTHROPIC_BASE_URL", srv.URL)
			env.Setenv("ANTHROPIC_API_KEY", "sk-test")
			env.Setenv("GOOGLE_GEMINI_BASE_URL", srv.URL)
			env.Setenv("GEMINI_API_KEY", "sk-test")
			env.Setenv("MISTRAL_BASE_URL", srv.URL+mistral.PathPrefix)
			env.Setenv("MISTRAL_API_KEY", "sk-test")
			env.Setenv("XAI_BASE_URL", srv.URL+"/xai/v1")
			env.Setenv("XAI_API_KEY", "sk-test")
			env.Setenv("OPENROUTER_BASE_URL", srv.URL+"/api/beta")
			env.Setenv("OPENROUTER_API_KEY", "sk-test")
			// Bedrock and S3 through the SDK's standard endpoint variables,
			// signed with the emulator's test key pair; no AWS files, no
			// instance metadata probe
			env.Setenv("AWS_ENDPOINT_URL_S3", srv.URL+bedrockemu.S3Prefix)
			env.Setenv("AWS_ENDPOINT_URL_BEDROCK", srv.URL+bedrockemu.ControlPrefix)
			env.Setenv("AWS_ACCESS_KEY_ID", bedrockemu.AccessKeyID)
			env.Setenv("AWS_SECRET_ACCESS_KEY", bedrockemu.SecretAccessKey)
			env.Setenv("AWS_REGION", bedrockemu.Region)
			env.Setenv("AWS_CONFIG_FILE", filepath.Join(env.WorkDir, ".aws-config"))
			env.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(env.WorkDir, ".aws-credentials"))
			env.Setenv("AWS_EC2_METADATA_DISABLED", "true")
			env.Setenv("BATCHCTL_BEDROCK_BUCKET", "s3://batchctl-test/jobs")
			env.Setenv("BATCHCTL_BEDROCK_ROLE_ARN", "arn:aws:iam::"+bedrockemu.Account+":role/batchctl-bedrock")
			// Vertex AI and Cloud Storage through the variables Google's
			// SDKs read, authorized by the emulator's service account (its
			// key file's token_uri is the emulator); HOME has no gcloud files
			gcpKey, err := vertexemu.ServiceAccountFile(filepath.Join(env.WorkDir, ".emulator"), srv.URL)
			if err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(env.WorkDir, ".gcp-key.json"), gcpKey, 0o600); err != nil {
				return err
			}
			env.Setenv("GOOGLE_APPLICATION_CREDENTIALS", filepath.Join(env.WorkDir, ".gcp-key.json"))
			env.Setenv("GOOGLE_VERTEX_BASE_URL", srv.URL+vertexemu.Prefix)
			env.Setenv("STORAGE_EMULATOR_HOST", srv.URL)
			env.Setenv("GOOGLE_CLOUD_PROJECT", vertexemu.Project)
			env.Setenv("GOOGLE_CLOUD_LOCATION", "us-central1")
			env.Setenv("BATCHCTL_VERTEX_BUCKET", "gs://batchctl-test/jobs")
			env.Setenv("BATCHCTL_HOME", filepath.Join(env.WorkDir, "home"))
			env.Setenv("BATCHCTL_EMULATOR_DURATION", "0s")
			env.Setenv("NO_COLOR", "1")
			return nil
		},
	})
}

// cmdExitCode runs a command and checks its exit code:
//
//	exitcode 3 batchctl wait $JOB
func cmdExitCode(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exitcode N command [args...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exitcode: %v", err)
	}
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("exitcode: %v", err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Logf("stdout:\n%s\nstderr:\n%s", ts.ReadFile("stdout"), ts.ReadFile("stderr"))
		ts.Fatalf("%s exited %d, want %d", args[1], got, want)
	}
}

// cmdStdoutToEnv sets an environment variable from the last command's
// standard output: all of it (trimmed), or the first group of a regexp.
//
//	stdout2env JOB
//	stdout2env BATCH 'part\t1\t(batch_\w+)'
func cmdStdoutToEnv(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 || len(args) > 2 {
		ts.Fatalf("usage: stdout2env NAME [regexp]")
	}
	out := ts.ReadFile("stdout")
	if len(args) == 1 {
		ts.Setenv(args[0], regexp.MustCompile(`\s+$`).ReplaceAllString(out, ""))
		return
	}
	m := regexp.MustCompile(args[1]).FindStringSubmatch(out)
	if len(m) < 2 {
		ts.Fatalf("stdout2env: %q does not match stdout:\n%s", args[1], out)
	}
	ts.Setenv(args[0], m[1])
}

// cmdWaitListen waits up to 10 seconds for something to listen on addr.
func cmdWaitListen(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: waitlisten host:port")
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if c, err := net.DialTimeout("tcp", args[0], time.Second); err == nil {
			c.Close()
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	ts.Fatalf("nothing listens on %s", args[0])
}

// cmdRawBatch creates a batch on the test's emulator without batchctl, as
// another tool would (so its input is not validated by batchctl), and
// writes the batch id to stdout:
//
//	rawbatch input.jsonl /v1/chat/completions
func cmdRawBatch(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: rawbatch file endpoint")
	}
	fileID := rawUpload(ts, args[0])
	req, _ := json.Marshal(map[string]string{"input_file_id": fileID, "endpoint": args[1], "completion_window": "24h"})
	var batch struct{ ID string }
	rawPost(ts, ts.Getenv("EMULATOR_URL")+"/batches", "application/json", bytes.NewReader(req), &batch)
	fmt.Fprint(ts.Stdout(), batch.ID)
}

// cmdRawUpload uploads a batch input file to the test's emulator without
// batchctl and writes the file id to stdout:
//
//	rawupload input.jsonl
func cmdRawUpload(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: rawupload file")
	}
	fmt.Fprint(ts.Stdout(), rawUpload(ts, args[0]))
}

func rawUpload(ts *testscript.TestScript, name string) string {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	ts.Check(mw.WriteField("purpose", "batch"))
	fw, err := mw.CreateFormFile("file", filepath.Base(name))
	ts.Check(err)
	_, err = fw.Write([]byte(ts.ReadFile(name)))
	ts.Check(err)
	ts.Check(mw.Close())
	var file struct{ ID string }
	rawPost(ts, ts.Getenv("EMULATOR_URL")+"/files", mw.FormDataContentType(), &body, &file)
	return file.ID
}

func rawPost(ts *testscript.TestScript, url, contentType string, body io.Reader, into any) {
	req, err := http.NewRequest(http.MethodPost, url, body)
	ts.Check(err)
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Authorization", "Bearer "+ts.Getenv("OPENAI_API_KEY"))
	resp, err := http.DefaultClient.Do(req)
	ts.Check(err)
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		ts.Fatalf("POST %s: %s: %s", url, resp.Status, b)
	}
	ts.Check(json.NewDecoder(resp.Body).Decode(into))
}

// cmdSameResults checks that two files of result lines are the same but
// for the fields that name where they ran (job, provider, batch_id), the
// provider's own response body, and which usage details the provider
// reports (null or a count):
//
//	sameresults openai.jsonl anthropic.jsonl
func cmdSameResults(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: sameresults a.jsonl b.jsonl")
	}
	strip := func(name string) []string {
		var out []string
		for _, line := range strings.Split(strings.TrimSpace(ts.ReadFile(name)), "\n") {
			var m map[string]any
			ts.Check(json.Unmarshal([]byte(line), &m))
			for _, k := range []string{"job", "provider", "batch_id", "attempts", "response"} {
				if _, ok := m[k]; !ok {
					ts.Fatalf("%s: a result line without %q: %s", name, k, line)
				}
				delete(m, k)
			}
			stripUsageDetails(ts, name, m)
			b, err := json.Marshal(m)
			ts.Check(err)
			out = append(out, string(b))
		}
		slices.Sort(out)
		return out
	}
	a, b := strip(args[0]), strip(args[1])
	if !slices.Equal(a, b) {
		ts.Fatalf("%s and %s differ beyond job, provider, batch_id, attempts, response and usage details:\n%s\n---\n%s",
			args[0], args[1], strings.Join(a, "\n"), strings.Join(b, "\n"))
	}
}

// stripUsageDetails removes from a result line's usage the detail counts,
// which each provider reports or not (null), after checking they are there.
func stripUsageDetails(ts *testscript.TestScript, name string, line map[string]any) {
	usage, ok := line["usage"].(map[string]any)
	if !ok {
		return
	}
	for _, k := range []string{"cache_read_input_tokens", "cache_creation_input_tokens", "reasoning_tokens"} {
		if _, ok := usage[k]; !ok {
			ts.Fatalf("%s: a usage without %q: %v", name, k, usage)
		}
		delete(usage, k)
	}
}

// cmdPostgresRegistry points the script's batchctl at a new, empty
// PostgreSQL database (BATCHCTL_REGISTRY), dropped at the end; with an
// argument, it puts the database's URL in that variable instead. A script
// that uses it first skips when there is no server (see pgtest):
//
//	[!postgres] skip 'no PostgreSQL server'
//	pgregistry [VAR]
func cmdPostgresRegistry(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) > 1 {
		ts.Fatalf("usage: pgregistry [VAR]")
	}
	name := "BATCHCTL_REGISTRY"
	if len(args) == 1 {
		name = args[0]
	}
	url, drop, err := pgtest.NewDatabase(context.Background())
	ts.Check(err)
	ts.Defer(func() { ts.Check(drop()) })
	ts.Setenv(name, url)
}

// scriptCondition evaluates the scripts' own conditions:
//
//	[postgres]  a PostgreSQL server is there for pgregistry; when not,
//	            the test log says why
func scriptCondition(cond string) (bool, error) {
	if cond != "postgres" {
		return false, fmt.Errorf("unknown condition %q", cond)
	}
	if err := pgtest.Available(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return false, nil
	}
	return true, nil
}
