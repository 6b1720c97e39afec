package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// binGlob finds the versioned binaries of Debian's PostgreSQL packages.
const binGlob = "/usr/lib/postgresql/*/bin"

// startTimeout bounds initdb and the server's start.
const startTimeout = 60 * time.Second

// local is a cluster this test binary created and started.
type local struct {
	dir    string    // the temporary directory holding it
	server *exec.Cmd // the postgres process
	exited chan struct{}
	url    string
}

// startLocal creates a cluster in a temporary directory and starts it on
// a free loopback port.
func startLocal() (*local, error) {
	bin, err := findBin()
	if err != nil {
		return nil, err
	}
	owner, err := clusterOwner()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "batchctl-pgtest-")
	if err != nil {
		return nil, err
	}
	c := &local{dir: dir}
	if err := c.start(bin, owner); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return c, nil
}

// findBin returns the directory of the newest PostgreSQL's binaries.
func findBin() (string, error) {
	dirs, _ := filepath.Glob(binGlob)
	slices.SortFunc(dirs, func(a, b string) int { return version(a) - version(b) })
	for _, d := range slices.Backward(dirs) {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	return "", fmt.Errorf("no initdb in %s: install PostgreSQL (apt-get install postgresql) or set %s", binGlob, EnvURL)
}

// version returns the major version of a binaries directory, 0 if none.
func version(bin string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(bin)))
	return v
}

// clusterOwner returns the OS user the cluster runs as: the postgres user
// when the tests run as root, else nil (the current user).
func clusterOwner() (*user.User, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root, and initdb refuses root: %w", err)
	}
	return u, nil
}

// start creates the cluster with the binaries of bin and starts its
// server, as owner unless nil.
func (c *local) start(bin string, owner *user.User) error {
	if err := chown(c.dir, owner); err != nil {
		return err
	}
	data := filepath.Join(c.dir, "data")
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	initdb := command(ctx, owner, filepath.Join(bin, "initdb"), "-D", data, "-U", "batchctl",
		"--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync")
	initdb.Dir = c.dir
	if out, err := initdb.CombinedOutput(); err != nil {
		return fmt.Errorf("initdb: %w\n%s", err, out)
	}
	port, err := freePort()
	if err != nil {
		return err
	}
	c.server = command(context.Background(), owner, filepath.Join(bin, "postgres"), "-D", data,
		"-c", "listen_addresses=127.0.0.1", "-p", strconv.Itoa(port), "-c", "unix_socket_directories=",
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
		"-c", "max_connections=200")
	c.server.Dir = c.dir
	log, err := os.Create(filepath.Join(c.dir, "server.log"))
	if err != nil {
		return err
	}
	defer log.Close()
	c.server.Stdout, c.server.Stderr = log, log
	if err := c.server.Start(); err != nil {
		return fmt.Errorf("start postgres: %w", err)
	}
	c.exited = make(chan struct{})
	go func() { c.server.Wait(); close(c.exited) }()
	c.url = fmt.Sprintf("postgres://batchctl@127.0.0.1:%d/postgres?sslmode=disable", port)
	if err := c.waitReady(ctx); err != nil {
		c.stop()
		return err
	}
	return nil
}

// command returns the command running name as owner, unless nil. setpriv
// execs the program itself, so the command's pid is the program's.
func command(ctx context.Context, owner *user.User, name string, args ...string) *exec.Cmd {
	if owner == nil {
		return exec.CommandContext(ctx, name, args...)
	}
	args = append([]string{"--reuid=" + owner.Uid, "--regid=" + owner.Gid, "--init-groups", "--", name}, args...)
	return exec.CommandContext(ctx, "setpriv", args...)
}

// chown makes dir owner's, unless owner is nil.
func chown(dir string, owner *user.User) error {
	if owner == nil {
		return nil
	}
	uid, _ := strconv.Atoi(owner.Uid)
	gid, _ := strconv.Atoi(owner.Gid)
	return os.Chown(dir, uid, gid)
}

// freePort returns a loopback port no one listens on just now.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// waitReady waits until the server takes connections, or it exits.
func (c *local) waitReady(ctx context.Context) error {
	for {
		conn, err := pgx.Connect(ctx, c.url)
		if err == nil {
			return conn.Close(ctx)
		}
		select {
		case <-c.exited:
			log, _ := os.ReadFile(filepath.Join(c.dir, "server.log"))
			return fmt.Errorf("postgres exited: %s", log)
		case <-ctx.Done():
			return fmt.Errorf("postgres did not start within %s: %w", startTimeout, err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// stop shuts the server down (fast shutdown: SIGINT), killing it if it
// takes too long, and removes the cluster's directory.
func (c *local) stop() error {
	err := c.server.Process.Signal(syscall.SIGINT)
	select {
	case <-c.exited:
	case <-time.After(30 * time.Second):
		err = errors.Join(err, c.server.Process.Kill())
		<-c.exited
	}
	return errors.Join(err, os.RemoveAll(c.dir))
}
