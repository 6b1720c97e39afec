package jobs

import (
	"context"
	"fmt"
)

// sentFeeder hands a direct run's requests to its workers, making the
// sent lines of a group of them durable with one fsync before any of them
// leaves, rather than one fsync a request. It journals a request only
// when a worker is free to send it (a slot), so that at any time at most
// as many requests as there are workers are recorded as sent and have no
// outcome: a kill loses no more than the requests in flight, and a
// request recorded as sent that had not left yet is, on the next run,
// one whose answer was lost (sent once more, counted as a send that may
// have reached the endpoint). A run that ends before handing them out
// records them as not sent (drop), so they are not counted.
type sentFeeder struct {
	job   string
	jr    *journal
	work  chan<- directRequest
	slots chan struct{} // one per worker free to take a request
	group []directRequest
}

func newSentFeeder(job string, jr *journal, work chan<- directRequest, workers int) *sentFeeder {
	slots := make(chan struct{}, workers)
	for range workers {
		slots <- struct{}{}
	}
	return &sentFeeder{job: job, jr: jr, work: work, slots: slots}
}

// add journals r's next send (not durably yet) and adds it to the group,
// which is handed out when no worker is left free: it waits for the group
// to be handed out and a worker to be free.
func (f *sentFeeder) add(ctx context.Context, r directRequest) error {
	select {
	case <-f.slots:
	default:
		if err := f.flush(ctx); err != nil {
			return err
		}
		select {
		case <-f.slots:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if r.sent < 2 { // one sent twice already is not sent again (see send)
		f.jr.WriteSent(r.id, r.sent+1)
		r.journaled = true
	}
	f.group = append(f.group, r)
	return nil
}

// flush makes the group's sent lines durable and hands the group to the
// workers.
func (f *sentFeeder) flush(ctx context.Context) error {
	if len(f.group) == 0 {
		return nil
	}
	if err := f.jr.Sync(); err != nil {
		return fmt.Errorf("writing the journal of job %s: %w", f.job, err)
	}
	for len(f.group) > 0 {
		select {
		case f.work <- f.group[0]:
			f.group[0] = directRequest{}
			f.group = f.group[1:]
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	f.group = f.group[:0:0]
	return nil
}

// free tells the feeder that a worker is done with its request.
func (f *sentFeeder) free() { f.slots <- struct{}{} }

// drop records the requests journaled and not handed out as not sent.
func (f *sentFeeder) drop() {
	for _, r := range f.group {
		if r.journaled {
			f.jr.Unsent(r.id, r.sent)
		}
	}
	f.group = nil
}
