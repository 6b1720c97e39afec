package emulator

import (
	"context"
	"errors"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/batchctl/batchctl/internal/emulator/openai"
)

func TestCancelWhileValidating(t *testing.T) {
	env := newTestEnv(t, Options{Duration: 10 * time.Second})
	b := env.createBatch(openai.EndpointChat, chatLine("a", "echo", "x"))
	var c openai.BatchObject
	env.ok(http.MethodPost, "/v1/batches/"+b.ID+"/cancel", nil, nil).decode(t, &c)
	if c.Status != "cancelling" || *c.CancellingAt != testEpoch.Unix() {
		t.Fatalf("cancel: %+v", c)
	}
	env.clock.set(time.Second)
	c = env.getBatch(b.ID)
	if c.Status != "cancelled" || c.InProgressAt != nil || c.OutputFileID != nil || c.ErrorFileID != nil || c.RequestCounts != (openai.RequestCounts{}) {
		t.Errorf("cancelled: %+v", c)
	}
}

func TestZeroDuration(t *testing.T) {
	env := newTestEnv(t, Options{})
	b := env.createBatch(openai.EndpointChat, chatLine("a", "echo", "x"))
	now := testEpoch.Unix()
	if b.Status != "completed" || *b.InProgressAt != now || *b.FinalizingAt != now || *b.CompletedAt != now ||
		b.RequestCounts != (openai.RequestCounts{Total: 1, Completed: 1}) || b.Usage.TotalTokens != 2 {
		t.Errorf("batch %+v", b)
	}
	r := env.do(http.MethodPost, "/v1/batches/"+b.ID+"/cancel", nil, nil)
	if r.status != http.StatusConflict || string(r.body) != `{"error":{"message":"Cannot cancel a batch with status 'completed'.","type":"invalid_request_error","param":null,"code":null}}`+"\n" {
		t.Errorf("cancel: %d %s", r.status, r.body)
	}
}

func TestServe(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	served := make(chan error, 1)
	go func() { served <- Serve(ctx, ln, Options{Dir: t.TempDir()}) }()

	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, "http://"+ln.Addr().String()+"/v1/batches", nil)
	req.Header.Set("Authorization", "Bearer k")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("status %d", resp.StatusCode)
	}
	cancel()
	select {
	case err := <-served:
		if err != nil {
			t.Errorf("Serve returned %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return after its context ended")
	}

	ln2, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := Serve(t.Context(), ln2, Options{}); err == nil || err.Error() != "emulator: no state directory" {
		t.Errorf("Serve without a directory: %v", err)
	}
	if _, err := ln2.Accept(); !errors.Is(err, net.ErrClosed) {
		t.Errorf("listener still open after a failed Serve: %v", err)
	}
}
