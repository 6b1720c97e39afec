package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// RunLimits are a direct job's rate limits, recorded with the job at
// create so that every later run (create again, wait, sync, the
// background worker) sends at the same rate.
type RunLimits struct {
	Concurrency int `json:"concurrency"`
	RPM         int `json:"rpm"`
	TPM         int `json:"tpm"`
}

func (m *Manager) limitsPath(jobID string) string {
	return filepath.Join(m.Config.JobDir(jobID), "direct.json")
}

// SaveRunLimits records a direct job's limits.
func (m *Manager) SaveRunLimits(jobID string, l RunLimits) error {
	raw, _ := json.Marshal(l)
	tmp := m.limitsPath(jobID) + ".tmp"
	if err := os.WriteFile(tmp, raw, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, m.limitsPath(jobID))
}

// RunLimitsOf reads a direct job's recorded limits (zero when none were).
func (m *Manager) RunLimitsOf(jobID string) (RunLimits, error) {
	var l RunLimits
	raw, err := os.ReadFile(m.limitsPath(jobID))
	if errors.Is(err, os.ErrNotExist) {
		return l, nil
	}
	if err != nil {
		return l, err
	}
	return l, json.Unmarshal(raw, &l)
}

// RunProgress is how a running direct job advances: what the process
// running it writes every second, for status to show.
type RunProgress struct {
	Total    int64   `json:"total"`
	Done     int64   `json:"done"`
	Errors   int64   `json:"errors"`
	InFlight int64   `json:"in_flight"`
	RPS      float64 `json:"requests_per_second"`
	TPS      float64 `json:"tokens_per_second"`
	// ETA is the time left at the recent rate, 0 when unknown;
	// ETASeconds the same in seconds, for JSON.
	ETA        time.Duration `json:"-"`
	ETASeconds float64       `json:"eta_seconds"`
	UpdatedAt  time.Time     `json:"updated_at"`
}

func (m *Manager) progressPath(jobID string) string {
	return filepath.Join(m.Config.JobDir(jobID), "direct.progress.json")
}

// RunningProgress is the progress of direct job jobID when a process is
// running it now; ok false otherwise.
func (m *Manager) RunningProgress(ctx context.Context, jobID string) (p RunProgress, ok bool) {
	lock, err := m.lockJob(ctx, jobID, "direct")
	if err == nil {
		lock.Unlock()
		return p, false // nobody runs it
	}
	raw, err := os.ReadFile(m.progressPath(jobID))
	if err != nil || json.Unmarshal(raw, &p) != nil {
		return p, false
	}
	p.ETA = time.Duration(p.ETASeconds * float64(time.Second))
	return p, true
}

// rateWindow is how far back the recent rate looks.
const rateWindow = 10 * time.Second

// Meter turns RunStats into RunProgress, with rates over the last
// rateWindow.
type Meter struct {
	mu      sync.Mutex
	stats   *RunStats
	samples []meterSample
}

type meterSample struct {
	at           time.Time
	done, tokens int64
}

// NewMeter measures s.
func NewMeter(s *RunStats) *Meter { return &Meter{stats: s} }

// Read samples the counters at now and returns the progress.
func (mt *Meter) Read(now time.Time) RunProgress {
	mt.mu.Lock()
	defer mt.mu.Unlock()
	s := mt.stats
	cur := meterSample{at: now, done: s.Done.Load(), tokens: s.Tokens.Load()}
	mt.samples = append(mt.samples, cur)
	for len(mt.samples) > 2 && now.Sub(mt.samples[1].at) >= rateWindow {
		mt.samples = mt.samples[1:]
	}
	p := RunProgress{Total: s.Total.Load(), Done: cur.done, Errors: s.Errors.Load(), InFlight: s.InFlight.Load(), UpdatedAt: now}
	first := mt.samples[0]
	if secs := now.Sub(first.at).Seconds(); secs > 0 {
		p.RPS = float64(cur.done-first.done) / secs
		p.TPS = float64(cur.tokens-first.tokens) / secs
	}
	if p.RPS > 0 && p.Total > p.Done {
		p.ETA = time.Duration(float64(p.Total-p.Done) / p.RPS * float64(time.Second))
		p.ETASeconds = p.ETA.Round(time.Second).Seconds()
	}
	return p
}

// writeProgress writes p where RunningProgress reads it.
func (m *Manager) writeProgress(jobID string, p RunProgress) {
	raw, _ := json.Marshal(p)
	tmp := m.progressPath(jobID) + ".tmp"
	if os.WriteFile(tmp, raw, 0o600) == nil {
		os.Rename(tmp, m.progressPath(jobID))
	}
}
