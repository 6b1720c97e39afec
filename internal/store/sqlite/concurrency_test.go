package sqlite

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/batchctl/batchctl/internal/store"
	"github.com/batchctl/batchctl/internal/store/storetest"
)

// TestConcurrentStores has 20 stores, as 20 batchctl processes would, open
// one fresh database at once and write to it at once.
func TestConcurrentStores(t *testing.T) {
	const workers, updates = 20, 5
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "batchctl.db")

	start := make(chan struct{})
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			<-start
			errs <- work(t, path, fmt.Sprintf("j%02d", w), updates)
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}

	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	jobs, err := s.List(ctx, store.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != workers {
		t.Fatalf("%d jobs, want %d", len(jobs), workers)
	}
	for _, j := range jobs {
		if j.Status != "completed" || j.Counts.Succeeded != 2*updates || len(j.Parts) != 2 {
			t.Errorf("job %s: status %s, %d succeeded, %d parts; want completed, %d, 2",
				j.ID, j.Status, j.Counts.Succeeded, len(j.Parts), 2*updates)
		}
	}
}

// work opens its own store on path, creates job id and saves its two parts
// updates times each.
func work(t *testing.T, path, id string, updates int) error {
	ctx := t.Context()
	s, err := Open(ctx, path)
	if err != nil {
		return err
	}
	defer s.Close()
	return storetest.WriteJob(ctx, s, id, updates)
}

// TestFreshRegistryManyProcesses starts 30 processes, as 30 batchctl
// commands started at once on a brand-new BATCHCTL_HOME would, that open
// the same fresh database and list its jobs, at the same instant: each
// waits for a byte on its standard input before opening, and the parent
// sends the next byte to all of them once all have answered. One collision
// is rare, so they go through several fresh databases in turn. None may
// fail.
func TestFreshRegistryManyProcesses(t *testing.T) {
	if dir := os.Getenv("STORE_OPEN_AT_ONCE"); dir != "" {
		in := bufio.NewReader(os.Stdin)
		for i := 0; ; i++ {
			if _, err := in.ReadByte(); err != nil {
				os.Exit(0) // no more rounds
			}
			if err := openAndList(filepath.Join(dir, strconv.Itoa(i), "batchctl.db")); err != nil {
				fmt.Printf("database %d: %v\n", i, err)
				os.Exit(1)
			}
			fmt.Println("ok")
		}
	}
	const procs = 30
	rounds := 20
	if os.Getenv("BATCHCTL_SOAK") != "" {
		rounds = 500
	}
	dir := t.TempDir()
	type child struct {
		cmd *exec.Cmd
		in  io.WriteCloser
		out *bufio.Reader
	}
	children := make([]child, procs)
	for i := range children {
		cmd := exec.Command(os.Args[0], "-test.run=^TestFreshRegistryManyProcesses$")
		cmd.Env = append(os.Environ(), "STORE_OPEN_AT_ONCE="+dir)
		cmd.Stderr = os.Stderr
		in, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		children[i] = child{cmd, in, bufio.NewReader(out)}
	}
	defer func() {
		for _, c := range children {
			c.in.Close()
			c.cmd.Wait()
		}
	}()
	for round := range rounds {
		for _, c := range children {
			c.in.Write([]byte{'.'})
		}
		failed := false
		for i, c := range children {
			line, err := c.out.ReadString('\n')
			if line != "ok\n" {
				t.Errorf("round %d, process %d: %q %v", round, i, strings.TrimSpace(line), err)
				failed = true
			}
		}
		if failed {
			return
		}
	}
}

// openAndList is what `batchctl list` does with the registry.
func openAndList(path string) error {
	ctx := context.Background()
	s, err := Open(ctx, path)
	if err != nil {
		return err
	}
	defer s.Close()
	_, err = s.List(ctx, store.Filter{})
	return err
}
