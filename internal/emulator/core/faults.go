package core

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The operations a server fault can target (see package emulator).
const (
	OpUpload    = "upload"
	OpListFiles = "files"
	OpGetFile   = "file"
	OpContent   = "content"
	OpDelete    = "delete"
	OpCreate    = "create"
	OpGet       = "get"
	OpList      = "list"
	OpCancel    = "cancel"
	// OpSend is a request to a synchronous endpoint (chat completions,
	// messages, generateContent...).
	OpSend = "send"
	// OpCount is a request to a free token-count endpoint (Anthropic's
	// count_tokens, Gemini's countTokens).
	OpCount = "count"
	// OpToken is a request to the OAuth2 token endpoint (Vertex AI and
	// Cloud Storage's access tokens).
	OpToken = "token"
)

// faultOps lists the operations in documentation order.
func faultOps() []string {
	return []string{OpUpload, OpListFiles, OpGetFile, OpContent, OpDelete, OpCreate, OpGet, OpList, OpCancel, OpSend, OpCount, OpToken}
}

// Fault is one rule of a server fault spec: the next Times calls of Op
// fail.
type Fault struct {
	Op string
	// Status is 429 or 500-599; 0 means the connection is dropped in the
	// middle of the response.
	Status int
	// After makes the call take effect before the fault strikes: "lost"
	// does the work, then drops the connection instead of answering;
	// "hang" does the work, then never answers (until the client gives up
	// or the server stops). Both leave the client unsure whether the call
	// happened, as a crash or a network cut mid-call does. "slow" answers
	// normally after SlowDelay. "late" keeps the request and never answers
	// it; it does the work only once a later list of batches has been
	// answered, whether or not the client is still there: a create that
	// lands after the caller's rerun has looked for it.
	After string
	// Bare drops the wait a 429 names (Retry-After, RetryInfo), as some
	// providers do: "429bare".
	Bare  bool
	Times int
}

// SlowDelay is how long a "slow" fault holds a call before answering it.
const SlowDelay = 2 * time.Second

// serveFault answers a call that suffers fault f. h is the call's real
// handler, run first for the After kinds; p answers the error kinds in its
// vendor's shape.
func (fi *faultInjector) serveFault(w http.ResponseWriter, r *http.Request, f Fault, h http.HandlerFunc, p Protocol) {
	switch {
	case f.After == "late":
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return
		}
		listed := fi.nextList()
		if fi.held != nil {
			fi.held(f.Op)
		}
		// the work outlives the call: the client may be gone by then
		late := r.Clone(context.WithoutCancel(r.Context()))
		late.Body = io.NopCloser(bytes.NewReader(body))
		go func() {
			<-listed
			h(discardWriter{header: http.Header{}}, late)
		}()
		<-r.Context().Done()
	case f.After == "lost":
		h(discardWriter{header: http.Header{}}, r)
		DropConnection(w)
	case f.After == "hang":
		h(discardWriter{header: http.Header{}}, r)
		if fi.held != nil {
			fi.held(f.Op)
		}
		<-r.Context().Done()
	case f.After == "slow":
		select {
		case <-time.After(SlowDelay):
			h(w, r)
		case <-r.Context().Done():
		}
	case f.Status == 0:
		DropConnection(w)
	default:
		p.WriteFault(w, f)
	}
}

// discardWriter swallows a response nobody will receive.
type discardWriter struct{ header http.Header }

func (d discardWriter) Header() http.Header         { return d.header }
func (d discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d discardWriter) WriteHeader(int)             {}

// ParseFaults parses a server fault spec such as "create=429x2,get=500,content=drop".
// An empty spec has no rules.
func ParseFaults(spec string) ([]Fault, error) {
	var faults []Fault
	for rule := range strings.SplitSeq(spec, ",") {
		rule = strings.TrimSpace(rule)
		if rule == "" {
			continue
		}
		f, err := parseFault(rule)
		if err != nil {
			return nil, fmt.Errorf("fault %q: %w", rule, err)
		}
		faults = append(faults, f)
	}
	return faults, nil
}

