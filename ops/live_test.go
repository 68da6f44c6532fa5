package ops_test

import (
	"bufio"
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dispatchcenter/connectors/ops"
)

// memLog is an in-memory event log: events appended, followers woken.
type memLog struct {
	mu     sync.Mutex
	events []ops.LiveEvent
	wake   chan struct{}
}

func newMemLog() *memLog { return &memLog{wake: make(chan struct{})} }

func (l *memLog) add(typ, data string) {
	l.mu.Lock()
	l.events = append(l.events, ops.LiveEvent{ID: uint64(len(l.events) + 1), Type: typ, Data: []byte(data)})
	close(l.wake)
	l.wake = make(chan struct{})
	l.mu.Unlock()
}

func (l *memLog) Latest(context.Context) (uint64, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return uint64(len(l.events)), nil
}

func (l *memLog) Follow(ctx context.Context, after uint64, fn func(ops.LiveEvent) error) error {
	for {
		l.mu.Lock()
		pending := append([]ops.LiveEvent(nil), l.events[min(int(after), len(l.events)):]...)
		wake := l.wake
		l.mu.Unlock()
		for _, e := range pending {
			if err := fn(e); err != nil {
				return err
			}
			after = e.ID
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-wake:
		}
	}
}

// sseClient reads events from a live stream.
type sseClient struct {
	resp *http.Response
	r    *bufio.Reader
}

func connect(t *testing.T, url, lastID string) *sseClient {
	req, _ := http.NewRequest(http.MethodGet, url+"/events", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))
	return &sseClient{resp: resp, r: bufio.NewReader(resp.Body)}
}

// next reads the next event: its id, type and data.
func (c *sseClient) next(t *testing.T) (uint64, string, string) {
	var id uint64
	var typ, data string
	for {
		line, err := c.r.ReadString('\n')
		require.NoError(t, err)
		line = strings.TrimRight(line, "\n")
		switch {
		case line == "" && typ != "":
			return id, typ, data
		case strings.HasPrefix(line, "id: "):
			id, _ = strconv.ParseUint(line[4:], 10, 64)
		case strings.HasPrefix(line, "event: "):
			typ = line[7:]
		case strings.HasPrefix(line, "data: "):
			data = line[6:]
		}
	}
}

func (c *sseClient) close() { _ = c.resp.Body.Close() }

// A client that reconnects with Last-Event-ID gets every event after it exactly
// once, those sent while it was away included; a new client starts with new events.
func TestLiveFeedResumes(t *testing.T) {
	log := newMemLog()
	log.add("dispatch.geotab.position", `{"vehicle_id":"b0"}`) // before anyone listens
	live, err := ops.NewLive(log, ops.BearerToken(map[string]string{token: "ada"}))
	require.NoError(t, err)
	srv := httptest.NewServer(live)
	defer srv.Close()

	c := connect(t, srv.URL, "")
	log.add("dispatch.geotab.position", `{"vehicle_id":"b1"}`)
	log.add("dispatch.geotab.geofence", `{"vehicle_id":"b1","zone_id":"z1","kind":"entered"}`)
	id, typ, data := c.next(t)
	assert.Equal(t, uint64(2), id, "a new client starts after the latest event")
	assert.Equal(t, "dispatch.geotab.position", typ)
	assert.Equal(t, `{"vehicle_id":"b1"}`, data)
	id, typ, _ = c.next(t)
	assert.Equal(t, uint64(3), id)
	assert.Equal(t, "dispatch.geotab.geofence", typ)
	c.close()

	// while the client is away
	for i := 4; i <= 6; i++ {
		log.add("dispatch.geotab.position", `{"vehicle_id":"b`+strconv.Itoa(i)+`"}`)
	}
	c = connect(t, srv.URL, "3")
	defer c.close()
	log.add("dispatch.geotab.position", `{"vehicle_id":"b7"}`)
	var got []uint64
	for range 4 {
		id, _, _ := c.next(t)
		got = append(got, id)
	}
	assert.Equal(t, []uint64{4, 5, 6, 7}, got, "every event after Last-Event-ID, exactly once, in order")
}

func TestLiveRequiresAnOperator(t *testing.T) {
	live, err := ops.NewLive(newMemLog(), ops.BearerToken(map[string]string{token: "ada"}))
	require.NoError(t, err)
	for _, p := range []string{"/", "/events", "/live.js"} {
		w := httptest.NewRecorder()
		live.ServeHTTP(w, httptest.NewRequest("GET", p, nil))
		assert.Equal(t, http.StatusUnauthorized, w.Code, p)
	}
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	w := httptest.NewRecorder()
	live.ServeHTTP(w, req)
	assert.Equal(t, http.StatusOK, w.Code)
	assert.Contains(t, w.Body.String(), "<svg")
	assert.NotContains(t, w.Body.String(), "http://", "nothing is fetched from elsewhere")
}

// snapLog is a memLog that tells the current state (a Snapshotter).
type snapLog struct {
	*memLog
	state []ops.LiveEvent
}

func (s snapLog) Snapshot(ctx context.Context) ([]ops.LiveEvent, uint64, error) {
	asOf, err := s.Latest(ctx)
	return s.state, asOf, err
}

// A new screen over a Snapshotter gets the current state first, under the ID it is
// current as of, then the events after it; a screen that reconnects with
// Last-Event-ID gets no snapshot, only what it missed.
func TestLiveFeedStartsFromTheSnapshot(t *testing.T) {
	log := snapLog{memLog: newMemLog(), state: []ops.LiveEvent{
		{Type: "dispatch.geotab.position", Data: []byte(`{"vehicle_id":"b1","latitude":43.6}`)},
		{Type: "dispatch.assignment", Data: []byte(`{"service_request_id":"SR1","zone_id":"z1"}`)},
	}}
	log.add("dispatch.geotab.position", `{"vehicle_id":"b1","latitude":43.5}`)
	log.add("dispatch.assignment", `{"service_request_id":"SR1","zone_id":"z1"}`)
	live, err := ops.NewLive(log, ops.BearerToken(map[string]string{token: "ada"}))
	require.NoError(t, err)
	srv := httptest.NewServer(live)
	defer srv.Close()

	c := connect(t, srv.URL, "")
	log.add("dispatch.geotab.position", `{"vehicle_id":"b1","latitude":43.7}`)
	for _, want := range []struct {
		id        uint64
		typ, data string
	}{
		{2, "dispatch.geotab.position", `{"vehicle_id":"b1","latitude":43.6}`},
		{2, "dispatch.assignment", `{"service_request_id":"SR1","zone_id":"z1"}`},
		{3, "dispatch.geotab.position", `{"vehicle_id":"b1","latitude":43.7}`},
	} {
		id, typ, data := c.next(t)
		assert.Equal(t, want.id, id, want.data)
		assert.Equal(t, want.typ, typ)
		assert.Equal(t, want.data, data)
	}
	c.close()

	c = connect(t, srv.URL, "2")
	defer c.close()
	id, _, data := c.next(t)
	assert.Equal(t, uint64(3), id, "a reconnect resumes: no snapshot")
	assert.Contains(t, data, "43.7")
}
