package webhook

import (
	"container/list"
	"context"
	"sync"
	"time"

	"github.com/dispatchcenter/connectors/clock"
)

// Store remembers the deliveries already handed off, for de-duplication. A shared
// implementation (Redis) makes a retry that reaches another replica a duplicate too.
type Store interface {
	// Claim records key for ttl and reports true when it was new; false means a
	// delivery with this key was already claimed (and not released).
	Claim(ctx context.Context, key string, ttl time.Duration) (bool, error)
	// Release forgets a claim whose hand-off failed, so the sender's retry is
	// processed rather than dropped.
	Release(ctx context.Context, key string) error
}

// MemoryStore is a bounded in-process [Store]: at most Max keys (the oldest go first),
// each kept until its TTL passes.
type MemoryStore struct {
	max int
	clk clock.Clock
	mu  sync.Mutex
	m   map[string]*list.Element
	lru *list.List
}

type claim struct {
	key     string
	expires time.Time
}

// NewMemoryStore returns a store of at most max keys (default 100 000).
func NewMemoryStore(max int, clk clock.Clock) *MemoryStore {
	if max <= 0 {
		max = 100_000
	}
	if clk == nil {
		clk = clock.Real{}
	}
	return &MemoryStore{max: max, clk: clk, m: map[string]*list.Element{}, lru: list.New()}
}

// Claim implements [Store].
func (s *MemoryStore) Claim(_ context.Context, key string, ttl time.Duration) (bool, error) {
	now := s.clk.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.m[key]; ok {
		if now.Before(e.Value.(*claim).expires) {
			return false, nil
		}
		s.lru.Remove(e)
		delete(s.m, key)
	}
	s.m[key] = s.lru.PushFront(&claim{key: key, expires: now.Add(ttl)})
	for s.lru.Len() > s.max {
		old := s.lru.Back()
		s.lru.Remove(old)
		delete(s.m, old.Value.(*claim).key)
	}
	return true, nil
}

// Release implements [Store].
func (s *MemoryStore) Release(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.m[key]; ok {
		s.lru.Remove(e)
		delete(s.m, key)
	}
	return nil
}

// Len returns how many claims are held.
func (s *MemoryStore) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lru.Len()
}
