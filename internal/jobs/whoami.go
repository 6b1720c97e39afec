package jobs

import (
	"os"
	"os/user"
)

// CurrentUser is the operating system user a job created now records
// (store.Job.User) and list --mine selects: BATCHCTL_USER when set (for
// containers, whose user is often root or nameless, and for tests), else
// the login name of the process's user, else $USER, else $LOGNAME; ""
// when none is known. getenv nil reads the process's environment.
func CurrentUser(getenv func(string) string) string {
	if getenv == nil {
		getenv = os.Getenv
	}
	if name := getenv("BATCHCTL_USER"); name != "" {
		return name
	}
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	if name := getenv("USER"); name != "" {
		return name
	}
	return getenv("LOGNAME")
}

// CurrentHost is the host a job created now records (store.Job.Host):
// BATCHCTL_HOST when set (a container's host name is random), else the
// kernel's host name; "" when it cannot be read. getenv nil reads the
// process's environment.
func CurrentHost(getenv func(string) string) string {
	if getenv == nil {
		getenv = os.Getenv
	}
	if host := getenv("BATCHCTL_HOST"); host != "" {
		return host
	}
	host, err := os.Hostname()
	if err != nil {
		return ""
	}
	return host
}
