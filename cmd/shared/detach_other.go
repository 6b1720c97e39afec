//go:build !unix

package shared

import "errors"

// Detach is not available here: a direct job runs in the foreground, or
// from sync.
func Detach(id, logPath string) (pid int, err error) {
	return 0, errors.New("--detach needs a Unix system")
}
