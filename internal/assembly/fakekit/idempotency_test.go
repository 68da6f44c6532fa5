package fakekit

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestIdempotency(t *testing.T) {
	idem := &Idempotency{Problem: func(w http.ResponseWriter, status int, code, _ string) {
		w.WriteHeader(status)
		_, _ = io.WriteString(w, code)
	}}
	runs := 0
	release := make(chan struct{})
	entered := make(chan struct{})
	handler := func(status int) func(w http.ResponseWriter) {
		return func(w http.ResponseWriter) {
			runs++
			if status == 0 { // a slow call, still running when the repeat arrives
				close(entered)
				<-release
				status = http.StatusCreated
			}
			w.Header().Set("ETag", `"1"`)
			w.WriteHeader(status)
			_, _ = io.WriteString(w, "answer")
		}
	}
	do := func(key, body string, status int) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodPost, "/v1/things", strings.NewReader(body))
		if key != "" {
			r.Header.Set("Idempotency-Key", key)
		}
		w := httptest.NewRecorder()
		idem.Do(w, r, []byte(body), handler(status))
		return w
	}

	first := do("k1", "a", http.StatusCreated)
	assert.Equal(t, http.StatusCreated, first.Code)
	again := do("k1", "a", http.StatusCreated)
	assert.Equal(t, http.StatusCreated, again.Code, "the first answer again")
	assert.Equal(t, "answer", again.Body.String())
	assert.Equal(t, `"1"`, again.Header().Get("ETag"))
	assert.Equal(t, "true", again.Header().Get("Idempotent-Replayed"))
	assert.Equal(t, 1, runs)

	other := do("k1", "b", http.StatusCreated)
	assert.Equal(t, http.StatusUnprocessableEntity, other.Code)
	assert.Equal(t, "idempotency_key_reused", other.Body.String())

	assert.Equal(t, http.StatusServiceUnavailable, do("k2", "a", http.StatusServiceUnavailable).Code)
	assert.Equal(t, http.StatusCreated, do("k2", "a", http.StatusCreated).Code, "a 5xx is not kept: the retry runs")
	do("", "a", http.StatusCreated)
	do("", "a", http.StatusCreated)
	assert.Equal(t, 5, runs, "no key: every request runs")

	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		do("k3", "a", 0)
	}()
	<-entered
	busy := do("k3", "a", http.StatusCreated)
	close(release)
	wg.Wait()
	require.Equal(t, http.StatusConflict, busy.Code)
	assert.Equal(t, "idempotency_key_in_use", busy.Body.String())
	assert.Equal(t, "1", busy.Header().Get("Retry-After"))
	assert.Equal(t, http.StatusCreated, do("k3", "a", http.StatusCreated).Code, "then the stored answer")
}
