package postgres

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// TestOpenErrorsHideThePassword opens registries that cannot be reached or
// parsed, with a password in the URL or in PGPASSWORD: no error shows it,
// in any spelling the URL gives it.
func TestOpenErrorsHideThePassword(t *testing.T) {
	const secret = "s3cret-Pa55"
	tests := []struct {
		name, url, env string
	}{
		{"unreachable", "postgres://alice:" + secret + "@127.0.0.1:1/batchctl?connect_timeout=5", ""},
		{"percent-encoded", "postgres://alice:" + secret + "%2F@127.0.0.1:1/batchctl", ""},
		{"bad port", "postgres://alice:" + secret + "@127.0.0.1:port/batchctl", ""},
		{"bad parameter", "postgres://alice:" + secret + "@127.0.0.1:1/batchctl?sslmode=sometimes", ""},
		{"key=value", "host=127.0.0.1 port=1 user=alice password=" + secret + " dbname=batchctl", ""},
		{"PGPASSWORD", "postgres://alice@127.0.0.1:1/batchctl", secret},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("PGPASSWORD", tt.env)
			s, err := Open(t.Context(), tt.url)
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
			if msg := err.Error(); strings.Contains(msg, secret) || strings.Contains(msg, "s3cret") {
				t.Errorf("error shows the password: %s", msg)
			}
		})
	}
}

// TestRedactedErrorsUnwrap checks that a redacted error is still the
// error it redacts, for errors.Is and errors.As.
func TestRedactedErrorsUnwrap(t *testing.T) {
	cause := &pgconn.PgError{Code: "57014", Message: "canceling statement due to statement timeout"}
	err := redact(errors.Join(errors.New("password is s3cret"), cause), "s3cret")
	if strings.Contains(err.Error(), "s3cret") {
		t.Errorf("redacted error = %q", err)
	}
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "57014" {
		t.Errorf("errors.As through the redaction = %v", pgErr)
	}
}

// TestConfigureDefaults checks the connection defaults Open sets, and
// that the URL's own settings win over them.
func TestConfigureDefaults(t *testing.T) {
	cfg, err := pgxpool.ParseConfig("postgres://alice@db/batchctl?lock_timeout=5s")
	if err != nil {
		t.Fatal(err)
	}
	configure(cfg)
	cc := cfg.ConnConfig
	if cc.ConnectTimeout != 10*time.Second {
		t.Errorf("connect timeout %s, want 10s", cc.ConnectTimeout)
	}
	for k, want := range map[string]string{"lock_timeout": "5s", "statement_timeout": "60s", "tcp_keepalives_idle": "15"} {
		if got := cc.RuntimeParams[k]; got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
}
