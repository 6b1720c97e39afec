package jobs

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/batchctl/batchctl/internal/jsonscan"
	"github.com/batchctl/batchctl/internal/providers"
)

// A direct job's journal (one file per part, direct-N.journal in the job
// directory) holds two kinds of line, appended as they happen:
//
//	{"sent":"q1","attempt":1}
//	{"attempts":1,"ok":true,"direct_id":"q1", ...the provider's result line's members...}
//
// A sent line is written, and made durable, before its request is sent;
// an outcome line once the request has its final answer. An outcome line
// is the provider's own result line with three members put first, which
// the providers' normalizers skip: it is the part's raw results. A request
// with sent lines and no outcome was in flight when its process died.

// journalState is what a journal says of a part's requests.
type journalState struct {
	done map[string]bool // ids with an outcome: true when it succeeded
	sent map[string]int  // ids sent, with their last attempt number
}

// sentPrefix and outcomePrefix tell the journal's lines apart.
var (
	sentPrefix    = []byte(`{"sent":`)
	outcomePrefix = []byte(`{"attempts":`)
)

// outcomeHead is the members a sent line has, or an outcome line starts
// with.
type outcomeHead struct {
	Attempts int
	OK       bool
	ID       string // direct_id
	Sent     string
	Attempt  int
}

// errHeadRead stops readHead at the end of an outcome line's head.
var errHeadRead = errors.New("head read")

// readHead reads the members of a sent line, or the head of an outcome
// line (not the provider's result line after it, which is not checked:
// the journal's lines are written whole or are the cut-off last one).
func readHead(line []byte) (outcomeHead, bool) {
	var h outcomeHead
	s := jsonscan.New(line)
	err := s.Object(func(key []byte) error {
		var err error
		var n int64
		switch string(key) {
		case "sent":
			h.Sent, err = s.Str()
		case "attempt":
			n, err = s.Int()
			h.Attempt = int(n)
		case "attempts":
			n, err = s.Int()
			h.Attempts = int(n)
		case "ok":
			var raw []byte
			raw, err = s.Raw()
			h.OK = string(raw) == "true"
		case "direct_id":
			if h.ID, err = s.Str(); err == nil {
				err = errHeadRead
			}
		default:
			err = s.Skip()
		}
		return err
	})
	return h, err == nil || errors.Is(err, errHeadRead)
}

// readJournal reads a part's journal; a missing one is empty. A last line
// cut short (a kill in the middle of a write) is left out, and its offset
// returned as the journal's good length.
func readJournal(path string, outcome func(line []byte) error) (journalState, int64, error) {
	st := journalState{done: map[string]bool{}, sent: map[string]int{}}
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return st, 0, nil
	}
	if err != nil {
		return st, 0, err
	}
	defer f.Close()
	rd := bufio.NewReaderSize(f, 64<<10)
	var good int64
	for {
		line, err := rd.ReadBytes('\n')
		if errors.Is(err, io.EOF) {
			return st, good, nil // a line without its newline was cut short
		}
		if err != nil {
			return st, good, err
		}
		good += int64(len(line))
		line = line[:len(line)-1]
		switch {
		case bytes.HasPrefix(line, sentPrefix):
			if h, ok := readHead(line); ok {
				st.sent[h.Sent] = h.Attempt // the last line of an id stands (see Unsent)
			}
		case bytes.HasPrefix(line, outcomePrefix):
			h, ok := readHead(line)
			if !ok {
				continue
			}
			if _, dup := st.done[h.ID]; dup {
				continue
			}
			st.done[h.ID] = h.OK
			if outcome != nil {
				if err := outcome(line); err != nil {
					return st, good, err
				}
			}
		}
	}
}

// journal appends to a part's journal. Outcomes are made durable in
// groups (every syncEvery, by Run's flusher). The sent lines of first
// sends are written in groups by a sentFeeder (WriteSent), which makes
// each group durable with one Sync before handing it out; a retry's Sent
// waits for its line to be durable, sharing one fsync with the sends that
// wait at once.
type journal struct {
	f       *os.File
	mu      sync.Mutex // guards w, written, err
	w       *bufio.Writer
	written int64 // lines written
	err     error
	syncMu  sync.Mutex // one fsync at a time
	synced  int64      // lines durable
}

// syncEvery is how often a journal's outcomes are made durable.
const syncEvery = 100 * time.Millisecond

// openJournal opens path for appending, cutting off a last line a kill
// left short (good is the length readJournal found whole).
func openJournal(path string, good int64) (*journal, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, err
	}
	if err := f.Truncate(good); err != nil {
		f.Close()
		return nil, err
	}
	if _, err := f.Seek(good, io.SeekStart); err != nil {
		f.Close()
		return nil, err
	}
	return &journal{f: f, w: bufio.NewWriterSize(f, 64<<10)}, nil
}

func (j *journal) write(line []byte) int64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.err == nil {
		_, j.err = j.w.Write(line)
	}
	j.written++
	return j.written
}

// Sent records that id is about to be sent for the attempt-th time, and
// returns once that is durable.
func (j *journal) Sent(id string, attempt int) error {
	return j.syncTo(j.write(sentLine(id, attempt)))
}

// WriteSent records, as Sent does, that id is about to be sent for the
// attempt-th time, but does not wait: the caller makes it durable (Sync)
// before the send.
func (j *journal) WriteSent(id string, attempt int) {
	j.write(sentLine(id, attempt))
}

// Unsent records that the last send of id never left (no connection
// could be made, or the run ended before it): it was sent attempts times.
// It is not waited for: if it is lost, that send counts as one whose
// answer was lost.
func (j *journal) Unsent(id string, attempts int) {
	j.write(sentLine(id, attempts))
}

// sentLine is a journal's sent line: {"sent":id,"attempt":n}.
func sentLine(id string, attempt int) []byte {
	line := providers.AppendString([]byte(`{"sent":`), id)
	line = strconv.AppendInt(append(line, `,"attempt":`...), int64(attempt), 10)
	return append(line, "}\n"...)
}

// Outcome appends a request's outcome: the provider's result line with
// attempts, ok and id first.
func (j *journal) Outcome(id string, attempts int, ok bool, result []byte) {
	line := strconv.AppendInt([]byte(`{"attempts":`), int64(attempts), 10)
	line = strconv.AppendBool(append(line, `,"ok":`...), ok)
	line = providers.AppendString(append(line, `,"direct_id":`...), id)
	if len(result) > 2 && result[0] == '{' {
		line = append(append(line, ','), result[1:]...)
	} else {
		line = append(line, '}')
	}
	j.write(append(line, '\n'))
}

// Sync makes every line written so far durable.
func (j *journal) Sync() error {
	j.mu.Lock()
	n := j.written
	j.mu.Unlock()
	return j.syncTo(n)
}

// syncTo makes the first n lines durable, unless a sync since did.
func (j *journal) syncTo(n int64) error {
	j.syncMu.Lock()
	defer j.syncMu.Unlock()
	if j.synced >= n {
		return nil
	}
	runtime.Gosched() // let the sends ready to go add their lines to this fsync
	j.mu.Lock()
	target := j.written
	if j.err == nil {
		j.err = j.w.Flush()
	}
	err := j.err
	j.mu.Unlock()
	if err != nil {
		return err
	}
	if err := j.f.Sync(); err != nil {
		return err
	}
	j.synced = target
	return nil
}

// Close makes the journal durable and closes it.
func (j *journal) Close() error {
	err := j.Sync()
	if cerr := j.f.Close(); err == nil {
		err = cerr
	}
	return err
}
