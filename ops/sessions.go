package ops

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"sync"
	"time"
)

// SessionCookie is the cookie of a signed-in operator.
const SessionCookie = "ops_session"

// Sessions lets operators sign in from a browser, which cannot send a bearer
// header: the console's login form takes the credentials inner accepts (a bearer
// token, or a user and password), and a signed-in operator is then known by a
// random session cookie (HttpOnly, SameSite=Strict, Secure over TLS) for ttl.
// Requests with inner's credentials (scripts, the live screen) still work. It is
// safe for concurrent use.
type Sessions struct {
	inner Authenticator
	ttl   time.Duration
	now   func() time.Time

	mu   sync.Mutex
	byID map[string]session
}

type session struct {
	operator string
	expires  time.Time
}

// NewSessions returns sessions over inner lasting ttl (12 h when 0).
func NewSessions(inner Authenticator, ttl time.Duration) *Sessions {
	if ttl <= 0 {
		ttl = 12 * time.Hour
	}
	return &Sessions{inner: inner, ttl: ttl, now: time.Now, byID: map[string]session{}}
}

// Operator implements [Authenticator]: the session cookie's operator, else inner's.
func (s *Sessions) Operator(r *http.Request) (string, error) {
	if c, err := r.Cookie(SessionCookie); err == nil {
		s.mu.Lock()
		se, ok := s.byID[c.Value]
		if ok && !s.now().Before(se.expires) {
			delete(s.byID, c.Value)
			ok = false
		}
		s.mu.Unlock()
		if ok {
			return se.operator, nil
		}
	}
	return s.inner.Operator(r)
}

// login checks the form's credentials with inner and, when they are an
// operator's, starts a session and sets its cookie.
func (s *Sessions) login(w http.ResponseWriter, r *http.Request) (string, bool) {
	probe := r.Clone(r.Context())
	probe.Header = http.Header{}
	if tok := r.PostForm.Get("token"); tok != "" {
		probe.Header.Set("Authorization", "Bearer "+tok)
	} else {
		probe.SetBasicAuth(r.PostForm.Get("user"), r.PostForm.Get("password"))
	}
	who, err := s.inner.Operator(probe)
	if err != nil {
		return "", false
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", false
	}
	id := hex.EncodeToString(b)
	s.mu.Lock()
	s.byID[id] = session{operator: who, expires: s.now().Add(s.ttl)}
	s.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: id, Path: "/", HttpOnly: true, Secure: r.TLS != nil,
		SameSite: http.SameSiteStrictMode, MaxAge: int(s.ttl.Seconds())})
	return who, true
}

// logout ends the request's session.
func (s *Sessions) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(SessionCookie); err == nil {
		s.mu.Lock()
		delete(s.byID, c.Value)
		s.mu.Unlock()
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", HttpOnly: true, MaxAge: -1, SameSite: http.SameSiteStrictMode})
}
