package cmdutil

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/batchctl/batchctl/internal/awscfg"
	"github.com/batchctl/batchctl/internal/config"
	"github.com/batchctl/batchctl/internal/gcpcfg"
	"github.com/batchctl/batchctl/internal/iostreams"
	"github.com/batchctl/batchctl/internal/jobs"
	"github.com/batchctl/batchctl/internal/objstore"
	"github.com/batchctl/batchctl/internal/providers/retry"
)

// Manager builds the job manager from the factory's registry, config and providers.
func Manager(f *Factory) (*jobs.Manager, error) {
	cfg, err := f.Config()
	if err != nil {
		return nil, err
	}
	reg, err := f.Registry()
	if err != nil {
		return nil, err
	}
	createTimeout, err := envDuration(f.Getenv, "BATCHCTL_CREATE_TIMEOUT")
	if err != nil {
		return nil, err
	}
	queueBackoff, err := envDuration(f.Getenv, "BATCHCTL_QUEUE_BACKOFF")
	if err != nil {
		return nil, err
	}
	m := jobs.NewManager(cfg, reg)
	if m.Files, err = sharedFiles(f, cfg); err != nil {
		return nil, err
	}
	m.QueueBackoff = queueBackoff
	m.Provider, m.Now = f.Provider, f.Now
	m.ProviderFor, m.Getenv = f.ProviderFor, f.Getenv
	m.CreateTimeout = createTimeout
	m.Note = func(msg string) {
		fmt.Fprintln(f.IOStreams.ErrOut, f.IOStreams.ErrColorScheme().Warning("note:")+" "+msg)
	}
	m.Retry = RetryPolicy(cfg, f.IOStreams)
	m.Progress = TransferProgress(f.IOStreams)
	m.Warn = func(msg string) {
		fmt.Fprintln(f.IOStreams.ErrOut, f.IOStreams.ErrColorScheme().Warning("warning:")+" "+msg)
	}
	return m, nil
}

// sharedFiles is the Files of the object storage prefix in files:, nil
// when the jobs' files are kept in a directory.
func sharedFiles(f *Factory, cfg *config.Config) (jobs.Files, error) {
	if cfg.FilesStore() == "" {
		return nil, nil
	}
	prefix, err := objstore.ParseURL(cfg.FilesStore())
	if err != nil {
		return nil, fmt.Errorf("files: %w", err)
	}
	client, err := f.HttpClient()
	if err != nil {
		return nil, err
	}
	store, err := filesStore(prefix, client)
	if err != nil {
		return nil, fmt.Errorf("files %s: %w", prefix, err)
	}
	return jobs.StoreFiles{Store: store, Prefix: prefix}, nil
}

// filesStore is the store of the shared files' prefix: Cloud Storage with
// Google's Application Default Credentials for gs://, S3 with the AWS
// default chain for s3://. Neither looks for credentials before its first
// call.
func filesStore(prefix objstore.URL, client *http.Client) (objstore.Store, error) {
	if prefix.Scheme == objstore.SchemeGCS {
		hc := gcpcfg.Authorized(client, gcpcfg.LazyTokens(client))
		return objstore.NewGCS(hc, objstore.GCSEndpointFrom(os.Getenv(objstore.GCSEmulatorEnv))), nil
	}
	// Loading reads files and the environment only; no call is made.
	aws, err := awscfg.Load(context.Background(), awscfg.Options{HTTP: client})
	if err != nil {
		return nil, err
	}
	return objstore.NewS3(aws, awscfg.CustomS3Endpoint()), nil
}

// envDuration reads a positive duration from the environment variable
// name, 0 when it is unset.
func envDuration(getenv func(string) string, name string) (time.Duration, error) {
	if getenv == nil {
		return 0, nil
	}
	v := getenv(name)
	if v == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, &UsageError{Err: fmt.Errorf("%s=%q: want a positive duration such as 5m", name, v)}
	}
	return d, nil
}

// RetryPolicy is the retry policy of the configuration, reporting each
// retry on stderr ("retrying get batch b1 in 4s: 429 Too Many Requests").
func RetryPolicy(cfg *config.Config, ios *iostreams.IOStreams) retry.Policy {
	return retry.Policy{
		Attempts: cfg.RetryAttempts,
		Max:      cfg.RetryMaxWait,
		Report: func(op string, wait time.Duration, err error) {
			fmt.Fprintf(ios.ErrOut, "retrying %s in %s: %v\n", op, wait.Round(100*time.Millisecond), err)
		},
	}
}

// FuzzyAgo says how long ago t was, for people ("3 minutes ago").
func FuzzyAgo(now, t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	d := now.Sub(t)
	switch {
	case d < 0:
		return "just now"
	case d < time.Minute:
		return "less than a minute ago"
	case d < time.Hour:
		return Plural(int(d.Minutes()), "minute") + " ago"
	case d < 24*time.Hour:
		return Plural(int(d.Hours()), "hour") + " ago"
	case d < 30*24*time.Hour:
		return Plural(int(d.Hours()/24), "day") + " ago"
	}
	return t.Local().Format("Jan 2, 2006")
}

// Plural says "1 batch", "2 batches", "3 requests".
func Plural(n int, unit string) string {
	switch {
	case n == 1:
		return "1 " + unit
	case strings.HasSuffix(unit, "h"):
		return fmt.Sprintf("%d %ses", n, unit)
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// Timestamp formats a time for machines: RFC 3339 in UTC, "" when unset.
func Timestamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// ParseAge reads an age such as "30d", "36h" or "90m".
func ParseAge(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("invalid age %q (want e.g. 30d or 72h)", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("invalid age %q (want e.g. 30d or 72h)", s)
	}
	return d, nil
}

// TransferProgress shows uploads and downloads as progress bars on a
// terminal's stderr, and nothing elsewhere.
func TransferProgress(ios *iostreams.IOStreams) jobs.ProgressFunc {
	if !ios.IsStderrTTY() {
		return nil
	}
	return func(label string, total int64) jobs.Progress {
		bar := progressbar.NewOptions64(total,
			progressbar.OptionSetWriter(ios.ErrOut),
			progressbar.OptionSetVisibility(true),
			progressbar.OptionThrottle(65*time.Millisecond),
			progressbar.OptionShowBytes(true),
			progressbar.OptionSetWidth(30),
			progressbar.OptionClearOnFinish(),
			progressbar.OptionSetDescription(label),
		)
		return barProgress{bar}
	}
}

type barProgress struct{ bar *progressbar.ProgressBar }

func (b barProgress) Add(n int) { _ = b.bar.Add(n) }
func (b barProgress) Done()     { _ = b.bar.Finish() }

// ParseSince reads a --since value: an age such as "36h" or "7d" (the
// time that long before now), or a date or local date and time.
func ParseSince(s string, now time.Time) (time.Time, error) {
	if age, err := ParseAge(s); err == nil {
		return now.Add(-age), nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04", "2006-01-02"} {
		t, err := time.ParseInLocation(layout, s, time.Local)
		if err != nil {
			continue
		}
		// The registry keeps times as Unix nanoseconds (years 1678 to 2262).
		if !time.Unix(0, t.UnixNano()).Equal(t) {
			return time.Time{}, fmt.Errorf("%s is out of range (years 1678 to 2262)", s)
		}
		return t, nil
	}
	return time.Time{}, errors.New("want a duration (24h, 7d) or a date (2006-01-02)")
}
