package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"
)

// TestTerminal runs batchctl in a tmux session of a fixed size against the
// embedded emulator, and reads the screen: create --wait must draw a
// progress bar on the terminal, then leave a summary, and list must print
// its table. It needs tmux; CI installs it.
func TestTerminal(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and drives a terminal")
	}
	tmux, err := exec.LookPath("tmux")
	if err != nil {
		t.Skip("tmux is not on PATH: install tmux to run the real-terminal test")
	}
	dir := t.TempDir()
	buildBatchctl(t, filepath.Join(dir, "batchctl"))
	reqs := `{"custom_id":"q1","method":"POST","url":"/v1/chat/completions","body":{"model":"echo","messages":[{"role":"user","content":"one"}]}}
{"custom_id":"q2","method":"POST","url":"/v1/chat/completions","body":{"model":"echo","messages":[{"role":"user","content":"two"}]}}
`
	if err := os.WriteFile(filepath.Join(dir, "reqs.jsonl"), []byte(reqs), 0o600); err != nil {
		t.Fatal(err)
	}
	term := startTmux(t, tmux, dir, []string{
		"PATH=" + dir + string(os.PathListSeparator) + os.Getenv("PATH"),
		"HOME=" + dir,
		"LANG=C.UTF-8",
		"BATCHCTL_HOME=" + filepath.Join(dir, "home"),
		"BATCHCTL_EMULATOR_DURATION=2s",
	})

	term.send("batchctl create -f reqs.jsonl --provider emulator --name tmux --wait > out.jsonl; echo EXIT=$?")
	job := term.waitFor(`(?m)created job (j[a-z0-9]{5}): 2 requests on emulator/echo`)[1]
	// one job: progressbar's bar, with the status word and maybe the time left
	term.waitFor(`(?m)^` + job + ` (validating|in_progress|finalizing)( \(about \S+ left\))? +\d+% \|[^|]*\| \(\d/2\)`)
	term.waitFor(`(?m)^` + job + ` completed: 2 succeeded, 0 failed of 2 requests *$`) // the cleared bar leaves spaces
	term.waitFor(`(?m)^EXIT=0 *$`)

	// wait on two jobs: one line each, on screen together, then a summary each
	// the screen is cleared before the next command, so that no match can
	// come from what the first one left
	term.clear()
	term.send("export BATCHCTL_EMULATOR_DURATION=6s; a=$(batchctl create -f reqs.jsonl --provider emulator --name a); b=$(batchctl create -f reqs.jsonl --provider emulator --name b); batchctl wait $a $b; echo EXIT=$?")
	a := term.waitFor(`(?m)created job (j[a-z0-9]{5}): 2 requests on emulator/echo`)[1]
	b := term.waitFor(`(?m)created job (j[a-z0-9]{5}): 2 requests on emulator/echo in 1 batch *\n.*created job (j[a-z0-9]{5})`)[2]
	bar := ` (validating|in_progress|finalizing) +\d+% \|[^|]*\| \(\d/2\)`
	term.waitFor(`(?m)^` + a + bar + `.*\n` + b + bar)
	term.waitFor(`(?m)^` + a + ` completed: 2 succeeded, 0 failed of 2 requests *\n` + b + ` completed: 2 succeeded, 0 failed of 2 requests *$`)
	term.waitFor(`(?m)^EXIT=0 *$`)

	term.clear()
	term.send("batchctl list")
	term.waitFor(`(?m)^ID +NAME +PROVIDER +MODEL +STATUS +REQUESTS +TOKENS +COST +CREATED$`)
	term.waitFor(`(?m)^` + job + ` +tmux +emulator +echo +completed +2/2 +2→2 +— +less than a minute ago$`)
}

// buildBatchctl builds the binary from this module into bin.
func buildBatchctl(t *testing.T, bin string) {
	t.Helper()
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, goCmd, "build", "-o", bin, "github.com/batchctl/batchctl").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
}

// terminal is one tmux session on a private server.
type terminal struct {
	t      *testing.T
	tmux   string
	socket string
}

// startTmux starts a tmux server of its own (its own socket, no user
// config) with a 100x30 session running sh in dir with exactly env, and
// stops the server when the test ends.
func startTmux(t *testing.T, tmux, dir string, env []string) *terminal {
	t.Helper()
	// a short directory: socket paths are limited to about 100 bytes
	sockDir, err := os.MkdirTemp("", "bt")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(sockDir) })
	term := &terminal{t: t, tmux: tmux, socket: filepath.Join(sockDir, "s")}
	cmd := exec.CommandContext(t.Context(), tmux, "-S", term.socket, "-f", os.DevNull,
		"new-session", "-d", "-x", "100", "-y", "30", "-c", dir, "env PS1='$ ' sh")
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("starting tmux: %v\n%s", err, out)
	}
	t.Cleanup(func() {
		// the context of the test is done by now
		_ = exec.Command(tmux, "-S", term.socket, "kill-server").Run()
	})
	return term
}

// send types line into the session and presses Enter.
func (term *terminal) send(line string) {
	term.t.Helper()
	if out, err := term.command("send-keys", "-l", line).CombinedOutput(); err != nil {
		term.t.Fatalf("tmux send-keys: %v\n%s", err, out)
	}
	if out, err := term.command("send-keys", "Enter").CombinedOutput(); err != nil {
		term.t.Fatalf("tmux send-keys: %v\n%s", err, out)
	}
}

// waitTimeout bounds each wait for the screen: generous, since a loaded
// machine may take seconds to build a screen that is quick on an idle one.
const waitTimeout = 30 * time.Second

// waitFor reads the screen until it matches the regular expression, for
// at most waitTimeout, and returns the match and its groups.
func (term *terminal) waitFor(expr string) []string {
	term.t.Helper()
	re := regexp.MustCompile(expr)
	var m []string
	term.poll("showed "+expr, func(screen string) bool {
		m = re.FindStringSubmatch(screen)
		return m != nil
	})
	return m
}

// clear clears the screen and waits until it is blank but for the prompt.
func (term *terminal) clear() {
	term.t.Helper()
	term.send("clear")
	blank := regexp.MustCompile(`\A\$ *\n*\z`)
	term.poll("was cleared", func(screen string) bool { return blank.MatchString(screen) })
}

// poll reads the screen until done accepts it, for at most waitTimeout;
// what names the wait in the failure.
func (term *terminal) poll(what string, done func(screen string) bool) {
	term.t.Helper()
	deadline := time.Now().Add(waitTimeout)
	var screen []byte
	for time.Now().Before(deadline) {
		out, err := term.command("capture-pane", "-p", "-J").Output()
		if err != nil {
			term.t.Fatalf("tmux capture-pane: %v", err)
		}
		screen = out
		if done(string(screen)) {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	term.t.Fatalf("the screen never %s; it shows:\n%s", what, screen)
}

func (term *terminal) command(args ...string) *exec.Cmd {
	return exec.CommandContext(term.t.Context(), term.tmux, append([]string{"-S", term.socket}, args...)...)
}
