package emulator

import (
	"context"
	"errors"
	"net"
	"net/http"
	"testing"
	"time"
)

func TestTimeline(t *testing.T) {
	at := func(s float64) time.Time { return testEpoch.Add(time.Duration(s * float64(time.Second))) }
	valid := timeline{Created: testEpoch, Duration: 100 * time.Second, Requests: 7, Valid: true}
	invalid := valid
	invalid.Valid = false
	expiring := valid
	expiring.Expiring = true
	cancelled := valid
	cancelled.Cancelling = at(45)
	cancelledEarly := valid
	cancelledEarly.Cancelling = at(5)
	instant := valid
	instant.Duration = 0

	var zero time.Time
	tests := []struct {
		name string
		tl   timeline
		now  time.Time
		want progress
	}{
		{"validating", valid, at(9.9), progress{phase: phaseValidating}},
		{"starts", valid, at(10), progress{phase: phaseInProgress, inProgressAt: at(10)}},
		{"first request", valid, at(20), progress{phase: phaseInProgress, inProgressAt: at(10), executed: 1}},
		{"just before the second", valid, at(29.999), progress{phase: phaseInProgress, inProgressAt: at(10), executed: 1}},
		{"second request", valid, at(30), progress{phase: phaseInProgress, inProgressAt: at(10), executed: 2}},
		{"finalizing", valid, at(80), progress{phase: phaseFinalizing, inProgressAt: at(10), finalizingAt: at(80), executed: 7}},
		{"completed", valid, at(100), progress{phase: phaseCompleted, inProgressAt: at(10), finalizingAt: at(80), endedAt: at(100), executed: 7}},
		{"invalid while validating", invalid, at(9), progress{phase: phaseValidating}},
		{"failed", invalid, at(10), progress{phase: phaseFailed, endedAt: at(10)}},
		{"expiring before the end", expiring, at(99), progress{phase: phaseFinalizing, inProgressAt: at(10), finalizingAt: at(80), executed: 7}},
		{"expired", expiring, at(100), progress{phase: phaseExpired, inProgressAt: at(10), finalizingAt: at(80), endedAt: at(100), executed: 7}},
		{"before the cancel", cancelled, at(44), progress{phase: phaseInProgress, inProgressAt: at(10), executed: 3}},
		{"cancelling", cancelled, at(54), progress{phase: phaseCancelling, inProgressAt: at(10), cancellingAt: at(45), executed: 3}},
		{"cancelled", cancelled, at(200), progress{phase: phaseCancelled, inProgressAt: at(10), cancellingAt: at(45), endedAt: at(55), executed: 3}},
		{"cancelled while validating", cancelledEarly, at(20), progress{phase: phaseCancelled, cancellingAt: at(5), endedAt: at(15)}},
		{"zero duration", instant, at(0), progress{phase: phaseCompleted, inProgressAt: at(0), finalizingAt: at(0), endedAt: at(0), executed: 7}},
		{"zero time", valid, zero, progress{phase: phaseValidating}},
	}
	for _, tt := range tests {
		if got := tt.tl.at(tt.now); got != tt.want {
			t.Errorf("%s: at(%v) = %+v\nwant %+v", tt.name, tt.now, got, tt.want)
		}
	}
}

func TestExecutedAt(t *testing.T) {
	tl := timeline{Created: testEpoch, Duration: 100 * time.Second, Requests: 3, Valid: true}
	// Request i runs exactly when executed() first counts it.
	for i := range tl.Requests {
		ran := tl.executedAt(i)
		if tl.executed(ran) != i+1 || tl.executed(ran.Add(-time.Nanosecond)) != i {
			t.Errorf("request %d runs at %v, but executed there is %d and just before %d",
				i, ran.Sub(testEpoch), tl.executed(ran), tl.executed(ran.Add(-time.Nanosecond)))
		}
	}
	// A day-long batch of many requests does not overflow.
	big := timeline{Created: testEpoch, Duration: 24 * time.Hour, Requests: 50000, Valid: true}
	if got := big.executed(testEpoch.Add(12 * time.Hour)); got != 28571 { // (12h-2.4h)/16.8h of 50000
		t.Errorf("executed at 12h = %d, want 28571", got)
	}
}

func TestCancelWhileValidating(t *testing.T) {
	env := newTestEnv(t, Options{Duration: 10 * time.Second})
	b := env.createBatch(endpointChat, chatLine("a", "echo", "x"))
	var c batchObject
	env.ok(http.MethodPost, "/v1/batches/"+b.ID+"/cancel", nil, nil).decode(t, &c)
	if c.Status != "cancelling" || *c.CancellingAt != testEpoch.Unix() {
		t.Fatalf("cancel: %+v", c)
	}
	env.clock.set(time.Second)
	c = env.getBatch(b.ID)
	if c.Status != "cancelled" || c.InProgressAt != nil || c.OutputFileID != nil || c.ErrorFileID != nil || c.RequestCounts != (requestCounts{}) {
		t.Errorf("cancelled: %+v", c)
	}
}

func TestZeroDuration(t *testing.T) {
	env := newTestEnv(t, Options{})
	b := env.createBatch(endpointChat, chatLine("a", "echo", "x"))
	now := testEpoch.Unix()
	if b.Status != "completed" || *b.InProgressAt != now || *b.FinalizingAt != now || *b.CompletedAt != now ||
		b.RequestCounts != (requestCounts{Total: 1, Completed: 1}) || b.Usage.TotalTokens != 2 {
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
