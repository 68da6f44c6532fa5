package resilience

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/dispatchcenter/connectors/clock"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// step is one scripted server answer.
type step struct {
	status int
	header http.Header
	body   string
	reset  bool // hijack and close the connection without answering
}

// script is an httptest server answering the steps in order (the last one repeats),
// recording every request body.
type script struct {
	t      *testing.T
	srv    *httptest.Server
	mu     sync.Mutex
	steps  []step
	n      int
	bodies []string
	urls   []string
	hits   atomic.Int64
}

func newScript(t *testing.T, steps ...step) *script {
	s := &script{t: t, steps: steps}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *script) serve(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	i := s.n
	if i >= len(s.steps) {
		i = len(s.steps) - 1
	}
	s.n++
	s.bodies = append(s.bodies, string(b))
	s.urls = append(s.urls, r.URL.String())
	st := s.steps[i]
	s.mu.Unlock()
	s.hits.Add(1)
	if st.reset {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			if tc, ok := conn.(*net.TCPConn); ok {
				_ = tc.SetLinger(0)
			}
			_ = conn.Close()
		}
		return
	}
	for k, v := range st.header {
		w.Header()[k] = v
	}
	if st.status == 0 {
		st.status = http.StatusOK
	}
	w.WriteHeader(st.status)
	_, _ = io.WriteString(w, st.body)
}

func (s *script) calls() int { return int(s.hits.Load()) }

func (s *script) recordedBodies() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.bodies...)
}

// newFake returns a fake clock at the real time, so contexts with real deadlines and
// the fake clock agree at the start.
func newFake() *clock.Fake { return clock.NewFake(time.Now()) }

// testClient builds a client with a fake clock, deterministic jitter (rnd) and its
// own transport, closed at the end of the test.
func testClient(t *testing.T, p Policy, fc *clock.Fake, opts ...Option) *Client {
	t.Helper()
	tr := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(tr.CloseIdleConnections)
	all := append([]Option{WithClock(fc), WithRand(func() float64 { return 0.5 }), WithTransport(tr)}, opts...)
	c, err := New(p, all...)
	require.NoError(t, err)
	return c
}

func get(t *testing.T, c *Client, ctx context.Context, url string) (*http.Response, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	require.NoError(t, err)
	return c.Do(req)
}

func post(t *testing.T, c *Client, ctx context.Context, url, body string, hdr http.Header) (*http.Response, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewBufferString(body))
	require.NoError(t, err)
	for k, v := range hdr {
		req.Header[k] = v
	}
	return c.Do(req)
}

func readClose(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	return string(b)
}

// logBuffer is a slog logger writing JSON lines into a buffer.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func (l *logBuffer) logger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// fixedPolicy retries n times with a 1 s fixed wait and no breaker.
func fixedPolicy(n int) Policy {
	return Policy{Retry: RetryPolicy{MaxRetries: n, Backoff: Fixed{Wait: time.Second}}}
}
