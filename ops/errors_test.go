package ops_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dispatchcenter/connectors/mapping"
	"github.com/dispatchcenter/connectors/ops"
)

// failed is a stored record of system/entity with one problem of class.
func failed(key string, class mapping.Class, code string) mapping.FailedRecord {
	return mapping.FailedRecord{Key: key, Mapping: "reach-customer", Version: 3, Class: class,
		Payload: []byte(`{"id":"C1","email":"not-an-address","card_number":"4111111111111111"}`),
		Errors: []mapping.Problem{{Source: "email", Target: "email", Rule: "email", Code: code, Class: class, Value: "[redacted]",
			Action: mapping.Action(code, class)}}}
}

type errorsRig struct {
	console *ops.Console
	store   *mapping.MemoryStore
	fixed   atomic.Bool // Retry maps every record once the "mapping" is fixed
	tried   atomic.Int32
}

func newErrorsRig(t *testing.T, n int) *errorsRig {
	r := &errorsRig{store: mapping.NewMemoryStore(2*n+10, nil)}
	ctx := context.Background()
	for i := range n {
		require.NoError(t, r.store.Put(ctx, failed(fmt.Sprintf("reach/customer/C%05d", i), mapping.ClassData, mapping.CodeInvalidEmail)))
	}
	require.NoError(t, r.store.Put(ctx, failed("geotab/device/b12", mapping.ClassMapping, mapping.CodeConversion)))
	require.NoError(t, r.store.Put(ctx, failed("merchant/payment/P1", mapping.ClassSystem, mapping.CodeUnavailable)))
	var err error
	r.console, err = ops.New(ops.Config{Auth: ops.BearerToken(map[string]string{token: "ada"}), Errors: r.store,
		Retry: func(context.Context, mapping.FailedRecord) error {
			r.tried.Add(1)
			if r.fixed.Load() {
				return nil
			}
			return &mapping.RecordError{Mapping: "reach-customer", Errors: []*mapping.FieldError{{Target: "email", Code: mapping.CodeInvalidEmail, Class: mapping.ClassData}}}
		}})
	require.NoError(t, err)
	t.Cleanup(r.console.Close)
	return r
}

func (r *errorsRig) do(method, target string, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	w := httptest.NewRecorder()
	r.console.ServeHTTP(w, req)
	return w
}

func TestErrorsTab(t *testing.T) {
	r := newErrorsRig(t, 120)
	for _, tc := range []struct {
		name, query  string
		want, absent []string
	}{
		{"classified by default, a page of 50", "", []string{"geotab/device/b12", "reach/customer/C00000", "reach/customer/C00048", "invalid_email",
			"Correct the email address", "Next page"}, []string{"reach/customer/C00049", "merchant/payment/P1"}},
		{"the next page", "?after=reach%2Fcustomer%2FC00048", []string{"reach/customer/C00049", "reach/customer/C00098"}, []string{"reach/customer/C00048<", "geotab"}},
		{"by system", "?system=geotab", []string{"geotab/device/b12", "conversion"}, []string{"reach/customer/"}},
		{"by entity", "?entity=device", []string{"geotab/device/b12"}, []string{"reach/customer/"}},
		{"by class", "?class=mapping", []string{"geotab/device/b12"}, []string{"reach/customer/"}},
		{"search", "?q=C00117", []string{"reach/customer/C00117"}, []string{"reach/customer/C00116", "Next page"}},
		{"the integration's own faults apart", "?view=own", []string{"merchant/payment/P1"}, []string{"reach/customer/", "geotab/device"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := r.do("GET", "/errors"+tc.query, "")
			require.Equal(t, http.StatusOK, w.Code)
			for _, s := range tc.want {
				assert.Contains(t, w.Body.String(), s)
			}
			for _, s := range tc.absent {
				assert.NotContains(t, w.Body.String(), s)
			}
		})
	}
}

// One record: its problems with their field paths and actions, the record with its
// card number masked.
func TestErrorRecordIsRedacted(t *testing.T) {
	r := newErrorsRig(t, 3)
	w := r.do("GET", "/error/reach/customer/C00001", "")
	require.Equal(t, http.StatusOK, w.Code)
	body := w.Body.String()
	for _, s := range []string{"reach/customer/C00001", "reach-customer v3", "invalid_email", "Correct the email address", `"id":"C1"`, `"card_number":"REDACTED"`} {
		assert.Contains(t, strings.ReplaceAll(body, "&#34;", `"`), s)
	}
	assert.NotContains(t, body, "4111111111111111")
	assert.Equal(t, http.StatusNotFound, r.do("GET", "/error/reach/customer/C99999", "").Code)
}

// Reprocessing one record that still fails keeps it (with one more attempt); once
// the mapping is fixed it is gone.
func TestReprocessOne(t *testing.T) {
	r := newErrorsRig(t, 3)
	assert.Equal(t, http.StatusSeeOther, r.do("POST", "/reprocess/reach/customer/C00001", "").Code)
	assert.Equal(t, 5, r.store.Len(), "still failing: kept")
	r.fixed.Store(true)
	w := r.do("POST", "/reprocess/reach/customer/C00001", "")
	assert.Equal(t, http.StatusSeeOther, w.Code)
	assert.Equal(t, "../../../errors", w.Header().Get("Location"))
	assert.Equal(t, 4, r.store.Len())
	assert.NotContains(t, r.do("GET", "/errors", "").Body.String(), "reach/customer/C00001")
}

