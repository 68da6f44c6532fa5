package otel_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"go.uber.org/goleak"

	"github.com/dispatchcenter/connectors/maddenco"
	"github.com/dispatchcenter/connectors/mapping"
	"github.com/dispatchcenter/connectors/otel"
	"github.com/dispatchcenter/connectors/resilience"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const apiKey = "mk-secret-4242"

// rig is a maddenco client on a loopback server that answers the statuses given
// in turn (the last repeats), with telemetry recorded in memory.
type rig struct {
	spans   *tracetest.InMemoryExporter
	metrics *sdkmetric.ManualReader
	client  *maddenco.Client
	mu      sync.Mutex
	parents []string // the traceparent header of every request the server saw
}

func newRig(t *testing.T, statuses ...int) *rig {
	r := &rig{spans: tracetest.NewInMemoryExporter(), metrics: sdkmetric.NewManualReader()}
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.parents = append(r.parents, req.Header.Get("traceparent"))
		r.mu.Unlock()
		i := min(int(n.Add(1))-1, len(statuses)-1)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(statuses[i])
		if statuses[i] == http.StatusOK {
			_, _ = w.Write([]byte(`{"id":"EQ-7","status":"in_service","type":"lift","location":{"site_id":"S1"},"updated_at":"2026-01-05T08:00:00Z"}`))
		}
	}))
	t.Cleanup(srv.Close)
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(r.spans), sdktrace.WithSampler(sdktrace.AlwaysSample()))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(r.metrics))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()); _ = mp.Shutdown(context.Background()) })
	tel, err := otel.New(tp, mp)
	require.NoError(t, err)
	p := maddenco.DefaultPolicy(-1)
	p.Cache = resilience.CachePolicy{}
	p.Retry.Backoff = nil // retry at once
	tr := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(tr.CloseIdleConnections)
	r.client, err = maddenco.New(maddenco.Config{BaseURL: srv.URL, APIKey: apiKey},
		maddenco.WithPolicy(p), maddenco.WithHTTPClient(&http.Client{Transport: tr}), maddenco.WithTelemetry(tel))
	require.NoError(t, err)
	return r
}

func attrs(kvs []attribute.KeyValue) map[string]string {
	m := map[string]string{}
	for _, kv := range kvs {
		m[string(kv.Key)] = kv.Value.String()
	}
	return m
}

// A read that the vendor answers 503 and then 200: one operation span with two
// CLIENT spans under it, named from the route, the retry's resend count set, the
// 503 an error, and the trace context on both requests.
func TestSpansOfARetriedRead(t *testing.T) {
	r := newRig(t, http.StatusServiceUnavailable, http.StatusOK)
	_, err := r.client.Equipment(context.Background(), "EQ-7")
	require.NoError(t, err)

	spans := r.spans.GetSpans()
	require.Len(t, spans, 3)
	op := spans[2] // ended last
	assert.Equal(t, "maddenco.GetEquipment", op.Name, "named by the contract's operationId")
	assert.Equal(t, trace.SpanKindInternal, op.SpanKind)
	oa := attrs(op.Attributes)
	assert.Equal(t, "maddenco", oa["connectors.system"])
	assert.Equal(t, "2", oa["connectors.attempts"])
	assert.Equal(t, "closed", oa["connectors.breaker.state"])
	assert.Equal(t, "false", oa["connectors.idempotency_key.present"])
	assert.Equal(t, codes.Unset, op.Status.Code)

	for i, s := range spans[:2] {
		assert.Equal(t, "GET /api/equipment/{id}", s.Name, "the template, never the id")
		assert.Equal(t, trace.SpanKindClient, s.SpanKind)
		assert.Equal(t, op.SpanContext.SpanID(), s.Parent.SpanID(), "attempts are children of the operation")
		assert.Equal(t, op.SpanContext.TraceID(), s.SpanContext.TraceID())
		a := attrs(s.Attributes)
		assert.Equal(t, "GET", a["http.request.method"])
		assert.Equal(t, "127.0.0.1", a["server.address"])
		assert.NotEmpty(t, a["server.port"])
		assert.Equal(t, "/api/equipment/{id}", a["url.template"])
		assert.Contains(t, a["url.full"], "/api/equipment/EQ-7")
		r.mu.Lock()
		assert.Contains(t, r.parents[i], s.SpanContext.SpanID().String(), "traceparent names the attempt's span")
		r.mu.Unlock()
		if i == 0 {
			assert.Equal(t, "503", a["http.response.status_code"])
			assert.Equal(t, "503", a["error.type"])
			assert.Equal(t, codes.Error, s.Status.Code)
			assert.NotContains(t, a, "http.request.resend_count")
		} else {
			assert.Equal(t, "200", a["http.response.status_code"])
			assert.Equal(t, "1", a["http.request.resend_count"])
			assert.Equal(t, codes.Unset, s.Status.Code)
		}
	}

	var rm metricdata.ResourceMetrics
	require.NoError(t, r.metrics.Collect(context.Background(), &rm))
	got := map[string]metricdata.Aggregation{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			got[m.Name] = m.Data
		}
	}
	h, ok := got["http.client.request.duration"].(metricdata.Histogram[float64])
	require.True(t, ok, "the duration histogram")
	var count uint64
	for _, dp := range h.DataPoints {
		count += dp.Count
		assert.Equal(t, []float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10}, dp.Bounds)
	}
	assert.Equal(t, uint64(2), count, "one per attempt")
	retries, ok := got["connectors.client.retries"].(metricdata.Sum[int64])
	require.True(t, ok)
	require.Len(t, retries.DataPoints, 1)
	assert.Equal(t, int64(1), retries.DataPoints[0].Value)
}

