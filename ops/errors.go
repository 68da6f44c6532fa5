package ops

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/dispatchcenter/connectors"
	"github.com/dispatchcenter/connectors/internal/redact"
	"github.com/dispatchcenter/connectors/mapping"
)

// pageSize is how many errors a page of the Errors tab shows.
const pageSize = 50

// errorFilter narrows the Errors tab. Keys are "system/entity/id"
// ([mapping.FailedRecord]), so system and entity filter by key prefix.
type errorFilter struct {
	System, Entity string
	Class          string // "data", "mapping", "system", or "" for the view's classes
	Query          string // a substring of the key, the mapping or a problem's code or target
	// Own shows the integration's own faults (class system) instead of the
	// classified errors (data, mapping), which the operations guide separates: the
	// customer fixes classified errors, the product team the others.
	Own bool
}

func filterOf(q url.Values) errorFilter {
	return errorFilter{System: q.Get("system"), Entity: q.Get("entity"), Class: q.Get("class"), Query: q.Get("q"), Own: q.Get("view") == "own"}
}

func (f errorFilter) prefix() string {
	switch {
	case f.System != "" && f.Entity != "":
		return f.System + "/" + f.Entity + "/"
	case f.System != "":
		return f.System + "/"
	}
	return ""
}

func (f errorFilter) match(r mapping.FailedRecord) bool {
	if p := f.prefix(); p != "" && !strings.HasPrefix(r.Key, p) {
		return false
	}
	if f.Entity != "" && f.System == "" {
		if _, rest, ok := strings.Cut(r.Key, "/"); !ok || !strings.HasPrefix(rest, f.Entity+"/") {
			return false
		}
	}
	own := r.Class == mapping.ClassSystem
	if own != f.Own || f.Class != "" && r.Class.String() != f.Class {
		return false
	}
	if f.Query == "" {
		return true
	}
	q := strings.ToLower(f.Query)
	if strings.Contains(strings.ToLower(r.Key), q) || strings.Contains(strings.ToLower(r.Mapping), q) {
		return true
	}
	for _, p := range r.Errors {
		if strings.Contains(strings.ToLower(p.Code), q) || strings.Contains(strings.ToLower(p.Target), q) {
			return true
		}
	}
	return false
}

// values is the filter as query parameters (view included, after not).
func (f errorFilter) values() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"system": f.System, "entity": f.Entity, "class": f.Class, "q": f.Query} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if f.Own {
		v.Set("view", "own")
	}
	return v
}

// page scans the store from after for a page of records the filter accepts; next
// is the key to continue after ("" at the end). Only Scan batches are asked for, so
// a page holds no lock of the store between them.
func page(ctx context.Context, s mapping.Store, f errorFilter, after string) (recs []mapping.FailedRecord, next string, err error) {
	if p := f.prefix(); after == "" && p != "" {
		after = p[:len(p)-1] // "reach/" sorts after "reach": start there
	}
	for len(recs) < pageSize {
		batch, err := s.Scan(ctx, after, 200)
		if err != nil || len(batch) == 0 {
			return recs, "", err
		}
		for _, r := range batch {
			after = r.Key
			if p := f.prefix(); p != "" && r.Key > p && !strings.HasPrefix(r.Key, p) {
				return recs, "", nil // past the prefix: nothing more can match
			}
			if f.match(r) {
				recs = append(recs, r)
				if len(recs) == pageSize {
					return recs, r.Key, nil
				}
			}
		}
	}
	return recs, after, nil
}

// reprocessing is the one reprocess pass that may run at a time, in the background,
// its counts read by the Errors tab's progress line.
type reprocessing struct {
	mu      sync.Mutex
	running bool
	scope   string
	res     mapping.ReprocessResult
	err     string
	by      string
}

func (p *reprocessing) snapshot() reprocessing {
	p.mu.Lock()
	defer p.mu.Unlock()
	return reprocessing{running: p.running, scope: p.scope, res: p.res, err: p.err, by: p.by}
}

func (c *Console) errorsTab(w http.ResponseWriter, r *http.Request) {
	data := map[string]any{"Tab": "errors", "Operator": connectors.ActorFrom(r.Context()), "Configured": c.cfg.Errors != nil,
		"CanReprocess": c.cfg.Retry != nil}
	if c.cfg.Errors == nil {
		c.render(w, r, "errors.html", data)
		return
	}
	f := filterOf(r.URL.Query())
	recs, next, err := page(r.Context(), c.cfg.Errors, f, r.URL.Query().Get("after"))
	if err != nil {
		data["Error"] = redact.Error(err).Error()
	}
	data["Filter"], data["Records"] = f, recs
	if next != "" {
		v := f.values()
		v.Set("after", next)
		data["Next"] = "?" + v.Encode()
	}
	data["Scope"] = f.values().Encode()
	p := c.reprocess.snapshot()
	data["Pass"] = map[string]any{"Running": p.running, "Scope": p.scope, "Tried": p.res.Tried, "Fixed": p.res.Fixed,
		"Failing": p.res.Failing, "Err": p.err, "By": p.by, "Ran": p.scope != ""}
	c.render(w, r, "errors.html", data)
}

