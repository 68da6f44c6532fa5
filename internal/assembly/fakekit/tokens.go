package fakekit

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
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

// Grant answers a token request with a new token valid from now (JSON, as OAuth 2.0
// token endpoints answer).
func (t *Tokens) Grant(w http.ResponseWriter, now time.Time) {
	tok := t.Issue(now)
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"access_token": tok, "token_type": "Bearer", "expires_in": int(t.TTL / time.Second)})
}

// ServeClientCredentials answers an OAuth 2.0 client-credentials token request whose
// client credentials come in Basic auth or in the form (RFC 6749 §2.3.1).
func (t *Tokens) ServeClientCredentials(w http.ResponseWriter, r *http.Request, clientID, clientSecret string, now time.Time) {
	_ = r.ParseForm()
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	refuse := func(status int, code string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, `{"error":"`+code+`"}`)
	}
	switch {
	case r.PostForm.Get("grant_type") != "client_credentials":
		refuse(http.StatusBadRequest, "unsupported_grant_type")
	case id != clientID || secret != clientSecret:
		refuse(http.StatusUnauthorized, "invalid_client")
	default:
		t.Grant(w, now)
	}
}

// Bearer reports whether r carries a valid bearer token at now.
func (t *Tokens) Bearer(r *http.Request, now time.Time) bool {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return ok && t.Valid(tok, now)
}
