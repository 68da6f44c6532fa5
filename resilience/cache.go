package resilience

import (
	"bytes"
	"container/list"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// CacheHeader is set on responses served from the cache: "hit" for a fresh entry,
// "stale" for the last good response served because the call failed.
const CacheHeader = "X-Connectors-Cache"

// AttemptsHeader is set on every response [Client.Do] returns: the attempts the call
// made (0 for an answer from the cache). Read it with [Attempts]; a failed call says
// its attempts in [CallError].
const AttemptsHeader = "X-Connectors-Attempts"

// Attempts reports how many attempts the call that returned resp made.
func Attempts(resp *http.Response) int {
	if resp == nil {
		return 0
	}
	n, _ := strconv.Atoi(resp.Header.Get(AttemptsHeader))
	return n
}

// IsStale reports whether resp is a stale fallback: the last good response, served
// because the live call failed or the breaker was open.
func IsStale(resp *http.Response) bool {
	return resp != nil && resp.Header.Get(CacheHeader) == "stale"
}

// FromCache reports whether resp was served from the cache, fresh or stale.
func FromCache(resp *http.Response) bool {
	return resp != nil && resp.Header.Get(CacheHeader) != ""
}

// StoredAt returns when a cached response was received from the vendor (zero for a
// live response).
func StoredAt(resp *http.Response) time.Time {
	if resp == nil {
		return time.Time{}
	}
	t, _ := time.Parse(time.RFC3339Nano, resp.Header.Get(CacheHeader+"-Stored"))
	return t
}

type cacheEntry struct {
	key     string
	status  int
	header  http.Header
	body    []byte
	stored  time.Time
	expires time.Time
	elem    *list.Element
}

// cache is a bounded LRU store of GET responses.
type cache struct {
	p        CachePolicy
	mu       sync.Mutex
	entries  map[string]*cacheEntry
	lru      *list.List
	staleFor time.Duration
	maxBody  int64
}

func newCache(p CachePolicy) *cache {
	c := &cache{p: p, entries: make(map[string]*cacheEntry), lru: list.New(), staleFor: p.StaleFor, maxBody: p.MaxBodyBytes}
	if c.staleFor <= 0 {
		c.staleFor = 24 * time.Hour
	}
	if c.maxBody <= 0 {
		c.maxBody = 1 << 20
	}
	return c
}

// ttl returns the TTL for req (negative: do not cache).
func (c *cache) ttl(req *http.Request, o *overrides) time.Duration {
	if o != nil && o.cacheTTLSet {
		return o.cacheTTL
	}
	best, ttl := -1, c.p.TTL
	for _, r := range c.p.Routes {
		if strings.HasPrefix(req.URL.Path, r.Prefix) && len(r.Prefix) > best {
			best, ttl = len(r.Prefix), r.TTL
		}
	}
	return ttl
}

func cacheKey(req *http.Request) string { return req.Method + " " + req.URL.String() }

func (c *cache) lookup(key string, now time.Time, stale bool) *http.Response {
	c.mu.Lock()
	e, ok := c.entries[key]
	if !ok {
		c.mu.Unlock()
		return nil
	}
	fresh := now.Before(e.expires)
	if !fresh && (!stale || !now.Before(e.expires.Add(c.staleFor))) {
		if !now.Before(e.expires.Add(c.staleFor)) {
			c.remove(e)
		}
		c.mu.Unlock()
		return nil
	}
	if !fresh && !stale {
		c.mu.Unlock()
		return nil
	}
	c.lru.MoveToFront(e.elem)
	c.mu.Unlock()
	h := e.header.Clone()
	if fresh && !stale {
		h.Set(CacheHeader, "hit")
	} else {
		h.Set(CacheHeader, "stale")
	}
	h.Set(CacheHeader+"-Stored", e.stored.UTC().Format(time.RFC3339Nano))
	return &http.Response{
		Status: http.StatusText(e.status), StatusCode: e.status, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: h, Body: io.NopCloser(bytes.NewReader(e.body)), ContentLength: int64(len(e.body)),
	}
}

// store buffers a 200 response's body (up to maxBody) and keeps it; the returned
// response replays the body to the caller. A larger body is not cached.
func (c *cache) store(key string, resp *http.Response, ttl time.Duration, now time.Time) *http.Response {
	if resp.StatusCode != http.StatusOK || resp.Body == nil || resp.ContentLength > c.maxBody {
		return resp
	}
	buf, err := io.ReadAll(io.LimitReader(resp.Body, c.maxBody+1))
	if err != nil || int64(len(buf)) > c.maxBody {
		// give the caller what was read followed by the rest, uncached
		resp.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(buf), &errReader{err: err, r: resp.Body}), resp.Body}
		return resp
	}
	_ = resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(buf))
	if ttl < 0 {
		ttl = 0
	}
	e := &cacheEntry{key: key, status: resp.StatusCode, header: resp.Header.Clone(), body: buf, stored: now, expires: now.Add(ttl)}
	c.mu.Lock()
	if old, ok := c.entries[key]; ok {
		c.remove(old)
	}
	e.elem = c.lru.PushFront(e)
	c.entries[key] = e
	for c.lru.Len() > c.p.MaxEntries {
		c.remove(c.lru.Back().Value.(*cacheEntry))
	}
	c.mu.Unlock()
	return resp
}

type errReader struct {
	err error
	r   io.Reader
}

func (e *errReader) Read(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	return e.r.Read(p)
}

// remove must be called with mu held.
func (c *cache) remove(e *cacheEntry) {
	c.lru.Remove(e.elem)
	delete(c.entries, e.key)
}

// invalidate drops entries whose URL path starts with prefix ("" drops all).
func (c *cache) invalidate(prefix string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for k, e := range c.entries {
		path := k[strings.IndexByte(k, ' ')+1:]
		if i := strings.Index(path, "://"); i >= 0 {
			if j := strings.IndexByte(path[i+3:], '/'); j >= 0 {
				path = path[i+3+j:]
			} else {
				path = "/"
			}
		}
		if strings.HasPrefix(path, prefix) {
			c.remove(e)
			n++
		}
	}
	return n
}

func (c *cache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}
