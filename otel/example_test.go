package otel_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/dispatchcenter/connectors/otel"
	"github.com/dispatchcenter/connectors/resilience"
)

// A resilience client with telemetry: every attempt is a CLIENT span named after
// the call's route, with the trace context sent along.
func ExampleNew() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Println("traceparent sent:", r.Header.Get("traceparent") != "")
	}))
	defer srv.Close()
	spans := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans))
	mp := sdkmetric.NewMeterProvider()
	tel, err := otel.New(tp, mp)
	if err != nil {
		panic(err)
	}
	c, err := resilience.New(resilience.Policy{}, resilience.WithTelemetry(tel))
	if err != nil {
		panic(err)
	}
	ctx := resilience.Route(context.Background(), "GET /devices/{id}")
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/devices/b12", nil)
	resp, err := c.Do(req)
	if err != nil {
		panic(err)
	}
	_ = resp.Body.Close()
	for _, s := range spans.GetSpans() {
		fmt.Println(s.SpanKind, s.Name)
	}
	// Output:
	// traceparent sent: true
	// client GET /devices/{id}
}
