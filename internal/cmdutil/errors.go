// Package cmdutil holds what every command shares: the Factory, the error
// types that decide the exit code, and flag helpers.
package cmdutil

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/batchctl/batchctl/internal/providers"
)

// ExitCode is a process exit status. Their meanings never change once shipped
// (DESIGN.md section 8; `batchctl help exit-codes`).
type ExitCode int

// The exit codes.
const (
	ExitOK          ExitCode = 0
	ExitError       ExitCode = 1
	ExitUsage       ExitCode = 2
	ExitPartial     ExitCode = 3
	ExitAuth        ExitCode = 4
	ExitTimeout     ExitCode = 124
	ExitInterrupted ExitCode = 130
)

// FlagError is a bad command line; the command's usage is printed with it.
type FlagError struct{ Err error }

func (e *FlagError) Error() string { return e.Err.Error() }
func (e *FlagError) Unwrap() error { return e.Err }

// FlagErrorf formats a FlagError.
func FlagErrorf(format string, args ...any) error {
	return &FlagError{Err: fmt.Errorf(format, args...)}
}

// UsageError is invalid input or a bad request that was refused before
// anything was sent (exit 2), without the usage text.
type UsageError struct {
	Err  error
	Hint string
}

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// PartialError says a job finished but not every request succeeded, or the
// job itself failed, expired or was cancelled (exit 3). The results were
// already delivered; the message is a summary.
type PartialError struct {
	Subject string // "job j7k2m9" or "batch batch_abc"
	Status  string
	Failed  int
	Total   int
	Message string
	// TerminalOnly says the message is for a person: it is shown only
	// when standard error is a terminal (the exit status says the rest).
	TerminalOnly bool
}

func (e *PartialError) Error() string {
	switch {
	case e.Message != "":
		return e.Message
	case e.Total == 0:
		return fmt.Sprintf("%s %s", e.Subject, e.Status)
	case e.Status != "" && e.Status != "completed":
		return fmt.Sprintf("%s %s: %d of %s did not succeed", e.Subject, e.Status, e.Failed, Plural(e.Total, "request"))
	}
	return fmt.Sprintf("%s: %d of %s did not succeed", e.Subject, e.Failed, Plural(e.Total, "request"))
}

// TimeoutError says `wait --timeout` elapsed with the job still running (exit 124).
type TimeoutError struct {
	Subject string // "job j7k2m9" or "batch batch_abc"
	Status  string // empty when the provider never said
}

func (e *TimeoutError) Error() string {
	if e.Status == "" {
		return fmt.Sprintf("timed out waiting for %s; it keeps running remotely", e.Subject)
	}
	return fmt.Sprintf("timed out waiting for %s (still %s); it keeps running remotely", e.Subject, e.Status)
}

// AuthError is a missing or rejected API key (exit 4).
type AuthError struct {
	Err  error
	Hint string
}

func (e *AuthError) Error() string { return e.Err.Error() }
func (e *AuthError) Unwrap() error { return e.Err }

// SilentError carries an exit code for a failure already reported.
type SilentError struct{ Code ExitCode }

func (e *SilentError) Error() string { return fmt.Sprintf("exit status %d", e.Code) }

// IsAuth reports whether err is a missing or rejected API key.
func IsAuth(err error) bool {
	var auth *AuthError
	var nokey *providers.MissingKeyError
	var he *providers.HTTPError
	return errors.As(err, &auth) || errors.As(err, &nokey) || (errors.As(err, &he) && he.IsAuth())
}

// Hint returns the hint attached to err, if any.
func Hint(err error) string {
	var ue *UsageError
	if errors.As(err, &ue) {
		return ue.Hint
	}
	var ae *AuthError
	if errors.As(err, &ae) {
		return ae.Hint
	}
	return ""
}

// ExactArgs wants exactly n arguments and otherwise says msg as a FlagError.
func ExactArgs(n int, msg string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) > n {
			return FlagErrorf("too many arguments: %q", args[n:])
		}
		if len(args) < n {
			return &FlagError{Err: errors.New(msg)}
		}
		return nil
	}
}

// NoArgs refuses positional arguments with a FlagError.
func NoArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return FlagErrorf("unexpected argument %q", args[0])
	}
	return nil
}
