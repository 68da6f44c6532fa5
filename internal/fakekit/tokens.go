package fakekit

import (
	"crypto/sha256"
	"fmt"
	"sync"
	"time"
)

// Tokens issues bearer tokens that expire on a fake's clock, for the fakes' token
// endpoints. It is safe for concurrent use.
type Tokens struct {
	// Prefix starts every token (so tests can look for leaks).
	Prefix string
	// TTL is the lifetime of a token.
	TTL time.Duration

	mu     sync.Mutex
	live   map[string]time.Time
	issued int
}

// Issue returns a new token valid from now for TTL.
func (t *Tokens) Issue(now time.Time) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.live == nil {
		t.live = map[string]time.Time{}
	}
	t.issued++
	tok := fmt.Sprintf("%s%x", t.Prefix, sha256.Sum256(fmt.Appendf(nil, "%s%d", t.Prefix, t.issued)))[:len(t.Prefix)+24]
	t.live[tok] = now.Add(t.TTL)
	return tok
}

// Valid reports whether tok was issued and has not expired at now.
func (t *Tokens) Valid(tok string, now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	exp, ok := t.live[tok]
	return ok && now.Before(exp)
}

// ExpireAll makes every token invalid.
func (t *Tokens) ExpireAll() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.live = nil
}

// Issued returns how many tokens were issued.
func (t *Tokens) Issued() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.issued
}
