package emulator

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/batchctl/batchctl/internal/emulator/core"
)

// ParseLimits parses a limits spec, the form the embedded emulator takes
// them in (emulator_limits): comma-separated KEY=VALUE pairs, e.g.
// "rpm=600,concurrency=20,latency=50ms,jitter=20ms,time-scale=60". The keys
// are those of `batchctl emulator serve`'s flags: latency, jitter
// (durations), seed, concurrency, rpm, tpm (whole numbers), time-scale (a
// number), overload (alone, or =true or =false), enqueued-token-limit
// (N or MODEL=N, repeatable; see SetTokenLimit), enqueued-request-limit
// (a whole number) and token-lifetime (a duration: how long the fake
// OAuth2 tokens last). An empty spec has no limits.
func ParseLimits(spec string) (Limits, error) {
	var l Limits
	for pair := range strings.SplitSeq(spec, ",") {
		pair = strings.TrimSpace(pair)
		if pair == "" {
			continue
		}
		key, value, hasValue := strings.Cut(pair, "=")
		if !hasValue && key != "overload" {
			return Limits{}, fmt.Errorf("limit %q: want KEY=VALUE", pair)
		}
		if err := setLimit(&l, strings.TrimSpace(key), strings.TrimSpace(value)); err != nil {
			return Limits{}, fmt.Errorf("limit %q: %w", pair, err)
		}
	}
	return l, l.Validate()
}

// limitKeys lists the keys of a limits spec.
var limitKeys = []string{"latency", "jitter", "seed", "concurrency", "overload", "rpm", "tpm", "time-scale", "enqueued-token-limit", "enqueued-request-limit", "token-lifetime"}

// setLimit sets the limit key of l to value.
func setLimit(l *Limits, key, value string) error {
	var err error
	switch key {
	case "latency":
		l.Latency, err = time.ParseDuration(value)
	case "jitter":
		l.Jitter, err = time.ParseDuration(value)
	case "seed":
		l.Seed, err = strconv.ParseUint(value, 10, 64)
	case "concurrency":
		l.Concurrency, err = strconv.Atoi(value)
	case "rpm":
		l.RPM, err = strconv.Atoi(value)
	case "tpm":
		l.TPM, err = strconv.ParseInt(value, 10, 64)
	case "time-scale":
		l.TimeScale, err = strconv.ParseFloat(value, 64)
	case "enqueued-token-limit":
		return SetTokenLimit(&l.Quota, value)
	case "token-lifetime":
		l.TokenLifetime, err = time.ParseDuration(value)
	case "enqueued-request-limit":
		l.Quota.Requests, err = strconv.ParseInt(value, 10, 64)
	case "overload":
		l.Overload = true
		if value != "" {
			l.Overload, err = strconv.ParseBool(value)
		}
	default:
		return fmt.Errorf("unknown key %q (want one of %s)", key, strings.Join(limitKeys, ", "))
	}
	if err != nil {
		return fmt.Errorf("invalid value %q", value)
	}
	return nil
}

// SetTokenLimit adds an enqueued-token limit to q: "N" for every model
// without a limit of its own, "MODEL=N" for one model (a "models/" prefix
// is dropped, as Gemini's paths carry it). The model is what the batch
// names: OpenAI's body.model, Gemini's model path.
func SetTokenLimit(q *Quota, value string) error {
	model, n := core.AnyModel, value
	if i := strings.LastIndex(value, "="); i >= 0 {
		model, n = strings.TrimPrefix(strings.TrimSpace(value[:i]), "models/"), value[i+1:]
	}
	limit, err := strconv.ParseInt(strings.TrimSpace(n), 10, 64)
	switch {
	case err != nil || limit <= 0:
		return fmt.Errorf("enqueued token limit %q: want N or MODEL=N, N a positive whole number", value)
	case model == "":
		return fmt.Errorf("enqueued token limit %q: no model before =", value)
	}
	if q.Tokens == nil {
		q.Tokens = make(map[string]int64)
	}
	q.Tokens[model] = limit
	return nil
}

// Quota limits what unfinished batches may hold in each protocol's batch
// queue (see core.Quota).
type Quota = core.Quota
