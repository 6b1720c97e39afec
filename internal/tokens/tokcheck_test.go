package tokens

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/batchctl/batchctl/internal/jsonl"
)

// TestHeldOutCounts checks the OpenAI counts against an implementation not
// written with them: js-tiktoken (pinned in tokcheck/package-lock.json)
// with the counting rules written again in tokcheck/check.mjs, on 1,200
// generated chat lines of text in many scripts, images and tools. It skips
// without node or without tokcheck/node_modules (npm ci there, as .ci/run
// does).
func TestHeldOutCounts(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed: the held-out token count check is skipped")
	}
	dir, _ := filepath.Abs("tokcheck")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "js-tiktoken")); err != nil {
		t.Skip("internal/tokens/tokcheck/node_modules is missing (run npm ci there): the held-out token count check is skipped")
	}
	lines := corpus(1, 1200)
	cmd := exec.Command(node, filepath.Join(dir, "check.mjs"))
	cmd.Stdin = bytes.NewReader(append(bytes.Join(lines, []byte("\n")), '\n'))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node check.mjs: %v\n%s", err, stderr.String())
	}
	want := strings.Fields(string(out))
	if len(want) != len(lines) {
		t.Fatalf("check.mjs counted %d lines, want %d", len(want), len(lines))
	}
	c := NewCounter(jsonl.TargetOpenAI, "")
	var images, tools, multibyte, mismatches int
	for i, line := range lines {
		got, err := c.Count(line)
		if err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		w, _ := strconv.Atoi(want[i])
		if got.Input != w {
			mismatches++
			if mismatches <= 5 {
				t.Errorf("line %d: %d input tokens, js-tiktoken says %d\n%.300s", i+1, got.Input, w, line)
			}
		}
		if !got.Exact {
			t.Errorf("line %d: not counted as exact", i+1)
		}
		images += bytes.Count(line, []byte(`"image_url"`)) / 2
		tools += bytes.Count(line, []byte(`"tools"`))
		if bytes.ContainsAny(line, "東😀ö") {
			multibyte++
		}
	}
	if mismatches > 0 {
		t.Errorf("%d of %d lines differ", mismatches, len(lines))
	}
	// The corpus must hold what it is meant to test.
	if images < 100 || tools < 100 || multibyte < 1000 {
		t.Errorf("corpus too thin: %d images, %d lines with tools, %d with multi-byte text", images, tools, multibyte)
	}
}
