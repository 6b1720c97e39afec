package httpx

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/batchctl/batchctl/internal/providers"
)

// pagedList serves ids in pages of at most pageCap, the cursor being the
// index of the next id, and records what each fetch asked for.
type pagedList struct {
	ids     []string
	pageCap int
	asked   []string // "cursor/size"
}

func (l *pagedList) fetch(cursor string, size int) (Page, error) {
	l.asked = append(l.asked, cursor+"/"+strconv.Itoa(size))
	start := 0
	if cursor != "" {
		start, _ = strconv.Atoi(cursor)
	}
	end := min(start+size, start+l.pageCap, len(l.ids))
	var page Page
	for _, id := range l.ids[start:end] {
		page.Batches = append(page.Batches, &providers.Batch{ID: id})
	}
	if end < len(l.ids) {
		page.Next = strconv.Itoa(end)
	}
	return page, nil
}

func TestList(t *testing.T) {
	ids := make([]string, 25)
	for i := range ids {
		ids[i] = fmt.Sprintf("b%02d", i)
	}
	tests := []struct {
		name    string
		limit   int
		stopAt  int // fn returns ErrStop at this batch; 0: never
		pageCap int // the most a page holds, whatever was asked
		want    int
		asked   []string
	}{
		{"all pages", 0, 0, 10, 25, []string{"/10", "10/10", "20/10"}},
		{"the server serves less than asked", 0, 0, 4, 25, []string{"/10", "4/10", "8/10", "12/10", "16/10", "20/10", "24/10"}},
		{"limit within a page", 3, 0, 10, 3, []string{"/3"}},
		{"limit across pages", 15, 0, 10, 15, []string{"/10", "10/5"}},
		{"limit across short pages", 15, 0, 4, 15, []string{"/10", "4/10", "8/7", "12/3"}},
		{"limit beyond the list", 100, 0, 10, 25, []string{"/10", "10/10", "20/10"}},
		{"stop", 0, 12, 10, 12, []string{"/10", "10/10"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := &pagedList{ids: ids, pageCap: tt.pageCap}
			var got []string
			err := List(providers.ListOptions{Limit: tt.limit}, 10, l.fetch, func(b *providers.Batch) error {
				got = append(got, b.ID)
				if len(got) == tt.stopAt {
					return providers.ErrStop
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, ids[:tt.want]) {
				t.Errorf("listed %v, want the first %d", got, tt.want)
			}
			if !slices.Equal(l.asked, tt.asked) {
				t.Errorf("asked %q, want %q", l.asked, tt.asked)
			}
		})
	}
}

func TestListErrors(t *testing.T) {
	boom := errors.New("boom")
	l := &pagedList{ids: []string{"a", "b"}, pageCap: 10}
	if err := List(providers.ListOptions{}, 10, l.fetch, func(*providers.Batch) error { return boom }); err != boom {
		t.Errorf("callback error: List = %v, want the callback's own", err)
	}
	failing := func(string, int) (Page, error) { return Page{}, boom }
	if err := List(providers.ListOptions{}, 10, failing, func(*providers.Batch) error { return nil }); err != boom {
		t.Errorf("fetch error: List = %v, want fetch's own", err)
	}
}

func TestListStopsOnARepeatedCursor(t *testing.T) {
	fetches := 0
	loop := func(string, int) (Page, error) {
		fetches++
		return Page{Batches: []*providers.Batch{{ID: "a"}}, Next: "same"}, nil
	}
	n := 0
	if err := List(providers.ListOptions{}, 10, loop, func(*providers.Batch) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	if fetches != 2 || n != 2 {
		t.Errorf("%d fetches, %d batches; want 2 and 2", fetches, n)
	}
}

func TestParseDataPage(t *testing.T) {
	parse := func(item []byte) (*providers.Batch, error) {
		var b struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(item, &b); err != nil || b.ID == "bad" {
			return nil, fmt.Errorf("invalid batch %s", item)
		}
		return &providers.Batch{ID: b.ID}, nil
	}
	tests := []struct {
		name     string
		raw      string
		wantIDs  string
		wantNext string
		wantErr  string
	}{
		{"last_id", `{"data":[{"id":"a"},{"id":"b"}],"first_id":"a","last_id":"b","has_more":true}`, "a b", "b", ""},
		{"last_id missing", `{"data":[{"id":"a"},{"id":"b"}],"has_more":true}`, "a b", "b", ""},
		{"last_id null", `{"data":[{"id":"a"}],"last_id":null,"has_more":true}`, "a", "a", ""},
		{"last page", `{"data":[{"id":"a"}],"last_id":"a","has_more":false}`, "a", "", ""},
		{"empty but has more", `{"data":[],"has_more":true}`, "", "", ""},
		{"not a page", `[]`, "", "", "parse response: json: cannot unmarshal array into Go value of type httpx.dataPage"},
		{"a bad item", `{"data":[{"id":"a"},{"id":"bad"}],"has_more":false}`, "", "", `invalid batch {"id":"bad"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page, err := ParseDataPage([]byte(tt.raw), parse)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error = %v, want %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, b := range page.Batches {
				ids = append(ids, b.ID)
			}
			if strings.Join(ids, " ") != tt.wantIDs || page.Next != tt.wantNext {
				t.Errorf("page %q next %q, want %q next %q", ids, page.Next, tt.wantIDs, tt.wantNext)
			}
		})
	}
}

func TestListPages(t *testing.T) {
	ids := make([]string, 25)
	for i := range ids {
		ids[i] = fmt.Sprintf("b%02d", i)
	}
	tests := []struct {
		name     string
		after    string
		limit    int
		pageCap  int
		want     []string
		wantNext string
	}{
		{"first page", "", 10, 10, ids[:10], "10"},
		{"from a cursor", "10", 10, 10, ids[10:20], "20"},
		{"the last page", "20", 10, 10, ids[20:], ""},
		{"a limit ending the list exactly", "15", 10, 10, ids[15:], ""},
		{"short pages", "3", 7, 4, ids[3:10], "10"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := &pagedList{ids: ids, pageCap: tt.pageCap}
			var got []string
			next := "unset"
			opts := providers.ListOptions{Limit: tt.limit, After: tt.after, Next: func(c string) { next = c }}
			err := List(opts, 10, l.fetch, func(b *providers.Batch) error {
				got = append(got, b.ID)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("listed %v, want %v", got, tt.want)
			}
			if tt.wantNext != "" && next != tt.wantNext {
				t.Errorf("next = %q, want %q", next, tt.wantNext)
			}
			if tt.wantNext == "" && next != "unset" && next != "" {
				t.Errorf("next = %q on the last page", next)
			}
		})
	}
}

// A page longer than asked, stopped in its middle: the next cursor is the
// last batch listed, as APIs with an after=<id> cursor take it.
func TestListNextInAPage(t *testing.T) {
	long := func(string, int) (Page, error) {
		return Page{Batches: []*providers.Batch{{ID: "a"}, {ID: "b"}, {ID: "c"}}, Next: "c"}, nil
	}
	var next string
	err := List(providers.ListOptions{Limit: 2, Next: func(c string) { next = c }}, 10, long, func(*providers.Batch) error { return nil })
	if err != nil || next != "b" {
		t.Errorf("List = %v, next %q; want nil, b", err, next)
	}
}
