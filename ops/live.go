package ops

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// LiveEvent is one canonical event of the dispatch screen's feed.
type LiveEvent struct {
	// ID orders the events and resumes the feed (a stream sequence).
	ID uint64
	// Type is the event's kind ("dispatch.geotab.position").
	Type string
	// Data is the canonical event as JSON (one line).
	Data []byte
}

// EventSource is the log the feed is read from (the bus's stream): it replays
// what it retains after an ID, then follows what comes.
type EventSource interface {
	// Latest is the ID of the newest event (0 when there is none): a client that
	// connects without Last-Event-ID starts after it.
	Latest(ctx context.Context) (uint64, error)
	// Follow calls fn for every event after the ID after, in order, until ctx ends
	// (it then returns ctx's error) or fn fails (its error).
	Follow(ctx context.Context, after uint64, fn func(LiveEvent) error) error
}

// Snapshotter is an EventSource that also tells the state a screen starts from. A
// screen that connects without Last-Event-ID is sent Snapshot's events first (say,
// each vehicle's last position and each open job's assignment), then every event
// after asOf, the ID the state is current as of; without a Snapshotter it starts
// with the events after the latest one.
type Snapshotter interface {
	EventSource
	Snapshot(ctx context.Context) (events []LiveEvent, asOf uint64, err error)
}

//go:embed live/*
var liveAssets embed.FS

// Live is the dispatch screen's feed, an http.Handler to mount with its prefix
// stripped: GET /events is a Server-Sent Events stream of the canonical events,
// resumable with Last-Event-ID (or ?after=), so that a client that reconnects within
// the source's retention misses nothing and sees nothing twice (a new client starts
// from the source's [Snapshotter] state when it has one); GET / is a page that
// draws vehicles and job sites as SVG from their coordinates (nothing is fetched
// from the internet) and moves them as events arrive: it reads events of the types
// "dispatch.geotab.position" (a canonical.VehiclePosition), "dispatch.assignment"
// (a canonical.Assignment: the job site) and "dispatch.geotab.geofence" (a
// canonical.GeofenceEvent). Every route requires an operator, as the console does.
type Live struct {
	src  EventSource
	auth Authenticator
	// KeepAlive is the interval of the comments that keep an idle stream open
	// through proxies (default 15 s).
	KeepAlive time.Duration
}

// NewLive returns the feed of src for the operators auth names.
func NewLive(src EventSource, auth Authenticator) (*Live, error) {
	if src == nil || auth == nil {
		return nil, errors.New("ops: a live feed needs an event source and an Authenticator")
	}
	return &Live{src: src, auth: auth, KeepAlive: 15 * time.Second}, nil
}

// ServeHTTP serves the page, its script, and the event stream.
func (l *Live) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if _, err := l.auth.Operator(r); err != nil {
		w.Header().Set("WWW-Authenticate", `Bearer realm="ops"`)
		http.Error(w, "an operator identity is required", http.StatusUnauthorized)
		return
	}
	if r.Method != http.MethodGet {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	switch r.URL.Path {
	case "/events":
		l.events(w, r)
	case "/", "/index.html":
		l.asset(w, "live/index.html", "text/html; charset=utf-8")
	case "/live.js":
		l.asset(w, "live/live.js", "text/javascript; charset=utf-8")
	default:
		http.NotFound(w, r)
	}
}

func (l *Live) asset(w http.ResponseWriter, name, ctype string) {
	b, err := liveAssets.ReadFile(name)
	if err != nil {
		http.Error(w, "missing asset", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'")
	_, _ = w.Write(b)
}

// events streams the events after Last-Event-ID (or ?after=), or after the latest
// one for a new client.
func (l *Live) events(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	last := r.Header.Get("Last-Event-ID")
	if last == "" {
		last = r.URL.Query().Get("after")
	}
	var after uint64
	var snapshot []LiveEvent
	var err error
	if last != "" {
		if after, err = strconv.ParseUint(last, 10, 64); err != nil {
			http.Error(w, "Last-Event-ID is not an event id", http.StatusBadRequest)
			return
		}
	} else {
		if s, ok := l.src.(Snapshotter); ok {
			snapshot, after, err = s.Snapshot(ctx)
		} else {
			after, err = l.src.Latest(ctx)
		}
		if err != nil {
			http.Error(w, "the event log is unavailable", http.StatusServiceUnavailable)
			return
		}
	}
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	// the retry delay and a comment, so the client sees the stream open at once
	if _, err := fmt.Fprintf(w, "retry: 2000\n: after %d\n\n", after); err != nil || rc.Flush() != nil {
		return
	}
	// the state as of after, each event under that ID, so that a screen that
	// reconnects resumes after it
	for _, e := range snapshot {
		if writeEvent(w, after, e) != nil {
			return
		}
	}
	if len(snapshot) > 0 && rc.Flush() != nil {
		return
	}
	events := make(chan LiveEvent)
	done := make(chan error, 1)
	fctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		done <- l.src.Follow(fctx, after, func(e LiveEvent) error {
			select {
			case events <- e:
				return nil
			case <-fctx.Done():
				return fctx.Err()
			}
		})
	}()
	tick := time.NewTicker(l.KeepAlive)
	defer tick.Stop()
	for {
		select {
		case e := <-events:
			if writeEvent(w, e.ID, e) != nil || rc.Flush() != nil {
				cancel()
				<-done
				return
			}
		case <-tick.C:
			if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil || rc.Flush() != nil {
				cancel()
				<-done
				return
			}
		case <-done:
			return
		}
	}
}

// writeEvent writes e as one Server-Sent Event under id.
func writeEvent(w http.ResponseWriter, id uint64, e LiveEvent) error {
	data := strings.ReplaceAll(string(e.Data), "\n", "") // SSE data is one line per field
	_, err := fmt.Fprintf(w, "id: %d\nevent: %s\ndata: %s\n\n", id, e.Type, data)
	return err
}
