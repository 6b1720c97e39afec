//go:build unix

package shared

import (
	"os"
	"os/exec"
	"syscall"
)

// Detach starts a background worker running direct job id: this binary
// again (`batchctl wait ID`) in a session of its own, so that it outlives
// the terminal, its output going to logPath.
func Detach(id, logPath string) (pid int, err error) {
	exe, err := os.Executable()
	if err != nil {
		return 0, err
	}
	log, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return 0, err
	}
	defer log.Close()
	cmd := exec.Command(exe, "wait", id)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	pid = cmd.Process.Pid
	return pid, cmd.Process.Release()
}
