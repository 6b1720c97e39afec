package jobs

import (
	"os"
	"testing"
)

func TestCurrentUserAndHost(t *testing.T) {
	env := map[string]string{"BATCHCTL_USER": "ci-bot", "BATCHCTL_HOST": "runner-7", "USER": "root"}
	if got := CurrentUser(func(k string) string { return env[k] }); got != "ci-bot" {
		t.Errorf("CurrentUser with BATCHCTL_USER = %q, want ci-bot", got)
	}
	if got := CurrentHost(func(k string) string { return env[k] }); got != "runner-7" {
		t.Errorf("CurrentHost with BATCHCTL_HOST = %q, want runner-7", got)
	}
	want, err := os.Hostname()
	if err != nil {
		t.Skip(err)
	}
	if got := CurrentHost(func(string) string { return "" }); got != want {
		t.Errorf("CurrentHost = %q, want the host name %q", got, want)
	}
	if got := CurrentUser(func(string) string { return "" }); got == "" {
		t.Error("CurrentUser without overrides is empty; want the process's user")
	}
}
