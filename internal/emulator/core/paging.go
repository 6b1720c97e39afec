package core

import "net/http"

// PathID returns the {id} of the request's path, or "" when it cannot be
// the id of anything stored (ids are letters, digits, '-' and '_').
func PathID(r *http.Request) string {
	id := r.PathValue("id")
	for _, c := range id {
		if !(c == '-' || c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return ""
		}
	}
	return id
}

// Paginate returns the page of at most limit items that follows the item
// with id after (from the start when after is empty), and whether more
// follow it.
func Paginate[T any](items []T, id func(T) string, after string, limit int) (page []T, hasMore bool) {
	if after != "" {
		i := 0
		for i < len(items) && id(items[i]) != after {
			i++
		}
		items = items[min(i+1, len(items)):]
	}
	if len(items) > limit {
		return items[:limit], true
	}
	return items, false
}