// errorKey is the record key of /errors/{key...} routes.
func errorKey(r *http.Request) string { return r.PathValue("key") }

func (c *Console) errorRecord(w http.ResponseWriter, r *http.Request) {
	if c.cfg.Errors == nil {
		http.NotFound(w, r)
		return
	}
	key := errorKey(r)
	rec, ok, err := find(r.Context(), c.cfg.Errors, key)
	if err != nil || !ok {
		http.NotFound(w, r)
		return
	}
	c.render(w, r, "error.html", map[string]any{"Tab": "errors", "Operator": connectors.ActorFrom(r.Context()), "R": rec,
		"Payload": redact.Text(string(redact.New().JSON(rec.Payload))), "CanReprocess": c.cfg.Retry != nil})
}

// find reads one record by key: Scan returns the keys after its argument, so it
// starts from key's longest proper prefix and reads on until it reaches or passes
// key.
func find(ctx context.Context, s mapping.Store, key string) (mapping.FailedRecord, bool, error) {
	after := ""
	if key != "" {
		after = key[:len(key)-1]
	}
	for {
		recs, err := s.Scan(ctx, after, 100)
		if err != nil || len(recs) == 0 {
			return mapping.FailedRecord{}, false, err
		}
		for _, r := range recs {
			switch {
			case r.Key == key:
				return r, true, nil
			case r.Key > key:
				return mapping.FailedRecord{}, false, nil
			}
			after = r.Key
		}
	}
}

func (c *Console) reprocessOne(w http.ResponseWriter, r *http.Request) {
	if c.cfg.Errors == nil || c.cfg.Retry == nil {
		http.NotFound(w, r)
		return
	}
	key := errorKey(r)
	res, err := mapping.ReprocessWhere(r.Context(), c.cfg.Errors, c.cfg.Retry, func(fr mapping.FailedRecord) bool { return fr.Key == key }, nil)
	c.audit(r.Context(), "reprocess error", map[string]string{"key": key, "fixed": strconv.Itoa(res.Fixed)}, err)
	if err != nil {
		http.Error(w, "reprocessing failed: "+redact.Error(err).Error(), http.StatusBadGateway)
		return
	}
	seeOther(w, c.rel(r, "errors"))
}

// errAlreadyRunning refuses a second reprocess pass while one runs.
var errAlreadyRunning = errors.New("ops: a reprocess pass is running")

// reprocessAll starts a background pass over the records the filter in the form
// accepts (all classified errors when it has none); the Errors tab shows its
// progress.
func (c *Console) reprocessAll(w http.ResponseWriter, r *http.Request) {
	if c.cfg.Errors == nil || c.cfg.Retry == nil {
		http.NotFound(w, r)
		return
	}
	_ = r.ParseForm()
	f := filterOf(r.PostForm)
	scope := f.values().Encode()
	if scope == "" {
		scope = "all classified errors"
	}
	p := &c.reprocess
	p.mu.Lock()
	if p.running {
		p.mu.Unlock()
		c.audit(r.Context(), "reprocess errors", map[string]string{"scope": scope}, errAlreadyRunning)
		http.Error(w, errAlreadyRunning.Error(), http.StatusConflict)
		return
	}
	who := connectors.ActorFrom(r.Context())
	p.running, p.scope, p.res, p.err, p.by = true, scope, mapping.ReprocessResult{}, "", who
	p.mu.Unlock()
	c.audit(r.Context(), "reprocess errors", map[string]string{"scope": scope}, nil)
	ctx := context.WithoutCancel(r.Context()) // the pass outlives the request
	c.passes.Add(1)
	go func() {
		defer c.passes.Done()
		res, err := mapping.ReprocessWhere(ctx, c.cfg.Errors, c.cfg.Retry, f.match, func(res mapping.ReprocessResult) {
			p.mu.Lock()
			p.res = res
			p.mu.Unlock()
		})
		p.mu.Lock()
		p.running, p.res = false, res
		if err != nil {
			p.err = redact.Error(err).Error()
		}
		p.mu.Unlock()
	}()
	seeOther(w, c.rel(r, "errors")+"?"+f.values().Encode())
}

// rel is path relative to the console's root, from the request's path depth (the
// console does not know where it is mounted).
func (c *Console) rel(r *http.Request, path string) string {
	depth := strings.Count(strings.TrimPrefix(r.URL.Path, "/"), "/")
	if rel := strings.Repeat("../", depth) + path; rel != "" {
		return rel
	}
	return "./"
}
