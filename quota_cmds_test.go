package main

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/batchctl/batchctl/internal/emulator"
)

// cmdEmuQuota checks that the batches of a protocol never held more than
// its quota, and writes the peaks against the limits to stdout, one line
// per model and one for all models:
//
//	emuquota openai                 # the script's emulator ($EMULATOR_ROOT, quota from .limits)
//	emuquota -dir DIR openai        # the ledger in DIR, quota from $BATCHCTL_EMULATOR_LIMITS
//
// A line reads "openai gpt-4o-mini peak 480 of 500 tokens held 0"; the
// last one "openai * peak 480 tokens 12 requests refused 1 admitted 4".
// With -dir it reads the embedded emulator's state directory
// ($BATCHCTL_HOME/emulator), which every batchctl run shares.
func cmdEmuQuota(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("usage: emuquota [-dir DIR] protocol")
	}
	var queues map[string]emulator.QueueStats
	switch {
	case len(args) == 3 && args[0] == "-dir":
		queues = ledgerStats(ts, ts.MkAbs(args[1]))
		args = args[2:]
	case len(args) == 1:
		queues = servedStats(ts)
	default:
		ts.Fatalf("usage: emuquota [-dir DIR] protocol")
	}
	q, ok := queues[args[0]]
	if !ok {
		ts.Fatalf("emuquota: no quota set for %s", args[0])
	}
	for _, model := range slices.Sorted(maps.Keys(q.Models)) {
		m := q.Models[model]
		peak, held := m.Peak.Tokens, m.Held.Tokens
		if q.Counts == "requests" {
			peak, held = m.Peak.Requests, m.Held.Requests
		}
		fmt.Fprintf(ts.Stdout(), "%s %s peak %d of %d %s held %d\n", args[0], model, peak, m.Limit, q.Counts, held)
		if m.Limit > 0 && peak > m.Limit {
			ts.Fatalf("emuquota: %s %s held %d %s at once, over its limit of %d", args[0], model, peak, q.Counts, m.Limit)
		}
	}
	fmt.Fprintf(ts.Stdout(), "%s * peak %d tokens %d requests refused %d admitted %d\n", args[0], q.Peak.Tokens, q.Peak.Requests, q.Refused, q.Admitted)
	if q.Limit > 0 && q.Peak.Requests > q.Limit {
		ts.Fatalf("emuquota: %s held %d requests at once, over the limit of %d", args[0], q.Peak.Requests, q.Limit)
	}
}

// servedStats reads the queues of GET /_emulator/stats of the script's
// emulator.
func servedStats(ts *testscript.TestScript) map[string]emulator.QueueStats {
	resp, err := http.Get(ts.Getenv("EMULATOR_ROOT") + emulator.StatsPath)
	ts.Check(err)
	defer resp.Body.Close()
	var s struct {
		Queues map[string]emulator.QueueStats `json:"queues"`
	}
	ts.Check(json.NewDecoder(resp.Body).Decode(&s))
	return s.Queues
}

// ledgerStats reads the queues kept in state directory dir, under the
// quota of $BATCHCTL_EMULATOR_LIMITS.
func ledgerStats(ts *testscript.TestScript, dir string) map[string]emulator.QueueStats {
	limits, err := emulator.ParseLimits(ts.Getenv("BATCHCTL_EMULATOR_LIMITS"))
	ts.Check(err)
	srv, err := emulator.New(emulator.Options{Dir: dir, Limits: limits})
	ts.Check(err)
	queues, err := srv.QueueStats(context.Background())
	ts.Check(err)
	return queues
}
