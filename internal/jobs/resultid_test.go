package jobs_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"reflect"
	"testing"

	"github.com/batchctl/batchctl/internal/jobs"
	"github.com/batchctl/batchctl/internal/providers"
)

// The download check reads the id of a line without normalizing it: it
// must be the id the provider's normalizer gives, for every line of every
// format, and a line it cannot read is left to the normalizer.
func TestResultIDIsNormalizersID(t *testing.T) {
	for name, p := range pipelineProviders() {
		for _, line := range bytes.Split(pipelineFile(name), []byte("\n")) {
			line = bytes.TrimSpace(bytes.TrimPrefix(line, []byte("\xEF\xBB\xBF")))
			if len(line) == 0 {
				continue
			}
			id, ok := jobs.ResultID(line)
			if !ok {
				if f := pipelineFormat(name); f != "xai" {
					t.Errorf("%s: ResultID(%s) not ok, want the id of a %s line", name, line, f)
				}
				continue
			}
			r, err := p.Normalize(line)
			if err != nil || r.CustomID != id {
				t.Errorf("%s: ResultID(%s) = %q, Normalize gives %q, %v", name, line, id, r.CustomID, err)
			}
		}
	}
	for _, line := range []string{
		`{"custom_id":"a","key":"b"}`,       // both kinds: Vertex reads one, Gemini the other
		`{"custom_id":""}`,                  // empty
		`{"custom_id":null}`,                // none
		`{"custom_id":"a","result":{"type"`, // cut
		`{"custom_id":"a"} {}`,              // not one object
		`{"custom_id":"a","x":tru}`,         // not JSON
		`{"metadata":[1],"id":"a"}`,         // no id
	} {
		if id, ok := jobs.ResultID([]byte(line)); ok {
			t.Errorf("ResultID(%s) = %q, ok; want the normalizer to decide", line, id)
		}
	}
}

// A download cut short is repeated and never kept when the batch reported
// its usage too (the check then reads ids without normalizing).
func TestResultsTornDownloadUsageKnown(t *testing.T) {
	for _, raw := range []string{
		`{"custom_id":"a1","status":"succeeded"}` + "\n" + `{"custom_id":"a2","status":"succ` + "\n",
		`{"custom_id":"a1","status":"succeeded"}` + "\n" + `{"custom_id":"a2","response":{"x":[1,2` + "\n",
	} {
		e := newEnv(t)
		j := e.create(t, "job1", 0, "a1", "a2")
		e.p.raw["batch_1"] = raw
		e.p.set(t, "batch_1", providers.StatusCompleted, func(b *providers.Batch) { b.Usage = &providers.Usage{InputTokens: 1} })
		if err := e.m.Refresh(context.Background(), j); err != nil {
			t.Fatal(err)
		}
		if !j.Parts[0].UsageKnown {
			t.Fatal("the batch's usage is not known: the check would normalize every line")
		}
		lines, tally, err := collect(t, e.m, j)
		if !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("Results error = %v, want a torn download (io.ErrUnexpectedEOF)", err)
		}
		if len(lines) != 0 || tally.Total() != 0 {
			t.Errorf("Results gave %q (tally %v), want nothing from a torn download", lines, tally)
		}
		if want := []string{"batch_1", "batch_1", "batch_1"}; !reflect.DeepEqual(e.p.downloads, want) {
			t.Errorf("downloaded %q, want three tries", e.p.downloads)
		}
		if _, err := os.Stat(e.m.RawResultsPath("job1", 1)); !os.IsNotExist(err) {
			t.Errorf("a torn download was kept: %v", err)
		}
	}
}
