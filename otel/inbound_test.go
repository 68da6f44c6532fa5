package otel_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/dispatchcenter/connectors/otel"
	"github.com/dispatchcenter/connectors/webhook"
)

// A delivery that carries the sender's traceparent: the receiver's hand-off runs in
// a SERVER span of that trace, and deliveries are counted by outcome.
func TestInboundContinuesTheSendersTrace(t *testing.T) {
	spans := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans))
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	tel, err := otel.New(tp, mp)
	require.NoError(t, err)
	keys, err := webhook.NewAPIKey("X-Api-Key", "hook-key-0123456789ab")
	require.NoError(t, err)
	var handed trace.SpanContext
	rc, err := webhook.NewReceiver(keys, webhook.SinkFunc(func(ctx context.Context, ev webhook.Event) error {
		handed = trace.SpanContextFromContext(ctx)
		return nil
	}), webhook.ReceiverOptions{})
	require.NoError(t, err)
	h := tel.Inbound("POST /hooks/reach", rc)

	// the sender's span, as its traceparent header carries it
	sender, senderSpan := tp.Tracer("sender").Start(context.Background(), "send")
	senderSpan.End()
	send := func(key, body string) int {
		req := httptest.NewRequest(http.MethodPost, "/hooks/reach", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Api-Key", key)
		propagation.TraceContext{}.Inject(sender, propagation.HeaderCarrier(req.Header))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w.Code
	}
	assert.Equal(t, http.StatusAccepted, send("hook-key-0123456789ab", `{"id":"e1"}`))
	assert.Equal(t, http.StatusOK, send("hook-key-0123456789ab", `{"id":"e1"}`), "a duplicate")
	assert.Equal(t, http.StatusUnauthorized, send("wrong", `{"id":"e2"}`))

	require.True(t, handed.IsValid())
	assert.Equal(t, senderSpan.SpanContext().TraceID(), handed.TraceID(), "the hand-off continues the sender's trace")
	var server *tracetest.SpanStub
	got := spans.GetSpans()
	for i := range got {
		if got[i].SpanKind == trace.SpanKindServer {
			server = &got[i]
			break
		}
	}
	require.NotNil(t, server)
	assert.Equal(t, "POST /hooks/reach", server.Name)
	assert.Equal(t, senderSpan.SpanContext().SpanID(), server.Parent.SpanID())
	assert.Equal(t, handed.SpanID(), server.SpanContext.SpanID())

	var rm metricdata.ResourceMetrics
	require.NoError(t, reader.Collect(context.Background(), &rm))
	outcomes := map[string]int64{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name != "connectors.webhook.deliveries" {
				continue
			}
			for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
				v, _ := dp.Attributes.Value(otel.OutcomeKey)
				outcomes[v.AsString()] += dp.Value
			}
		}
	}
	assert.Equal(t, map[string]int64{"accepted": 1, "duplicate": 1, "refused": 1}, outcomes)
	for _, s := range spans.GetSpans() {
		for _, kv := range s.Attributes {
			assert.NotContains(t, kv.Value.String(), "hook-key-0123456789ab")
		}
	}
}