func parseFault(rule string) (Fault, error) {
	op, kind, ok := strings.Cut(rule, "=")
	if !ok {
		return Fault{}, fmt.Errorf("want OP=KIND or OP=KINDxN")
	}
	f := Fault{Op: strings.TrimSpace(op), Times: 1}
	if !slices.Contains(faultOps(), f.Op) {
		return Fault{}, fmt.Errorf("unknown operation %q (want one of %s)", f.Op, strings.Join(faultOps(), ", "))
	}
	kind, times, hasTimes := strings.Cut(strings.TrimSpace(kind), "x")
	if hasTimes {
		n, err := strconv.Atoi(times)
		if err != nil || n < 1 {
			return Fault{}, fmt.Errorf("count %q is not a positive integer", times)
		}
		f.Times = n
	}
	switch kind {
	case "drop":
		return f, nil
	case "lost", "hang", "slow", "late":
		f.After = kind
		return f, nil
	case "429bare":
		f.Status, f.Bare = http.StatusTooManyRequests, true
		return f, nil
	}
	status, err := strconv.Atoi(kind)
	if err != nil || (status != http.StatusTooManyRequests && (status < 500 || status > 599)) {
		return Fault{}, fmt.Errorf("kind %q is not 429, 429bare, a status from 500 to 599, drop, lost, hang, slow or late", kind)
	}
	f.Status = status
	return f, nil
}

// faultInjector hands out the faults of a spec, in order, per operation.
type faultInjector struct {
	mu      sync.Mutex
	pending map[string][]Fault
	// listed is closed, and replaced, each time a list of batches has
	// been answered ("late" calls wait on it).
	listed chan struct{}
	// held, when set, is told each time a "late" or "hang" fault starts
	// holding a call (Options.Held).
	held func(op string)
}

func newFaultInjector(faults []Fault, held func(op string)) *faultInjector {
	fi := &faultInjector{pending: make(map[string][]Fault), listed: make(chan struct{}), held: held}
	for _, f := range faults {
		fi.pending[f.Op] = append(fi.pending[f.Op], f)
	}
	return fi
}

// next returns the fault the current call of op must suffer, if any, and
// counts it as used.
func (fi *faultInjector) next(op string) (Fault, bool) {
	fi.mu.Lock()
	defer fi.mu.Unlock()
	queue := fi.pending[op]
	if len(queue) == 0 {
		return Fault{}, false
	}
	f := queue[0]
	if queue[0].Times--; queue[0].Times == 0 {
		fi.pending[op] = queue[1:]
	}
	return f, true
}

// nextList returns a channel closed once the next list of batches has
// been answered.
func (fi *faultInjector) nextList() <-chan struct{} {
	fi.mu.Lock()
	defer fi.mu.Unlock()
	return fi.listed
}

// served is told that a call of op has been answered.
func (fi *faultInjector) served(op string) {
	if op != OpList {
		return
	}
	fi.mu.Lock()
	defer fi.mu.Unlock()
	close(fi.listed)
	fi.listed = make(chan struct{})
}

// DropConnection ends the response in its middle: it sends the headers of a
// 200 answer announcing a body longer than what follows, then closes the
// connection, so the client sees an unexpected EOF.
func DropConnection(w http.ResponseWriter) {
	const partial = `{"object":"emulated dropped connection",`
	rc := http.NewResponseController(w)
	conn, buf, err := rc.Hijack()
	if err != nil {
		// HTTP/2 cannot be hijacked: abort the stream instead.
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(4*len(partial)))
		w.WriteHeader(http.StatusOK)
		w.Write([]byte(partial))
		rc.Flush()
		panic(http.ErrAbortHandler)
	}
	defer conn.Close()
	fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", 4*len(partial), partial)
	buf.Flush()
}
