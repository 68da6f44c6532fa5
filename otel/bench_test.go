package otel_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/dispatchcenter/connectors/otel"
	"github.com/dispatchcenter/connectors/resilience"
)

// BenchmarkGET: a loopback GET of 1 KiB through the Standard policy, without
// telemetry and with it (always sampled, spans to an in-memory exporter, metrics
// to a manual reader), in one run.
func BenchmarkGET(b *testing.B) {
	body := strings.Repeat("x", 1024)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, body) }))
	b.Cleanup(srv.Close)
	run := func(b *testing.B, opts ...resilience.Option) {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		b.Cleanup(tr.CloseIdleConnections)
		c, err := resilience.New(resilience.Standard(), append(opts, resilience.WithTransport(tr))...)
		if err != nil {
			b.Fatal(err)
		}
		ctx := resilience.Route(context.Background(), "GET /devices")
		b.ReportAllocs()
		for b.Loop() {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/devices", nil)
			resp, err := c.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
		}
	}
	b.Run("without", func(b *testing.B) { run(b) })
	b.Run("with-otel", func(b *testing.B) {
		tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(&counting{}), sdktrace.WithSampler(sdktrace.AlwaysSample()))
		mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
		b.Cleanup(func() { _ = tp.Shutdown(context.Background()); _ = mp.Shutdown(context.Background()) })
		tel, err := otel.New(tp, mp)
		if err != nil {
			b.Fatal(err)
		}
		run(b, resilience.WithTelemetry(tel))
	})
}

// counting is an in-memory exporter that keeps a count of the spans it was given
// (keeping them all would measure the exporter's growth, not the bridge).
type counting struct{ n int }

func (c *counting) ExportSpans(_ context.Context, s []sdktrace.ReadOnlySpan) error {
	c.n += len(s)
	return nil
}

func (c *counting) Shutdown(context.Context) error { return nil }