// A caller that cancels is not a failure of the call: no error status.
func TestCancellationIsNotAnError(t *testing.T) {
	r := newRig(t, http.StatusOK)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := r.client.Equipment(ctx, "EQ-7")
	require.Error(t, err)
	for _, s := range r.spans.GetSpans() {
		assert.NotEqual(t, codes.Error, s.Status.Code, s.Name)
	}
}

// No span or metric attribute holds the API key, a query value or any header.
func TestNothingSecretInTelemetry(t *testing.T) {
	r := newRig(t, http.StatusInternalServerError, http.StatusOK)
	for _, err := range r.client.EquipmentList(context.Background(), maddenco.EquipmentFilter{SiteID: "site-secret-77"}) {
		require.NoError(t, err)
		break
	}
	var seen []string
	for _, s := range r.spans.GetSpans() {
		seen = append(seen, s.Name)
		for _, kv := range s.Attributes {
			seen = append(seen, kv.Value.String())
		}
	}
	var rm metricdata.ResourceMetrics
	require.NoError(t, r.metrics.Collect(context.Background(), &rm))
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if h, ok := m.Data.(metricdata.Histogram[float64]); ok {
				for _, dp := range h.DataPoints {
					for _, kv := range dp.Attributes.ToSlice() {
						seen = append(seen, kv.Value.String())
					}
				}
			}
		}
	}
	all := strings.Join(seen, "\n")
	require.NotEmpty(t, all)
	assert.NotContains(t, all, apiKey)
	assert.NotContains(t, all, "site-secret-77", "query values are masked in url.full")
}

// A refused record is counted by mapping, class and code, never by value.
func TestMappingFailedCountsByClass(t *testing.T) {
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	tel, err := otel.New(sdktrace.NewTracerProvider(), mp)
	require.NoError(t, err)
	tel.MappingFailed(context.Background(), &mapping.RecordError{Mapping: "reach-customer", Errors: []*mapping.FieldError{
		{Target: "email", Code: mapping.CodeInvalidEmail, Class: mapping.ClassData, Value: "[redacted]"},
		{Target: "id", Code: mapping.CodeRequired, Class: mapping.ClassData},
	}})
	tel.MappingFailed(context.Background(), errors.New("not a record error"))
	var rm metricdata.ResourceMetrics
	require.NoError(t, reader.Collect(context.Background(), &rm))
	got := map[string]int64{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name != "connectors.mapping.errors" {
				continue
			}
			for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
				class, _ := dp.Attributes.Value(otel.MappingClassKey)
				code, _ := dp.Attributes.Value(otel.MappingCodeKey)
				got[class.AsString()+"/"+code.AsString()] += dp.Value
			}
		}
	}
	assert.Equal(t, map[string]int64{"data/" + mapping.CodeInvalidEmail: 1, "data/" + mapping.CodeRequired: 1}, got)
}