// Reprocess all of a filter's records in the background: the tab shows its
// progress, then its result; classified errors only unless asked for the own ones.
func TestReprocessAll(t *testing.T) {
	r := newErrorsRig(t, 200)
	r.fixed.Store(true)
	w := r.do("POST", "/reprocess-all", "system=reach")
	require.Equal(t, http.StatusSeeOther, w.Code)
	r.console.Close() // waits for the pass
	assert.Equal(t, int32(200), r.tried.Load())
	assert.Equal(t, 2, r.store.Len(), "geotab's and merchant's records are outside the filter")
	body := r.do("GET", "/errors", "").Body.String()
	assert.Contains(t, body, "Reprocessed system=reach: 200 tried, 200 fixed, 0 still failing")
	assert.Contains(t, body, "(by ada)")
	w = r.do("POST", "/reprocess-all", "")
	require.Equal(t, http.StatusSeeOther, w.Code)
	r.console.Close()
	assert.Equal(t, 1, r.store.Len(), "the integration's own fault stays: it is the product team's")
}

// The Errors routes, like every other, want an operator and refuse cross-site POSTs.
func TestErrorsRoutesAreProtected(t *testing.T) {
	r := newErrorsRig(t, 3)
	for _, rt := range []struct{ method, path string }{{"GET", "/errors"}, {"GET", "/error/reach/customer/C00001"},
		{"POST", "/reprocess/reach/customer/C00001"}, {"POST", "/reprocess-all"}} {
		req := httptest.NewRequest(rt.method, rt.path, nil)
		w := httptest.NewRecorder()
		r.console.ServeHTTP(w, req)
		assert.Equal(t, http.StatusUnauthorized, w.Code, rt.path)
	}
	req := httptest.NewRequest("POST", "/reprocess-all", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	w := httptest.NewRecorder()
	r.console.ServeHTTP(w, req)
	assert.Equal(t, http.StatusForbidden, w.Code)
	assert.Zero(t, r.tried.Load())
}

// BenchmarkErrorsPage: the Errors tab's first page with 10 000 classified errors
// stored (goal: well under 200 ms), and a filter whose matches are at the end.
func BenchmarkErrorsPage(b *testing.B) {
	store := mapping.NewMemoryStore(20000, nil)
	ctx := context.Background()
	for i := range 10000 {
		if err := store.Put(ctx, failed(fmt.Sprintf("reach/customer/C%05d", i), mapping.ClassData, mapping.CodeInvalidEmail)); err != nil {
			b.Fatal(err)
		}
	}
	c, err := ops.New(ops.Config{Auth: ops.BearerToken(map[string]string{token: "ada"}), Errors: store})
	if err != nil {
		b.Fatal(err)
	}
	for _, q := range []string{"", "?q=C09999"} {
		b.Run("query="+q, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequest("GET", "/errors"+q, nil)
				req.Header.Set("Authorization", "Bearer "+token)
				w := httptest.NewRecorder()
				c.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Fatal(w.Code)
				}
			}
		})
	}
}

// BenchmarkReprocessAll: a "reprocess all" of 10 000 stored errors, while the live
// path keeps storing new failures: the pass's time, and the slowest Put the live
// path saw meanwhile, as its 99th percentile (the pass holds the store's lock only
// per batch of 100, and per record it fixes).
func BenchmarkReprocessAll(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		store := mapping.NewMemoryStore(30000, nil)
		ctx := context.Background()
		for i := range 10000 {
			if err := store.Put(ctx, failed(fmt.Sprintf("reach/customer/C%05d", i), mapping.ClassData, mapping.CodeInvalidEmail)); err != nil {
				b.Fatal(err)
			}
		}
		done := make(chan struct{})
		lat := make(chan []time.Duration)
		go func() {
			var ds []time.Duration
			for i := 0; ; i++ {
				select {
				case <-done:
					lat <- ds
					return
				default:
				}
				start := time.Now()
				_ = store.Put(ctx, failed(fmt.Sprintf("live/event/E%06d", i%1000), mapping.ClassData, mapping.CodeRequired))
				ds = append(ds, time.Since(start))
			}
		}()
		b.StartTimer()
		res, err := mapping.ReprocessWhere(ctx, store, func(context.Context, mapping.FailedRecord) error { return nil },
			func(r mapping.FailedRecord) bool { return strings.HasPrefix(r.Key, "reach/") }, nil)
		b.StopTimer()
		close(done)
		ds := <-lat
		if err != nil || res.Fixed != 10000 || len(ds) == 0 {
			b.Fatal(res, err)
		}
		slices.Sort(ds)
		b.ReportMetric(float64(ds[len(ds)*99/100].Microseconds()), "live-put-p99-µs")
		b.ReportMetric(float64(len(ds)), "live-puts")
		b.StartTimer()
	}
}
