package fakekit

import (
	"crypto/sha256"
	"net/http"
	"net/http/httptest"
	"sync"
)

// Idempotency keeps a fake's answers per Idempotency-Key, as payment gateways do
// (draft-ietf-httpapi-idempotency-key-header, Stripe's rules): the first request with
// a key runs; a repeat with the same key and body gets the first answer again with
// Idempotent-Replayed: true; the same key with another body gets 422
// idempotency_key_reused; a repeat while the first still runs gets 409
// idempotency_key_in_use with Retry-After. Answers of 500 and above are not kept (the
// work did not happen), so a retry runs again. Keys are scoped by path. It is safe
// for concurrent use.
type Idempotency struct {
	// Problem writes an error answer in the fake's own shape.
	Problem func(w http.ResponseWriter, status int, code, title string)

	mu      sync.Mutex
	entries map[string]*idemEntry
}

type idemEntry struct {
	hash    [32]byte
	running bool
	status  int
	header  http.Header
	body    []byte
}

// Do answers r (whose body is body) with handle once per Idempotency-Key. A request
// without a key runs handle every time.
func (i *Idempotency) Do(w http.ResponseWriter, r *http.Request, body []byte, handle func(w http.ResponseWriter)) {
	k := r.Header.Get("Idempotency-Key")
	if k == "" {
		handle(w)
		return
	}
	key, h := r.URL.Path+" "+k, sha256.Sum256(body)
	i.mu.Lock()
	if i.entries == nil {
		i.entries = map[string]*idemEntry{}
	}
	e, ok := i.entries[key]
	switch {
	case ok && e.hash != h:
		i.mu.Unlock()
		i.Problem(w, http.StatusUnprocessableEntity, "idempotency_key_reused", "The Idempotency-Key was used with another request")
		return
	case ok && e.running:
		i.mu.Unlock()
		w.Header().Set("Retry-After", "1")
		i.Problem(w, http.StatusConflict, "idempotency_key_in_use", "A request with this Idempotency-Key is still being processed")
		return
	case ok:
		status, header, b := e.status, e.header, e.body
		i.mu.Unlock()
		for name, v := range header {
			w.Header()[name] = v
		}
		w.Header().Set("Idempotent-Replayed", "true")
		w.WriteHeader(status)
		_, _ = w.Write(b)
		return
	}
	e = &idemEntry{hash: h, running: true}
	i.entries[key] = e
	i.mu.Unlock()

	rec := httptest.NewRecorder()
	handle(rec)
	i.mu.Lock()
	if rec.Code >= 500 {
		delete(i.entries, key)
	} else {
		e.running, e.status, e.header, e.body = false, rec.Code, rec.Header().Clone(), rec.Body.Bytes()
	}
	i.mu.Unlock()
	for name, v := range rec.Header() {
		w.Header()[name] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}
