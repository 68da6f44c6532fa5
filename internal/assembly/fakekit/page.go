package fakekit

import (
	"encoding/base64"
	"strconv"
)

// OffsetPage cuts one page of the items kept by keep, starting at cursor (an opaque
// offset into items; "" for the first page), at most limit items (100 when limit is
// not positive). It returns the page, the next cursor ("" on the last page), and false
// when the cursor is not one it made.
func OffsetPage[T any](items []*T, keep func(*T) bool, cursor string, limit int) ([]T, string, bool) {
	if limit <= 0 {
		limit = 100
	}
	start := 0
	if cursor != "" {
		b, err := base64.RawURLEncoding.DecodeString(cursor)
		n, err2 := strconv.Atoi(string(b))
		if err != nil || err2 != nil || n < 0 || n > len(items) {
			return nil, "", false
		}
		start = n
	}
	out := make([]T, 0, min(limit, len(items)-start))
	for i := start; i < len(items); i++ {
		if !keep(items[i]) {
			continue
		}
		if len(out) == limit {
			return out, base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(i))), true
		}
		out = append(out, *items[i])
	}
	return out, "", true
}
