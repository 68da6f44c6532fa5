package seen

import (
	"sync"
	"time"
)

// Window reports keys seen again within a window. It keeps at most max keys (the
// oldest go first). It is safe for concurrent use.
type Window[K comparable] struct {
	window time.Duration
	max    int

	mu   sync.Mutex
	seen map[K]time.Time
	fifo []entry[K]
}

type entry[K comparable] struct {
	key K
	at  time.Time
}

// New returns a window of the given length holding at most max keys.
func New[K comparable](window time.Duration, max int) *Window[K] {
	return &Window[K]{window: window, max: max, seen: map[K]time.Time{}}
}

// Seen reports whether key was seen within the window before at, and records it
// (times are expected in order; an earlier one is taken as is).
func (w *Window[K]) Seen(key K, at time.Time) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	for len(w.fifo) > 0 && (at.Sub(w.fifo[0].at) >= w.window || len(w.fifo) >= w.max) {
		if w.seen[w.fifo[0].key] == w.fifo[0].at {
			delete(w.seen, w.fifo[0].key)
		}
		w.fifo = w.fifo[1:]
	}
	if prev, ok := w.seen[key]; ok && at.Sub(prev) < w.window {
		return true
	}
	w.seen[key] = at
	w.fifo = append(w.fifo, entry[K]{key: key, at: at})
	return false
}
